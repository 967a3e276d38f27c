#!/usr/bin/env bash
# One lane of `pnpm test`: the named packages' suites, one after another, each run even when one before it
# failed; exits 1 when any did. Each line is prefixed with its package, as turbo did. A failed package's
# failing tests and errors are printed again at the lane's end, so the last lines of a CI log name them.
set -uo pipefail
cd "$(dirname "$0")/.."
failed=()
report="$(mktemp -d)"
trap 'rm -rf "$report"' EXIT
for package in "$@"; do
  log="$report/${package//\//_}.log"
  pnpm --filter "$package" --fail-if-no-match exec vitest run 2>&1 | sed -u "s|^|$package:test: |" | tee "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || failed+=("$package")
done
for package in "${failed[@]}"; do
  log="$report/${package//\//_}.log"
  echo "---- $package: what failed (repeated from above) ----" >&2
  # vitest's failure lines (FAIL, ×), its error headings and the first lines of each error.
  sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E -A 12 " FAIL | × |Error:|Unhandled|⎯⎯ Failed" | head -n 300 >&2
done
[ "${#failed[@]}" -eq 0 ] || { echo "failed: ${failed[*]}" >&2; exit 1; }
