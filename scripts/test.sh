#!/usr/bin/env bash
# `pnpm test`: everything CI checks — lint, typecheck, unit + integration, end-to-end.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1

node scripts/ensure-chromium.mjs
node scripts/ensure-services.mjs
pnpm lint
pnpm typecheck
# What the end-to-end run serves, built (typecheck built it; this is turbo's cache) before anything runs beside
# it: the end-to-end run then builds nothing while the unit lanes start their own servers from the same builds.
pnpm exec turbo run build --filter=@grove/web --filter=@grove/runner --output-logs=errors-only

# The end-to-end run beside the unit and integration lanes: its tests wait on the browser and on the demo agents'
# paced output much of the time, so after the lanes it left most of the machine idle for 7 of the suite's 25
# minutes. Its lines are prefixed `e2e:`; its last lines are repeated at the end when it failed.
e2e_log="$(mktemp)"
trap 'rm -f "$e2e_log"' EXIT
(
  set +e
  GROVE_E2E_BUILT=1 bash scripts/test-e2e.sh 2>&1 | sed -u 's/^/e2e: /' | tee "$e2e_log"
  exit "${PIPESTATUS[0]}"
) &
e2e=$!
failed=()
bash scripts/test-unit.sh || failed+=("unit and integration")
wait "$e2e" || {
  failed+=("end-to-end")
  echo "---- end-to-end: its last lines (repeated from above) ----" >&2
  tail -n 120 "$e2e_log" >&2
}
[ "${#failed[@]}" -eq 0 ] || { echo "pnpm test failed: ${failed[*]}" >&2; exit 1; }
