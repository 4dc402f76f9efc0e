// The chat of a visit or a consultation: part of its record, in order, each message numbered by
// the server. A message typed while the link is down waits on the page ("đang gửi") and goes
// when it is back, under the same client id, so it is stored once. Shows who is here (online, in
// the call, away, gone) and when the others have read what you wrote.
import { useState, useEffect, useRef } from 'preact/hooks';
import { html } from 'htm/preact';
import { listen, send, onConnection, myUserId } from './live.js';
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
  const pendingRef = useRef([]);
  const list = useRef(null);
  pendingRef.current = pending;

  useEffect(() => {
    setMsgs([]);
    const add = (items) => setMsgs((old) => {
      const seen = new Set(old.map((m) => m.seq));
      return [...old, ...items.filter((m) => !seen.has(m.seq))].sort((a, b) => a.seq - b.seq);
    });
    const stop = listen(channel, (m) => {
      if (m.type === 'joined') {
        setMembers(m.members || []);
        if (m.items) add(m.items);
        setError(null);
        // Messages typed while offline go now, under their first client id.
        for (const p of pendingRef.current) send({ type: 'chat', channel, text: p.text, client_id: p.client_id });
      } else if (m.type === 'chat') {
        add([m]);
        setPending((ps) => ps.filter((p) => p.client_id !== m.client_id || m.from.id !== myUserId()));
        if (!document.hidden && m.from.id !== myUserId()) send({ type: 'receipt', channel, seq: m.seq, kind: 'read' });
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
    return () => { stop(); stopConn(); };
  }, [channel]);

  useEffect(() => { if (list.current) list.current.scrollTop = list.current.scrollHeight; }, [msgs.length, pending.length]);

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
      ${msgs.map((m) => html`<li class=${m.from.id === me ? 'mine' : ''} data-seq=${m.seq}>
        <span class="from">${m.from.name}</span> <span class="text">${m.text}</span>
        <span class="at muted">${when(m.at)}${m.from.id === me && readByOthers(m.seq) ? ' · ' + t('chat_read') : ''}</span></li>`)}
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

