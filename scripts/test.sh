#!/usr/bin/env bash
# `pnpm test`: everything CI checks — lint, typecheck, unit + integration, end-to-end.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1

node scripts/ensure-chromium.mjs
pnpm lint
pnpm typecheck
pnpm exec turbo run test --concurrency=1
pnpm test:e2e
