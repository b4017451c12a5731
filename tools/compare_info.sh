#!/usr/bin/env bash
# Runs `info` of two builds of the app over every file under the given folders
# and prints the files whose output or exit code differ: a change to a reader
# must keep every message and repair as it was (issue 19's "one pass").
#   tools/compare_info.sh OLD_BINARY NEW_BINARY ../shared/corpus ../shared/data
set -uo pipefail
old=${1:?usage: tools/compare_info.sh OLD NEW DIR...}; new=${2:?}; shift 2
n=0; d=0
while IFS= read -r f; do
  n=$((n + 1))
  a=$(timeout 60 "$old" info "$f" 2>&1; echo "rc=$?")
  b=$(timeout 60 "$new" info "$f" 2>&1; echo "rc=$?")
  if [ "$a" != "$b" ]; then
    d=$((d + 1)); echo "DIFF $f"; diff <(echo "$a") <(echo "$b") | head -6
  fi
done < <(find "$@" -type f | sort)
echo "files $n, differing $d"
[ "$d" -eq 0 ]
