import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { pageLookups } from "../../../lib/page-lookups.ts";
import { RunView } from "./run-view.tsx";

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (await pageLookups()?.isMissing("run", id, new Headers(await headers()))) notFound();
  return <RunView />;
}
