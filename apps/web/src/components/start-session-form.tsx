"use client";
import { useRouter } from "next/navigation";
import { useEffect, useState, type FormEvent } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTRPC } from "../lib/trpc.ts";
import { Card } from "./card.tsx";
import { TaskFields, type TaskDraft } from "./task-fields.tsx";
import { Button } from "./ui/button.tsx";
import { SelectField, TextField } from "./ui/field.tsx";
import { Empty, ErrorText } from "./ui/feedback.tsx";
import { runnerLabel } from "../lib/wording/runner-label.ts";

const blankTask = (profile: string): TaskDraft => ({ profile, agent: "", taskId: "", prompt: "" });

/** Runner and repository first (their profiles fill the task rows), then one row per agent task. */
export function StartSessionForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const runners = useQuery(trpc.runner.list.queryOptions());
  const online = (runners.data ?? []).filter((r) => r.online);
  const [runnerId, setRunnerId] = useState("");
  const [repoPath, setRepoPath] = useState("");
  const runner = useQuery({ ...trpc.runner.byId.queryOptions({ id: runnerId }), enabled: runnerId !== "" });
  const repo = runner.data?.repos.find((r) => r.path === repoPath) ?? runner.data?.repos[0];
  const profiles = repo?.info?.profiles ?? ["demo"];
  const defaultProfile = profiles.includes("demo") ? "demo" : (profiles[0] ?? "demo");
  const [tasks, setTasks] = useState<TaskDraft[]>([blankTask("demo")]);
  const [budget, setBudget] = useState({ usd: "", tokens: "" });
  const start = useMutation(trpc.session.start.mutationOptions({ onSuccess: (s) => router.push(`/sessions/${s.id}`) }));

  useEffect(() => {
    if (!runnerId && online[0]) setRunnerId(online[0].id);
  }, [runnerId, online]);

  const update = (index: number, patch: Partial<TaskDraft>) =>
    setTasks((prev) => prev.map((t, i) => (i === index ? { ...t, ...patch } : t)));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    start.mutate({
      runnerId: runnerId || undefined,
      repoPath: repo?.path,
      tasks: tasks.map((t) => ({
        agent: t.agent.trim() || t.profile,
        profile: t.profile,
        taskId: t.taskId.trim() || undefined,
        prompt: t.prompt,
      })),
      budget:
        budget.usd || budget.tokens
          ? { usd: budget.usd ? Number(budget.usd) : undefined, tokens: budget.tokens ? Number(budget.tokens) : undefined }
          : undefined,
    });
  };

  if (runners.isSuccess && online.length === 0) {
    return (
      <Card title="Start a session">
        <Empty>No runner is online. Start one with `pnpm grove runner --hub URL --token T --repo PATH`.</Empty>
      </Card>
    );
  }

  return (
    <Card title="Start a session">
      <form onSubmit={submit} className="space-y-4">
        <div className="grid gap-3 sm:grid-cols-2">
          <SelectField label="Runner" value={runnerId} onChange={(e) => setRunnerId(e.target.value)}>
            {online.map((r) => (
              <option key={r.id} value={r.id}>
                {runnerLabel(r)}
              </option>
            ))}
          </SelectField>
          <SelectField label="Repository" value={repo?.path ?? ""} onChange={(e) => setRepoPath(e.target.value)}>
            {runner.data?.repos.map((r) => (
              <option key={r.path} value={r.path}>
                {r.name} → {r.integration}
              </option>
            ))}
          </SelectField>
        </div>
        {tasks.map((task, index) => (
          <TaskFields
            key={index}
            index={index}
            task={task}
            profiles={profiles}
            onChange={(patch) => update(index, patch)}
            onRemove={tasks.length > 1 ? () => setTasks((prev) => prev.filter((_, i) => i !== index)) : undefined}
          />
        ))}
        <div className="grid gap-3 sm:grid-cols-2">
          <TextField
            label="Budget (USD)"
            hint="Optional: no further run starts once the session's runs cost this much."
            inputMode="decimal"
            value={budget.usd}
            onChange={(e) => setBudget((b) => ({ ...b, usd: e.target.value }))}
          />
          <TextField
            label="Budget (tokens)"
            hint="Optional: tokens in and out, summed over the session's runs."
            inputMode="numeric"
            value={budget.tokens}
            onChange={(e) => setBudget((b) => ({ ...b, tokens: e.target.value }))}
          />
        </div>
        <ErrorText error={start.error} />
        <div className="flex flex-wrap gap-2">
          <Button onClick={() => setTasks((prev) => [...prev, blankTask(defaultProfile)])}>Add task</Button>
          <Button type="submit" variant="primary" disabled={start.isPending}>
            {start.isPending ? "Starting…" : "Start session"}
          </Button>
        </div>
      </form>
    </Card>
  );
}
