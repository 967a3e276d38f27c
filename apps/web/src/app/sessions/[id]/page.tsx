import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { pageLookups } from "../../../lib/page-lookups.ts";
import { SessionView } from "./session-view.tsx";

export default async function SessionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (await pageLookups()?.isMissing("session", id, new Headers(await headers()))) notFound();
  return <SessionView />;
}
