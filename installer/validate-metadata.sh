#!/bin/sh
# Validates the desktop integration files in an installer folder: the
# .desktop entry, the AppStream metainfo and the icon must be valid and must
# all carry the one application id. Used by CTest (app/installer_metadata).
# Usage: validate-metadata.sh INSTALLER_DIR
set -eu

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
    echo "usage: $0 INSTALLER_DIR" >&2
    exit 2
fi
dir=$1
status=0

fail() {
    echo "validate-metadata: $*" >&2
    status=1
}

require_tool() {
    if ! command -v "$1" >/dev/null 2>&1; then
        echo "validate-metadata: '$1' is not installed (it comes with the $2 package); cannot validate" >&2
        exit 1
    fi
}
require_tool desktop-file-validate desktop-file-utils
require_tool appstreamcli appstream

# The metainfo names the id; every other file must agree with it.
metainfo=$(ls "$dir"/*.metainfo.xml 2>/dev/null || true)
if [ "$(printf '%s\n' "$metainfo" | grep -c .)" -ne 1 ]; then
    echo "validate-metadata: expected exactly one *.metainfo.xml in $dir" >&2
    exit 1
fi
id=$(sed -n 's:.*<id>\(.*\)</id>.*:\1:p' "$metainfo" | head -n 1)
if [ -z "$id" ]; then
    echo "validate-metadata: no <id> in $metainfo" >&2
    exit 1
fi
echo "validate-metadata: application id $id"

[ "$(basename "$metainfo")" = "$id.metainfo.xml" ] || fail "$metainfo is not named $id.metainfo.xml"
desktop=$dir/$id.desktop
icon=$dir/$id.svg
[ -f "$desktop" ] || fail "missing $desktop"
[ -f "$icon" ] || fail "missing $icon"

# The tools decide by their exit status: warnings they print fail only if they say so.
if [ -f "$desktop" ]; then
    desktop-file-validate "$desktop" || fail "desktop-file-validate rejected $desktop"
    grep -qx "Icon=$id" "$desktop" || fail "$desktop does not say Icon=$id"
fi
appstreamcli validate --no-net "$metainfo" || fail "appstreamcli rejected $metainfo"
grep -q "<launchable type=\"desktop-id\">$id.desktop</launchable>" "$metainfo" \
    || fail "$metainfo does not launch $id.desktop"
if [ -f "$icon" ]; then
    grep -q "<svg" "$icon" || fail "$icon is not an SVG image"
fi

if [ "$status" -eq 0 ]; then
    echo "validate-metadata: all checks passed"
fi
exit "$status"
