import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { cookies, headers } from "next/headers";
import "./globals.css";
import { Providers } from "./providers.tsx";
import { AppShell } from "../components/app-shell.tsx";
import { pageLookups } from "../lib/page-lookups.ts";
import { parseThemeChoice, THEME_COOKIE, themeColors } from "../lib/theme/theme-choice.ts";

// Every page is rendered per request: its inline scripts carry that response's CSP nonce (see
// server/content-security-policy.ts), which a page prerendered at build time could not.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: "grove",
  description: "Run AI coding agents side by side on one repository, each in its own git worktree.",
  applicationName: "grove",
  appleWebApp: { capable: true, title: "grove", statusBarStyle: "black-translucent" },
  icons: { icon: "/icons/icon-192.png", apple: "/icons/apple-touch-icon.png" },
};

async function themeOfThisBrowser() {
  return parseThemeChoice((await cookies()).get(THEME_COOKIE)?.value);
}

export async function generateViewport(): Promise<Viewport> {
  return { width: "device-width", initialScale: 1, viewportFit: "cover", themeColor: themeColors(await themeOfThisBrowser()) };
}

// The theme is on <html> from the first byte (globals.css reads data-theme): no script, no flash of the other theme.
// Who is signed in is known from the first byte too: the shell renders the page on the server, and a page that
// calls notFound() (a run that does not exist) does so before the response starts, so it answers 404.
export default async function RootLayout({ children }: { children: ReactNode }) {
  const me = await pageLookups()?.signedInUser(new Headers(await headers()));
  return (
    <html lang="en" data-theme={await themeOfThisBrowser()}>
      <body className="min-h-screen bg-stone-50 text-stone-900 antialiased dark:bg-stone-950 dark:text-stone-100">
        <Providers me={me}>
          <AppShell>{children}</AppShell>
        </Providers>
      </body>
    </html>
  );
}
