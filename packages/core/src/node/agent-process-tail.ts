import { closeSync, fstatSync, type FSWatcher } from "node:fs";
import { STREAMS, type Capture } from "./agent-process-capture.ts";
import { createBacklogGauge } from "./capture-backlog.ts";
import { createBurstHold } from "./capture-burst-hold.ts";
import { createCaptureLines } from "./capture-lines.ts";
import type { CaptureTail, TailOptions } from "./capture-tail-contract.ts";
import { readRound, type CaptureFile } from "./capture-read-round.ts";
import { watchQuietly } from "./watch-quietly.ts";

const CHUNK_BYTES = 256 * 1024;
// The fallback when a file watch is late or unavailable; it bounds how long a line can wait.
const POLL_MS = 100;
// A watch fires on every write; re-armed after this pause, a flood wakes the reader ~100 times a second, not per write.
const REARM_MS = 10;

type Tail = CaptureFile & {
  watcher?: FSWatcher | undefined;
  rearmTimer?: NodeJS.Timeout | undefined;
};

/**
 * Follows both output files as the child writes them and reports their lines. A file watch wakes the
 * reader, a timer covers for a missed or unavailable watch; one read loop at a time, into one buffer.
 */
export function tailCapture(capture: Capture, options: TailOptions): CaptureTail {
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  const tails: Tail[] = STREAMS.map((stream) => ({
    stream,
    fd: capture.readFds[stream],
    path: capture.paths[stream],
    offset: 0,
    end: Number.POSITIVE_INFINITY,
    lines: createCaptureLines(
      { path: capture.paths[stream], offset: 0, lines: 0 },
      (text) => options.onLine(stream, text),
      options.maxLineChars?.[stream],
    ),
  }));
  const report = (tail: Tail) => options.onRead?.(tail.stream, tail.lines.position());
  for (const tail of tails) report(tail);
  // The unread bytes of both files; tells `onBacklog` when they cross its thresholds.
  const measureBacklog = createBacklogGauge(options);
  const checkBacklog = () => measureBacklog(tails);
  const burst = createBurstHold(() => {
    for (const tail of tails) if (!tail.rearmTimer) rearm(tail);
    wake();
  });
  const timer = setInterval(wake, POLL_MS);
  timer.unref();
  let isPaused = false;
  let isPumping = false;
  let hasNews = false;
  let isClosed = false;
  let failure: Error | undefined;
  let finishing: { resolve: () => void; reject: (error: Error) => void } | undefined;
  for (const tail of tails) arm(tail);

  function wake() {
    if (isClosed) return;
    try {
      const unread = checkBacklog();
      if (isPaused || (unread === 0 && !finishing) || isHoldingForBurst(unread)) return;
      void pump();
    } catch (error) {
      fail(error);
    }
  }

  // One event per arming: the watch is closed when it fires and opened again a moment later; during a
  // burst, once the burst's wait is over (a watched file costs the writer a notification per write).
  function arm(tail: Tail) {
    tail.watcher = watchQuietly(tail.path, () => {
      tail.watcher?.close();
      tail.watcher = undefined;
      if (isClosed) return;
      tail.rearmTimer = setTimeout(() => rearm(tail), REARM_MS);
      tail.rearmTimer.unref();
      wake();
    });
  }

  function rearm(tail: Tail) {
    tail.rearmTimer = undefined;
    if (isClosed || tail.watcher) return;
    if (burst.isWaiting()) return; // the burst's end re-arms
    arm(tail);
    // Whatever was written while nobody watched.
    wake();
  }

  async function pump() {
    if (isPumping) {
      hasNews = true;
      return;
    }
    isPumping = true;
    try {
      do {
        hasNews = false;
        while (isReading() && (await readRound(tails, buffer, isReading, report)) && !isHoldingForBurst(checkBacklog()));
      } while (hasNews && isReading());
    } catch (error) {
      fail(error);
    } finally {
      isPumping = false;
    }
    // A close while a read was in flight left the descriptors to this point.
    if (isClosed) closeFds();
    else maybeFinish();
  }

  function isHoldingForBurst(unread: number): boolean {
    return burst.isHolding(unread, finishing !== undefined);
  }

  function isReading() {
    return !isPaused && !isClosed;
  }

  function maybeFinish() {
    if (!finishing || isPumping || isClosed || tails.some((tail) => tail.offset < tail.end)) return;
    const { resolve } = finishing;
    try {
      for (const tail of tails) {
        tail.lines.end();
        report(tail);
      }
    } catch (error) {
      fail(error);
      return;
    }
    close();
    resolve();
  }

  function fail(error: unknown) {
    failure ??= error instanceof Error ? error : new Error(String(error));
    close();
    finishing?.reject(failure);
  }

  function close() {
    if (isClosed) return;
    isClosed = true;
    clearInterval(timer);
    burst.cancel();
    for (const tail of tails) {
      tail.watcher?.close();
      clearTimeout(tail.rearmTimer);
    }
    if (!isPumping) closeFds();
  }

  function closeFds() {
    for (const tail of tails) closeSync(tail.fd);
  }

  return {
    pause() {
      isPaused = true;
    },
    resume() {
      isPaused = false;
      wake();
    },
    finish() {
      if (failure) return Promise.reject(failure);
      if (isClosed) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        finishing = { resolve, reject };
        try {
          for (const tail of tails) tail.end = fstatSync(tail.fd).size;
        } catch (error) {
          fail(error);
          return;
        }
        wake();
        maybeFinish();
      });
    },
    close,
  };
}
