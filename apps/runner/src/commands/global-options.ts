/** Options every command that reads a repository or a data folder takes, and whether each takes a value. */
const GLOBAL_OPTIONS: Record<string, boolean> = { "--repo": true, "--data-dir": true, "--json": false };

/**
 * `grove --repo X worktree list` as `grove worktree list --repo X`: the options a user puts before the command
 * (as git takes `git -C X`) move behind it, ahead of any `--`, so the command parses them as its own. Anything else
 * before the command stays where it is and is refused as an unknown command.
 */
export function hoistGlobalOptions(args: string[]): string[] {
  const hoisted: string[] = [];
  let i = 0;
  while (i < args.length) {
    const arg = args[i] ?? "";
    const name = arg.split("=", 1)[0] ?? "";
    if (!Object.hasOwn(GLOBAL_OPTIONS, name)) break;
    const takesValue = GLOBAL_OPTIONS[name] === true && !arg.includes("=");
    if (takesValue && i + 1 >= args.length) break;
    hoisted.push(...args.slice(i, takesValue ? i + 2 : i + 1));
    i += takesValue ? 2 : 1;
  }
  if (hoisted.length === 0) return args;
  const rest = args.slice(i);
  const end = rest.indexOf("--");
  return end === -1 ? [...rest, ...hoisted] : [...rest.slice(0, end), ...hoisted, ...rest.slice(end)];
}
