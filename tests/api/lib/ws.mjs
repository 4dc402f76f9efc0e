// A WebSocket client of /ws for the tests (node's own WebSocket, run with --experimental-websocket),
// keeping every message it received so a test can wait for the one it expects.
import net from 'node:net';
import { randomBytes } from 'node:crypto';

export function wsUrl(srv) {
  return srv.url.replace('http', 'ws') + '/ws';
}

// Opens a socket as session s ({ cookie } or { token }); resolves once the hub said hello.
export function openWs(srv, s, { origin } = {}) {
  const headers = {};
  if (s?.cookie) headers.cookie = s.cookie;
  if (s?.token && !s.cookie) headers.authorization = `Bearer ${s.token}`;
  if (origin) headers.origin = origin;
  const ws = new WebSocket(wsUrl(srv), { headers });
  const c = {
    ws, msgs: [], waiters: [], closed: null, refs: 0,
    send(obj) { ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj)); },
    // Resolves with the first message (received before or after the call) that pred accepts.
    next(pred, what = 'a message', ms = 5000) {
      const seen = c.msgs.find(pred);
      if (seen) { c.msgs.splice(c.msgs.indexOf(seen), 1); return Promise.resolve(seen); }
      return new Promise((resolve, reject) => {
        const w = { pred, resolve, timer: setTimeout(() => { c.waiters.splice(c.waiters.indexOf(w), 1); reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(c.msgs)}`)); }, ms) };
        c.waiters.push(w);
      });
    },
    // Sends a message with a fresh ref and waits for the answer that carries it.
    async ask(obj, ms) {
      const ref = `r${++c.refs}`;
      c.send({ ...obj, ref });
      return c.next((m) => m.ref === ref, `an answer to ${JSON.stringify(obj)}`, ms);
    },
    // Closes from this side; resolves with the close event, or { code: null } if none comes in 5 s.
    close() { ws.close(); return Promise.race([c.closed, new Promise((r) => setTimeout(() => r({ code: null }), 5000))]); },
    // The server's close, or a clear failure after ms.
    closedWithin(ms = 10000) {
      return Promise.race([c.closed, new Promise((_, reject) => setTimeout(() => reject(new Error(`not closed within ${ms} ms`)), ms))]);
    },
  };
  c.closed = new Promise((resolve) => { ws.onclose = (e) => resolve({ code: e.code, reason: e.reason }); });
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    const w = c.waiters.find((x) => x.pred(m));
    if (w) { c.waiters.splice(c.waiters.indexOf(w), 1); clearTimeout(w.timer); w.resolve(m); } else c.msgs.push(m);
  };
  return new Promise((resolve, reject) => {
    ws.onerror = () => reject(new Error('WebSocket refused'));
    c.next((m) => m.type === 'hello', 'hello').then(() => resolve(c), reject);
  });
}

// A raw TCP client that does the handshake itself, to send frames no WebSocket library would.
export function rawWs(srv, s) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(srv.port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    sock.on('error', reject);
    sock.on('connect', () => {
      sock.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\nCookie: ${s.cookie}\r\n\r\n`);
    });
    const onData = (d) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      sock.off('data', onData);
      const head = buf.subarray(0, end).toString();
      if (!head.startsWith('HTTP/1.1 101')) { reject(new Error(head)); return; }
      const rest = buf.subarray(end + 4);
      const r = { sock, data: rest, ended: new Promise((res) => sock.on('close', res)) };
      sock.on('data', (x) => { r.data = Buffer.concat([r.data, x]); });
      resolve(r);
    };
    sock.on('data', onData);
  });
}

// One client frame: masked unless told otherwise.
export function frame(opcode, payload, { masked = true, fin = true } = {}) {
  const p = Buffer.from(payload);
  const head = [(fin ? 0x80 : 0) | opcode];
  const m = masked ? 0x80 : 0;
  if (p.length < 126) head.push(m | p.length);
  else if (p.length < 65536) head.push(m | 126, p.length >> 8, p.length & 255);
  else { head.push(m | 127, 0, 0, 0, 0, (p.length >>> 24) & 255, (p.length >> 16) & 255, (p.length >> 8) & 255, p.length & 255); }
  const key = masked ? randomBytes(4) : Buffer.alloc(0);
  const body = Buffer.from(p);
  if (masked) for (let i = 0; i < body.length; i++) body[i] ^= key[i % 4];
  return Buffer.concat([Buffer.from(head), key, body]);
}

// The close code of the first close frame the server sent in data, or null.
export function closeCode(data) {
  let i = 0;
  while (i + 2 <= data.length) {
    const op = data[i] & 0x0f;
    let len = data[i + 1] & 0x7f;
    let off = i + 2;
    if (len === 126) { len = data.readUInt16BE(off); off += 2; } else if (len === 127) { len = Number(data.readBigUInt64BE(off)); off += 8; }
    if (op === 8) return len >= 2 ? data.readUInt16BE(off) : 1005;
    i = off + len;
  }
  return null;
}
