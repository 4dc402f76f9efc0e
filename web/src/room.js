// A consultation's multi-site room (phòng họp nhiều điểm cầu): every site sends its camera to
// Janus's VideoRoom once and receives the others from it, so a room of several communes and
// hubs costs each site one upload, not one per peer. ytexa opens the room and hands out its pin
// and a signed Janus token (POST /api/v1/consults/:id/room); the page then talks to Janus's HTTP
// API itself (the same origin through nginx in production): a session with a long poll, one
// publisher handle, one subscriber handle per other site. Recording needs everyone's consent,
// which the page asks for and shows.
import { useState, useEffect, useRef } from 'preact/hooks';
import { html } from 'htm/preact';
import { call as api } from './api.js';
import { t } from './i18n.js';
import { NetButton } from './online.js';

// A Janus session over its HTTP API: requests are POSTs, events come on a long poll. Shared with
// the lecture page (training.js).
export function janusSession(url, token) {
  const handlers = new Map(); // handle id → on(event)
  let id = null;
  let alive = true;
  const tx = () => Math.random().toString(36).slice(2);
  const post = async (path, body) => {
    const r = await fetch(url + path, { method: 'POST', body: JSON.stringify({ ...body, token, transaction: tx() }) });
    const j = await r.json();
    if (j.janus === 'error') throw new Error(j.error?.reason || 'Janus');
    return j;
  };
  const poll = async () => {
    while (alive) {
      try {
        const r = await fetch(`${url}/${id}?maxev=10&token=${encodeURIComponent(token)}`);
        const evs = [await r.json()].flat();
        for (const ev of evs) handlers.get(ev.sender)?.(ev);
      } catch {
        await new Promise((res) => setTimeout(res, 1000));
      }
    }
  };
  return {
    async start() {
      id = (await post('', { janus: 'create' })).data.id;
      poll();
    },
    // A handle on the VideoRoom plugin; on(event) gets its asynchronous events.
    async attach(on) {
      const h = (await post(`/${id}`, { janus: 'attach', plugin: 'janus.plugin.videoroom' })).data.id;
      handlers.set(h, on);
      return {
        id: h,
        send: (body, jsep) => post(`/${id}/${h}`, { janus: 'message', body, ...(jsep ? { jsep } : {}) }),
        detach: () => {
          handlers.delete(h);
          return post(`/${id}/${h}`, { janus: 'detach' }).catch(() => {});
        },
      };
    },
    async stop() {
      alive = false;
      if (id) await post(`/${id}`, { janus: 'destroy' }).catch(() => {});
    },
  };
}

// Waits until the connection has gathered its candidates: Janus gets them inside the SDP.
export const gathered = (pc) =>
  new Promise((res) => {
    if (pc.iceGatheringState === 'complete') return res();
    const done = () => {
      if (pc.iceGatheringState === 'complete') res();
    };
    pc.addEventListener('icegatheringstatechange', done);
    setTimeout(res, 3000);
  });

// Watching the other publishers of a room: one subscriber handle and connection a feed (Janus
// offers, the page answers with all its candidates). r holds the Janus session, the ICE servers
// and subs (feed id → connection, for tests); pass() gives the room and its pin; setFeeds gets
// [{ id, display, stream }].
export function feedSubscriber(r, pass, setFeeds) {
  const subscribe = async (feed) => {
    if (r.subs.has(feed.id) || !r.session) return;
    const pc = new RTCPeerConnection({ iceServers: r.ice.ice_servers, iceTransportPolicy: r.ice.ice_transport_policy || 'all' });
    r.subs.set(feed.id, pc);
    pc.ontrack = (e) =>
      setFeeds((fs) => [...fs.filter((f) => f.id !== feed.id), { id: feed.id, display: feed.display, stream: e.streams[0] }]);
    const h = await r.session.attach(async (ev) => {
      if (ev.jsep?.type !== 'offer') return;
      await pc.setRemoteDescription(ev.jsep);
      await pc.setLocalDescription(await pc.createAnswer());
      await gathered(pc);
      await h.send({ request: 'start' }, { type: 'answer', sdp: pc.localDescription.sdp, trickle: false });
    });
    pc.handle = h;
    await h.send({ request: 'join', ptype: 'subscriber', room: pass().janus_room, pin: pass().pin, streams: [{ feed: feed.id }] });
  };
  const unsubscribe = (feedId) => {
    const pc = r.subs.get(feedId);
    if (!pc) return;
    pc.close();
    pc.handle?.detach();
    r.subs.delete(feedId);
    setFeeds((fs) => fs.filter((f) => f.id !== feedId));
  };
  return { subscribe, unsubscribe };
}

