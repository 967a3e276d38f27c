import { describe, expect, it } from "vitest";
import { parseThemeChoice, themeColors, themeCookie } from "./theme-choice.ts";

describe("theme choice", () => {
  it("reads back what it wrote, and follows the system for anything else", () => {
    for (const choice of ["system", "light", "dark"] as const) {
      const [pair] = themeCookie(choice).split(";");
      expect(parseThemeChoice(pair?.split("=")[1])).toBe(choice);
    }
    for (const junk of [undefined, null, "", "DARK", "dark;", "<script>", "blue"]) expect(parseThemeChoice(junk)).toBe("system");
  });

  it("is remembered for the whole site for a year, not only for the session", () => {
    expect(themeCookie("dark")).toMatch(/; Path=\/;/);
    expect(themeCookie("dark")).toMatch(/Max-Age=31536000/);
  });

  it("gives the browser bar one colour when fixed and lets the system pick otherwise", () => {
    expect(themeColors("dark")).toEqual([{ color: "#0c0a09" }]);
    expect(themeColors("system").map((c) => c.media)).toEqual(["(prefers-color-scheme: light)", "(prefers-color-scheme: dark)"]);
  });
});
