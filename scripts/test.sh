#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The one command: installs the missing Debian packages, configures, builds and runs every test.
#
#   scripts/test.sh                      the `default` preset (RelWithDebInfo, in build/default)
#   scripts/test.sh asan                 another preset of CMakePresets.json: asan, tsan, release
#   scripts/test.sh asan -R taskconfig   arguments after the preset go to ctest
#
# Environment: AFTERWORK_PRESET=<name> picks the preset when no argument does;
# AFTERWORK_SKIP_DEPS=1 leaves the system's packages alone; AFTERWORK_BUILD_JOBS=<n> limits the
# parallel compile jobs (default: Ninja's choice). Exits non-zero if any step or test fails.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

preset=${AFTERWORK_PRESET:-default}
if (($# > 0)) && [[ $1 != -* ]]; then
    preset=$1
    shift
fi

step() {
    printf '\n==> %s\n' "$*"
}

if [[ ${AFTERWORK_SKIP_DEPS:-0} != 1 ]]; then
    step "Debian packages"
    scripts/install-deps.sh
fi

if ! cmake --list-presets=configure 2>/dev/null | grep -q "\"$preset\""; then
    echo "test.sh: no configure preset '$preset'; the presets are:" >&2
    cmake --list-presets=configure >&2
    exit 2
fi

started=$SECONDS
step "configure ($preset)"
cmake --preset "$preset"

step "build ($preset)"
build_args=()
if [[ -n ${AFTERWORK_BUILD_JOBS:-} ]]; then
    build_args+=(--parallel "$AFTERWORK_BUILD_JOBS")
fi
cmake --build --preset "$preset" "${build_args[@]}"
built=$SECONDS

step "test ($preset)"
# The preset prints the output of failing tests and runs two at a time.
runner=()
if [[ $preset == tsan ]]; then
    # GCC 12's TSan runtime dies at start ("unexpected memory mapping") on kernels that randomise
    # more address bits than it expects; without randomisation it always starts.
    runner=(setarch "$(uname -m)" -R)
fi
"${runner[@]}" ctest --preset "$preset" "$@"
echo "test.sh: preset '$preset' passed (build $((built - started)) s, tests $((SECONDS - built)) s)"
