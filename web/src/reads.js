// What a station can still read without a network (issue 21, "Offline"; docs/web.md, "Offline"):
// a copy of the GET answers of the day, kept in this browser's IndexedDB ('ytexa-reads', one store
// 'reads', a record per address: {key, data, at, day}). Kept: the signed-in user (/api/v1/me,
// without its CSRF token), the home page's day (/api/v1/me/today), the queue, today's appointments
// and, for each patient in them (at most MAX), the record, its consents and its appointments, and
// the visit of each of today's appointments (with its vitals).
// Copies are refreshed whenever the app is online (login, the home page or the queue opened, the
// facility's live "changed" events); a copy of another Vietnam day is never shown; everything is
// cleared on logout, on a 401 and before anyone logs in. Only a request that got no answer at all
// (status 0) is served from the copy: a 401, 403 or 404 is shown as it is (and drops the copy).
import { call } from './api.js';
import { markOffline, sawCopy } from './online.js';

const DB = 'ytexa-reads';
const STORE = 'reads';
const MAX = 300; // patients kept at most
const FRESH = 5 * 60e3; // a patient's copy younger than this is not fetched again by a sync

export const ME = '/api/v1/me';
export const TODAY = '/api/v1/me/today';
export const QUEUE = '/api/v1/queue';
export const vnDay = (ms = Date.now()) => new Date(ms + 7 * 3600e3).toISOString().slice(0, 10);
export const apptsOfDay = (day = vnDay()) => `/api/v1/appointments?date=${day}&limit=100`;
export const patientPaths = (id) => [
  `/api/v1/patients/${id}`,
  `/api/v1/patients/${id}/consents?limit=100`,
  `/api/v1/appointments?limit=100&patient_id=${id}`,
];
// The addresses that may be kept at all: anything else is never written to the store.
const KEEPABLE = [
  /^\/api\/v1\/me(\/today)?$/,
  /^\/api\/v1\/queue$/,
  /^\/api\/v1\/appointments\?date=\d{4}-\d{2}-\d{2}&limit=100$/,
  /^\/api\/v1\/patients\/\d+(\/consents\?limit=100)?$/,
  /^\/api\/v1\/appointments\?limit=100&patient_id=\d+$/,
  /^\/api\/v1\/visits\/\d+$/,
];

// Whose day is kept: a station's people (a health worker, a doctor of a commune station).
export const isStation = (u) => u?.role === 'health_worker' || (u?.role === 'doctor' && u?.facility?.level === 'commune');

let dbp = null;
function db() {
  if (!('indexedDB' in window)) return Promise.reject(new Error('no IndexedDB'));
  // A database without the store (made by someone opening it without a version) is upgraded.
  const open = (version) =>
    new Promise((ok, fail) => {
      const r = indexedDB.open(DB, version);
      r.onupgradeneeded = () => {
        if (!r.result.objectStoreNames.contains(STORE)) r.result.createObjectStore(STORE, { keyPath: 'key' });
      };
      r.onsuccess = () => {
        const d = r.result;
        if (d.objectStoreNames.contains(STORE)) return ok(d);
        d.close();
        open(d.version + 1).then(ok, fail);
      };
      r.onerror = () => fail(r.error);
    });
  dbp ??= open(undefined).catch((e) => {
    dbp = null;
    throw e;
  });
  return dbp;
}
// One request on the store, as a promise (mode: 'readonly' or 'readwrite').
function op(mode, fn) {
  return db().then(
    (d) =>
      new Promise((ok, fail) => {
        const tx = d.transaction(STORE, mode);
        const r = fn(tx.objectStore(STORE));
        tx.oncomplete = () => ok(r?.result);
        tx.onerror = tx.onabort = () => fail(tx.error);
      }),
  );
}

// Changes made after a logout began are dropped: a sync still running must not write again.
let generation = 0;

export function keep(key, data, gen = generation) {
  if (gen !== generation || !KEEPABLE.some((re) => re.test(key))) return Promise.resolve();
  const at = Date.now();
  const clean = key === ME ? { user: data.user } : data; // never the CSRF token
  return op('readwrite', (s) => s.put({ key, data: clean, at, day: vnDay(at) })).catch(() => {});
}

