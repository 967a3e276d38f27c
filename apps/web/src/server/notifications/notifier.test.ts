import { createECDH, createPublicKey, randomBytes, verify } from "node:crypto";
import { decrypt } from "http_ece";
import { afterEach, describe, expect, it } from "vitest";
import { startReceiver } from "../test-support/receiver.ts";
import { openMergeRequest } from "../test-support/open-merge-request.ts";
import { startTestHub } from "../test-support/test-hub.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** What a browser's PushManager would hand over: a P-256 key pair and an auth secret. */
function browserSubscription(endpoint: string) {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return {
    ecdh,
    auth,
    subscription: { endpoint, keys: { p256dh: ecdh.getPublicKey().toString("base64url"), auth: auth.toString("base64url") } },
  };
}

describe("approval notifications", () => {
  it("posts a Slack-compatible message to the webhook once per waiting approval", async () => {
    const receiver = await startReceiver(() => 200);
    const hub = await startTestHub({ publicUrl: "https://grove.example", allowLoopbackWebhook: true });
    cleanups.push(
      () => receiver.close(),
      () => hub.close(),
    );
    await hub.caller.notification.setWebhook({ url: `${receiver.url}/hooks/grove` });
    expect(await hub.caller.notification.testWebhook()).toEqual({ status: "200" });

    const mr = await openMergeRequest(hub, "t1");
    await hub.server.deps.notifier.approvalsChanged();
    const posts = receiver.received.filter((r) => r.headers["x-grove-event"] === "approval.waiting");
    expect(posts).toHaveLength(1);
    const body: unknown = JSON.parse(posts[0]?.body.toString() ?? "{}");
    expect(JSON.stringify(body)).toContain("agent/demo/t1 → main");
    expect(JSON.stringify(body)).toContain(`https://grove.example/approvals#${mr.id}`);
    expect(JSON.stringify(body)).toContain("Did t1");
    expect(await hub.db.approvalNotice.findUnique({ where: { mergeRequestId: mr.id } })).toMatchObject({ webhookStatus: "200" });
  });

  it("sends an encrypted, VAPID-signed Web Push to approvers' subscribed devices, not to viewers'", async () => {
    const receiver = await startReceiver((path) => (path.startsWith("/gone") ? 410 : 201));
    const hub = await startTestHub({ allowLoopbackPush: true });
    cleanups.push(
      () => receiver.close(),
      () => hub.close(),
    );
    const approver = await hub.addUser("approver");
    const viewer = await hub.addUser("viewer");
    const phone = browserSubscription(`${receiver.url}/push/phone`);
    const stale = browserSubscription(`${receiver.url}/gone/old-laptop`);
    await hub.callerAs(approver).notification.subscribe({ subscription: phone.subscription, userAgent: "phone" });
    await hub.callerAs(approver).notification.subscribe({ subscription: stale.subscription });
    await hub
      .callerAs(viewer)
      .notification.subscribe({ subscription: browserSubscription(`${receiver.url}/push/viewer`).subscription });

    const mr = await openMergeRequest(hub, "t2");
    const pushes = receiver.received.filter((r) => r.path === "/push/phone");
    expect(pushes).toHaveLength(1);
    expect(receiver.received.some((r) => r.path === "/push/viewer")).toBe(false);
    const push = pushes[0];
    expect(push?.headers["content-encoding"]).toBe("aes128gcm");
    expect(Number(push?.headers.ttl)).toBeGreaterThan(0);

    // The VAPID JWT is signed by the hub's key and addressed to the push service's origin.
    const { vapidPublicKey } = await hub.caller.notification.settings();
    const [, jwt = "", key = ""] = /^vapid t=([^,]+), k=(.+)$/.exec(String(push?.headers.authorization)) ?? [];
    expect(key).toBe(vapidPublicKey);
    const [header = "", claims = "", signature = ""] = jwt.split(".");
    const point = Buffer.from(key, "base64url");
    const publicKey = createPublicKey({
      key: {
        kty: "EC",
        crv: "P-256",
        x: point.subarray(1, 33).toString("base64url"),
        y: point.subarray(33).toString("base64url"),
      },
      format: "jwk",
    });
    expect(
      verify(
        "sha256",
        Buffer.from(`${header}.${claims}`),
        { key: publicKey, dsaEncoding: "ieee-p1363" },
        Buffer.from(signature, "base64url"),
      ),
    ).toBe(true);
    expect(JSON.parse(Buffer.from(claims, "base64url").toString())).toMatchObject({ aud: receiver.url });

    // Only the subscribed browser can read it.
    const message: unknown = JSON.parse(
      decrypt(push?.body ?? Buffer.alloc(0), { version: "aes128gcm", privateKey: phone.ecdh, authSecret: phone.auth }).toString(),
    );
    expect(message).toMatchObject({ title: "Approval waiting", url: `/approvals#${mr.id}` });

    // The push service said the old laptop's subscription is gone: it is dropped.
    expect(await hub.db.pushSubscription.count({ where: { endpoint: stale.subscription.endpoint } })).toBe(0);
    expect(await hub.db.approvalNotice.findUnique({ where: { mergeRequestId: mr.id } })).toMatchObject({
      pushSent: 1,
      pushFailed: 1,
    });
  });

  it("keeps an approver's subscription theirs when a viewer registers the same endpoint", async () => {
    const receiver = await startReceiver(() => 201);
    const hub = await startTestHub({ allowLoopbackPush: true });
    cleanups.push(
      () => receiver.close(),
      () => hub.close(),
    );
    const approver = await hub.addUser("approver");
    const viewer = await hub.addUser("viewer");
    const phone = browserSubscription(`${receiver.url}/push/approver-phone`);
    await hub.callerAs(approver).notification.subscribe({ subscription: phone.subscription, userAgent: "phone" });
    const before = await hub.db.pushSubscription.findUniqueOrThrow({ where: { endpoint: phone.subscription.endpoint } });

    const taken = browserSubscription(phone.subscription.endpoint);
    await expect(
      hub.callerAs(viewer).notification.subscribe({ subscription: taken.subscription, userAgent: "viewer" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringMatching(/another grove user/) as unknown });
    expect(await hub.db.pushSubscription.findMany({ where: { endpoint: phone.subscription.endpoint } })).toEqual([before]);
    expect((await hub.callerAs(viewer).notification.settings()).devices).toEqual([]);
    // The viewer's unsubscribe does not touch it either.
    await hub.callerAs(viewer).notification.unsubscribe({ endpoint: phone.subscription.endpoint });

    await openMergeRequest(hub, "t3");
    const pushes = receiver.received.filter((r) => r.path === "/push/approver-phone");
    expect(pushes).toHaveLength(1);
    const message: unknown = JSON.parse(
      decrypt(pushes[0]?.body ?? Buffer.alloc(0), {
        version: "aes128gcm",
        privateKey: phone.ecdh,
        authSecret: phone.auth,
      }).toString(),
    );
    expect(message).toMatchObject({ title: "Approval waiting" });
    // The same user renewing its keys is no takeover.
    const renewed = browserSubscription(phone.subscription.endpoint);
    await hub.callerAs(approver).notification.subscribe({ subscription: renewed.subscription });
    expect(await hub.db.pushSubscription.findUniqueOrThrow({ where: { endpoint: phone.subscription.endpoint } })).toMatchObject({
      userId: approver.id,
      p256dh: renewed.subscription.keys.p256dh,
    });
  });

  it("refuses push endpoints that are not a public https address, stored nothing", async () => {
    const hub = await startTestHub();
    cleanups.push(() => hub.close());
    const approver = await hub.addUser("approver");
    const refused = [
      "http://push.example.com/x",
      "https://127.0.0.1/x",
      "https://127.1/x",
      "https://0x7f000001/x",
      "https://10.0.0.1/x",
      "https://172.16.5.4/x",
      "https://192.168.1.1/x",
      "https://100.64.0.1/x",
      "https://169.254.169.254/latest",
      "https://0.0.0.0/x",
      "https://[::1]/x",
      "https://[::ffff:127.0.0.1]/x",
      "https://[::ffff:10.0.0.1]/x",
      "https://[fc00::1]/x",
      "https://[fe80::1]/x",
      "https://localhost/x",
      "https://LocalHost./x",
      "https://grove.localhost/x",
      "https://user:pw@push.example.com/x",
      `https://push.example.com/${"é".repeat(1_500)}`,
      "not a url",
    ];
    for (const endpoint of refused) {
      const attempt = hub.callerAs(approver).notification.subscribe({ subscription: browserSubscription(endpoint).subscription });
      await expect(attempt, endpoint).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
    expect(await hub.db.pushSubscription.count()).toBe(0);
  });

  it("checks the endpoint again when sending: a stored loopback endpoint gets nothing unless loopback is allowed", async () => {
    const receiver = await startReceiver(() => 201);
    const port = new URL(receiver.url).port;
    const strict = await startTestHub();
    cleanups.push(
      () => receiver.close(),
      () => strict.close(),
    );
    const approver = await strict.addUser("approver");
    // As a name that resolved to a public address at registration and now resolves to this machine would be.
    for (const endpoint of [
      `${receiver.url}/push/plain`,
      `https://localhost:${port}/push/name`,
      `https://127.0.0.1:${port}/push/address`,
    ]) {
      await strict.db.pushSubscription.create({
        data: { userId: approver.id, endpoint, ...browserSubscription(endpoint).subscription.keys },
      });
    }
    const mr = await openMergeRequest(strict, "t4");
    expect(receiver.received).toEqual([]);
    expect(await strict.db.approvalNotice.findUnique({ where: { mergeRequestId: mr.id } })).toMatchObject({
      pushSent: 0,
      pushFailed: 3,
    });

    // Loopback allowed (tests only): a name that resolves to loopback is reached; private ranges still are not.
    const lenient = await startTestHub({ allowLoopbackPush: true });
    cleanups.push(() => lenient.close());
    const other = await lenient.addUser("approver");
    await lenient
      .callerAs(other)
      .notification.subscribe({ subscription: browserSubscription(`http://localhost:${port}/push/lenient`).subscription });
    await expect(
      lenient.callerAs(other).notification.subscribe({ subscription: browserSubscription("https://10.0.0.1/x").subscription }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await openMergeRequest(lenient, "t5");
    expect(receiver.received.map((r) => r.path)).toEqual(["/push/lenient"]);
  });
});
