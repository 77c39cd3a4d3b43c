#!/usr/bin/env bash
# Runs every fuzz target of internal/slrcode for $FUZZTIME each (default
# 15s). Plain `go test` runs only the seed corpora; this is the real search.
# A failing input is saved under internal/slrcode/testdata/fuzz/<target>/:
# commit it, and it becomes a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZTIME="${FUZZTIME:-15s}"
pkg=./internal/slrcode/

# Ask the package for its targets, so that a new one is fuzzed without
# editing this script.
targets=$(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true)
if [[ -z "$targets" ]]; then
	echo "fuzz.sh: no fuzz targets found in $pkg" >&2
	exit 1
fi

for target in $targets; do
	echo "== $target ($FUZZTIME)"
	go test -run='^$' -fuzz="^${target}\$" -fuzztime="$FUZZTIME" "$pkg"
done