// One site's video with its name under it.
export function Tile({ stream, name }) {
  const v = useRef(null);
  useEffect(() => {
    if (v.current) v.current.srcObject = stream;
  }, [stream]);
  return html`<figure class="tile"><video ref=${v} autoplay playsinline aria-label=${name}></video><figcaption>${name}</figcaption></figure>`;
}

// consultId and chair for a clinician of the case; guestCode for a guest without an account (a
// family member, an interpreter), who enters with the code of their invitation.
// Inviting a guest (the requesting side, the chair, the secretary): a name and who they are; the
// link with the code is shown once, to pass on by phone or SMS.
function Invite({ base }) {
  const [name, setName] = useState('');
  const [relation, setRelation] = useState('family');
  const [made, setMade] = useState(null);
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      const g = await api('POST', base + '/guests', { name: name.trim(), relation });
      setMade({ ...g, link: `${location.origin}/#/guest/${g.code}` });
      setName('');
    } catch (err) {
      setError(err.message);
    }
  };
  return html`<details class="invite"><summary>${t('guest_invite')}</summary>
    <form onSubmit=${submit}>
      <label>${t('guest_name')} <input required minlength="2" value=${name} onInput=${(e) => setName(e.target.value)} /></label>
      <label>${t('guest_relation')} <select value=${relation} onChange=${(e) => setRelation(e.target.value)}>
        ${['family', 'interpreter', 'other'].map((k) => html`<option value=${k}>${t('guest_' + k)}</option>`)}</select></label>
      <button>${t('guest_make_link')}</button>
    </form>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${made && html`<p role="status">${t('guest_link_for')} ${made.name}: <input readonly class="guest-link" value=${made.link} onFocus=${(e) => e.target.select()} aria-label=${t('guest_link')} /></p>`}
  </details>`;
}

