#!/bin/bash
# Shows that a fix's tests fail without it: for each commit given, runs the tests it added or changed
# on its parent's source (its test files checked out on top), then on the commit itself.
#   scripts/verify/tests-before-fix.sh 18489f9 22dbfac ...
# Needs `make install services` done in this checkout (PostgreSQL and Redis up, .data/test-services.env).
# Works in a throwaway worktree (/tmp/tributary-verify) whose node_modules point at this checkout's.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WT=/tmp/tributary-verify
git -C "$ROOT" worktree remove --force "$WT" 2>/dev/null || true
git -C "$ROOT" worktree add -f --detach "$WT" HEAD -q
mkdir -p "$WT/node_modules/@tributary"
for e in "$ROOT"/node_modules/* "$ROOT/node_modules/.bin"; do n=$(basename "$e"); [ "$n" = "@tributary" ] || ln -s "$e" "$WT/node_modules/$n"; done
ln -s ../../backend "$WT/node_modules/@tributary/backend"
[ -d "$ROOT/backend/node_modules" ] && ln -s "$ROOT/backend/node_modules" "$WT/backend/node_modules"
set -a; source "$ROOT/.data/test-services.env"; set +a
cd "$WT"
for X in "$@"; do
  files=$(git show --name-only --format= "$X" | grep -E '^backend/(test/|src/.*\.spec\.ts$)' || true)
  tests=$(echo "$files" | grep -E '\.(e2e-)?spec\.ts$' | sed 's#^backend/##' | tr '\n' ' ')
  [ -n "$tests" ] || { echo "=== $X changes no test"; continue; }
  git checkout -q -f --detach "$X^"
  # shellcheck disable=SC2086
  git checkout -q "$X" -- $files
  echo "=== $X: its tests on its parent"
  (cd backend && NODE_OPTIONS=--experimental-vm-modules npx jest --ci --verbose $tests 2>&1 | grep -E "✕|Test suite failed|^Tests:" || true)
  git checkout -q -f --detach "$X"
  echo "=== $X: with it"
  (cd backend && NODE_OPTIONS=--experimental-vm-modules npx jest --ci $tests 2>&1 | grep -E "^Tests:" || true)
done
cd "$ROOT" && git worktree remove --force "$WT"
