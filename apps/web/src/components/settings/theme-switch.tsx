"use client";
import { useEffect, useState } from "react";
import { parseThemeChoice, THEME_CHOICES, themeCookie, type ThemeChoice } from "../../lib/theme/theme-choice.ts";
import { Card } from "../card.tsx";

const LABELS: Record<ThemeChoice, string> = { system: "Same as the system", light: "Light", dark: "Dark" };

/** System, light or dark, remembered in this browser (a cookie the server reads, so reloads start right). */
export function ThemeSwitch() {
  const [choice, setChoice] = useState<ThemeChoice>("system");
  useEffect(() => setChoice(parseThemeChoice(document.documentElement.dataset.theme)), []);

  const choose = (next: ThemeChoice) => {
    document.cookie = themeCookie(next);
    document.documentElement.dataset.theme = next;
    setChoice(next);
  };

  return (
    <Card title="Appearance">
      <fieldset>
        <legend className="mb-2 text-sm text-stone-600 dark:text-stone-400">Theme in this browser</legend>
        <div className="flex flex-wrap gap-2">
          {THEME_CHOICES.map((option) => (
            <label
              key={option}
              className="flex cursor-pointer items-center gap-2 rounded-lg border border-stone-200 px-3 py-2 text-sm has-[:checked]:border-emerald-600 has-[:checked]:bg-emerald-50 dark:border-stone-700 dark:has-[:checked]:bg-emerald-950"
            >
              <input type="radio" name="theme" value={option} checked={choice === option} onChange={() => choose(option)} />
              {LABELS[option]}
            </label>
          ))}
        </div>
      </fieldset>
    </Card>
  );
}
