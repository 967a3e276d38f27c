"use client";
import { useState, type ReactNode } from "react";
import { QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import superjson from "superjson";
import type { AppRouter } from "../server/api/root.ts";
import { TRPCProvider, useTRPC } from "../lib/trpc.ts";
import { SocketProvider } from "../lib/socket.tsx";

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () => new QueryClient({ defaultOptions: { queries: { staleTime: 1000, retry: 1, refetchOnWindowFocus: true } } }),
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
  return <SocketProvider enabled={Boolean(me.data)}>{children}</SocketProvider>;
}
