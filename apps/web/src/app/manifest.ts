import type { MetadataRoute } from "next";

/** Installable on a phone's home screen: the approvals inbox is one tap from the icon. */
export default function manifest(): MetadataRoute.Manifest {
  return {
    name: "grove — agents side by side",
    short_name: "grove",
    description: "Watch AI coding agents work, approve their merges, audit every agent branch.",
    start_url: "/",
    scope: "/",
    display: "standalone",
    background_color: "#0c0a09",
    theme_color: "#047857",
    icons: [
      { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
      { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
      { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
    ],
    shortcuts: [{ name: "Approvals", url: "/approvals", icons: [{ src: "/icons/icon-192.png", sizes: "192x192" }] }],
  };
}
