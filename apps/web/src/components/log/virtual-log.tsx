"use client";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { useLogStore } from "../../lib/log/use-log-store.ts";
import { structuredEvents } from "../../lib/log/agent-rows.ts";
import { renderAnsiRow } from "../../lib/log/ansi-row.ts";
import { Button } from "../ui/button.tsx";
import { LogRow, ROW_HEIGHT } from "./log-row.tsx";
import { LogSearch, type SearchState } from "./log-search.tsx";
import { SelectedLine } from "./selected-line.tsx";

const OVERSCAN = 20;

/**
 * A run's log, virtualised: only the rows on screen are in the DOM and only nearby pages are in
 * memory, so a million-line log scrolls like a short one. Follows the tail until you scroll up.
 */
export function VirtualLog({
  runId,
  lastSeq,
  label,
  compact = false,
}: {
  runId: string;
  lastSeq: number | undefined;
  label: string;
  compact?: boolean;
}) {
  const { store, version, ensure } = useLogStore(runId, lastSeq);
  const box = useRef<HTMLDivElement>(null);
  const isProgrammatic = useRef(false);
  const [view, setView] = useState({ top: 0, height: compact ? 256 : 480 });
  const [isFollowing, setFollowing] = useState(true);
  const [isStructured, setStructured] = useState(false);
  const [hasStreamJson, setHasStreamJson] = useState(false);
  const [selected, setSelected] = useState<number | null>(null);
  const [search, setSearch] = useState<SearchState | null>(null);

  const total = store.total;
  const first = Math.max(1, Math.floor(view.top / ROW_HEIGHT) + 1 - OVERSCAN);
  const last = Math.min(total, Math.ceil((view.top + view.height) / ROW_HEIGHT) + OVERSCAN);

  useEffect(() => ensure(first, last), [ensure, first, last, version]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setView((v) => ({ ...v, height: el.clientHeight })));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el || !isFollowing) return;
    const bottom = el.scrollHeight - el.clientHeight;
    if (Math.abs(el.scrollTop - bottom) > 1) {
      isProgrammatic.current = true;
      el.scrollTop = bottom;
    }
  }, [version, total, isFollowing]);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    setView({ top: el.scrollTop, height: el.clientHeight });
    if (isProgrammatic.current) {
      isProgrammatic.current = false;
      return;
    }
    const atBottom = el.scrollHeight - el.clientHeight - el.scrollTop < ROW_HEIGHT;
    if (atBottom !== isFollowing) setFollowing(atBottom);
  };

  const jumpTo = (seq: number) => {
    const el = box.current;
    if (!el) return;
    setFollowing(false);
    setSelected(seq);
    isProgrammatic.current = true;
    el.scrollTop = Math.max(0, (seq - 1) * ROW_HEIGHT - el.clientHeight / 2);
  };

  const matches = useMemo(() => new Set(search?.seqs ?? []), [search]);
  const rows = [];
  let isJsonOnScreen = false;
  for (let seq = first; seq <= last; seq++) {
    const line = store.get(seq);
    // The rows the runner rendered from an agent's events (by their kind), or raw stream-json.
    const events = line ? structuredEvents(line) : null;
    if (events) isJsonOnScreen = true;
    rows.push(
      <LogRow
        key={seq}
        seq={seq}
        line={line}
        html={line && !(isStructured && events) ? renderAnsiRow(line.text) : ""}
        events={isStructured ? events : null}
        top={(seq - 1) * ROW_HEIGHT}
        isSelected={selected === seq}
        isMatch={matches.has(seq)}
        onSelect={setSelected}
      />,
    );
  }

  // An agent's events (Claude's, Codex's) are recognised on sight and shown structured by default.
  useEffect(() => {
    if (!isJsonOnScreen || hasStreamJson) return;
    setHasStreamJson(true);
    setStructured(true);
  }, [isJsonOnScreen, hasStreamJson]);

  return (
    <div className="min-w-0">
      <div className="mb-2 flex flex-wrap items-center gap-2 text-xs text-stone-500">
        <span>{total.toLocaleString()} lines</span>
        <Button
          size="sm"
          variant={isFollowing ? "primary" : "secondary"}
          aria-pressed={isFollowing}
          onClick={() => setFollowing((f) => !f)}
        >
          {isFollowing ? "Following" : "Follow"}
        </Button>
        {hasStreamJson && (
          <Button size="sm" aria-pressed={isStructured} onClick={() => setStructured((s) => !s)}>
            Structured
          </Button>
        )}
        {!compact && <LogSearch runId={runId} state={search} onResults={setSearch} onJump={jumpTo} />}
      </div>
      <div
        ref={box}
        role="log"
        aria-label={label}
        aria-live={isFollowing ? "polite" : "off"}
        tabIndex={0}
        onScroll={onScroll}
        className={`relative overflow-auto rounded-xl bg-stone-950 text-xs leading-5 focus-visible:outline-2 focus-visible:outline-emerald-600 ${compact ? "h-64" : "h-[60vh] min-h-72"}`}
      >
        {total === 0 && <div className="p-2 text-stone-500">Waiting for output…</div>}
        <div style={{ height: total * ROW_HEIGHT }} className="relative">
          {rows}
        </div>
      </div>
      {selected !== null && <SelectedLine line={store.get(selected)} seq={selected} onClose={() => setSelected(null)} />}
    </div>
  );
}
