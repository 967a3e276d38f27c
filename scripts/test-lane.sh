#!/usr/bin/env bash
# One lane of `pnpm test`: the named packages' suites, one after another, each run even when one before it
# failed; exits 1 when any did. Each line is prefixed with its package, as turbo did.
set -uo pipefail
cd "$(dirname "$0")/.."
failed=()
for package in "$@"; do
  pnpm --filter "$package" --fail-if-no-match exec vitest run 2>&1 | sed -u "s|^|$package:test: |"
  [ "${PIPESTATUS[0]}" -eq 0 ] || failed+=("$package")
done
[ "${#failed[@]}" -eq 0 ] || { echo "failed: ${failed[*]}" >&2; exit 1; }
