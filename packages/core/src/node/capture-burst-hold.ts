// A burst: more unread output than BURST_BYTES. Reading stops for BURST_DELAY_MS from the moment a burst is seen,
// so a short flood runs at full speed instead of sharing the CPU with its own log pipeline; then the reader
// catches up (a longer flood is read as it comes). Ordinary output is read as soon as it is written.
const BURST_BYTES = 64 * 1024;
const BURST_DELAY_MS = 250;

export type BurstHold = {
  /** True while a burst that began under BURST_DELAY_MS ago is left to the writer (and `onHoldOver` is set to run). */
  isHolding(unread: number, isFinishing: boolean): boolean;
  /** Whether a hold's end is still to come (then `onHoldOver` wakes the reader, not the caller). */
  isWaiting(): boolean;
  cancel(): void;
};

/** Decides when the reader of a capture leaves a burst of output to its writer, and calls `onHoldOver` when that ends. */
export function createBurstHold(onHoldOver: () => void): BurstHold {
  let burstSince: number | null = null;
  let burstTimer: NodeJS.Timeout | undefined;
  return {
    isHolding(unread, isFinishing) {
      if (unread === 0) burstSince = null;
      if (isFinishing || unread <= BURST_BYTES) return false;
      burstSince ??= Date.now();
      const wait = burstSince + BURST_DELAY_MS - Date.now();
      if (wait <= 0) return false;
      burstTimer ??= setTimeout(() => {
        burstTimer = undefined;
        onHoldOver();
      }, wait);
      return true;
    },
    isWaiting: () => burstTimer !== undefined,
    cancel: () => clearTimeout(burstTimer),
  };
}
