"use client";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, type ReactNode } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../lib/trpc.ts";

const NAV = [
  { href: "/", label: "Overview" },
  { href: "/audit", label: "Audit" },
];

export function AppShell({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const pathname = usePathname();
  const router = useRouter();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.auth.me.queryOptions());
  const logout = useMutation(
    trpc.auth.logout.mutationOptions({
      onSuccess: () => {
        queryClient.clear();
        router.replace("/login");
      },
    }),
  );
  const isLogin = pathname === "/login";

  useEffect(() => {
    if (me.isSuccess && !me.data && !isLogin) router.replace("/login");
  }, [me.isSuccess, me.data, isLogin, router]);

  if (isLogin) return <main className="mx-auto max-w-md px-4 py-10">{children}</main>;
  if (!me.data) {
    return (
      <main className="p-6 text-sm text-stone-500" aria-busy="true">
        Loading…
      </main>
    );
  }

  return (
    <>
      <header className="sticky top-0 z-10 border-b border-stone-200 bg-white/90 backdrop-blur dark:border-stone-800 dark:bg-stone-900/90">
        <div className="mx-auto flex max-w-5xl items-center gap-4 px-4 py-3">
          <Link href="/" className="text-lg font-semibold tracking-tight text-emerald-700 dark:text-emerald-400">
            grove
          </Link>
          <nav aria-label="Main" className="flex gap-3 text-sm">
            {NAV.map((item) => (
              <Link
                key={item.href}
                href={item.href}
                aria-current={pathname === item.href ? "page" : undefined}
                className="rounded px-2 py-1 hover:bg-stone-100 aria-[current=page]:font-semibold dark:hover:bg-stone-800"
              >
                {item.label}
              </Link>
            ))}
          </nav>
          <div className="ml-auto flex items-center gap-2 text-sm">
            <span className="hidden text-stone-500 sm:inline">
              {me.data.email} · {me.data.role}
            </span>
            <button
              type="button"
              onClick={() => logout.mutate()}
              className="rounded border border-stone-300 px-2 py-1 hover:bg-stone-100 dark:border-stone-700 dark:hover:bg-stone-800"
            >
              Sign out
            </button>
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-5xl px-4 py-6">{children}</main>
    </>
  );
}
