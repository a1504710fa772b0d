#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Builds the libFuzzer targets with clang (AddressSanitizer + UndefinedBehaviorSanitizer) in a build
# directory of their own and runs each for a bounded time, starting from the seed corpus in
# fuzz/corpus/. Exits non-zero if a target crashes, leaks, trips a sanitizer or fails to build.
#
#   scripts/fuzz.sh                  every target, 30 s each
#   AFTERWORK_FUZZ_SECONDS=300 scripts/fuzz.sh
#
# Environment: AFTERWORK_FUZZ_SECONDS (default 30), AFTERWORK_FUZZ_BUILD_DIR (default
# build/fuzz), AFTERWORK_BUILD_JOBS (parallel compile jobs). Crash reproducers are written to
# the build directory (crash-*, leak-*, timeout-*); a failing input is printed with its path.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

seconds=${AFTERWORK_FUZZ_SECONDS:-30}
build_dir=${AFTERWORK_FUZZ_BUILD_DIR:-$root/build/fuzz}
targets=(fuzz_line_parser)

if ! command -v clang++ >/dev/null 2>&1; then
    echo "fuzz.sh: clang++ is not installed (Debian: apt-get install clang)" >&2
    exit 2
fi

echo "==> configure ($build_dir)"
cmake -S "$root" -B "$build_dir" -G Ninja \
    -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DAFTERWORK_SANITIZE="address;undefined" \
    -DAFTERWORK_BUILD_FUZZERS=ON \
    -DAFTERWORK_BUILD_TESTS=OFF \
    -DAFTERWORK_BUILD_EXAMPLES=OFF \
    -DAFTERWORK_BUILD_HTTP=OFF \
    -DAFTERWORK_INSTALL=OFF

echo "==> build (${targets[*]})"
build_args=()
if [[ -n ${AFTERWORK_BUILD_JOBS:-} ]]; then
    build_args+=(--parallel "$AFTERWORK_BUILD_JOBS")
fi
cmake --build "$build_dir" --target "${targets[@]}" "${build_args[@]}"

status=0
for target in "${targets[@]}"; do
    name=${target#fuzz_}
    seeds="$root/fuzz/corpus/$name"
    # The corpus grows in the build dir; the seeds in the tree stay as they are.
    corpus="$build_dir/corpus/$name"
    mkdir -p "$corpus"
    echo "==> run $target for ${seconds} s"
    if ! (cd "$build_dir" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$build_dir/fuzz/$target" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 "$corpus" "$seeds"); then
        echo "fuzz.sh: $target FAILED (reproducer in $build_dir)" >&2
        status=1
    fi
done
if ((status == 0)); then
    echo "fuzz.sh: ${#targets[@]} passed, 0 failed"
else
    echo "fuzz.sh: fuzzing found a problem" >&2
fi
exit $status
