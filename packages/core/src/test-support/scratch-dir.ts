import { access, constants } from "node:fs/promises";
import { tmpdir } from "node:os";

const IN_MEMORY = "/dev/shm";

/**
 * Where a test that writes hundreds of thousands of files should put them: a memory file system when
 * there is one, since on a disk shared with other jobs a 40k-file checkout can take minutes instead of a
 * second. Nothing grove does depends on which file system it is, as long as the repository and its
 * worktrees share one.
 */
export async function scratchDir(): Promise<string> {
  return access(IN_MEMORY, constants.W_OK).then(
    () => IN_MEMORY,
    () => tmpdir(),
  );
}
