import { expect, it } from "vitest";
import { parseHubUrls } from "./hub-urls.ts";

it("takes the repeated --hub flags first, else GROVE_HUB_URLS, else GROVE_HUB_URL, once each and without a trailing slash", () => {
  const env = { GROVE_HUB_URLS: "https://a.example, https://b.example/", GROVE_HUB_URL: "https://c.example" };
  expect(parseHubUrls(["http://x:1/", "http://y:2", "http://x:1"], env)).toEqual(["http://x:1", "http://y:2"]);
  expect(parseHubUrls(undefined, env)).toEqual(["https://a.example", "https://b.example"]);
  expect(parseHubUrls([], { GROVE_HUB_URL: "https://c.example" })).toEqual(["https://c.example"]);
  expect(parseHubUrls(undefined, {})).toEqual([]);
});

it("refuses a URL that is not http(s), naming it", () => {
  expect(() => parseHubUrls(["https://a.example", "ftp://b.example"], {})).toThrow(/"ftp:\/\/b.example" is not an http/);
  expect(() => parseHubUrls(undefined, { GROVE_HUB_URLS: "https://a.example,not a url" })).toThrow(/"not a url"/);
});
