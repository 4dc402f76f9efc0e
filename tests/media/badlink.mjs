// A mountain station's link, emulated in user space: what `tc netem delay 300ms loss 5% rate
// 200kbit` would do, for a kernel without netem (the project's machines have none). Two
// forwarders on loopback, each direction shaped on its own:
//
//   udpLink  UDP (the call's media, to and from coturn): each packet is dropped with `loss`
//            probability, queued behind the packets before it at `rateKbps`, and sent `delayMs`
//            after it arrived (at the earliest). A queue longer than `queueMs` drops, as a router's
//            buffer would.
//   tcpLink  TCP (the page, its API calls and its WebSocket, to ytexa): the same delay and rate;
//            TCP's own losses cannot be imitated above the socket, so none.
//
// Each starts as a perfect link; set({ delayMs, loss, rateKbps }) degrades it while in use.
import dgram from 'node:dgram';
import net from 'node:net';

function shaper(opts) {
  const s = { delayMs: 0, loss: 0, rateKbps: 0, queueMs: 1000, sent: 0, dropped: 0, ...opts };
  const busy = { up: 0, down: 0 }; // when each direction's link is free again
  const queue = { up: [], down: [] }; // packets waiting, in order: [{ at, send }]
  const timer = { up: null, down: null };
  // Sends what is due from the head of a direction's queue, in order, then waits for the next.
  const drain = (dir) => {
    timer[dir] = null;
    const q = queue[dir];
    while (q.length && q[0].at <= Date.now()) {
      try { q.shift().send(); } catch { /* the link was stopped meanwhile */ }
    }
    if (q.length) timer[dir] = setTimeout(() => drain(dir), Math.max(1, q[0].at - Date.now()));
  };
  // Queues a packet of `bytes`: send() runs once it may leave, or never (dropped).
  s.pass = (dir, bytes, send, lossy = true) => {
    const now = Date.now();
    if (s.stopped) return;
    if (lossy && Math.random() < s.loss) { s.dropped++; return; }
    let at = now + s.delayMs;
    if (s.rateKbps > 0) {
      const start = Math.max(now, busy[dir]);
      if (start - now > s.queueMs) { s.dropped++; return; }
      busy[dir] = start + (bytes * 8) / s.rateKbps; // kbit/s = bits per ms
      at = busy[dir] + s.delayMs;
    }
    const q = queue[dir];
    if (q.length && at < q[q.length - 1].at) at = q[q.length - 1].at; // never overtake
    s.sent++;
    q.push({ at, send });
    if (!timer[dir]) drain(dir);
  };
  return s;
}

// Listens on 127.0.0.1:port and forwards to target (host, port), one upstream socket a client.
export async function udpLink({ port, target }) {
  const s = shaper({});
  const front = dgram.createSocket('udp4');
  const clients = new Map(); // "addr:port" → upstream socket
  front.on('message', (msg, from) => {
    const key = `${from.address}:${from.port}`;
    let up = clients.get(key);
    if (!up) {
      up = dgram.createSocket('udp4');
      up.on('message', (back) => s.pass('down', back.length, () => front.send(back, from.port, from.address)));
      up.on('error', () => {});
      clients.set(key, up);
    }
    s.pass('up', msg.length, () => up.send(msg, target.port, target.host));
  });
  await new Promise((resolve, reject) => { front.once('error', reject); front.bind(port, '127.0.0.1', resolve); });
  return {
    url: `turn:127.0.0.1:${port}?transport=udp`,
    stats: s,
    set: (o) => Object.assign(s, o),
    stop: () => { s.stopped = true; front.close(); for (const u of clients.values()) u.close(); },
  };
}

// Listens on 127.0.0.1:port and forwards each connection to target, shaped.
export async function tcpLink({ port, target }) {
  const s = shaper({});
  const sockets = new Set();
  const server = net.createServer((client) => {
    const up = net.connect(target.port, target.host);
    for (const c of [client, up]) { sockets.add(c); c.on('error', () => {}); c.on('close', () => { client.destroy(); up.destroy(); }); }
    // Bytes keep their order: each chunk leaves after the one before it.
    client.on('data', (d) => s.pass('up', d.length, () => up.write(d), false));
    up.on('data', (d) => s.pass('down', d.length, () => client.write(d), false));
  });
  await new Promise((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', resolve); });
  return {
    url: `http://127.0.0.1:${port}`,
    stats: s,
    set: (o) => Object.assign(s, { ...o, queueMs: Infinity }),
    stop: () => { s.stopped = true; for (const c of sockets) c.destroy(); server.close(); },
  };
}
