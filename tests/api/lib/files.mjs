// Files for tests: images built in code (no binary fixtures) and a tus 1.0 upload.
import assert from 'node:assert/strict';
import { deflateSync, crc32 } from 'node:zlib';
import { api } from './server.mjs';

// A real PNG of w × h pixels (a gradient, or noise that does not compress when noisy), built
// here so the tests need no image files.
export function png(w, h, noisy = false) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2;
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) { const o = y * (w * 3 + 1) + 1 + x * 3; raw[o] = x & 255; raw[o + 1] = y & 255; raw[o + 2] = noisy ? (Math.random() * 256) | 0 : 128; }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

// A PNG whose header declares w × h pixels but whose pixel data is a few bytes: small on the wire,
// huge once decoded (an "image bomb"). It need not decode: the server must refuse it from its
// header alone.
export function pngBomb(w, h) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(4096))), chunk('IEND', Buffer.alloc(0))]);
}

// A value of the server's /metrics (read from loopback, as the operator's monitoring would).
export async function metric(srv, name) {
  const text = await (await fetch(`${srv.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name + ' '));
  assert.ok(line, `${name} in /metrics`);
  return Number(line.split(' ')[1]);
}

// Uploads buf as `name` with tus (creation, then PATCHes of `chunk` bytes); returns the file id.
// purpose: what the file is for, 'clinical' (the server's default when none is sent) or
// 'course_material'.
export async function tusUpload(srv, token, buf, name, { chunk = 4 << 20, purpose } = {}) {
  const tus = { 'tus-resumable': '1.0.0' };
  const b64 = (s) => Buffer.from(s).toString('base64');
  const meta = `filename ${b64(name)}` + (purpose ? `,purpose ${b64(purpose)}` : '');
  const c = await api(srv, 'POST', '/api/v1/files', {
    token, headers: { ...tus, 'upload-length': String(buf.length), 'upload-metadata': meta },
  });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  let id = null;
  for (let off = 0; off < buf.length; off += chunk) {
    const r = await api(srv, 'PATCH', c.headers.get('location'), {
      token, raw: buf.subarray(off, off + chunk),
      headers: { ...tus, 'upload-offset': String(off), 'content-type': 'application/offset+octet-stream' },
    });
    assert.equal(r.status, 204, JSON.stringify(r.body));
    id = r.headers.get('ytexa-file-id');
  }
  return Number(id);
}
