import { afterAll, beforeAll, expect, it } from "vitest";
import { buildForProduction, type ProductionWeb, runOverload, startProductionWeb } from "@grove/testing";

// The web process as `pnpm start` runs it (its heap caps included) is the one that must survive.
let web: ProductionWeb | undefined;
beforeAll(async () => {
  await buildForProduction();
  web = await startProductionWeb();
}, 600_000);
afterAll(() => web?.close());

it("stays up under 300 MB and answers through huge bodies, strangers' 8 MB socket messages, wide log pages and viewers that never read", async () => {
  if (!web) throw new Error("the web process did not start");
  const report = await runOverload(web);
  console.log(`overload: peak RSS of the web process ${report.peakRssMb.toFixed(0)} MB; ${JSON.stringify(report)}`);

  expect(report.isAlive, `the web process exited (${web.exitStatus()}):\n${web.output().slice(-4000)}`).toBe(true);
  expect(report.failure, web.output().slice(-4000)).toBeNull();
  expect(report.peakRssMb).toBeLessThan(300);
  for (const outcome of report.hugePosts) expect(outcome).toMatch(/^413$|^connection ended/);
  // No connection for a client without a session or runner token: engine.io answers 403 to polling, 400 to an upgrade.
  expect([...report.strangers].sort()).toEqual([
    ...Array.from({ length: 10 }, () => "polling 403"),
    ...Array.from({ length: 10 }, () => "websocket 400"),
  ]);
  expect(report.logPages.map((page) => page.status)).toEqual([200, 200, 200]);
  expect(report.dashboard).toEqual({
    "health during the huge posts": 200,
    "health during the stranger sockets": 200,
    health: 200,
    "run.byId": 200,
    "run page": 200,
    "health after": 200,
  });
  expect(report.reader.gaps).toEqual([]);
  expect(report.reader.lines).toBe(report.reader.expected);
}, 600_000);
