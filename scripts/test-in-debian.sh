#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Runs the README's test command (scripts/test.sh) inside a Debian root of another release, so that
# one machine proves the project on both supported Qt versions: Debian 12 (Qt 6.4) and Debian 13
# (Qt 6.8). Needs root (debootstrap, mount, chroot).
#
#   scripts/test-in-debian.sh 13                   the whole suite, default preset, on Debian 13
#   scripts/test-in-debian.sh 13 asan -R http      arguments after the release go to scripts/test.sh
#   scripts/test-in-debian.sh 13 --shell           an interactive shell in the root instead
#   scripts/test-in-debian.sh 13 --exec CMD...     any command in the tree inside the root, e.g.
#                                                  --exec scripts/demo.sh --duration 20
#
# The root is made with `debootstrap --variant=minbase` from the Debian mirror that this machine's
# apt sources name, and kept in $AFTERWORK_ROOTS_DIR/debian-<release> (default /var/cache/afterwork),
# outside the clone, so later runs reuse it, its build folder and its compiler cache. It is made anew
# when the way it is made changes; when only the package lists (scripts/packages/) change, the
# missing packages are installed into it. Inside, a copy of the working tree
# (without .git and build folders) is tested in /src/afterwork.
#
# Environment: AFTERWORK_ROOTS_DIR, AFTERWORK_DEBIAN_MIRROR (a mirror URL, instead of apt's),
# AFTERWORK_BUILD_JOBS (passed on to scripts/test.sh).
set -euo pipefail

usage() { sed -n '3,22p' "$0" | sed 's/^# \{0,1\}//'; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
release=${1:-}
case $release in
    12) codename=bookworm ;;
    13) codename=trixie ;;
    -h|--help) usage; exit 0 ;;
    "") usage >&2; exit 2 ;;
    *) echo "test-in-debian: unknown Debian release '$release' (known: 12, 13)" >&2; exit 2 ;;
esac
shift

if ((EUID != 0)); then
    echo "test-in-debian: needs root (debootstrap, mount and chroot); try: sudo $0 $release $*" >&2
    exit 2
fi

# Bump when the way the root is made changes, so that cached roots are made anew.
readonly root_recipe=1
roots_dir=${AFTERWORK_ROOTS_DIR:-/var/cache/afterwork}
root=$roots_dir/debian-$release
lists=("$repo/scripts/packages/common.txt" "$repo/scripts/packages/debian-$release.txt")

say() { printf '\n==> test-in-debian %s: %s\n' "$release" "$*"; }

# The first Debian archive (not the security one) that apt's sources name.
debian_mirror() {
    local uri
    uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
        grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v security | head -n 1 | tr -d ' ' || true)
    echo "${uri:-http://deb.debian.org/debian}"
}

mounted=()
unmount_all() {
    local i
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        umount -R "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null || true
    done
    mounted=()
}
# Only one run per root at a time: a second waits for the first.
mkdir -p "$roots_dir"
exec 9>"$root.lock"
flock 9
trap unmount_all EXIT

# mount_into <root>: /proc, /sys and /dev inside the root, for the build and the tests.
mount_into() {
    local target=$1
    mount -t proc proc "$target/proc"
    mounted+=("$target/proc")
    for dir in sys dev; do
        mount --rbind "/$dir" "$target/$dir"
        mount --make-rslave "$target/$dir"
        mounted+=("$target/$dir")
    done
}

in_root() { # in_root <root> <command...>: runs a command in the root with a clean environment.
    local target=$1
    shift
    chroot "$target" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" CI="${CI:-}" \
        DEBIAN_FRONTEND=noninteractive AFTERWORK_BUILD_JOBS="${AFTERWORK_BUILD_JOBS:-}" \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

started=$SECONDS
# Two stamps: how the root is made (a change makes it anew), and the package lists (a change
# installs what is missing into the root in place, keeping its build folder and compiler cache).
recipe="recipe $root_recipe $codename"
packages=$(cat "${lists[@]}" | sha256sum | cut -d' ' -f1)
made_by=
if [[ -f $root/.afterwork-recipe ]]; then
    made_by=$(cat "$root/.afterwork-recipe")
elif [[ -f $root/.afterwork-stamp ]]; then
    made_by="recipe 1 $codename" # roots made before the recipe had a stamp of its own
fi

# install_packages_into <root>: the packages of this tree's lists that the root lacks (with this
# tree's installer), then the stamps.
install_packages_into() {
    local target=$1
    cp /etc/resolv.conf "$target/etc/resolv.conf"
    mkdir -p "$target/src/afterwork/scripts"
    rm -rf "$target/src/afterwork/scripts/packages"
    cp -r "$repo/scripts/install-deps.sh" "$repo/scripts/packages" "$target/src/afterwork/scripts/"
    mount_into "$target"
    in_root "$target" /src/afterwork/scripts/install-deps.sh
    unmount_all
    echo "$recipe" >"$target/.afterwork-recipe"
    echo "$packages" >"$target/.afterwork-stamp"
}

if [[ $made_by != "$recipe" ]]; then
    if ! command -v debootstrap >/dev/null; then
        say "installing debootstrap"
        apt-get update -q && apt-get install -y -q debootstrap </dev/null
    fi
    mirror=${AFTERWORK_DEBIAN_MIRROR:-$(debian_mirror)}
    say "making the root in $root from $mirror (a few minutes)"
    fresh=$root.new
    rm -rf --one-file-system "$fresh"
    debootstrap --variant=minbase "$codename" "$fresh" "$mirror"
    install_packages_into "$fresh"
    rm -rf --one-file-system "$root"
    mv "$fresh" "$root"
    say "root ready ($((SECONDS - started)) s)"
elif [[ $(cat "$root/.afterwork-stamp" 2>/dev/null) != "$packages" ]]; then
    say "the package lists changed: installing what is missing into the root in $root"
    install_packages_into "$root"
else
    say "reusing the root in $root"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"

# The working tree, as it is now, without history or build folders; the root's own build folder
# stays, so a second run builds incrementally. A file whose content is unchanged keeps its copy
# (and its time); a changed or new one is written now. Keeping the tree's own times instead would
# let a file edited while an earlier run was building look older than what that run built from
# it, and the build would not see the change.
src=$root/src/afterwork
mkdir -p "$src"
stage=$(mktemp -d "$root/src/stage.XXXXXX")
tar -C "$repo" --exclude=./.git --exclude='./build' --exclude='./build-*' -cf - . | tar -C "$stage" -xf -
(cd "$stage" && find . -type f -print0) | while IFS= read -r -d '' file; do
    if ! cmp -s "$stage/$file" "$src/$file"; then
        mkdir -p "$(dirname "$src/$file")"
        cp --preserve=mode "$stage/$file" "$src/$file"
    fi
done
(cd "$src" && find . -path ./build -prune -o -type f -print0) | while IFS= read -r -d '' file; do
    [ -e "$stage/$file" ] || rm -f "$src/$file"
done
rm -rf "$stage"

mount_into "$root"
case ${1:-} in
    --shell)
        in_root "$root" bash -c 'cd /src/afterwork && exec bash -i'
        exit ;;
    --exec)
        shift
        say "running $* inside Debian $release"
        in_root "$root" bash -c 'cd /src/afterwork && exec "$@"' exec "$@"
        exit ;;
esac
say "running scripts/test.sh $* inside Debian $release ($(in_root "$root" cat /etc/debian_version))"
status=0
in_root "$root" bash -c 'cd /src/afterwork && exec scripts/test.sh "$@"' test.sh "$@" || status=$?
say "done in $((SECONDS - started)) s, exit $status"
exit "$status"
