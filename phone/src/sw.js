// The service worker: the app works offline once it has been opened. At install it keeps
// every file the build listed (manifest.json, with each file's SHA-256) in a cache named by
// the build's version; pages and files are then answered from that cache, and only from
// this origin. A new build has a new version in this file, so the browser installs it and
// the old cache is removed.
const VERSION = '__PIXELSAFE_VERSION__';
const CACHE = `pixelsafe-phone-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const manifest = await (await fetch('manifest.json', { cache: 'no-store' })).json();
    const cache = await caches.open(CACHE);
    await cache.addAll(['./', ...manifest.files.map((f) => f.path)]);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('pixelsafe-phone-') && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(event.request, { ignoreSearch: true });
    return hit || fetch(event.request);
  })());
});
