"use client";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, type ReactNode } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { authClient } from "../lib/auth-client.ts";
import { useTRPC } from "../lib/trpc.ts";
import { isUnauthorized } from "../lib/query-errors.ts";
import { NavBar } from "./nav-bar.tsx";
import { Button } from "./ui/button.tsx";

const PUBLIC_PAGES = ["/login", "/setup", "/invite"];

export function AppShell({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const pathname = usePathname();
  const router = useRouter();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.auth.me.queryOptions());
  const isPublic = PUBLIC_PAGES.includes(pathname);

  // Signed out shows as no user; a 401 (a session the server no longer knows) means the same.
  const signedOut = (me.isSuccess && !me.data) || isUnauthorized(me.error);
  useEffect(() => {
    if (signedOut && !isPublic) router.replace("/login");
  }, [signedOut, isPublic, router]);

  const signOut = async () => {
    await authClient.signOut();
    queryClient.clear();
    router.replace("/login");
  };

  if (isPublic) return <main className="mx-auto max-w-md px-4 py-10">{children}</main>;
  // The server's answer (Providers) stands until the browser's own first ask fails: then grove is unreachable.
  const isUnconfirmed = me.dataUpdatedAt === 0 && me.failureCount > 0;
  if (!me.data || isUnconfirmed)
    return <ShellWaiting failed={me.failureCount > 0} refused={me.isError && !signedOut ? me.error.message : undefined} />;

  return (
    <>
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:p-2"
      >
        Skip to content
      </a>
      <header className="sticky top-0 z-20 border-b border-stone-200 bg-white/90 backdrop-blur dark:border-stone-800 dark:bg-stone-900/90">
        <div className="mx-auto flex max-w-6xl flex-col gap-2 px-4 py-2 md:flex-row md:items-center md:gap-4">
          <div className="flex items-center gap-3">
            <Link href="/" className="text-lg font-semibold tracking-tight text-emerald-700 dark:text-emerald-400">
              grove
            </Link>
            <div className="ml-auto flex items-center gap-2 text-sm md:hidden">
              <span className="max-w-40 truncate text-stone-500">{me.data.role}</span>
              <Button size="sm" onClick={() => void signOut()}>
                Sign out
              </Button>
            </div>
          </div>
          <NavBar role={me.data.role} />
          <div className="ml-auto hidden items-center gap-2 text-sm md:flex">
            <span className="max-w-56 truncate text-stone-500" title={me.data.email}>
              {me.data.email} · {me.data.role}
            </span>
            <Button size="sm" onClick={() => void signOut()}>
              Sign out
            </Button>
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-6xl px-4 py-6">
        {children}
      </main>
    </>
  );
}

/** What the shell shows until it knows who is signed in: loading, retrying an unreachable server, or a refusal. */
function ShellWaiting({ failed, refused }: { failed: boolean; refused: string | undefined }) {
  if (refused !== undefined) {
    return (
      <main className="p-6 text-sm text-red-700 dark:text-red-400" role="alert">
        grove refused the request: {refused}
      </main>
    );
  }
  if (failed) {
    return (
      <main className="p-6 text-sm text-amber-700 dark:text-amber-400" role="status" aria-busy="true">
        Cannot reach grove — retrying…
      </main>
    );
  }
  return (
    <main className="p-6 text-sm text-stone-500" aria-busy="true">
      Loading…
    </main>
  );
}
