#!/usr/bin/env bash
# `pnpm test`: everything CI checks — lint, typecheck, unit + integration, end-to-end.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1

node scripts/ensure-chromium.mjs
node scripts/ensure-services.mjs
pnpm lint
pnpm typecheck
bash scripts/test-unit.sh
pnpm test:e2e
