#!/usr/bin/env bash
# `pnpm test:e2e`: Playwright on desktop and phone against the real stack, built first; then the core flow on
# two dashboard instances.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1

node scripts/ensure-chromium.mjs
pnpm exec turbo run build --filter=@grove/web --filter=@grove/runner --output-logs=errors-only
pnpm exec playwright test -c e2e/playwright.config.ts "$@"
# The core flow again on a team's deployment: the browser on instance A, the runner on instance B, PostgreSQL
# and Redis between them (e2e/playwright.team.config.ts), on its own port and data dir.
# Only on a whole run: arguments name the single-instance run's specs.
if [ "$#" -eq 0 ]; then
  node scripts/ensure-services.mjs
  E2E_PORT="$(( ${E2E_PORT:-3917} + 10 ))" pnpm exec playwright test -c e2e/playwright.team.config.ts
fi
