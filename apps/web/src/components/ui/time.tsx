"use client";
import { useEffect, useState } from "react";

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
  ["second", 1000],
];
const format = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

export function relative(date: Date | number, now = Date.now()): string {
  const delta = new Date(date).getTime() - now;
  for (const [unit, ms] of UNITS)
    if (Math.abs(delta) >= ms || unit === "second") return format.format(Math.round(delta / ms), unit);
  return "";
}

/** "423 ms" under a second (a quick test run is not "0s"), else "42s", "3m 5s", "2h 10m". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || ms < 0 || !Number.isFinite(ms)) return "—";
  if (Math.round(ms) < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m ${s % 60}s` : `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** "3 minutes ago", refreshed every 15 s, with the exact time on hover and for screen readers. */
export function RelativeTime({ date }: { date: Date | number | null | undefined }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);
  if (!date) return <span>never</span>;
  const d = new Date(date);
  return (
    <time dateTime={d.toISOString()} title={d.toLocaleString()}>
      {relative(d, now)}
    </time>
  );
}
