"use client";
import { useEffect, useState, type ReactNode } from "react";
import { QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import superjson from "superjson";
import type { AppRouter } from "../server/api/root.ts";
import type { SessionUser } from "../server/auth/sessions.ts";
import { TRPCProvider, useTRPC } from "../lib/trpc.ts";
import { SocketProvider } from "../lib/socket.tsx";
import { isClientError, reconnectDelay, retryUntilReachable } from "../lib/query-errors.ts";

/** tRPC's key of auth.me without input or type: the prefix every auth.me query key starts with. */
const AUTH_ME_PATH_KEY = [["auth", "me"]];

function createQueryClient(): QueryClient {
  const client = new QueryClient({
    defaultOptions: {
      // A 4xx (signed out, forbidden, not found) will not change on retry; a network blip may.
      queries: { staleTime: 1000, refetchOnWindowFocus: true, retry: (count, error) => count < 1 && !isClientError(error) },
    },
  });
  // The shell waits for auth.me: while grove is unreachable (restarting, network down) it keeps trying with back-off
  // instead of giving up after one retry and leaving "Loading…" for good. Set per key so every auth.me observer agrees.
  client.setQueryDefaults(AUTH_ME_PATH_KEY, { retry: retryUntilReachable, retryDelay: reconnectDelay });
  return client;
}

/** `me`: auth.me's answer as the server read it for this page (undefined: not known), so no first fetch waits on it. */
export function Providers({ children, me }: { children: ReactNode; me?: SessionUser | null }) {
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: "/api/trpc", transformer: superjson })] }),
  );
  const [queryClient] = useState(() => {
    const client = createQueryClient();
    const trpc = createTRPCOptionsProxy<AppRouter>({ client: trpcClient, queryClient: client });
    // Dated 0: the client still asks (the shell says so while grove is unreachable), the page renders meanwhile.
    if (me !== undefined) client.setQueryData(trpc.auth.me.queryKey(), me, { updatedAt: 0 });
    return client;
  });
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <LiveUpdates>{children}</LiveUpdates>
      </TRPCProvider>
    </QueryClientProvider>
  );
}

function LiveUpdates({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  // The service worker makes grove installable and receives pushes; it serves no pages.
  useEffect(() => {
    if ("serviceWorker" in navigator) void navigator.serviceWorker.register("/sw.js").catch(() => undefined);
  }, []);
  return <SocketProvider enabled={Boolean(me.data)}>{children}</SocketProvider>;
}
