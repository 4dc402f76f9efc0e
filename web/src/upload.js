// Resumable uploads (tus 1.0) from the browser, for links that drop: the file goes up in chunks
// sized to the link (each about CHUNK_SECONDS long, so that one always arrives within the server's
// request timeout, 30 s, even on a satellite link); after a failure the offset is asked again (HEAD) and sending goes on from there, with
// growing pauses. The upload's address is kept in localStorage under the file's name, size and
// date, so choosing the same file again after the page was closed resumes it too.
import { csrfHeader, UPLOAD_KEY } from './api.js';

// The first chunk, and the bounds of the next ones: a chunk is sized from the speed the last one
// went at, to take about CHUNK_SECONDS; a failed chunk halves the next.
const CHUNK_FIRST = 256 * 1024;
const CHUNK_MIN = 32 * 1024;
const CHUNK_MAX = 4 * 1024 * 1024;
const CHUNK_SECONDS = 5;
export const nextChunk = (bytes, ms) =>
  Math.max(CHUNK_MIN, Math.min(CHUNK_MAX, Math.round((bytes / Math.max(ms, 1)) * 1000 * CHUNK_SECONDS)));
const TUS = { 'tus-resumable': '1.0.0' };
const keyOf = (f, purpose) => `${UPLOAD_KEY}${purpose}:${f.name}:${f.size}:${f.lastModified}`;
const b64 = (s) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class UploadError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function errorOf(r) {
  const body = await r.json().catch(() => ({}));
  return new UploadError(r.status, body.error?.message || r.statusText);
}

async function create(file, purpose) {
  const r = await fetch('/api/v1/files', {
    method: 'POST',
    credentials: 'same-origin',
    headers: {
      ...TUS,
      ...csrfHeader(),
      'upload-length': String(file.size),
      'upload-metadata': `filename ${b64(file.name)},purpose ${b64(purpose)}`,
    },
  });
  if (r.status !== 201) throw await errorOf(r);
  return r.headers.get('location');
}

async function offsetOf(url) {
  const r = await fetch(url, { method: 'HEAD', credentials: 'same-origin', headers: TUS });
  // Gone, or refused earlier (409 upload_refused; its bytes were dropped): start again.
  if (r.status === 404 || r.status === 410 || r.status === 409) return null;
  if (!r.ok) throw new UploadError(r.status, r.statusText);
  return Number(r.headers.get('upload-offset'));
}

// Sends file; onProgress(sentBytes, totalBytes, state) with state 'sending' | 'retrying'.
// purpose: 'clinical' (part of a patient's care, the default) or 'course_material' (a course's
// slides or lecture); it decides who may read the file and cannot change later.
// Resolves to the stored file's id. Errors the user must act on (type, size, quota) are thrown.
export async function upload(file, onProgress = () => {}, { purpose = 'clinical' } = {}) {
  const key = keyOf(file, purpose);
  let url = localStorage.getItem(key);
  let offset = url ? await offsetOf(url).catch(() => null) : null;
  if (offset === null) {
    url = await create(file, purpose);
    localStorage.setItem(key, url);
    offset = 0;
  }
  let failures = 0;
  let chunk = CHUNK_FIRST;
  for (;;) {
    onProgress(offset, file.size, failures ? 'retrying' : 'sending');
    const started = performance.now();
    const size = Math.min(chunk, file.size - offset);
    try {
      const r = await fetch(url, {
        method: 'PATCH',
        credentials: 'same-origin',
        body: file.slice(offset, offset + size),
        headers: { ...TUS, ...csrfHeader(), 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' },
      });
      if (r.status === 204) {
        offset = Number(r.headers.get('upload-offset'));
        failures = 0;
        chunk = nextChunk(size, performance.now() - started);
        const id = r.headers.get('ytexa-file-id');
        if (id) {
          localStorage.removeItem(key);
          onProgress(file.size, file.size, 'done');
          return Number(id);
        }
        continue;
      }
      // Refusals about the file itself (wrong type, too big, over quota) will not pass on retry;
      // a 409 is a retry (another request wrote first) unless the upload was refused.
      const refusal =
        r.status === 409
          ? await r
              .clone()
              .json()
              .then(
                (b) => b.error?.code === 'upload_refused',
                () => false,
              )
          : true;
      if (r.status >= 400 && r.status < 500 && refusal) {
        localStorage.removeItem(key);
        throw await errorOf(r);
      }
    } catch (e) {
      if (e instanceof UploadError) throw e;
    }
    // The link dropped or the server was busy: wait, ask where we are, go on from there, with a
    // smaller chunk (a chunk cut off by the server's timeout would be cut off again).
    failures++;
    chunk = Math.max(CHUNK_MIN, Math.floor(chunk / 2));
    onProgress(offset, file.size, 'retrying');
    await sleep(Math.min(30000, 500 * 2 ** Math.min(failures, 6)));
    const at = await offsetOf(url).catch(() => undefined);
    if (at === null) throw new UploadError(410, 'upload expired');
    if (at !== undefined) offset = at;
  }
}
