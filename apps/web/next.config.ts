import path from "node:path";
import type { NextConfig } from "next";

const config: NextConfig = {
  reactStrictMode: true,
  transpilePackages: ["@grove/core"],
  turbopack: { root: path.resolve(import.meta.dirname, "../..") },
  poweredByHeader: false,
};

export default config;
