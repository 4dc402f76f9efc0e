// The page's one WebSocket to /ws (the session cookie authorises it). It reconnects by itself
// with a growing pause, joins again the channels the page listens to — asking for the chat
// messages after the last one it has without a gap, so nothing is lost and nothing comes twice —
// pings every 10 s so the others see quickly when this device drops off, and tells them "away"
// while the page is hidden. Protocol: docs/realtime.md.
const listeners = new Map(); // channel -> Set of handlers
const watchers = new Map(); // channel -> Set of handlers of its "changed" events only (onChanged)
const threads = new Map(); // channel -> the chat numbers this page has: see thread()
const waiting = new Map(); // ref -> { resolve, timer }
const noticeHandlers = new Set();
const stateHandlers = new Set();
let ws = null;
let open = false;
let retry = 0;
let refs = 0;
let pinger = null;
let userId = null;
let facilityId; // undefined until hello: then the person's facility, or null
const helloHandlers = new Set();

// A thread's messages come in pages of at most PAGE; a page keeps asking for the next one until
// it has them all, but after PAGES pages in a row it stops and lets the user ask for more (a
// phone on a slow link should not fetch years of chat on its own).
const PAGE = 200;
const PAGES = 10;

// What the page has of a channel's thread. mark: the highest seq up to which it has every
// message; ahead: the seqs it has above mark+1 (come live, out of order or after a lost one);
// filling: a sync is under way; pages: pages fetched since the last pause; more: paused with
// messages still to fetch; joining: a join is waiting for its answer.
function thread(channel) {
  if (!threads.has(channel)) threads.set(channel, { mark: 0, ahead: new Set(), filling: false, pages: 0, more: false, joining: false });
  return threads.get(channel);
}

// Notes the seqs received; moves the mark over every number now without a gap.
function track(th, items) {
  for (const m of items) if (m.seq > th.mark) th.ahead.add(m.seq);
  while (th.ahead.has(th.mark + 1)) th.ahead.delete(++th.mark);
}

// Tells the channel's handlers something the page itself found out (not a server message).
function tell(channel, m) {
  for (const h of listeners.get(channel) || []) h({ ...m, channel, local: true });
}

// Fetches with sync, a page at a time from the mark, until the thread has no gap and the server
// says there is no more, or the page budget is spent, or the link fails; then says whether
// something is left to load ({type: "backlog", more}).
async function fill(channel) {
  const th = threads.get(channel);
  if (!th || th.filling) return;
  th.filling = true;
  th.more = false;
  let more = true;
  while (threads.get(channel) === th && th.pages < PAGES) {
    const h = await ask({ type: 'sync', channel, after: th.mark, limit: PAGE });
    if (h?.type !== 'history') break; // link down, timed out or refused: the user may try again
    th.pages++;
    if (!h.more && !th.ahead.size) {
      more = false;
      break;
    }
    if (!h.items.length) break; // nothing came: do not ask the same question again
  }
  th.filling = false;
  if (threads.get(channel) !== th) return;
  th.more = more;
  tell(channel, { type: 'backlog', more });
}

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
  if (m.type === 'hello') {
    userId = m.user;
    facilityId = m.facility ?? null;
    for (const h of helloHandlers) h();
  }
  if (m.type === 'notification') for (const h of noticeHandlers) h(m);
  const th = m.channel && threads.get(m.channel);
  if (th && (m.type === 'joined' || m.type === 'history') && m.items) track(th, m.items);
  if (th && m.type === 'chat') track(th, [m]);
  if (m.channel && listeners.has(m.channel)) for (const h of listeners.get(m.channel)) h(m);
  if (m.type === 'changed' && watchers.has(m.channel)) for (const h of watchers.get(m.channel)) h(m);
  if (!th) return;
  if (m.type === 'joined' && m.items) {
    // The join brought the first page; the rest, if any, come by sync.
    th.joining = false;
    th.pages = 1;
    th.more = false;
    if (m.more || th.ahead.size) fill(m.channel);
    else tell(m.channel, { type: 'backlog', more: false });
  } else if (m.type === 'chat' && th.ahead.size && !th.joining && !th.filling && !th.more) {
    // A number was skipped (lost, or two stores finished out of order): ask for the gap.
    th.pages = 0;
    fill(m.channel);
  }
}

function rejoin(channel) {
  const th = thread(channel);
  th.joining = true;
  send({ type: 'join', channel, after: th.mark });
}

