#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs a firmware that has only app_main() (tests/idf_host/app_main_only.c):
# app_main() must run in the task "main" and return, the task it started must
# go on afterwards, and SIGTERM must end the program with status 0.
# usage: check_app_main.sh PROGRAM
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$1" > "$out" 2>&1 &
pid=$!
i=0
while [ $i -lt 100 ] && ! grep -q "tick 5" "$out"; do sleep 0.05; i=$((i + 1)); done
kill -TERM $pid
wait $pid
status=$?
cat "$out"
grep -q "app_main in task main" "$out" || { echo "FAIL: app_main did not run in the main task"; exit 1; }
grep -q "Returned from app_main()" "$out" || { echo "FAIL: app_main did not return"; exit 1; }
grep -q "tick 5" "$out" || { echo "FAIL: the task app_main started did not go on"; exit 1; }
[ $status -eq 0 ] || { echo "FAIL: exit status $status after SIGTERM"; exit 1; }
echo "PASS"
