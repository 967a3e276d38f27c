#!/usr/bin/env bash
# `pnpm test:unit`: every package's vitest suite (unit and integration), part of `pnpm test`.
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1

# Two lanes of packages at once: each package runs its files one after another (vitest's one worker on two
# cores) and waits on git and child processes much of the time, so one suite alone leaves a core idle. The
# lanes are balanced by the suites' measured times (the web's and the runner's are the long ones, so each
# starts a lane); every package runs even when one before it failed, and the exit code says whether any did.
bash scripts/test-lane.sh @grove/web @grove/db @grove/testing @grove/test-services &
web_lane=$!
bash scripts/test-lane.sh @grove/runner @grove/core &
runner_lane=$!
failed=0
wait "$web_lane" || failed=1
wait "$runner_lane" || failed=1
[ "$failed" -eq 0 ] || { echo "pnpm test: unit and integration tests failed (above)" >&2; exit 1; }
