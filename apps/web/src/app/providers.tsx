"use client";
import { useEffect, useState, type ReactNode } from "react";
import { QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import superjson from "superjson";
import type { AppRouter } from "../server/api/root.ts";
import { TRPCProvider, useTRPC } from "../lib/trpc.ts";
import { SocketProvider } from "../lib/socket.tsx";

function isClientError(error: Error): boolean {
  if (!(error instanceof TRPCClientError)) return false;
  const data: unknown = error.data;
  const status = data && typeof data === "object" && "httpStatus" in data && typeof data.httpStatus === "number" ? data.httpStatus : 500;
  return status < 500;
}

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          // A 4xx (signed out, forbidden, not found) will not change on retry; a network blip may.
          queries: { staleTime: 1000, refetchOnWindowFocus: true, retry: (count, error) => count < 1 && !isClientError(error) },
        },
      }),
  );
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: "/api/trpc", transformer: superjson })] }),
  );
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
