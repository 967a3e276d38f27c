import { buildForProduction, type OverloadSteps, runOverload, startProductionWeb } from "@grove/testing";

const ALL: OverloadSteps = { hugePosts: true, strangerSockets: true, logPages: true, stuckViewers: true };
const NONE: OverloadSteps = { hugePosts: false, strangerSockets: false, logPages: false, stuckViewers: false };

/** The probe's overload against the web process as `pnpm start` runs it: each step alone, then all at once. */
export async function benchOverload(): Promise<string[]> {
  await buildForProduction();
  const cases: [string, OverloadSteps][] = [
    ["150 MB POSTs to setup and sign-in", { ...NONE, hugePosts: true }],
    ["20 strangers' 8 MB socket messages", { ...NONE, strangerSockets: true }],
    ["3 × run.log.list limit 2000 of 16 KiB lines", { ...NONE, logPages: true }],
    ["8 viewers subscribed from 0 that never read", { ...NONE, stuckViewers: true }],
    ["all of them", ALL],
  ];
  const out: string[] = [];
  for (const [name, steps] of cases) {
    const web = await startProductionWeb();
    try {
      const report = await runOverload(web, steps);
      const perStep = Object.entries(report.peakRssAfter)
        .map(([step, mb]) => `${step} ${mb}`)
        .join(", ");
      const unanswered = Object.entries(report.dashboard).filter(([, status]) => status !== 200);
      const dashboard =
        unanswered.length === 0
          ? "answered"
          : `did not answer ${unanswered.map(([what, status]) => `${what} (${status})`).join(", ")}`;
      out.push(
        `${name}: peak RSS ${report.peakRssMb.toFixed(0)} MB (goal < 300), ${report.isAlive ? "stayed up" : "DIED"}, dashboard ${dashboard}` +
          `${report.failure ? `, failed: ${report.failure}` : ""}`,
        `  peak RSS after each step (MB): ${perStep}`,
      );
    } finally {
      await web.close();
    }
  }
  return out;
}
