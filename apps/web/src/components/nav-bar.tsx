"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../lib/trpc.ts";
import type { Role } from "../server/auth/sessions.ts";

const NAV: { href: string; label: string; minRole?: Role }[] = [
  { href: "/", label: "Overview" },
  { href: "/approvals", label: "Approvals" },
  { href: "/sessions", label: "Sessions" },
  { href: "/audit", label: "Audit" },
  { href: "/brain", label: "Brain" },
  { href: "/health", label: "Health" },
  { href: "/admin", label: "Admin", minRole: "admin" },
  { href: "/settings", label: "Settings" },
];

function isCurrent(pathname: string, href: string): boolean {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}

/** Main navigation; the approvals count is the in-app badge (and the installed app's icon badge). */
export function NavBar({ role }: { role: Role }) {
  const trpc = useTRPC();
  const pathname = usePathname();
  const waiting = useQuery(trpc.approval.count.queryOptions());
  const count = waiting.data ?? 0;

  useEffect(() => {
    document.title = count > 0 ? `(${count}) grove` : "grove";
    if ("setAppBadge" in navigator)
      void (count > 0 ? navigator.setAppBadge(count) : navigator.clearAppBadge()).catch(() => undefined);
  }, [count]);

  return (
    // Entries wrap onto a second row on a phone: every label whole and in reach, nothing hidden off-screen.
    <nav aria-label="Main" className="-mx-1 flex min-w-0 flex-wrap gap-x-0.5 gap-y-1 text-sm md:flex-1">
      {NAV.filter((item) => !item.minRole || role === "admin").map((item) => (
        <Link
          key={item.href}
          href={item.href}
          aria-current={isCurrent(pathname, item.href) ? "page" : undefined}
          className="flex shrink-0 items-center gap-1.5 whitespace-nowrap rounded-lg px-2 py-1.5 text-stone-600 hover:bg-stone-100 aria-[current=page]:bg-emerald-50 aria-[current=page]:font-semibold aria-[current=page]:text-emerald-800 dark:text-stone-300 dark:hover:bg-stone-800 dark:aria-[current=page]:bg-emerald-950 dark:aria-[current=page]:text-emerald-300"
        >
          {item.label}
          {item.href === "/approvals" && count > 0 && (
            <span className="rounded-full bg-amber-500 px-1.5 text-xs font-bold text-white" aria-label={`${count} waiting`}>
              {count}
            </span>
          )}
        </Link>
      ))}
    </nav>
  );
}
