import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import os from "node:os";
import { writeSetting } from "@grove/db";
import { afterEach, describe, expect, it } from "vitest";
import { openMergeRequest } from "../test-support/open-merge-request.ts";
import { startReceiver } from "../test-support/receiver.ts";
import { startTestHub } from "../test-support/test-hub.ts";
import { WEBHOOK_SETTING } from "./notifier.ts";

// An admin's webhook URL is a request the hub makes: it must not reach the hub's own machine, its cloud's
// metadata service or the private network, whatever the URL's name resolves to.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("webhook targets", () => {
  it("refuses a webhook URL on loopback, a private or link-local address, or a name resolving to one; stores nothing", async () => {
    const hub = await startTestHub();
    cleanups.push(() => hub.close());
    // This machine's own name: not a literal address and not "localhost", yet it resolves to this machine.
    const ownName = os.hostname();
    expect(isIP(ownName)).toBe(0);
    expect((await lookup(ownName)).address).toBeTruthy();
    for (const url of [
      "http://127.0.0.1:3000/hook",
      "https://[::1]/hook",
      "http://10.1.2.3/hook",
      "http://192.168.0.10/hook",
      "http://172.20.0.1/hook",
      "http://169.254.169.254/latest/meta-data",
      "http://[fe80::1]/hook",
      "http://[::ffff:127.0.0.1]/hook",
      "http://localhost:3000/hook",
      `http://${ownName}:3000/hook`,
    ]) {
      await expect(hub.caller.notification.setWebhook({ url }), url).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
    expect(await hub.server.deps.notifier.webhookUrl()).toBeNull();
  });

  it("checks again when posting: a stored loopback URL (or GROVE_WEBHOOK_URL) gets nothing unless loopback is allowed", async () => {
    const receiver = await startReceiver(() => 200);
    const strict = await startTestHub({ webhookUrl: `${receiver.url}/from-env` });
    cleanups.push(
      () => receiver.close(),
      () => strict.close(),
    );
    expect((await strict.caller.notification.testWebhook()).status).toMatch(/^refused: The webhook URL points at 127\.0\.0\.1/);
    // As a URL saved by an older grove, or a name that was public when saved and now resolves to this machine.
    await writeSetting(strict.db, WEBHOOK_SETTING, `http://${os.hostname()}:${new URL(receiver.url).port}/stored`);
    const mr = await openMergeRequest(strict, "w1");
    expect((await strict.db.approvalNotice.findUnique({ where: { mergeRequestId: mr.id } }))?.webhookStatus).toMatch(
      /^refused: /,
    );
    expect(receiver.received).toEqual([]);

    const lenient = await startTestHub({ allowLoopbackWebhook: true });
    cleanups.push(() => lenient.close());
    await lenient.caller.notification.setWebhook({ url: `${receiver.url}/allowed` });
    expect(await lenient.caller.notification.testWebhook()).toEqual({ status: "200" });
    await expect(lenient.caller.notification.setWebhook({ url: "http://10.0.0.1/hook" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    expect(receiver.received.map((r) => r.path)).toEqual(["/allowed"]);
  });
});
