// Child-process script: holds the repository lock `rounds` times, appending "start"/"end" lines with its
// pid to a log file, so a test can check that two processes never overlap. Usage: <repo> <log> <rounds>
import { appendFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { withRepoLock } from "../node/repo-lock.ts";

const [repo = "", log = "", roundsText = "1"] = process.argv.slice(2);
await Promise.all(
  Array.from({ length: Number(roundsText) }, () =>
    withRepoLock(repo, async () => {
      await appendFile(log, `start ${process.pid}\n`);
      await sleep(5);
      await appendFile(log, `end ${process.pid}\n`);
    }),
  ),
);
