// Bench agent. `flood N`: N lines as fast as the pipe takes them. `paced RATE SECONDS`: RATE lines/s,
// each carrying its write time. Last line: `elapsed <ms>`.
const [mode = "flood", a = "1000", b = "5"] = process.argv.slice(2).join(" ").split(/\s+/);
const started = Date.now();

function write(text) {
  return process.stdout.write(text) ? Promise.resolve() : new Promise((r) => process.stdout.once("drain", r));
}

if (mode === "flood") {
  const count = Number(a);
  let chunk = "";
  for (let i = 1; i <= count; i++) {
    chunk += `line ${i} of ${count}: the quick brown fox jumps over the lazy dog\n`;
    if (i % 200 === 0 || i === count) {
      await write(chunk);
      chunk = "";
    }
  }
} else {
  const rate = Number(a);
  const total = rate * Number(b);
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    await write(`t=${Date.now()} paced line ${i}\n`);
  }
}
await write(`elapsed ${Date.now() - started}\n`);
