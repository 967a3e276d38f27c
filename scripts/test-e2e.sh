#!/usr/bin/env bash
# `pnpm test:e2e`: Playwright on desktop and phone against the real stack, built first.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1

node scripts/ensure-chromium.mjs
pnpm exec turbo run build --filter=@grove/web --filter=@grove/runner --output-logs=errors-only
pnpm exec playwright test -c e2e/playwright.config.ts "$@"
