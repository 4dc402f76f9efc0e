// The app's one answer to "do we have the server?" (issue 21, "Offline"; docs/web.md, "Offline").
// It starts from the browser's own idea (navigator.onLine and its online/offline events), a
// request that got no answer at all (api.js's call() with status 0) marks the app offline and any
// later answer marks it online again. While the browser says it is online but the server did not
// answer, the app asks /healthz now and then to know when it is back. Pages read it with
// useOnline(); actions that need the server and cannot wait are made with NetButton, which is
// disabled while offline and says why.
import { useState, useEffect } from 'preact/hooks';
import { html } from 'htm/preact';
import { t } from './i18n.js';

let online = navigator.onLine !== false;
let lastData = null; // when the last data came from the server (ms), or the newest kept copy's time
const subs = new Set();
let probe = null;

export const isOnline = () => online;
export const lastDataAt = () => lastData;

function set(v) {
  if (v === online) return;
  online = v;
  clearInterval(probe);
  probe = null;
  // The browser says it has a network but the server did not answer: look again every 20 s.
  if (!v) probe = setInterval(check, 20000);
  for (const cb of [...subs]) cb(v);
}

// A request got no answer (false) or an answer (true); withData: an answer with data in it.
export function markOnline(withData = false) {
  if (withData) lastData = Date.now();
  set(true);
}
export const markOffline = () => set(false);
// A kept copy was shown: the banner says how old the newest data on the screen may be.
export function sawCopy(at) {
  if (at && (!lastData || at > lastData)) lastData = at;
}

// Asks the server whether it answers (never cached: the service worker leaves it alone).
export function check() {
  if (navigator.onLine === false) return Promise.resolve(set(false));
  return fetch('/healthz', { cache: 'no-store' }).then(
    (r) => set(r.ok || r.status < 500),
    () => set(false),
  );
}

export function onOnlineChange(cb) {
  subs.add(cb);
  return () => subs.delete(cb);
}

export function useOnline() {
  const [o, setO] = useState(online);
  useEffect(() => {
    setO(online);
    return onOnlineChange(setO);
  }, []);
  return o;
}

window.addEventListener('offline', () => set(false));
window.addEventListener('online', check);
if (!online) probe = setInterval(check, 20000);

const two = (n) => String(n).padStart(2, '0');
// "14:05" in Vietnam time, for a time in ms.
export function vnTime(ms) {
  const d = new Date(ms + 7 * 3600e3);
  return `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
}

// The banner on every page while offline (the shell puts it under the header).
export function OfflineBanner() {
  const o = useOnline();
  if (o) return null;
  return html`<p class="offline-banner" role="status">
    <strong>${t('offline_banner')}</strong>
    ${lastData && html` <span>${t('offline_last_data')} ${vnTime(lastData)}.</span>`}
  </p>`;
}

// A button for an action that needs the server now (sign, call, accept, conclude, upload, join,
// reports): disabled while offline, with the reason on it (title) and beside it (visible text;
// quiet: not repeated, for the second button of a row that already says it).
export function NetButton({ disabled, quiet, children, ...rest }) {
  const o = useOnline();
  if (o) return html`<button disabled=${disabled} ...${rest}>${children}</button>`;
  const b = html`<button ...${rest} disabled=${true} title=${t('needs_network')}>${children}</button>`;
  if (quiet) return b;
  return html`<span class="needs-net">${b}<small class="muted">${t('needs_network')}</small></span>`;
}

// "Cần có mạng" once beside a row of quiet NetButtons, while offline.
export const NeedsNet = () => (useOnline() ? null : html`<small class="muted needs-net-note">${t('needs_network')}</small>`);

// The line under a page shown from a kept copy: "Bản lưu lúc 14:05".
export const CopyNote = ({ at }) => (at ? html`<p class="copy-note muted" role="note">${t('copy_at')} ${vnTime(at)}</p>` : null);

// A link to a place that needs the server now (a live lecture, a report's download): a link while
// online, a disabled button with the reason while offline.
export function NetLink({ href, children, ...rest }) {
  const o = useOnline();
  if (o) return html`<a href=${href} ...${rest}>${children}</a>`;
  return html`<${NetButton} type="button" class=${rest.class}>${children}<//>`;
}
