import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { setupInputKey } from "./setup-inputs.ts";

// Read from real commits: what setup runs is in the tree, so a change to it must change the key.
describe("the setup-input key", () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = await makeTempRepo({
      files: {
        Makefile: "setup:\n\techo one\n",
        "tools/Makefile": "setup:\n\techo one\n",
        "scripts/setup.sh": "echo one\n",
        "README.md": "a\n",
      },
    });
  });
  afterEach(() => repo.cleanup());

  const keyAfter = async (files: Record<string, string>, setup: string) => {
    const before = await setupInputKey({ treeish: "HEAD", cwd: repo.dir, setup, mainCheckout: null });
    await repo.write(files);
    await repo.git(["add", "-A"]);
    await repo.git(["commit", "-qm", "change"]);
    const after = await setupInputKey({ treeish: "HEAD", cwd: repo.dir, setup, mainCheckout: null });
    return after !== before;
  };

  it("changes with a script the command names, and with the Makefile of `make`", async () => {
    expect(await keyAfter({ "scripts/setup.sh": "echo two\n" }, "sh ./scripts/setup.sh")).toBe(true);
    expect(await keyAfter({ Makefile: "setup:\n\techo two\n" }, "make setup")).toBe(true);
  });

  it("changes with the Makefile of the folder `make` is started in", async () => {
    expect(await keyAfter({ "tools/Makefile": "setup:\n\techo two\n" }, "make -C tools setup")).toBe(true);
    expect(await keyAfter({ "tools/Makefile": "setup:\n\techo three\n" }, "make --directory=tools/ setup")).toBe(true);
    expect(await keyAfter({ "tools/Makefile": "setup:\n\techo four\n" }, "cd tools && make setup")).toBe(true);
    expect(await keyAfter({ "tools/Makefile": "setup:\n\techo five\n" }, "make setup")).toBe(false);
  });

  it("stays when only files setup does not read changed", async () => {
    expect(await keyAfter({ "README.md": "b\n" }, "make setup")).toBe(false);
    expect(await keyAfter({ Makefile: "setup:\n\techo three\n" }, "sh ./scripts/setup.sh")).toBe(false);
    expect(await keyAfter({ "scripts/setup.sh": "echo three\n" }, "constructor toString")).toBe(false);
  });
});
