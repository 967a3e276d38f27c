import { describe, expect, it } from "vitest";
import { checkBrainPolicy, normalizeBrainDir } from "./brain-policy.ts";

describe("brain policy", () => {
  it("passes a branch that stays out of the brain folder", () => {
    expect(checkBrainPolicy(["src/a.ts", "project-brainstorm.md", "docs/project-brain/x.md"], "project-brain")).toEqual({
      ok: true,
    });
  });

  it("blocks writes into the brain folder, however the folder is spelled, and says why", () => {
    const verdict = checkBrainPolicy(["src/a.ts", "project-brain/LEARN-001-x.md", "Project-Brain/notes.md"], "./project-brain/");
    expect(verdict).toMatchObject({ ok: false, files: ["Project-Brain/notes.md", "project-brain/LEARN-001-x.md"] });
    expect(verdict.ok ? "" : verdict.reason).toMatch(/Blocked by the brain policy: this branch writes into project-brain\//);
  });

  it("refuses a brain folder outside the repository", () => {
    for (const bad of ["", ".", "/etc", "../brain", "a/../../b"])
      expect(() => normalizeBrainDir(bad)).toThrow(/inside the repository/);
    expect(() => normalizeBrainDir("docs/.Git/brain")).toThrow(/outside .git/);
    expect(normalizeBrainDir("docs/brain/")).toBe("docs/brain");
  });
});
