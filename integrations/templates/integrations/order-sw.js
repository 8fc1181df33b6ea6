// The QR order page's service worker (scope /order/): shows the order-ready
// message the store node pushes (Web Push, encrypted; the browser decrypts it).
self.addEventListener("push", (event) => {
  let message = {};
  try { message = event.data ? event.data.json() : {}; } catch (error) { message = { title: event.data && event.data.text() }; }
  event.waitUntil(self.registration.showNotification(message.title || "posweb", {
    body: message.body || "", tag: message.tag, renotify: true, requireInteraction: true, data: { url: "/order/" },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const open = windows.find((w) => new URL(w.url).pathname.startsWith("/order/"));
    if (open) return open.focus();
    return self.clients.openWindow("/order/");
  })());
});
