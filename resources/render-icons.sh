#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Renders the application icon's PNG sizes from its SVG, into the hicolor layout they are
# installed in (icons/hicolor/<N>x<N>/apps/). The PNGs are committed, so that building and
# installing never need a converter: run this after changing the SVG, and commit the result.
#
#   resources/render-icons.sh
#
# Needs rsvg-convert (Debian package librsvg2-bin).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
id=org.afterwork.Monitor
svg=$here/icons/hicolor/scalable/apps/$id.svg
# The sizes desktop environments look up in hicolor (menus, task bars, launchers, software centres).
sizes=(16 24 32 48 64 128 256)

if ! command -v rsvg-convert >/dev/null 2>&1; then
    echo "render-icons: rsvg-convert is missing; install the Debian package librsvg2-bin" >&2
    exit 1
fi

for size in "${sizes[@]}"; do
    out=$here/icons/hicolor/${size}x${size}/apps/$id.png
    mkdir -p "$(dirname "$out")"
    rsvg-convert --width "$size" --height "$size" --format png --output "$out" "$svg"
    echo "render-icons: ${out#"$here"/}"
done
