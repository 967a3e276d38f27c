// Child-process script: holds the repository lock shared (for `key`), prints "held", and lets go when a line
// arrives on stdin, printing "releasing" first. Usage: <repo> <key>
import { once } from "node:events";
import { withSharedRepoLock } from "../node/repo-lock.ts";

const [repo = "", key = "key"] = process.argv.slice(2);
await withSharedRepoLock(repo, key, async () => {
  process.stdout.write("held\n");
  await once(process.stdin, "data");
  process.stdout.write("releasing\n");
});
