"use client";
import { useState, type FormEvent } from "react";
import { useTRPCClient } from "../../lib/trpc.ts";
import { Button } from "../ui/button.tsx";
import { INPUT_CLASS } from "../ui/field.tsx";

export type SearchState = { query: string; seqs: number[]; index: number; hasMore: boolean };

/** Server-side search over the whole log (it may be far larger than what the browser holds). */
export function LogSearch({
  runId,
  onResults,
  onJump,
  state,
}: {
  runId: string;
  state: SearchState | null;
  onResults: (s: SearchState | null) => void;
  onJump: (seq: number) => void;
}) {
  const client = useTRPCClient();
  const [query, setQuery] = useState("");
  const [isSearching, setSearching] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!query.trim()) return onResults(null);
    if (state && state.query === query && state.seqs.length > 0) return step(1);
    setSearching(true);
    const found = await client.run.log.search.query({ runId, query: query.trim() }).finally(() => setSearching(false));
    const next = { query, seqs: found.seqs, index: 0, hasMore: found.hasMore };
    onResults(next);
    if (found.seqs[0] !== undefined) onJump(found.seqs[0]);
  };
  const step = (delta: number) => {
    if (!state || state.seqs.length === 0) return;
    const index = (state.index + delta + state.seqs.length) % state.seqs.length;
    onResults({ ...state, index });
    const seq = state.seqs[index];
    if (seq !== undefined) onJump(seq);
  };

  return (
    <form role="search" onSubmit={(e) => void submit(e)} className="flex min-w-0 flex-1 flex-wrap items-center gap-1.5">
      <input
        type="search"
        aria-label="Search the log"
        placeholder="Search the log"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        className={`${INPUT_CLASS} mt-0 w-40 min-w-0 flex-1 py-1 sm:w-56 sm:flex-none`}
      />
      <Button size="sm" onClick={() => step(-1)} disabled={!state?.seqs.length} aria-label="Previous match">
        ↑
      </Button>
      <Button size="sm" onClick={() => step(1)} disabled={!state?.seqs.length} aria-label="Next match">
        ↓
      </Button>
      <span role="status" className="text-xs text-stone-500">
        {isSearching
          ? "Searching…"
          : state
            ? state.seqs.length === 0
              ? "No matches"
              : `${state.index + 1} of ${state.seqs.length}${state.hasMore ? "+" : ""} matches`
            : ""}
      </span>
    </form>
  );
}
