/** The page of one brain file. */
export function brainFileHref(runnerId: string, repoPath: string, path: string): string {
  return `/brain/file?${new URLSearchParams({ runner: runnerId, repo: repoPath, path }).toString()}`;
}
