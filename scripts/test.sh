#!/usr/bin/env bash
# `pnpm test`: everything CI checks — lint, typecheck, unit + integration, end-to-end.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1

node scripts/ensure-chromium.mjs
node scripts/ensure-services.mjs
pnpm lint
pnpm typecheck
# Two packages' suites at once: each runs its files one after another (vitest's one worker on two cores) and
# waits on git and child processes much of the time, so one suite alone leaves a core idle. --continue: every
# package's failures are reported, not only the first one's; the exit code is still turbo's.
pnpm exec turbo run test --concurrency=2 --continue
pnpm test:e2e