const drop = (key) => op('readwrite', (s) => s.delete(key)).catch(() => {});

// The kept copy of key ({data, at}) or null; a copy of another Vietnam day is not shown (the
// signed-in user excepted: that is who opens the app, whatever day it is).
export function copyOf(key) {
  return op('readonly', (s) => s.get(key))
    .then((r) => (r && (key === ME || r.day === vnDay()) ? { data: r.data, at: r.at } : null))
    .catch(() => null);
}

export function clearReads() {
  generation++;
  return op('readwrite', (s) => s.clear()).catch(() => {});
}

// The error of a page that has no copy to show offline.
export class NotKept extends Error {
  constructor() {
    super('not kept');
    this.status = 0;
    this.code = 'not_available_offline';
  }
}

// GET path from the server; without an answer at all, the kept copy. Returns {data, at}: at is
// null for a fresh answer, the copy's time for a copy. save: 'always' keeps the answer, 'update'
// only refreshes a copy already kept (a patient of the day opened), 'never' only reads.
export async function read(path, { save = 'always' } = {}) {
  const gen = generation;
  try {
    const data = await call('GET', path);
    if (save === 'always') await keep(path, data, gen);
    else if (save === 'update' && (await op('readonly', (s) => s.count(path)).catch(() => 0))) await keep(path, data, gen);
    return { data, at: null };
  } catch (e) {
    if (e.status !== 0) {
      // Refused or gone: what was kept must not outlive the right to read it.
      if (e.status === 401 || e.status === 403 || e.status === 404) await drop(path);
      throw e;
    }
    markOffline();
    const c = await copyOf(path);
    if (!c) throw new NotKept();
    sawCopy(c.at);
    return c;
  }
}

// Refreshes the day's copies: the queue, today's appointments and their patients' records, for a
// station's people (the caller's facility has a queue). Called whenever the app is online and the
// day may have changed; several calls at once make one sync.
let syncing = null;
export function syncDay() {
  syncing ??= doSync().finally(() => (syncing = null));
  return syncing;
}

async function doSync() {
  const gen = generation;
  const day = vnDay();
  const [queue, appts] = await Promise.all([call('GET', QUEUE), call('GET', apptsOfDay(day))]);
  await keep(QUEUE, queue, gen);
  await keep(apptsOfDay(day), appts, gen);
  const ids = [...new Set([...queue.items.map((e) => e.patient.id), ...appts.items.map((a) => a.patient.id)])].slice(0, MAX);
  // What is kept of each: a patient's record (with its consents and appointments), and the visit
  // of each of today's appointments (its vitals, notes and prescriptions as the visit page shows).
  const units = [
    ...ids.map(patientPaths),
    ...appts.items.filter((a) => a.visit_id && ids.includes(a.patient.id)).map((a) => [`/api/v1/visits/${a.visit_id}`]),
  ];
  const wanted = new Set(units.flat());
  // Patients and visits no longer in the day, and days gone by, leave the store.
  const kept = await op('readonly', (s) => s.getAll()).catch(() => []);
  for (const r of kept) {
    const ofDay = /^\/api\/v1\/(patients\/|visits\/|appointments\?limit=100&patient_id=)/.test(r.key);
    if ((ofDay && !wanted.has(r.key)) || (r.key.startsWith('/api/v1/appointments?date=') && r.key !== apptsOfDay(day))) await drop(r.key);
  }
  const byKey = new Map(kept.map((r) => [r.key, r]));
  const fresh = (unit) => {
    const r = byKey.get(unit[0]);
    return r && r.day === day && Date.now() - r.at < FRESH;
  };
  const todo = units.filter((u) => !fresh(u));
  // Two at a time: a weak link carries the page the person is using first.
  const next = async () => {
    for (let unit = todo.shift(); unit !== undefined && gen === generation; unit = todo.shift()) {
      for (const path of unit) await keep(path, await call('GET', path), gen);
    }
  };
  await Promise.all([next(), next()]);
}
