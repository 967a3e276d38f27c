export const ARCHIVE_PREFIX = "refs/grove/archive/";
export const SNAPSHOT_SUBJECT = "grove snapshot of ";

export type ArchiveEntry = {
  ref: string;
  agent: string;
  taskId: string;
  /** When the archive was written, epoch ms (from the ref name). */
  at: number;
  sha: string;
  /** A snapshot commit of uncommitted work on top of the branch head, or just the branch head. */
  isSnapshot: boolean;
  subject: string;
};

export function archiveRefPrefix(agent: string, taskId: string): string {
  return `${ARCHIVE_PREFIX}${agent}/${taskId}/`;
}

/** Parses `refs/grove/archive/<agent>/<task>/<epoch-ms>`; null for anything else. */
export function parseArchiveRef(ref: string): { agent: string; taskId: string; at: number } | null {
  const match = /^refs\/grove\/archive\/([^/]+)\/([^/]+)\/(\d+)$/.exec(ref);
  if (!match?.[1] || !match[2] || !match[3]) return null;
  return { agent: match[1], taskId: match[2], at: Number(match[3]) };
}
