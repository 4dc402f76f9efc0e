// The chat of a visit or a consultation: part of its record, in order, each message numbered by
// the server. A long thread loads a page at a time (live.js), and pauses after a few pages with
// "load more". A message typed while the link is down waits on the page ("đang gửi") and goes
// when it is back, under the same client id, so it is stored once. Shows who is here (online, in
// the call, away, gone) and when the others have read what you wrote.
import { useState, useEffect, useRef } from 'preact/hooks';
import { html } from 'htm/preact';
import { listen, send, onConnection, myUserId, loadMore } from './live.js';
import { t } from './i18n.js';
import { when } from './appointments.js';

const newId = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

export function Chat({ channel, title }) {
  const [msgs, setMsgs] = useState([]);
  const [pending, setPending] = useState([]);
  const [members, setMembers] = useState([]);
  const [reads, setReads] = useState({});
  const [text, setText] = useState('');
  const [online, setOnline] = useState(false);
  const [error, setError] = useState(null);
  const [more, setMore] = useState(false); // older messages still to load
  const pendingRef = useRef([]);
  const list = useRef(null);
  pendingRef.current = pending;

  useEffect(() => {
    setMsgs([]);
    setMore(false);
    // How far this page told the server that this person received and read, and the newest
    // message from someone else it has. A receipt says "read" while the page is visible and
    // "delivered" while it is hidden; either stops the server's "new messages" notice for what
    // is already on the screen.
    const acked = { read: 0, delivered: 0 };
    let fromOthers = 0;
    const acknowledge = () => {
      const kind = document.hidden ? 'delivered' : 'read';
      if (fromOthers <= acked.read || fromOthers <= acked[kind]) return;
      if (send({ type: 'receipt', channel, seq: fromOthers, kind })) acked[kind] = fromOthers;
    };
    const add = (items) => {
      for (const m of items) if (m.from.id !== myUserId() && m.seq > fromOthers) fromOthers = m.seq;
      setMsgs((old) => {
        const seen = new Set(old.map((m) => m.seq));
        return [...old, ...items.filter((m) => !seen.has(m.seq))].sort((a, b) => a.seq - b.seq);
      });
      acknowledge();
    };
    const stop = listen(channel, (m) => {
      if (m.type === 'joined') {
        setMembers(m.members || []);
        acked.read = Math.max(acked.read, m.read_seq || 0);
        acked.delivered = Math.max(acked.delivered, m.delivered_seq || 0, acked.read);
        if (m.items) add(m.items);
        setError(null);
        // Messages typed while offline go now, under their first client id.
        for (const p of pendingRef.current) send({ type: 'chat', channel, text: p.text, client_id: p.client_id });
      } else if (m.type === 'history') {
        add(m.items || []);
      } else if (m.type === 'backlog') {
        setMore(m.more);
      } else if (m.type === 'chat') {
        add([m]);
        setPending((ps) => ps.filter((p) => p.client_id !== m.client_id || m.from.id !== myUserId()));
      } else if (m.type === 'presence') {
        setMembers((ms) => {
          const rest = ms.filter((x) => x.user !== m.user);
          return m.status === 'offline' ? [...rest, { ...m, gone: true }] : [...rest, m];
        });
      } else if (m.type === 'receipt') {
        setReads((r) => ({ ...r, [m.user]: Math.max(r[m.user] || 0, m.seq) }));
      } else if (m.type === 'error' && m.code !== 'no_peer') {
        setError(m.message);
      }
    });
    const stopConn = onConnection(setOnline);
    // What arrived while the page was hidden is read once it is shown.
    const onVisible = () => {
      if (!document.hidden) acknowledge();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      stop();
      stopConn();
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [channel]);

  useEffect(() => {
    if (list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [msgs.length, pending.length]);

  const submit = (e) => {
    e.preventDefault();
    const body = text.trim();
    if (!body) return;
    const p = { client_id: newId(), text: body };
    setPending((ps) => [...ps, p]);
    setText('');
    send({ type: 'chat', channel, text: p.text, client_id: p.client_id });
  };
  const me = myUserId();
  const readByOthers = (seq) => Object.entries(reads).some(([u, s]) => Number(u) !== me && s >= seq);
  const here = members.filter((m) => m.user !== me);
  return html`<section class="card chat" aria-label=${title || t('chat')}>
    <h2>${title || t('chat')}</h2>
    <p class="presence">${here.length === 0 ? html`<span class="muted">${t('chat_nobody')}</span>` : here.map((m) => html`<span class=${'who-' + (m.gone ? 'offline' : m.status)} data-user=${m.user}>${m.name} · ${t('presence_' + (m.gone ? 'offline' : m.status))}</span> `)}
      ${!online && html`<span class="warn" role="status">${t('chat_reconnecting')}</span>`}</p>
    <ol class="messages" ref=${list}>
      ${msgs.map(
        (m) => html`<li class=${m.from.id === me ? 'mine' : ''} data-seq=${m.seq}>
        <span class="from">${m.from.name}</span> <span class="text">${m.text}</span>
        <span class="at muted">${when(m.at)}${m.from.id === me && readByOthers(m.seq) ? ' · ' + t('chat_read') : ''}</span></li>`,
      )}
      ${
        more &&
        html`<li class="more-msgs"><button type="button" class="link" onClick=${() => {
          setMore(false);
          loadMore(channel);
        }}>${t('chat_load_more')}</button></li>`
      }
      ${pending.map((p) => html`<li class="mine pending"><span class="text">${p.text}</span> <span class="at muted">${t('chat_sending')}</span></li>`)}
    </ol>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <form class="send" onSubmit=${submit}>
      <label class="sr-only" for=${'chat-' + channel}>${t('chat_message')}</label>
      <input id=${'chat-' + channel} maxlength="4000" autocomplete="off" value=${text} onInput=${(e) => setText(e.target.value)} placeholder=${t('chat_placeholder')} />
      <button type="submit">${t('chat_send')}</button>
    </form>
  </section>`;
}
