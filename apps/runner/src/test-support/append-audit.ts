import { access, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { appendLocalAudit } from "../headless/audit-file.ts";

// A second grove process appending to an audit file, so a test can race two of them for real.
// Usage: node --import tsx append-audit.ts <file> <actorId> <count> <go-file>
// It writes <go-file>.<actorId>.ready, waits for <go-file> (so both racers start together, not a
// process start-up apart), then starts all its appends at once.
const [file, actorId, countText, goFile] = process.argv.slice(2);
if (!file || !actorId || !countText || !goFile) throw new Error("usage: append-audit.ts <file> <actorId> <count> <go-file>");
await writeFile(`${goFile}.${actorId}.ready`, "");
while (
  !(await access(goFile).then(
    () => true,
    () => false,
  ))
)
  await sleep(2);
await Promise.all(
  Array.from({ length: Number(countText) }, (_, n) =>
    appendLocalAudit(file, [{ actorType: "user", actorId, action: "merge.approved", subject: `mr-${n}`, details: { n } }]),
  ),
);
