// The register's service worker (served by registers/views.py at /sw.js, root scope).
// It keeps the app shell and the register's static files on the tablet, so the
// register opens and sells with no node at all. It keeps no answer of the API:
// the menu and the sales live sealed in the page's IndexedDB (static/pos/outbox.js),
// which this worker never touches, so installing a new release cannot lose them
// and its Cache Storage holds nothing a stolen tablet could read a sale from.
const VERSION = {{ version_json|safe }};
const PRECACHE = {{ precache_json|safe }};
const SHELL = `posweb-shell-${VERSION}`;
const RETIRED = ["posweb-runtime"]; // an older release's clear copy of /api/menu
const NETWORK_TIMEOUT_MS = 4000;

self.addEventListener("install", (event) => {
  // cache: "reload" skips the HTTP cache so a new release never precaches an old file.
  event.waitUntil(
    caches.open(SHELL)
      .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload", credentials: "same-origin" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((k) => (k.startsWith("posweb-shell-") && k !== SHELL) || RETIRED.includes(k)).map((k) => caches.delete(k)),
      ))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "version") event.source.postMessage({ type: "version", version: VERSION });
});

// A hung node (Wi-Fi up, server wedged) must not freeze the register: after a
// few seconds the cached copy answers.
function networkWithTimeout(request) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), NETWORK_TIMEOUT_MS);
    fetch(request).then((r) => { clearTimeout(timer); resolve(r); }, (e) => { clearTimeout(timer); reject(e); });
  });
}

async function networkFirst(request, cacheName, cacheKey) {
  const cache = await caches.open(cacheName);
  try {
    const response = await networkWithTimeout(request);
    if (response.ok) await cache.put(cacheKey, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(cacheKey, { ignoreSearch: true });
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request, { ignoreSearch: true });
  if (cached) return cached;
  return fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // Cross-origin requests (a sibling node during failover) and writes pass through.
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && (url.pathname === "/" || url.pathname.startsWith("/register"))) {
    event.respondWith(networkFirst(request, SHELL, "/register/"));
  } else if (request.mode === "navigate" && url.pathname === "/tables/") {
    event.respondWith(networkFirst(request, SHELL, "/tables/"));
  } else if (url.pathname.startsWith("/static/") || url.pathname === "/manifest.webmanifest") {
    event.respondWith(cacheFirst(request));
  }
});

// Alerts for managers (hq/alerts.py via posweb/notify/webpush.py): the payload
// is JSON {title, body, url, tag, data}; tag folds repeats of one alert.
self.addEventListener("push", (event) => {
  let message = {};
  try { message = event.data ? event.data.json() : {}; } catch (error) { message = { body: event.data.text() }; }
  event.waitUntil(self.registration.showNotification(message.title || "posweb", {
    body: message.body || "", tag: message.tag || undefined, data: { url: message.url || "/" },
    icon: "/static/pos/icons/icon-192.png", requireInteraction: true,
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(self.clients.openWindow(event.notification.data?.url || "/"));
});
