// The outbox (issue 21, "Offline"; docs/web.md, "Offline writes"): the four forms a station fills
// without a network (registering a patient, recording consent, entering vitals, writing a
// consultation draft) keep what was typed in IndexedDB ('ytexa-outbox') and send it when the link
// returns, in the order it was typed, one at a time, each under the Idempotency-Key made when the
// user pressed Save, so that a request whose answer was lost is stored once. A patient registered
// offline has a local id ("@local:<entry id>") that the entries typed for them carry until the
// server gives the real one. Cleared on logout; another user's entries are never sent.
import { useState, useEffect } from 'preact/hooks';
import { call, me, ApiError } from './api.js';
import { onOnlineChange } from './online.js';

const DB = 'ytexa-outbox';
const STORE = 'entries';
const META = 'meta';
const ROUND_MS = 30000;

let user = null; // the user whose entries are listed: the signed-in one, or offline the last one
let session = false; // whether user is signed in here (only then is anything sent)
let entries = []; // every entry of the database, in order (by id)
let loaded = null;
let round = Promise.resolve();
let timer = null;
const subs = new Set();
const done = new Map(); // entry id → what its last sending got, for the form that is waiting on it
const resolved = new Map(); // local id → the patient's id on the server, once known (this page)

// Whether to try the server now. At merge this is online.js's isOnline(); until then the browser's
// own idea, and a request that got no answer (status 0) keeps the entry for the next round.
// The browser's own word: a send that gets no answer is simply tried again later (the server's
// silence is online.js's to track for the banner; the outbox does not wait on its /healthz).
const linkUp = () => navigator.onLine !== false;

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore(STORE, { keyPath: 'id', autoIncrement: true });
      req.result.createObjectStore(META);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}
let dbp = null;
const db = () => (dbp ??= open());

// One request on a store, as a promise of its result.
async function run(store, mode, fn) {
  const d = await db();
  return new Promise((resolve, reject) => {
    const tx = d.transaction(store, mode);
    const req = fn(tx.objectStore(store));
    tx.oncomplete = () => resolve(req?.result);
    tx.onerror = () => reject(tx.error);
  });
}

const notify = () => subs.forEach((cb) => cb());
const mine = () => entries.filter((e) => e.user_id === user);

async function load() {
  const all = await run(STORE, 'readonly', (s) => s.getAll());
  // An entry left "sending" by a closed page was never answered as far as we know: it waits again,
  // with the same key (the server replays the answer if it had stored it).
  entries = all.map((e) => (e.state === 'sending' ? { ...e, state: 'waiting' } : e));
  notify();
}
const ready = () => (loaded ??= load().catch(() => {}));

async function save(e) {
  const id = await run(STORE, 'readwrite', (s) => s.put(e));
  const saved = { ...e, id };
  entries = [...entries.filter((x) => x.id !== id), saved].sort((a, b) => a.id - b.id);
  notify();
  return saved;
}
async function drop(id) {
  await run(STORE, 'readwrite', (s) => s.delete(id));
  entries = entries.filter((x) => x.id !== id);
  notify();
}

// A key for the Idempotency-Key header (crypto.randomUUID needs a secure context; the station's
// https has one, the fallback is for anything else).
function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

// The local id of a patient registered offline, as entries typed for them refer to it.
export const localRef = (entryId) => `@local:${entryId}`;
export const isLocal = (v) => typeof v === 'string' && /^@local:\d+$/.test(v);
const LOCAL = /@local:(\d+)/g;
// The registrations an entry waits for.
const depsOf = (e) => [...JSON.stringify([e.path, e.body]).matchAll(LOCAL)].map((m) => Number(m[1]));

// Puts the real id of a patient where the entry refers to local id `from` (paths and values).
function pointAt(e, from, to) {
  const ref = localRef(from);
  const walk = (v) =>
    v === ref
      ? to
      : Array.isArray(v)
        ? v.map(walk)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
          : v;
  return { ...e, path: e.path.split(ref).join(String(to)), body: walk(e.body) };
}
async function resolveLocal(from, to) {
  resolved.set(from, to);
  for (const e of entries.filter((x) => depsOf(x).includes(from))) await save(pointAt(e, from, to));
}

// A network failure, a server in trouble, a session to renew or a limit: try again later with the
// same key. Anything else the server refused is the entry's own failure.
const retryLater = (err) => !(err instanceof ApiError) || err.status === 0 || err.status >= 500 || err.status === 401 || err.status === 429;

