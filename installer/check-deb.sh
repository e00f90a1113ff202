#!/bin/sh
# Manual / CI helper, NOT part of ctest: it needs root, and it installs the
# isoscope package system-wide (with its dependencies, from the configured
# apt sources) and removes it again.
#
# Builds the DEB in an already configured and built build folder, installs
# it, checks that `isoscope --version` reports the project version, that the
# desktop files landed, and removes the package.
# Usage: sudo installer/check-deb.sh BUILD_DIR
set -eu

if [ $# -ne 1 ] || [ ! -f "$1/CPackConfig.cmake" ]; then
    echo "usage: $0 BUILD_DIR   (a configured and built build folder)" >&2
    exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "check-deb: must run as root: it installs and removes the isoscope package" >&2
    exit 2
fi
build=$(cd "$1" && pwd)

version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
[ -n "$version" ] || { echo "check-deb: no project version in $build/CMakeCache.txt" >&2; exit 1; }

cd "$build"
rm -f isoscope_*.deb
cpack -G DEB
set -- isoscope_*.deb
if [ $# -ne 1 ] || [ ! -f "$1" ]; then
    echo "check-deb: cpack made no single isoscope_*.deb in $build" >&2
    exit 1
fi
deb=$1

apt-get install -y "./$deb"
trap 'apt-get remove -y isoscope' EXIT

status=0
expected="isoscope $version"
actual=$(isoscope --version)
if [ "$actual" = "$expected" ]; then
    echo "check-deb: isoscope --version says '$actual'"
else
    echo "check-deb: isoscope --version said '$actual', expected '$expected'" >&2
    status=1
fi
for file in /usr/share/applications/dev.isoscope.Isoscope.desktop \
            /usr/share/metainfo/dev.isoscope.Isoscope.metainfo.xml \
            /usr/share/icons/hicolor/scalable/apps/dev.isoscope.Isoscope.svg; do
    [ -f "$file" ] || { echo "check-deb: the package did not install $file" >&2; status=1; }
done
[ "$status" -eq 0 ] && echo "check-deb: $deb installs and runs"
exit "$status"
