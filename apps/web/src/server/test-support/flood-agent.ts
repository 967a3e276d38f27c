import { writeFile } from "node:fs/promises";

// An agent that prints `line N <pad>` in bursts until the file named by its argument exists, then
// `line N last` and exits 0: a flood that lasts exactly as long as the test needs, whatever the machine's speed.
const PAD = "x".repeat(40);
const FLOOD_AGENT = `const fs = require("node:fs");
const stop = process.argv[1];
let n = 0;
const burst = () => {
  if (fs.existsSync(stop)) { fs.writeSync(1, "line " + ++n + " last\\n"); process.exit(0); }
  let text = "";
  for (let i = 0; i < 50; i++) text += "line " + ++n + " ${PAD}\\n";
  fs.writeSync(1, text);
  setTimeout(burst, 1);
};
burst();`;

/** grove.yaml naming the flood agent as profile "flood"; it stops once `stopFile` is written. */
export function floodAgentConfig(stopFile: string): string {
  return JSON.stringify({ agents: { flood: { command: [process.execPath, "-e", FLOOD_AGENT, "--", stopFile] } } });
}

export const stopFlood = (stopFile: string) => writeFile(stopFile, "stop");

/** The agent's line numbers in the stored texts, in stored order; the flood ended with `line N last`. */
export function floodLineNumbers(texts: readonly string[]): number[] {
  return texts.flatMap((text) => {
    const match = /^line (\d+) (?:x+|last)$/.exec(text);
    return match ? [Number(match[1])] : [];
  });
}
