"use client";
import { useState } from "react";
import { Button } from "./button.tsx";

/** A secret or link shown once, selectable, with a copy button. */
export function CopyField({ label, value }: { label: string; value: string }) {
  const [isCopied, setCopied] = useState(false);
  return (
    <div className="rounded-xl border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950">
      <p className="mb-1 font-medium">{label}</p>
      <div className="flex gap-2">
        <input
          readOnly
          aria-label={label}
          value={value}
          onFocus={(e) => e.target.select()}
          className="min-w-0 flex-1 rounded-lg border border-stone-300 bg-white px-2 py-1 font-mono text-xs dark:border-stone-700 dark:bg-stone-950"
        />
        <Button
          size="sm"
          onClick={() =>
            void navigator.clipboard.writeText(value).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {isCopied ? "Copied" : "Copy"}
        </Button>
      </div>
      <p className="mt-1 text-xs text-stone-600 dark:text-stone-400">Shown once: grove keeps only a hash.</p>
    </div>
  );
}
