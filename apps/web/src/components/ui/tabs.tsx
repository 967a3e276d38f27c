"use client";
import { useId, useRef, useState, type KeyboardEvent, type ReactNode } from "react";

/** WAI-ARIA tabs: arrow keys move between tabs, only the chosen panel is rendered. */
export function Tabs({ label, tabs }: { label: string; tabs: { id: string; title: string; content: () => ReactNode }[] }) {
  const base = useId();
  const [current, setCurrent] = useState(tabs[0]?.id ?? "");
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKey = (event: KeyboardEvent, index: number) => {
    const delta = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (!delta) return;
    const next = (index + delta + tabs.length) % tabs.length;
    const tab = tabs[next];
    if (!tab) return;
    setCurrent(tab.id);
    refs.current[next]?.focus();
  };
  const active = tabs.find((t) => t.id === current) ?? tabs[0];
  return (
    <div>
      <div
        role="tablist"
        aria-label={label}
        className="mb-3 flex gap-1 overflow-x-auto border-b border-stone-200 dark:border-stone-800"
      >
        {tabs.map((tab, index) => (
          <button
            key={tab.id}
            ref={(el) => {
              refs.current[index] = el;
            }}
            role="tab"
            type="button"
            id={`${base}-${tab.id}`}
            aria-selected={tab.id === active?.id}
            aria-controls={`${base}-${tab.id}-panel`}
            tabIndex={tab.id === active?.id ? 0 : -1}
            onClick={() => setCurrent(tab.id)}
            onKeyDown={(e) => onKey(e, index)}
            className="-mb-px shrink-0 border-b-2 border-transparent px-3 py-2 text-sm text-stone-600 aria-selected:border-emerald-600 aria-selected:font-semibold aria-selected:text-stone-900 dark:text-stone-400 dark:aria-selected:text-stone-100"
          >
            {tab.title}
          </button>
        ))}
      </div>
      {active && (
        <div role="tabpanel" id={`${base}-${active.id}-panel`} aria-labelledby={`${base}-${active.id}`}>
          {active.content()}
        </div>
      )}
    </div>
  );
}
