import { MAX_NAME_PART } from "@grove/core";
import { TextArea, TextField, SelectField } from "./ui/field.tsx";

export type TaskDraft = { profile: string; agent: string; taskId: string; prompt: string };

/** One task of a session: a fieldset named "Task N" so each row can be found by its number. */
export function TaskFields({
  index,
  task,
  profiles,
  onChange,
  onRemove,
}: {
  index: number;
  task: TaskDraft;
  profiles: string[];
  onChange: (patch: Partial<TaskDraft>) => void;
  onRemove?: () => void;
}) {
  const options = profiles.includes(task.profile) ? profiles : [task.profile, ...profiles];
  return (
    <fieldset className="rounded-xl border border-stone-200 p-3 dark:border-stone-800">
      <legend className="px-1 text-sm font-medium text-stone-600 dark:text-stone-400">Task {index + 1}</legend>
      <div className="grid gap-3 sm:grid-cols-3">
        <SelectField label="Profile" value={task.profile} onChange={(e) => onChange({ profile: e.target.value })}>
          {options.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Agent name (optional)"
          value={task.agent}
          maxLength={MAX_NAME_PART}
          placeholder={task.profile}
          onChange={(e) => onChange({ agent: e.target.value })}
        />
        <TextField
          label="Task id (optional)"
          value={task.taskId}
          maxLength={MAX_NAME_PART}
          placeholder="generated"
          onChange={(e) => onChange({ taskId: e.target.value })}
        />
        <TextArea
          label="Prompt"
          className="sm:col-span-3"
          rows={3}
          required
          value={task.prompt}
          onChange={(e) => onChange({ prompt: e.target.value })}
        />
      </div>
      {onRemove && (
        <button type="button" className="mt-2 text-xs text-red-700 hover:underline dark:text-red-400" onClick={onRemove}>
          Remove task {index + 1}
        </button>
      )}
    </fieldset>
  );
}
