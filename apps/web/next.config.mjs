import path from "node:path";

// JavaScript, not TypeScript: a next.config.ts makes the production server load Next's SWC compiler
// (~25 MB of resident memory) only to read this file.
/** @type {import("next").NextConfig} */
const config = {
  reactStrictMode: true,
  transpilePackages: ["@grove/core"],
  turbopack: { root: path.resolve(import.meta.dirname, "../..") },
  poweredByHeader: false,
};

export default config;
