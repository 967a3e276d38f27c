// An ESLint rule: a relative import may not leave its workspace package. Another package is reached through
// its package name and one of its declared entries (package.json "exports"), never through its files.
import { existsSync } from "node:fs";
import path from "node:path";

/** The folder of the nearest package.json at or above `dir`: the workspace package a file belongs to. */
function packageRootOf(dir) {
  for (let current = dir; ; current = path.dirname(current)) {
    if (existsSync(path.join(current, "package.json"))) return current;
    if (path.dirname(current) === current) return null;
  }
}

/** @type {import("eslint").Rule.RuleModule} */
export const noCrossPackageImport = {
  meta: {
    type: "problem",
    docs: { description: "forbid relative imports that reach into another workspace package" },
    schema: [
      {
        type: "object",
        properties: {
          // Exceptions, each with its reason: { from, to, reason }, paths relative to the repository root.
          allow: {
            type: "array",
            items: {
              type: "object",
              properties: { from: { type: "string" }, to: { type: "string" }, reason: { type: "string" } },
              required: ["from", "to", "reason"],
            },
          },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      crossPackage:
        "'{{source}}' reaches into {{target}} from {{origin}} by a relative path: import that package by name through one of its package.json exports (or move the shared code to a package both may import).",
    },
  },
  create(context) {
    const file = context.filename;
    const origin = packageRootOf(path.dirname(file));
    const root = context.cwd;
    const allowed = (context.options[0]?.allow ?? []).map((a) => [path.resolve(root, a.from), path.resolve(root, a.to)]);
    const check = (node) => {
      if (node?.type !== "Literal" || typeof node.value !== "string" || !node.value.startsWith(".")) return;
      const target = path.resolve(path.dirname(file), node.value);
      const targetRoot = packageRootOf(path.dirname(target));
      if (targetRoot === origin || allowed.some(([from, to]) => from === file && to === target)) return;
      const name = (dir) => (dir === null ? "outside any package" : path.relative(root, dir) || "the root package");
      context.report({
        node,
        messageId: "crossPackage",
        data: { source: node.value, target: name(targetRoot), origin: name(origin) },
      });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};
