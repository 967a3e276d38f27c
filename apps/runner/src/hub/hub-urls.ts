import { DomainError } from "@grove/core";

const MAX_HUB_URLS = 16;

/**
 * The dashboard instances a runner may use, from `--hub` (repeatable), else GROVE_HUB_URLS (comma separated),
 * else GROVE_HUB_URL. Each must be an http(s) URL; the runner tries them in turn when one dies or refuses it.
 */
export function parseHubUrls(flags: readonly string[] | undefined, env: Record<string, string | undefined>): string[] {
  const given = flags?.length ? flags : (env.GROVE_HUB_URLS?.split(",") ?? (env.GROVE_HUB_URL ? [env.GROVE_HUB_URL] : []));
  const urls = [...new Set(given.map((url) => url.trim().replace(/\/+$/, "")).filter((url) => url !== ""))];
  if (urls.length > MAX_HUB_URLS) throw new DomainError("INVALID_INPUT", `at most ${MAX_HUB_URLS} hub URLs, not ${urls.length}`);
  for (const url of urls) {
    let protocol = "";
    try {
      protocol = new URL(url).protocol;
    } catch {
      // reported below
    }
    if (protocol !== "http:" && protocol !== "https:")
      throw new DomainError("INVALID_INPUT", `hub URL "${url.slice(0, 200)}" is not an http:// or https:// URL`);
  }
  return urls;
}
