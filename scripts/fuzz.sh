#!/usr/bin/env bash
# `pnpm fuzz`: the property tests (*.fuzz.test.ts) that `pnpm test` runs with one fixed seed, here with
# many more runs and a fresh random seed. A failure prints fast-check's counterexample; the line below
# prints the command that replays the whole run.
set -euo pipefail
cd "$(dirname "$0")/.."
export GROVE_FUZZ_RUNS="${GROVE_FUZZ_RUNS:-20000}"
export GROVE_FUZZ_SEED="${GROVE_FUZZ_SEED:-$(node -e 'console.log(Math.floor(Math.random() * 2 ** 31))')}"
echo "pnpm fuzz: seed ${GROVE_FUZZ_SEED}, ${GROVE_FUZZ_RUNS} runs per property"
echo "replay:    GROVE_FUZZ_SEED=${GROVE_FUZZ_SEED} GROVE_FUZZ_RUNS=${GROVE_FUZZ_RUNS} pnpm fuzz"
failed=0
for pkg in packages/core packages/db apps/runner apps/web; do
  (cd "$pkg" && pnpm exec vitest run --testTimeout=3600000 .fuzz.test) || failed=1
done
if [ "$failed" -ne 0 ]; then
  echo "pnpm fuzz: a property failed (seed ${GROVE_FUZZ_SEED}); replay it with the command above" >&2
  exit 1
fi