export function Room({ consultId, chair, guestCode, canInvite }) {
  const [state, setState] = useState(null); // the room as GET …/room shows it
  const [inRoom, setInRoom] = useState(false);
  const [needConsent, setNeedConsent] = useState(false);
  const [feeds, setFeeds] = useState([]); // [{ id, display, stream }]
  const [error, setError] = useState(null);
  const local = useRef(null);
  const r = useRef({ subs: new Map() }).current; // session, publisher, subscriber pcs, stream
  const base = `/api/v1/consults/${consultId}/room`;
  const guest = !!guestCode;

  // A guest sees no more of the room than their own entry says; a clinician follows its state.
  const refresh = () =>
    guest
      ? api('POST', '/api/v1/guest/room/state', { code: guestCode })
          .then((x) => setState((st) => ({ ...st, ...x })))
          .catch(() => {})
      : api('GET', base)
          .then(setState)
          .catch(() => {});
  useEffect(() => {
    refresh();
    const i = setInterval(refresh, 5000);
    return () => {
      clearInterval(i);
      leave();
    };
  }, [consultId, guestCode]);

  const { subscribe, unsubscribe } = feedSubscriber(r, () => r.room, setFeeds);

  // The publisher handle's events: who is in the room, who comes and goes, Janus's answer.
  const onPublisherEvent = async (ev) => {
    const d = ev.plugindata?.data || {};
    if (ev.jsep?.type === 'answer') await r.pub.setRemoteDescription(ev.jsep);
    for (const p of d.publishers || []) subscribe(p).catch((e) => setError(e.message));
    const gone = d.unpublished || d.leaving;
    if (gone && gone !== 'ok') unsubscribe(gone);
    if (d.error) setError(d.error);
  };

  const enter = async (consent) => {
    setError(null);
    try {
      const body = consent ? { recording_consent: true } : {};
      r.room = guest ? await api('POST', '/api/v1/guest/room', { code: guestCode, ...body }) : await api('POST', base, body);
    } catch (e) {
      if (e.code === 'recording_consent_required') {
        setNeedConsent(true);
        return;
      }
      setError(e.message);
      return;
    }
    setNeedConsent(false);
    setState(r.room);
    try {
      r.ice = guest ? r.room.ice : await api('GET', '/api/v1/rtc/ice-servers');
      const audioOnly = r.room.audio_only;
      r.stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: audioOnly ? false : { width: 640, height: 360 } });
      if (local.current) local.current.srcObject = r.stream;
      r.session = janusSession(r.room.janus.url, r.room.janus.token);
      await r.session.start();
      r.pub = new RTCPeerConnection({ iceServers: r.ice.ice_servers, iceTransportPolicy: r.ice.ice_transport_policy || 'all' });
      window.__ytexaRoom = r; // for the browser tests and for support staff in the console
      r.stream.getTracks().forEach((tr) => r.pub.addTrack(tr, r.stream));
      // The site's cap, in the browser as well as in Janus (which tells the sender by REMB).
      const video = r.pub.getSenders().find((s) => s.track?.kind === 'video');
      if (video) {
        const p = video.getParameters();
        p.encodings = [{ ...(p.encodings?.[0] || {}), maxBitrate: r.room.max_bitrate_kbps * 1000 }];
        await video.setParameters(p).catch(() => {});
      }
      const h = await r.session.attach((ev) => onPublisherEvent(ev).catch((e) => setError(e.message)));
      await h.send({ request: 'join', ptype: 'publisher', room: r.room.janus_room, pin: r.room.pin, display: r.room.display });
      await r.pub.setLocalDescription(await r.pub.createOffer());
      await gathered(r.pub);
      await h.send(
        { request: 'publish', audio: true, video: !audioOnly, bitrate: r.room.max_bitrate_kbps * 1000 },
        { type: 'offer', sdp: r.pub.localDescription.sdp, trickle: false },
      );
      setInRoom(true);
    } catch (e) {
      setError(e.name === 'NotAllowedError' ? t('call_no_device') : e.message);
      leave();
    }
  };

  function leave() {
    for (const id of [...r.subs.keys()]) unsubscribe(id);
    r.pub?.close();
    r.stream?.getTracks().forEach((tr) => tr.stop());
    r.session?.stop();
    Object.assign(r, { pub: null, stream: null, session: null });
    setFeeds([]);
    setInRoom(false);
  }

  const act = (method, path, body) =>
    api(method, base + path, body)
      .then(setState)
      .catch((e) => setError(e.message));
  const setConsent = (yes) =>
    guest
      ? api('PUT', '/api/v1/guest/room/consent', { code: guestCode, recording_consent: yes })
          .then((x) => setState((st) => ({ ...st, ...x })))
          .catch((e) => setError(e.message))
      : act('PUT', '/consent', { recording_consent: yes });
  const consented = guest
    ? state?.recording_consent
    : !!state?.people?.find((p) => p.user_id && p.name === r.room?.display)?.recording_consent_at;
  return html`<section class="card room" aria-label=${t('room')} data-in-room=${inRoom}>
    <h2>${t('room')}</h2>
    ${state?.recording && html`<p class="recording" role="status">● ${t('room_recording')}</p>`}
    ${
      inRoom &&
      html`<div class="tiles">
      <figure class="tile own"><video ref=${local} autoplay playsinline muted aria-label=${t('call_local')}></video><figcaption>${t('room_you')}</figcaption></figure>
      ${feeds.map((f) => html`<${Tile} key=${f.id} stream=${f.stream} name=${f.display} />`)}
    </div>`
    }
    ${
      needConsent &&
      html`<p class="warn" role="alert">${t('room_consent_needed')}
      <${NetButton} onClick=${() => enter(true)}>${t('room_consent_and_enter')}<//></p>`
    }
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <div class="actions">
      ${!inRoom && !needConsent && html`<${NetButton} onClick=${() => enter(false)}>${t('room_enter')}<//>`}
      ${inRoom && html`<button onClick=${leave}>${t('room_leave')}</button>`}
      ${
        inRoom &&
        html`<label><input type="checkbox" checked=${!!consented}
        onChange=${(e) => setConsent(e.target.checked)} /> ${t('room_my_consent')}</label>`
      }
      ${
        chair &&
        state?.open &&
        html`<button class="link" onClick=${() => act('POST', '/recording', { record: !state.recording })}>
        ${state.recording ? t('room_record_stop') : t('room_record_start')}</button>
        <button class="link danger" onClick=${() => {
          leave();
          act('DELETE', '');
        }}>${t('room_close')}</button>`
      }
    </div>
    ${canInvite && !guest && html`<${Invite} base=${base} />`}
    ${
      state?.people?.length > 0 &&
      html`<ul class="people">${state.people.map(
        (p) => html`<li>${p.name}${p.facility ? ' · ' + p.facility : ''}${p.relation ? ' · ' + t('guest_' + p.relation) : ''}
      <span class="muted"> · ${p.recording_consent_at ? t('room_consented') : t('room_not_consented')}</span></li>`,
      )}</ul>`
    }
  </section>`;
}
