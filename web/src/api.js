// Talks to the ytexa API with the session cookie. The token is never stored by the page; the
// CSRF token is kept in memory and sent on every request that writes.
import { getLang } from './i18n.js';
import { markOnline, markOffline } from './online.js';

let csrf = null;

// Who is at the keyboard (docs/asvs.md, "The commune station's shared computer"): a request made
// more than a minute after the last key, click, touch or scroll is the page's own doing (a
// refresh, the day's sync) and says so, so that the server does not count it as activity and an
// unattended page's session ends after its idle time.
const QUIET_MS = 60 * 1000;
let lastInput = Date.now();
for (const ev of ['pointerdown', 'keydown', 'wheel', 'touchstart'])
  window.addEventListener(
    ev,
    () => {
      lastInput = Date.now();
    },
    { capture: true, passive: true },
  );
const quiet = () => Date.now() - lastInput > QUIET_MS;

export class ApiError extends Error {
  constructor(status, code, message, detail = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = detail.field;
    this.detail = detail;
  }
}

// extra: headers of this request alone (the outbox's Idempotency-Key, docs/web.md "Offline writes").
export async function call(method, path, body, extra = {}) {
  // The server's messages in the app's language (docs/api.md, "Errors").
  const headers = { 'accept-language': getLang(), ...extra };
  if (quiet()) headers['x-ytexa-background'] = '1';
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  let r;
  try {
    r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    // No answer at all: the app is offline until something answers again (online.js).
    markOffline();
    throw new ApiError(0, 'network', null);
  }
  markOnline(r.ok);
  const data = await r.json().catch(() => ({}));
  // A session that ended elsewhere (expired, logged out in another tab): back to the login screen.
  if (r.status === 401 && path !== '/api/v1/auth/login' && path !== '/api/v1/me') window.dispatchEvent(new Event('ytexa-unauth'));
  if (!r.ok) throw new ApiError(r.status, data.error?.code || 'error', data.error?.message || r.statusText, data.error || {});
  if (data.csrf) csrf = data.csrf;
  return data;
}

export const me = () => call('GET', '/api/v1/me');
export const login = (username, password) => call('POST', '/api/v1/auth/login', { username, password });
export async function logout() {
  try {
    await call('POST', '/api/v1/auth/logout');
  } finally {
    csrf = null;
  }
}
// The CSRF header for requests made without call() (resumable uploads).
export const csrfHeader = () => (csrf ? { 'x-csrf-token': csrf } : {});

// A page left alone asks every minute whether its session still lives, and when it ended (idle,
// or logged out elsewhere) goes to the login, taking what it showed off the screen.
setInterval(async () => {
  if (!csrf || !quiet() || !navigator.onLine) return;
  try {
    await me();
  } catch (e) {
    if (e.status !== 401) return;
    csrf = null;
    window.dispatchEvent(new Event('ytexa-unauth'));
  }
}, QUIET_MS);

// Where upload.js keeps the address of an unfinished upload, under the file's name (which often
// names the patient): forgotten on logout.
export const UPLOAD_KEY = 'ytexa.upload:';
export function forgetUploads() {
  for (const k of Object.keys(localStorage)) if (k.startsWith(UPLOAD_KEY)) localStorage.removeItem(k);
}
