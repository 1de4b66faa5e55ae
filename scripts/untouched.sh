#!/usr/bin/env bash
# untouched.sh CMD...: runs CMD (the test suite) and fails when it left the
# git work tree different: a file a test wrote among the sources, or changed
# or deleted. Untracked files count (ignored ones do not: bin/, the root
# var/ of `make run`); what was already there before CMD is not blamed.
# Outside a git checkout it only runs CMD.
set -uo pipefail
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  exec "$@"
fi
status() { git status --porcelain --untracked-files=all; }
before=$(status)
"$@"
rc=$?
[ $rc -eq 0 ] || exit $rc
after=$(status)
if [ "$before" != "$after" ]; then
  echo "FAIL: the tests changed the work tree (tests must write under t.TempDir()):" >&2
  diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | sed -n 's/^> /  /p' >&2
  exit 1
fi
echo "ok  	work tree unchanged by the tests"
