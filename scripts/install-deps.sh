#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Installs the Debian packages listed in scripts/debian-packages.txt that are not installed yet.
# Non-interactive; uses sudo when not run as root; does nothing (not even `apt-get update`) when
# every package is already there.
#
#   scripts/install-deps.sh            install what is missing
#   scripts/install-deps.sh --check    only list what is missing; exit 1 if anything is
#
# AFTERWORK_PACKAGE_LIST=<file> reads another list.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
list=${AFTERWORK_PACKAGE_LIST:-$here/debian-packages.txt}
check_only=false
case ${1:-} in
    --check) check_only=true ;;
    "") ;;
    *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-deps: this is not a Debian system; install the packages in $list by hand." >&2
    exit 1
fi

# Strip comments, split on whitespace, drop empty words.
mapfile -t wanted < <(sed -e 's/#.*//' "$list" | tr -s '[:space:]' '\n' | grep -v '^$')

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
if $check_only; then
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
