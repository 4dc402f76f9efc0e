// Caches the app shell (the page, its hashed scripts and styles, icons, manifest) so the app
// opens on a bad link or none. API answers and the WebSocket are never cached: they are
// patients' data and must always be fresh.
const SHELL = 'ytexa-shell-v2';
const STATIC = ['/', '/manifest.json', '/icon.svg', '/icon-192.png'];

const isShell = (url) =>
  url.pathname === '/' || url.pathname === '/index.html' || url.pathname.startsWith('/assets/') || STATIC.includes(url.pathname);

// The hashed file names are only known from the built page, so read them from it.
const assetsOf = (page) => [...page.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);

// The release the cache holds: the page's own files, which change with every release. The code of
// each role's pages is fetched after the page (lazily) and named nowhere in it.
const RELEASE = '/__ytexa-release';
const releaseOf = (page) => assetsOf(page).sort().join(' ');

async function precache() {
  const cache = await caches.open(SHELL);
  await cache.addAll(STATIC);
  const page = await (await cache.match('/')).text();
  await cache.addAll(assetsOf(page));
  await cache.put(RELEASE, new Response(releaseOf(page)));
}

// After a new release the old hashed files are dead weight on a small phone: drop them — once,
// when the page names other files than the release kept. Pruning on every load would drop the
// role's pages each time, and a station whose link fell before they came again would open
// without them.
async function prune(page) {
  const cache = await caches.open(SHELL);
  const kept = await cache.match(RELEASE);
  if (kept && (await kept.text()) === releaseOf(page)) return;
  const keep = new Set(assetsOf(page));
  for (const req of await cache.keys()) {
    const path = new URL(req.url).pathname;
    if (path.startsWith('/assets/') && !keep.has(path)) await cache.delete(req);
  }
  await cache.put(RELEASE, new Response(releaseOf(page)));
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
