import type { QueueEntryState } from "../schemas/merge-queue.ts";

/**
 * The one rule for an approver's "put first", shared by the runner that moves the entry, the hub that asks it
 * and the dashboard's button. Any entry not landing may move in front of every entry not landing: a waiting
 * one, and also one being tested or passed on a speculative base — its candidate is then rebuilt on the
 * integration head and tested again at the front (the test under way is aborted), since the approver wants it
 * to land first and only a tree tested on the real base may land. A landing entry cannot move, and one with
 * nothing but landing entries ahead of it is first already.
 */
export function putFirstRefusal(
  entry: { state: QueueEntryState },
  entriesAhead: readonly { state: QueueEntryState }[],
): string | null {
  if (entry.state === "landing") return "it is landing now";
  if (entriesAhead.every((ahead) => ahead.state === "landing")) return "it is first already";
  return null;
}
