#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Installs the Debian packages Afterwork needs that are not installed yet: those of
# scripts/packages/common.txt and of the running release's own list (scripts/packages/debian-12.txt
# or debian-13.txt, picked from /etc/os-release). Non-interactive; uses sudo when not run as root;
# does nothing (not even `apt-get update`) when every package is already there.
#
#   scripts/install-deps.sh            install what is missing
#   scripts/install-deps.sh --check    only list what is missing; exit 1 if anything is
#
# AFTERWORK_PACKAGE_LIST=<file> reads that list alone (for a release this script does not know).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lists_dir=$here/packages
mode=install
case ${1:-} in
    --check) mode=check ;;
    "") ;;
    *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

# The lists for this machine: an explicit one, or common.txt plus the release's own.
if [[ -n ${AFTERWORK_PACKAGE_LIST:-} ]]; then
    lists=("$AFTERWORK_PACKAGE_LIST")
else
    os_id=unknown os_version=unknown os_name="an unknown system"
    if [[ -r /etc/os-release ]]; then
        # shellcheck disable=SC1091
        os_id=$(. /etc/os-release && echo "${ID:-unknown}")
        os_version=$(. /etc/os-release && echo "${VERSION_ID:-unknown}")
        os_name=$(. /etc/os-release && echo "${PRETTY_NAME:-$ID $VERSION_ID}")
    fi
    release_list=$lists_dir/$os_id-$os_version.txt
    if [[ ! -f $release_list ]]; then
        known=$(cd "$lists_dir" && ls -- *-*.txt | sed -e 's/\.txt$//' -e 's/-/ /' | paste -sd, - | sed 's/,/, /g')
        echo "install-deps: $os_name is not a release this script knows (it knows: $known)." >&2
        echo "install-deps: install the equivalents of $lists_dir/common.txt and of the nearest release's" >&2
        echo "install-deps: list by hand, then run with AFTERWORK_SKIP_DEPS=1; or name a list of your own with" >&2
        echo "install-deps: AFTERWORK_PACKAGE_LIST=<file>." >&2
        exit 1
    fi
    lists=("$lists_dir/common.txt" "$release_list")
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-deps: this is not a Debian system; install the packages in ${lists[*]} by hand." >&2
    exit 1
fi

# Strip comments, split on whitespace, drop empty words.
mapfile -t wanted < <(sed -e 's/#.*//' "${lists[@]}" | tr -s '[:space:]' '\n' | grep -v '^$')

missing=()
for package in "${wanted[@]}"; do
    # "ii" = wanted and installed; anything else (absent, half-installed, removed) counts as missing.
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$package" 2>/dev/null || true)
    [[ $status == ii* ]] || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
    echo "install-deps: all ${#wanted[@]} Debian packages are installed."
    exit 0
fi

echo "install-deps: missing ${#missing[@]} of ${#wanted[@]} packages: ${missing[*]}"
if [[ $mode == check ]]; then
    exit 1
fi

as_root=()
if ((EUID != 0)); then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "install-deps: not root and sudo is not installed; as root, run:" >&2
        echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
    as_root=(sudo)
fi

apt_options=(-y -q -o Dpkg::Use-Pty=0 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install "${apt_options[@]}" "${missing[@]}" </dev/null
echo "install-deps: installed ${missing[*]}"
