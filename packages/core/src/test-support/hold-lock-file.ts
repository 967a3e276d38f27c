// Child-process script: takes a lock file as grove's code does (holdLockFile), prints "held", and keeps it until
// killed. Usage: hold-lock-file.ts <lock path>
import { holdLockFile } from "../node/lock-file.ts";

const [path = ""] = process.argv.slice(2);
await holdLockFile(path, { timeoutMs: 10_000, what: "a test's hold of" });
process.stdout.write("held\n");
setInterval(() => undefined, 60_000);
