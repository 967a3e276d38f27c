import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * The pages' Content-Security-Policy. Scripts run only from grove's own origin or inline with this
 * response's nonce (Next puts it on its own inline scripts), so HTML that reaches the page from agent
 * output (the log view renders ANSI as HTML) cannot run script. Styles may be inline: React and the log
 * view's colours use style attributes, which a nonce cannot cover. Dev mode adds 'unsafe-eval' for
 * React Refresh.
 */
export function pagePolicy(opts: { nonce: string; host: string | undefined; publicUrl: string | null; isDev: boolean }): string {
  const sockets = socketSources(opts.host, opts.publicUrl);
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${opts.nonce}'${opts.isDev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${sockets}`,
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * Gives a page request its own nonce: on the request, where Next reads it (the `content-security-policy`
 * request header) to mark its inline scripts, and on the response, where the browser enforces it.
 */
export function applyPagePolicy(
  req: IncomingMessage,
  res: ServerResponse,
  opts: { publicUrl: string | null; isDev: boolean },
): void {
  const policy = pagePolicy({
    nonce: randomBytes(18).toString("base64"),
    host: req.headers.host,
    publicUrl: opts.publicUrl,
    isDev: opts.isDev,
  });
  req.headers["content-security-policy"] = policy;
  res.setHeader("content-security-policy", policy);
}

/** ws/wss to the dashboard's own host ('self' covers them in CSP 3, not in every browser before it). */
function socketSources(host: string | undefined, publicUrl: string | null): string {
  const target = publicUrl ? new URL(publicUrl).host : host;
  if (!target || !HOST.test(target)) return "";
  return ` ws://${target} wss://${target}`;
}