function connect() {
  if (ws) return;
  const sock = new WebSocket(url());
  ws = sock;
  sock.onopen = () => {
    if (ws !== sock) return;
    retry = 0;
    setOpen(true);
    for (const ch of listeners.keys()) rejoin(ch);
    for (const ch of watchers.keys()) if (!listeners.has(ch)) send({ type: 'join', channel: ch });
    if (document.hidden) send({ type: 'presence', status: 'away' });
    clearInterval(pinger);
    pinger = setInterval(() => send({ type: 'ping' }), 10000);
  };
  sock.onmessage = (e) => {
    if (ws !== sock) return;
    try {
      deliver(JSON.parse(e.data));
    } catch {
      /* not ours */
    }
  };
  // A socket already replaced (renew) says nothing about the page's session.
  sock.onclose = (e) => ws === sock && lost(e.code);
}

function lost(code) {
  ws = null;
  clearInterval(pinger);
  setOpen(false);
  // No answer comes on a closed socket: let whoever waits for one go on now.
  for (const w of waiting.values()) {
    clearTimeout(w.timer);
    w.resolve(null);
  }
  waiting.clear();
  if (code === 4401) {
    window.dispatchEvent(new Event('ytexa-unauth'));
    return;
  }
  if (!listeners.size && !watchers.size && !noticeHandlers.size) return;
  retry = Math.min(retry + 1, 6);
  setTimeout(connect, 500 * 2 ** (retry - 1) * (0.75 + Math.random() / 2));
}

// The page's session changed here (a login, a logout): the socket opened under the old cookie is
// closed without a word — its "session ended" must not end the new session — and whatever listens
// gets one under the new cookie.
export function renew() {
  const sock = ws;
  if (!sock) return;
  lost(1000);
  sock.close();
}

export function send(msg) {
  if (ws && open) ws.send(JSON.stringify(msg));
  return ws && open;
}

// Sends msg and resolves with the answer that carries its ref (or null after ms).
export function ask(msg, ms = 8000) {
  const ref = `w${++refs}`;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      waiting.delete(ref);
      resolve(null);
    }, ms);
    waiting.set(ref, { resolve, timer });
    if (!send({ ...msg, ref })) {
      clearTimeout(timer);
      waiting.delete(ref);
      resolve(null);
    }
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
      threads.delete(channel);
      if (!watchers.has(channel)) send({ type: 'leave', channel });
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

// Keeps a page's record fresh: calls refresh when the server says the record changed ({"type":
// "changed"} on channel, docs/realtime.md, "Records that change" — only what, never the record
// itself: the page refetches it through the API), and once after every reconnect, for what changed
// while the link was down. Several events close together make one refresh (ms). what, when given,
// is the list of changes the page cares about. Returns the function that stops.
export function onChanged(channel, refresh, { what = null, ms = 400 } = {}) {
  let timer = null;
  let seen = false;
  let down = true;
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, ms);
  };
  // A watcher joins the channel without asking for its chat: a chat panel that listens to the
  // same channel later joins it again for its messages (joining twice is harmless).
  const h = (m) => {
    if (!what || what.includes(m.what)) later();
  };
  if (!watchers.has(channel)) watchers.set(channel, new Set());
  const set = watchers.get(channel);
  set.add(h);
  if (set.size === 1 && open && !listeners.has(channel)) send({ type: 'join', channel });
  connect();
  const stop = () => {
    set.delete(h);
    if (set.size) return;
    watchers.delete(channel);
    if (!listeners.has(channel)) send({ type: 'leave', channel });
  };
  const stopState = onConnection((o) => {
    if (o && seen && down) later();
    if (o) seen = true;
    down = !o;
  });
  return () => {
    clearTimeout(timer);
    stop();
    stopState();
  };
}

// The same for the person's own facility (facility:<id>: its inbox and its queue), once the socket
// has said which that is; nothing for a person of no facility.
export function onFacilityChanged(what, refresh, opts = {}) {
  let stop = null;
  let done = false;
  const start = () => {
    if (stop || done || !facilityId) return;
    stop = onChanged(`facility:${facilityId}`, refresh, { ...opts, what });
  };
  helloHandlers.add(start);
  if (facilityId !== undefined) start();
  else connect();
  return () => {
    done = true;
    helloHandlers.delete(start);
    if (stop) stop();
  };
}
// Goes on fetching a thread whose loading paused (the "more" of a backlog event).
export function loadMore(channel) {
  const th = threads.get(channel);
  if (!th || th.filling) return;
  th.pages = 0;
  fill(channel);
}

export function setPresence(status) {
  send({ type: 'presence', status });
}

document.addEventListener('visibilitychange', () => send({ type: 'presence', status: document.hidden ? 'away' : 'online' }));
window.addEventListener('ytexa-unauth', () => {
  if (ws) ws.close();
});
