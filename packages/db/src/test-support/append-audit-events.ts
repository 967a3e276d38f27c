// A process of its own appending audit events to a shared database, as another hub instance would: its own
// Prisma client, started on a line on stdin so that several such processes append at the same moment.
// argv: <database url> <label> <count>. Prints "ready", then "done" when every append committed.
import { createInterface } from "node:readline";
import { appendAuditEvent, withAuditedTransaction } from "../audit.ts";
import { createDb, disconnectDb } from "../client.ts";

const [url, label, countText] = process.argv.slice(2);
if (!url || !label || !countText) throw new Error("usage: append-audit-events <url> <label> <count>");
const count = Number(countText);
const db = await createDb(url);
await db.auditEvent.count();
console.log("ready");
await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once("line", () => resolve()));
await Promise.all(
  Array.from({ length: count }, (_, i) =>
    i % 2 === 0
      ? appendAuditEvent(db, { actorType: "system", actorId: label, action: "load.append", subject: `${label}-${i}` })
      : withAuditedTransaction(db, () =>
          Promise.resolve({
            value: null,
            audit: [{ actorType: "system" as const, actorId: label, action: "load.step", subject: `${label}-${i}` }],
          }),
        ),
  ),
);
await disconnectDb(db);
console.log("done");
