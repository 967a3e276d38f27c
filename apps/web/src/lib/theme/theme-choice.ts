export const THEME_CHOICES = ["system", "light", "dark"] as const;
export type ThemeChoice = (typeof THEME_CHOICES)[number];

/**
 * A cookie, not localStorage: the server reads it and renders <html data-theme> right the first time, so
 * no inline script (which the page's CSP would need a nonce for) has to fix the page up before it paints.
 */
export const THEME_COOKIE = "grove-theme";
const ONE_YEAR_S = 365 * 24 * 3600;

/** The remembered choice; anything unknown or missing follows the system. */
export function parseThemeChoice(value: string | null | undefined): ThemeChoice {
  return THEME_CHOICES.find((choice) => choice === value) ?? "system";
}

/** The Set-Cookie text (document.cookie form) that remembers a choice in this browser for a year. */
export function themeCookie(choice: ThemeChoice): string {
  return `${THEME_COOKIE}=${choice}; Path=/; Max-Age=${ONE_YEAR_S}; SameSite=Lax`;
}

/** The browser bar colour for a choice: one colour when fixed, both (picked by the system) otherwise. */
export function themeColors(choice: ThemeChoice): { media?: string; color: string }[] {
  const light = "#047857";
  const dark = "#0c0a09";
  if (choice === "light") return [{ color: light }];
  if (choice === "dark") return [{ color: dark }];
  return [
    { media: "(prefers-color-scheme: light)", color: light },
    { media: "(prefers-color-scheme: dark)", color: dark },
  ];
}
