// Caches the app shell (the page, its hashed scripts and styles, icons, manifest) so the app
// opens on a bad link or none. API answers and the WebSocket are never cached: they are
// patients' data and must always be fresh.
const SHELL = 'ytexa-shell-v2';
const STATIC = ['/', '/manifest.json', '/icon.svg', '/icon-192.png'];

const isShell = (url) =>
  url.pathname === '/' || url.pathname === '/index.html' || url.pathname.startsWith('/assets/') || STATIC.includes(url.pathname);

// The hashed file names are only known from the built page, so read them from it.
const assetsOf = (page) => [...page.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);

async function precache() {
  const cache = await caches.open(SHELL);
  await cache.addAll(STATIC);
  await cache.addAll(assetsOf(await (await cache.match('/')).text()));
}

// After a new release the old hashed files are dead weight on a small phone: drop them.
async function prune(page) {
  const keep = new Set(assetsOf(page));
  const cache = await caches.open(SHELL);
  for (const req of await cache.keys()) {
    const path = new URL(req.url).pathname;
    if (path.startsWith('/assets/') && !keep.has(path)) await cache.delete(req);
  }
}

self.addEventListener('install', (e) => {
  e.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== location.origin || !isShell(url)) return;
  // Hashed assets never change: the cache first. The page and the rest: the network first (a new
  // release shows at once), the cached copy when the network fails.
  if (url.pathname.startsWith('/assets/')) {
    e.respondWith(
      caches.match(e.request).then(
        (hit) =>
          hit ||
          fetch(e.request).then((r) => {
            if (r.ok) {
              const copy = r.clone();
              caches.open(SHELL).then((c) => c.put(e.request, copy));
            }
            return r;
          }),
      ),
    );
    return;
  }
  e.respondWith(
    fetch(e.request)
      .then((r) => {
        if (r.ok) {
          const copy = r.clone();
          const isPage = url.pathname === '/' || url.pathname === '/index.html';
          e.waitUntil(
            caches
              .open(SHELL)
              .then((c) => c.put(isPage ? '/' : e.request, copy.clone()))
              .then(() => (isPage ? copy.text().then(prune) : null)),
          );
        }
        return r;
      })
      .catch(() => caches.match(e.request, { ignoreSearch: true }).then((hit) => hit || caches.match('/'))),
  );
});
