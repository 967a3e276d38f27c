"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "../lib/trpc.ts";
import { Card } from "./card.tsx";

type Draft = { agent: string; taskId: string; prompt: string };
const DEFAULT_TASKS: Draft[] = [
  { agent: "demo", taskId: "", prompt: "Add a changelog entry for the parser fix" },
  { agent: "demo", taskId: "", prompt: "Document the CLI flags in the README" },
];
const INPUT = "w-full rounded border border-stone-300 bg-transparent px-2 py-1.5 text-sm dark:border-stone-700";

export function StartSessionForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [tasks, setTasks] = useState<Draft[]>(DEFAULT_TASKS);
  const start = useMutation(trpc.session.start.mutationOptions({ onSuccess: (s) => router.push(`/sessions/${s.id}`) }));

  const update = (index: number, patch: Partial<Draft>) =>
    setTasks((prev) => prev.map((t, i) => (i === index ? { ...t, ...patch } : t)));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    start.mutate({ tasks: tasks.map((t) => ({ agent: t.agent, taskId: t.taskId || undefined, prompt: t.prompt })) });
  };

  return (
    <Card title="Start a session">
      <form onSubmit={submit} className="space-y-3">
        {tasks.map((task, index) => (
          <fieldset key={index} className="rounded-lg border border-stone-200 p-3 dark:border-stone-800">
            <legend className="px-1 text-xs font-medium text-stone-500">Task {index + 1}</legend>
            <div className="grid gap-2 sm:grid-cols-3">
              <label className="text-xs">
                Agent
                <input className={INPUT} value={task.agent} onChange={(e) => update(index, { agent: e.target.value })} />
              </label>
              <label className="text-xs sm:col-span-2">
                Task id (optional)
                <input
                  className={INPUT}
                  value={task.taskId}
                  placeholder="generated"
                  onChange={(e) => update(index, { taskId: e.target.value })}
                />
              </label>
              <label className="text-xs sm:col-span-3">
                Prompt
                <textarea
                  className={INPUT}
                  rows={2}
                  value={task.prompt}
                  onChange={(e) => update(index, { prompt: e.target.value })}
                />
              </label>
            </div>
            {tasks.length > 1 && (
              <button
                type="button"
                className="mt-2 text-xs text-red-700 hover:underline dark:text-red-400"
                onClick={() => setTasks((prev) => prev.filter((_, i) => i !== index))}
              >
                Remove task {index + 1}
              </button>
            )}
          </fieldset>
        ))}
        {start.error && (
          <p role="alert" className="text-sm text-red-600">
            {start.error.message}
          </p>
        )}
        <div className="flex flex-wrap gap-2">
          <button
            type="button"
            onClick={() => setTasks((prev) => [...prev, { agent: "demo", taskId: "", prompt: "" }])}
            className="rounded border border-stone-300 px-3 py-1.5 text-sm dark:border-stone-700"
          >
            Add task
          </button>
          <button
            type="submit"
            disabled={start.isPending}
            className="rounded bg-emerald-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-emerald-800 disabled:opacity-60"
          >
            {start.isPending ? "Starting…" : "Start session"}
          </button>
        </div>
      </form>
    </Card>
  );
}
