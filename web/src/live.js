// The page's one WebSocket to /ws (the session cookie authorises it). It reconnects by itself
// with a growing pause, joins again the channels the page listens to — asking for the chat
// messages after the last one it has, so nothing is lost and nothing comes twice — pings every
// 10 s so the others see quickly when this device drops off, and tells them "away" while the
// page is hidden. Protocol: docs/realtime.md.
const listeners = new Map(); // channel -> Set of handlers
const lastSeq = new Map(); // channel -> the last chat number seen
const waiting = new Map(); // ref -> { resolve, timer }
const noticeHandlers = new Set();
const stateHandlers = new Set();
let ws = null;
let open = false;
let retry = 0;
let refs = 0;
let pinger = null;
let userId = null;

const url = () => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;

function setOpen(v) {
  open = v;
  for (const h of stateHandlers) h(v);
}

function deliver(m) {
  if (m.ref && waiting.has(m.ref)) {
    const w = waiting.get(m.ref);
    waiting.delete(m.ref);
    clearTimeout(w.timer);
    w.resolve(m);
  }
  if (m.type === 'hello') userId = m.user;
  if (m.type === 'notification') for (const h of noticeHandlers) h(m);
  if (m.type === 'chat' && m.seq > (lastSeq.get(m.channel) || 0)) lastSeq.set(m.channel, m.seq);
  if (m.type === 'joined' && m.items?.length) lastSeq.set(m.channel, m.items[m.items.length - 1].seq);
  if (m.channel && listeners.has(m.channel)) for (const h of listeners.get(m.channel)) h(m);
}

function rejoin(channel) {
  const after = lastSeq.get(channel);
  send({ type: 'join', channel, ...(after !== undefined ? { after } : { after: 0 }) });
}

function connect() {
  if (ws) return;
  ws = new WebSocket(url());
  ws.onopen = () => {
    retry = 0;
    setOpen(true);
    for (const ch of listeners.keys()) rejoin(ch);
    if (document.hidden) send({ type: 'presence', status: 'away' });
    clearInterval(pinger);
    pinger = setInterval(() => send({ type: 'ping' }), 10000);
  };
  ws.onmessage = (e) => {
    try { deliver(JSON.parse(e.data)); } catch { /* not ours */ }
  };
  ws.onclose = (e) => {
    ws = null;
    clearInterval(pinger);
    setOpen(false);
    if (e.code === 4401) { window.dispatchEvent(new Event('ytexa-unauth')); return; }
    if (!listeners.size && !noticeHandlers.size) return;
    retry = Math.min(retry + 1, 6);
    setTimeout(connect, 500 * 2 ** (retry - 1) * (0.75 + Math.random() / 2));
  };
}

export function send(msg) {
  if (ws && open) ws.send(JSON.stringify(msg));
  return ws && open;
}

// Sends msg and resolves with the answer that carries its ref (or null after ms).
export function ask(msg, ms = 8000) {
  const ref = `w${++refs}`;
  return new Promise((resolve) => {
    const timer = setTimeout(() => { waiting.delete(ref); resolve(null); }, ms);
    waiting.set(ref, { resolve, timer });
    if (!send({ ...msg, ref })) { clearTimeout(timer); waiting.delete(ref); resolve(null); }
  });
}

// Listens to a channel ("visit:12"): joins it now and after every reconnect. Returns the
// function that stops listening.
export function listen(channel, handler) {
  if (!listeners.has(channel)) listeners.set(channel, new Set());
  const set = listeners.get(channel);
  set.add(handler);
  if (set.size === 1 && open) rejoin(channel);
  connect();
  return () => {
    set.delete(handler);
    if (!set.size) {
      listeners.delete(channel);
      lastSeq.delete(channel);
      send({ type: 'leave', channel });
    }
  };
}

export function onNotification(h) {
  noticeHandlers.add(h);
  connect();
  return () => noticeHandlers.delete(h);
}

export function onConnection(h) {
  stateHandlers.add(h);
  h(open);
  return () => stateHandlers.delete(h);
}

export const myUserId = () => userId;
export const noteSeq = (channel, seq) => { if (seq > (lastSeq.get(channel) || 0)) lastSeq.set(channel, seq); };

export function setPresence(status) {
  send({ type: 'presence', status });
}

document.addEventListener('visibilitychange', () => send({ type: 'presence', status: document.hidden ? 'away' : 'online' }));
window.addEventListener('ytexa-unauth', () => { if (ws) ws.close(); });
