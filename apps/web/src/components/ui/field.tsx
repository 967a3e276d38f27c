import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from "react";

export const INPUT_CLASS =
  "mt-1 block w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-sm text-stone-900 placeholder:text-stone-400 focus:border-emerald-600 focus:outline-none focus:ring-2 focus:ring-emerald-600/30 dark:border-stone-700 dark:bg-stone-950 dark:text-stone-100";

type Common = { label: string; hint?: ReactNode; className?: string };

function Label({ id, label, hint, children, className = "" }: Common & { id: string; children: ReactNode }) {
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-stone-700 dark:text-stone-300">
        {label}
      </label>
      {children}
      {hint && (
        <p id={`${id}-hint`} className="mt-1 text-xs text-stone-500">
          {hint}
        </p>
      )}
    </div>
  );
}

export function TextField({ label, hint, className, ...props }: Common & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <Label id={id} label={label} hint={hint} className={className}>
      <input id={id} aria-describedby={hint ? `${id}-hint` : undefined} className={INPUT_CLASS} {...props} />
    </Label>
  );
}

export function TextArea({ label, hint, className, ...props }: Common & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const id = useId();
  return (
    <Label id={id} label={label} hint={hint} className={className}>
      <textarea id={id} aria-describedby={hint ? `${id}-hint` : undefined} className={INPUT_CLASS} {...props} />
    </Label>
  );
}

export function SelectField({ label, hint, className, children, ...props }: Common & SelectHTMLAttributes<HTMLSelectElement>) {
  const id = useId();
  return (
    <Label id={id} label={label} hint={hint} className={className}>
      <select id={id} aria-describedby={hint ? `${id}-hint` : undefined} className={INPUT_CLASS} {...props}>
        {children}
      </select>
    </Label>
  );
}
