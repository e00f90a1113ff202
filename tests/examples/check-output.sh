#!/bin/sh
# Runs a program and compares its standard output with an expected file.
#
#   check-output.sh EXPECTED PROGRAM [ARGUMENTS...]
#
# An expected line that starts with "re:" is an extended regular expression
# the whole actual line must match (for lines that vary by run, such as
# timings); every other line must be equal. A mismatch prints a unified diff
# and fails, and so does a program that exits with a status other than 0.
set -u

if [ $# -lt 2 ]; then
    echo "usage: $0 EXPECTED PROGRAM [ARGUMENTS...]" >&2
    exit 2
fi
expected=$1
shift

work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT

"$@" >"$work/actual"
status=$?

# Where a pattern matches, the actual line takes its place, so that the diff
# shows only real differences.
awk 'FILENAME == ARGV[1] { actual[FNR] = $0; next }
     /^re:/ {
         pattern = substr($0, 4)
         if ((FNR in actual) && actual[FNR] ~ ("^(" pattern ")$")) { print actual[FNR]; next }
     }
     { print }' "$work/actual" "$expected" >"$work/expected" || exit 2

result=0
if ! diff -u --label "$expected" --label "output of $1" "$work/expected" "$work/actual"; then
    result=1
fi
if [ "$status" -ne 0 ]; then
    echo "$1 exited with status $status" >&2
    result=1
fi
exit $result
