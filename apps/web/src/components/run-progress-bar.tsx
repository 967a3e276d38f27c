"use client";
import { useEffect, useState } from "react";
import type { RunProgress } from "@grove/core";
import { useSocket } from "../lib/socket.tsx";

const STEP_TITLES: Record<RunProgress["step"], string> = { worktree: "Creating the worktree" };

/**
 * How far a run's long step has got (today: checking out its worktree), from the hub's `run:progress`
 * events. The hub sends them to browsers subscribed to the run's log, which the log tab is; nothing is
 * stored, so a page opened mid-step shows the bar from the next event on.
 */
export function RunProgressBar({ runId }: { runId: string }) {
  const socket = useSocket();
  const [progress, setProgress] = useState<RunProgress | null>(null);

  useEffect(() => {
    if (!socket) return;
    const onProgress = (event: RunProgress) => {
      if (event.runId === runId) setProgress(event);
    };
    socket.on("run:progress", onProgress);
    return () => {
      socket.off("run:progress", onProgress);
    };
  }, [socket, runId]);

  if (!progress) return null;
  const title = `${STEP_TITLES[progress.step]}: ${progress.phase}`;
  return (
    <div className="mt-3 space-y-1">
      <div className="flex justify-between text-xs text-stone-600 dark:text-stone-400">
        <span>{title}</span>
        <span>
          {progress.percent}% ({progress.processed}/{progress.total})
        </span>
      </div>
      <progress className="h-2 w-full accent-emerald-600" value={progress.percent} max={100} aria-label={title} />
    </div>
  );
}
