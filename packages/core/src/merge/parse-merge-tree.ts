/**
 * Parses `git merge-tree --write-tree --name-only -z --no-messages`: the tree id, then (on conflict)
 * one NUL-terminated name per conflicted file. A file appears once per conflicted stage.
 */
export function parseMergeTree(output: string): { tree: string; conflicted: string[] } {
  const [tree = "", ...rest] = output.split("\0");
  const conflicted: string[] = [];
  for (const name of rest) {
    if (name === "") break;
    if (!conflicted.includes(name)) conflicted.push(name);
  }
  return { tree, conflicted };
}
