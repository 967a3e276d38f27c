/* global self */
// grove's service worker: shows "approval waiting" pushes and opens the inbox when one is tapped.
// No fetch handler: pages always come from the hub, never from a stale cache.
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let message = { title: "grove", body: "Something needs your attention.", url: "/approvals", tag: "grove" };
  try {
    message = { ...message, ...event.data.json() };
  } catch {
    // A push without a readable body still notifies.
  }
  event.waitUntil(
    Promise.all([
      self.registration.showNotification(message.title, {
        body: message.body,
        tag: message.tag,
        data: { url: message.url },
        icon: "/icons/icon-192.png",
        badge: "/icons/icon-192.png",
        renotify: true,
      }),
      "setAppBadge" in self.navigator ? self.navigator.setAppBadge().catch(() => undefined) : undefined,
    ]),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL(event.notification.data?.url ?? "/approvals", self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((w) => w.url.startsWith(self.location.origin));
      if (open) return open.navigate(url).then((w) => w?.focus());
      return self.clients.openWindow(url);
    }),
  );
});
