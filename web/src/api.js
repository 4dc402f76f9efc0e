// Talks to the ytexa API with the session cookie. The token is never stored by the page; the
// CSRF token is kept in memory and sent on every request that writes.
import { getLang } from './i18n.js';
import { markOnline, markOffline } from './online.js';

let csrf = null;

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
