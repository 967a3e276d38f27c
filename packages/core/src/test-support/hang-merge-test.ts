// Child-process script for the stale merged-tree tests: starts a merged-tree test that never ends, so the
// test can kill -9 this process mid-test. Usage: hang-merge-test.ts <repo> <sha> [<warm integration branch>]
import { testMergedTree } from "../node/test-merged-tree.ts";

const [repo = "", sha = "", integration] = process.argv.slice(2);
await testMergedTree({
  repo,
  sha,
  test: `"${process.execPath}" -e "console.log('started ' + process.pid); setInterval(() => {}, 1000)"`,
  env: { PATH: process.env.PATH },
  onLine: (_stream, text) => process.stdout.write(`${text}\n`),
  ...(integration ? { warm: { integration } } : {}),
});