// One round: the user's waiting entries in order, one at a time. An entry that refers to a patient
// not yet registered waits for them (a failed registration holds its entries back).
async function sendRound() {
  await ready();
  if (!session || !linkUp() || !mine().some((e) => e.state === 'waiting')) return;
  // The session this page has is the user's own, and its CSRF token is known (a page opened
  // without a network never had it): nothing is sent under anyone else's name.
  try {
    if ((await me()).user.id !== user) return;
  } catch {
    return;
  }
  for (const first of mine()) {
    const e = entries.find((x) => x.id === first.id);
    if (!e || e.state !== 'waiting' || depsOf(e).length) continue;
    await save({ ...e, state: 'sending' });
    try {
      const data = await call(e.method, e.path, e.body, { 'idempotency-key': e.key });
      if (e.kind === 'patient') await resolveLocal(e.id, data.id);
      done.set(e.id, { data });
      await drop(e.id);
    } catch (err) {
      if (retryLater(err)) {
        await save({ ...e, state: 'waiting' });
        return;
      }
      const error = { status: err.status, code: err.code, message: err.message, field: err.field ?? null, detail: err.detail ?? {} };
      done.set(e.id, { error });
      await save({ ...e, state: 'failed', error });
    }
  }
}

// Rounds never overlap: a new one starts after the one under way.
export function flush() {
  round = round.then(sendRound).catch(() => {});
  return round;
}

// Saves what a form typed and tries it at once when online. Answers { data } when the server took
// it, { queued: true, id } when it waits for the link (or behind earlier entries); throws the
// server's ApiError when it was refused at once (the form shows it next to its field, and the entry
// is dropped: pressing Save again makes a new one with a new key).
export async function send(kind, method, path, body, label) {
  await ready();
  const e = await save({
    created_at: Date.now(),
    user_id: user,
    kind,
    method,
    path,
    body,
    key: newKey(),
    label,
    state: 'waiting',
    error: null,
  });
  const ahead = mine().some((x) => x.id < e.id && x.state !== 'failed');
  if (!linkUp() || ahead || depsOf(e).length) {
    if (linkUp()) flush();
    return { queued: true, id: e.id };
  }
  await flush();
  const got = done.get(e.id);
  done.delete(e.id);
  if (got?.data) return { data: got.data };
  if (got?.error) {
    await drop(e.id);
    throw new ApiError(got.error.status, got.error.code, got.error.message, { ...got.error.detail, field: got.error.field });
  }
  return { queued: true, id: e.id };
}

// The outbox starts with a user's session (app start, login) and stops with it.
export async function startOutbox(u) {
  user = u?.id ?? null;
  session = user !== null;
  await ready();
  notify();
  await run(META, 'readwrite', (s) => s.put(user, 'user')).catch(() => {});
  clearInterval(timer);
  timer = user === null ? null : setInterval(() => mine().some((e) => e.state === 'waiting') && flush(), ROUND_MS);
  if (user !== null) flush();
}

// The user the outbox last worked for (the offline screen lists their entries before a session).
export async function lastUser() {
  await ready();
  const u = await run(META, 'readonly', (s) => s.get('user')).catch(() => null);
  if (user === null && u !== undefined && u !== null) {
    user = u;
    notify();
  }
  return user;
}

// Logout: nothing typed on this phone stays after the user leaves it.
export async function clearOutbox() {
  clearInterval(timer);
  timer = null;
  await ready();
  await run(STORE, 'readwrite', (s) => s.clear());
  await run(META, 'readwrite', (s) => s.clear());
  entries = [];
  user = null;
  session = false;
  notify();
}

// The user's entries, kept current.
export function useOutbox() {
  const [, redraw] = useState(0);
  useEffect(() => {
    const cb = () => redraw((n) => n + 1);
    subs.add(cb);
    ready().then(cb);
    return () => subs.delete(cb);
  }, []);
  return mine();
}
export const entry = (id) => mine().find((e) => e.id === id) ?? null;
// The server's id of a patient registered offline, once sent (a page open on them follows it).
export const resolvedId = (localId) => resolved.get(localId) ?? null;

// The user's answers on a failed entry (the #/outbox page).
// A possible duplicate that is someone already registered: the entry goes, its entries point at them.
export async function chooseExisting(id, patientId) {
  await resolveLocal(id, patientId);
  await drop(id);
  flush();
}
// A possible duplicate that is a new person: sent again with allow_duplicate under a new key (the
// body is another request).
export async function registerAnyway(id) {
  const e = entry(id);
  if (!e) return;
  await save({ ...e, body: { ...e.body, allow_duplicate: true }, key: newKey(), state: 'waiting', error: null });
  flush();
}
// Edited after a failure: a new body, so a new key.
export async function resend(id, body) {
  const e = entry(id);
  if (!e) return;
  await save({ ...e, body, key: newKey(), state: 'waiting', error: null });
  flush();
}
// Discarded: with it every entry typed for the patient it would have registered.
export async function discard(id) {
  for (const e of entries.filter((x) => x.id === id || depsOf(x).includes(id))) await drop(e.id);
}
export const dependents = (id) => mine().filter((x) => depsOf(x).includes(id));

window.addEventListener('online', () => session && flush());
// The server answers again (online.js saw an answer, or its /healthz): what waits goes now.
onOnlineChange((o) => o && session && flush());
