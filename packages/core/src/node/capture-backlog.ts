import { fstatSync } from "node:fs";

/** A capture file as the backlog sees it: its descriptor and how far it has been read. */
type ReadProgress = { readonly fd: number; readonly offset: number };

export type BacklogOptions = {
  maxBacklogBytes: number;
  onBacklog: (isOver: boolean, backlogBytes: number) => void;
};

/**
 * Decides when the unread output is too much: the returned function measures the unread bytes of the
 * files and calls `onBacklog(true)` once they pass `maxBacklogBytes`, `onBacklog(false)` once they are
 * below a quarter of it again (the gap keeps a group near the limit from being stopped on every read).
 */
export function createBacklogGauge(options: BacklogOptions): (files: readonly ReadProgress[]) => number {
  let isOver = false;
  return (files) => {
    let backlog = 0;
    for (const file of files) backlog += Math.max(0, fstatSync(file.fd).size - file.offset);
    if (!isOver && backlog > options.maxBacklogBytes) {
      isOver = true;
      options.onBacklog(true, backlog);
    } else if (isOver && backlog < options.maxBacklogBytes / 4) {
      isOver = false;
      options.onBacklog(false, backlog);
    }
    return backlog;
  };
}
