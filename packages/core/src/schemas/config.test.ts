import { describe, expect, it } from "vitest";
import { parseGroveConfig } from "./config.ts";

describe("grove.yaml agent profiles", () => {
  it('refuses "__proto__" as a profile or variable name instead of dropping it without a word', () => {
    expect(() => parseGroveConfig('agents:\n  __proto__:\n    command: [echo, "{prompt}"]\n')).toThrow(
      'grove.yaml is invalid:\n✖ "__proto__" cannot name an agent profile; choose another name\n  → at agents',
    );
    expect(() => parseGroveConfig("agents:\n  mine:\n    command: [echo]\n    env: { __proto__: x }\n")).toThrow(
      'grove.yaml is invalid:\n✖ "__proto__" cannot name an environment variable; choose another name\n  → at agents.mine.env',
    );
    expect(() => parseGroveConfig('{"agents": {"__proto__": {"command": ["echo"]}}}')).toThrow(
      '"__proto__" cannot name an agent profile',
    );
  });

  it("keeps profiles named like Object.prototype members as ordinary own entries", () => {
    const config = parseGroveConfig("agents:\n  constructor:\n    command: [echo, one]\n  toString:\n    command: [echo, two]\n");
    expect(Object.keys(config.agents)).toEqual(["constructor", "toString"]);
    expect(config.agents["constructor"]?.command).toEqual(["echo", "one"]);
    expect(Object.getPrototypeOf(config.agents)).toBe(Object.prototype);
  });

  it("takes a profile's own input prompt as a regular expression, and refuses one that is not", () => {
    const config = parseGroveConfig("agents:\n  mine:\n    command: [mine]\n    inputPrompt: 'code >$'\n    inputWaitSec: 30\n");
    expect(config.agents["mine"]).toMatchObject({ inputPrompt: "code >$", inputWaitSec: 30 });
    expect(() => parseGroveConfig("agents:\n  mine:\n    command: [mine]\n    inputPrompt: '(unclosed'\n")).toThrow(
      "✖ must be a valid regular expression\n  → at agents.mine.inputPrompt",
    );
  });
});

describe("grove.yaml queue", () => {
  it("takes how many merge candidates are tested at once, and refuses a width the queue cannot use", () => {
    expect(parseGroveConfig("queue:\n  parallel: 3\n").queue).toEqual({ parallel: 3 });
    expect(parseGroveConfig("test: none\n").queue).toBeUndefined();
    expect(() => parseGroveConfig("queue:\n  parallel: 0\n")).toThrow("→ at queue.parallel");
    expect(() => parseGroveConfig("queue:\n  parallel: 2\n  width: 3\n")).toThrow("width");
  });
});

describe("grove.yaml worktrees", () => {
  it("takes a template with {agent} and {task}, and refuses one that would give two tasks one folder", () => {
    expect(parseGroveConfig("worktrees: ../trees/{agent}--{task}\n").worktrees).toBe("../trees/{agent}--{task}");
    expect(parseGroveConfig("test: none\n").worktrees).toBe("../{repo}-wt-{agent}-{task}");
    expect(() => parseGroveConfig("worktrees: ../shared-{agent}\n")).toThrow(
      "grove.yaml is invalid:\n✖ must contain {agent} and {task}: each task gets a folder of its own\n  → at worktrees",
    );
    expect(() => parseGroveConfig("worktrees: ../{task}\n")).toThrow("must contain {agent} and {task}");
  });
});

describe("grove.yaml brain", () => {
  it("takes a folder inside the repository, and refuses one outside it or in git's own folder", () => {
    expect(parseGroveConfig("brain: docs/brain\n").brain).toBe("docs/brain");
    expect(parseGroveConfig("test: none\n").brain).toBe("project-brain");
    for (const bad of ["../outside", "/tmp/brain", ".", ".git", ".GIT/brain", "docs/.git"])
      expect(() => parseGroveConfig(`brain: ${bad}\n`)).toThrow(
        "grove.yaml is invalid:\n✖ must be a folder inside the repository, outside .git, like project-brain\n  → at brain",
      );
  });
});
