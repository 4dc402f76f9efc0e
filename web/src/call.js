// A 1:1 call in a visit or a small consultation: WebRTC between the two browsers, offer, answer
// and ICE candidates relayed by the hub inside the channel, STUN/TURN from
// /api/v1/rtc/ice-servers (short-lived coturn credentials). Made for the links remote stations
// have: the user can drop to audio only; the call drops video by itself when the measured
// bandwidth stays too low; it restarts ICE when the link breaks; and when even audio cannot get
// through it says so and points to the chat, which keeps working over the hub.
import { useState, useEffect, useRef } from 'preact/hooks';
import { html } from 'htm/preact';
import { call as api } from './api.js';
import { listen, send, myUserId, setPresence } from './live.js';
import { t } from './i18n.js';
import { NetButton } from './online.js';

// Below this on average over a few seconds, video goes. Video under ~200 kbit/s is a slideshow
// that starves the audio beside it; at 150 the estimate on a 200 kbit/s, 5 % loss link (100–220
// kbps sample to sample) could hover above the line for minutes (seen in CI, 1 run in 3).
const LOW_KBPS = 200;
const LOW_SAMPLES = 3; // samples, one every 2 s
const LOST_MS = 12000; // no media path for this long: offer the chat

const iceUfrag = (sdp) => /a=ice-ufrag:(\S+)/.exec(sdp || '')?.[1] || null;

// The chat of the page (the element with id "chat"): scrolled into view with its box focused.
// The address does not change, since the hash is the page's route.
function goToChat() {
  const chat = document.getElementById('chat');
  if (!chat) return;
  chat.scrollIntoView({ behavior: 'smooth', block: 'start' });
  chat.querySelector('.send input')?.focus({ preventScroll: true });
}

export function Call({ channel, video = true }) {
  const [state, setState] = useState('idle'); // idle, waiting, connecting, connected, reconnecting, lost, ended
  const [audioOnly, setAudioOnly] = useState(!video);
  const [reason, setReason] = useState(null); // why it went audio only
  const [kbps, setKbps] = useState(null);
  const [error, setError] = useState(null);
  const local = useRef(null);
  const remote = useRef(null);
  const c = useRef({}).current; // the call's live objects: pc, stream, peer, timers

  const signal = (data, to) => send({ type: 'signal', channel, ...(to ? { to } : {}), data });

  const dropVideo = async (why, tell = true) => {
    setAudioOnly(true);
    setReason(why);
    const sender = c.pc?.getSenders().find((s) => s.track?.kind === 'video');
    if (sender) {
      sender.track.stop();
      await sender.replaceTrack(null).catch(() => {});
    }
    c.stream?.getVideoTracks().forEach((tr) => tr.stop());
    if (tell) signal({ kind: 'audio_only', why });
  };

  // A TURN credential lives --turn-ttl seconds from when the call started: a new network path
  // (an ICE restart) gathers with a fresh one, or coturn would refuse the relay. The policy
  // (relay only or not) stays as the connection has it. Without an answer in 5 s the restart
  // goes on with the servers it has.
  const freshIce = async () => {
    const ice = await Promise.race([api('GET', '/api/v1/rtc/ice-servers'), new Promise((r) => setTimeout(r, 5000, null))]).catch(
      () => null,
    );
    if (!ice || !c.pc) return;
    c.ice = { ...c.ice, ...ice };
    try {
      c.pc.setConfiguration({ ...c.pc.getConfiguration(), iceServers: ice.ice_servers });
    } catch {
      /* the old servers stay */
    }
  };

  const negotiate = async (restart = false) => {
    if (restart) await freshIce();
    if (!c.pc) return;
    const offer = await c.pc.createOffer(restart ? { iceRestart: true } : {});
    await c.pc.setLocalDescription(offer);
    signal({ kind: 'offer', sdp: c.pc.localDescription.sdp }, c.peer);
  };

  // Watches the media path: bandwidth for the audio fallback, a lost path for the chat.
  const watch = async () => {
    if (!c.pc) return;
    const stats = await c.pc.getStats();
    let out = null;
    let frames = 0;
    let bytesIn = 0;
    stats.forEach((s) => {
      if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded' && s.availableOutgoingBitrate)
        out = s.availableOutgoingBitrate / 1000;
      if (s.type === 'inbound-rtp' && s.kind === 'video') frames = s.framesDecoded || 0;
      if (s.type === 'inbound-rtp') bytesIn += s.bytesReceived || 0;
    });
    const inKbps = c.lastBytes !== undefined ? ((bytesIn - c.lastBytes) * 8) / 2000 : null;
    c.lastBytes = bytesIn;
    c.frames = frames;
    setKbps(Math.round(out ?? inKbps ?? 0));
    // On a bad link the estimate swings (100 to 220 kbps, sample to sample, on a 200 kbit/s link
    // with 5 % loss), so one good sample must not restart the count: the mean of the last few
    // decides. What comes in counts double, and only once the call has had time to ramp up.
    const settled = c.connectedAt && Date.now() - c.connectedAt > 6000;
    const v = out !== null ? out : inKbps !== null && settled ? inKbps * 2 : null;
    c.samples = v === null ? [] : [...(c.samples || []), v].slice(-LOW_SAMPLES);
    const mean = c.samples.reduce((a, x) => a + x, 0) / (c.samples.length || 1);
    if (c.samples.length === LOW_SAMPLES && mean < LOW_KBPS && !c.audioOnly) {
      c.audioOnly = true;
      dropVideo('auto');
    }
  };

  const makePc = () => {
    const pc = new RTCPeerConnection({ iceServers: c.ice.ice_servers, iceTransportPolicy: c.ice.ice_transport_policy || 'all' });
    c.pc = pc;
    window.__ytexaCall = c; // for the browser tests and for support staff in the console
    // A new network path, once at a time (also from the console when a link is known to have moved).
    c.restartIce = () => {
      if (!c.restarting)
        c.restarting = negotiate(true)
          .catch(() => {})
          .finally(() => {
            c.restarting = null;
          });
      return c.restarting;
    };
    c.stream.getTracks().forEach((tr) => pc.addTrack(tr, c.stream));
    // The site's cap (its bandwidth in the facility's profile) on what the camera sends.
    const video = pc.getSenders().find((s) => s.track?.kind === 'video');
    if (video && c.ice.max_bitrate_kbps) {
      const p = video.getParameters();
      p.encodings = [{ ...(p.encodings?.[0] || {}), maxBitrate: c.ice.max_bitrate_kbps * 1000 }];
      video.setParameters(p).catch(() => {});
    }
    pc.onicecandidate = (e) => {
      if (e.candidate) signal({ kind: 'candidate', candidate: e.candidate.toJSON() }, c.peer);
    };
    pc.ontrack = (e) => {
      if (remote.current) remote.current.srcObject = e.streams[0];
    };
    pc.onconnectionstatechange = () => {
      const s = pc.connectionState;
      if (s === 'connected') {
        clearTimeout(c.lostTimer);
        c.lostTimer = null;
        c.connectedAt = c.connectedAt || Date.now();
        setState('connected');
      }
      if (s === 'disconnected' || s === 'failed') {
        // Once lost, the call stays so (with its way to the chat) until a path comes back.
        setState((st) => (st === 'lost' ? st : 'reconnecting'));
        // The side that offers restarts ICE; the other waits for its offer.
        if (s === 'failed' && myUserId() < c.peer) c.restartIce();
        if (!c.lostTimer)
          c.lostTimer = setTimeout(() => {
            if (pc.connectionState !== 'connected') setState('lost');
          }, LOST_MS);
      }
    };
    clearInterval(c.watcher);
    c.watcher = setInterval(() => watch().catch(() => {}), 2000);
    return pc;
  };

  const onSignal = async (m) => {
    if (m.type !== 'signal' || !c.stream) return;
    const d = m.data || {};
    try {
      if (d.kind === 'hello') {
        if (c.peer && c.peer !== m.from) return; // a 1:1 call: the first peer it is
        c.peer = m.from;
        if (!d.reply) signal({ kind: 'hello', reply: true }, m.from);
        if (!c.pc) makePc();
        setState('connecting');
        // The one with the smaller user id offers, once (again only to restart a failed path).
        if (myUserId() < m.from && (!c.offered || c.pc.connectionState === 'failed')) {
          c.offered = true;
          await negotiate(c.pc.connectionState === 'failed');
        }
      } else if (d.kind === 'offer') {
        c.peer = c.peer || m.from;
        if (!c.pc) makePc();
        // An offer with new ICE credentials is a restart: this side gathers again too.
        else if (c.pc.remoteDescription && iceUfrag(d.sdp) !== iceUfrag(c.pc.remoteDescription.sdp)) await freshIce();
        await c.pc.setRemoteDescription({ type: 'offer', sdp: d.sdp });
        await c.pc.setLocalDescription(await c.pc.createAnswer());
        signal({ kind: 'answer', sdp: c.pc.localDescription.sdp }, m.from);
      } else if (d.kind === 'answer' && c.pc) {
        await c.pc.setRemoteDescription({ type: 'answer', sdp: d.sdp });
      } else if (d.kind === 'candidate' && c.pc) {
        await c.pc.addIceCandidate(d.candidate).catch(() => {});
      } else if (d.kind === 'audio_only' && !c.audioOnly) {
        c.audioOnly = true;
        dropVideo(d.why === 'auto' ? 'auto' : 'peer', false);
      } else if (d.kind === 'bye') {
        hangup(false, 'ended');
      }
    } catch (e) {
      setError(e.message);
    }
  };

  const start = async () => {
    setError(null);
    try {
      c.ice = await api('GET', '/api/v1/rtc/ice-servers');
      // An audio site (its profile) starts without video.
      const noVideo = audioOnly || c.ice.audio_only;
      if (c.ice.audio_only) {
        setAudioOnly(true);
        setReason('site');
      }
      c.stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: noVideo ? false : { width: 640, height: 360 } });
      c.audioOnly = noVideo;
      if (local.current) local.current.srcObject = c.stream;
      setState('waiting');
      setPresence('in_call');
      signal({ kind: 'hello' });
      // Say hello again now and then, until someone answers (they may join later).
      c.hello = setInterval(() => {
        if (!c.pc) signal({ kind: 'hello' });
      }, 3000);
    } catch (e) {
      setError(e.name === 'NotAllowedError' ? t('call_no_device') : e.message);
      setState('idle');
    }
  };

  function hangup(tell = true, next = 'idle') {
    if (tell && c.peer) signal({ kind: 'bye' }, c.peer);
    clearInterval(c.watcher);
    clearInterval(c.hello);
    clearTimeout(c.lostTimer);
    c.pc?.close();
    c.stream?.getTracks().forEach((tr) => tr.stop());
    Object.assign(c, { pc: null, stream: null, peer: null, lostTimer: null, connectedAt: null, samples: [], offered: false });
    setPresence('online');
    setState(next);
  }

  useEffect(() => {
    // Signals are handled one after another: a candidate must not overtake the offer before it.
    const stop = listen(channel, (m) => {
      c.queue = (c.queue || Promise.resolve()).then(() => onSignal(m));
    });
    return () => {
      stop();
      if (c.stream) hangup();
    };
  }, [channel]);

  const inCall = state !== 'idle' && state !== 'ended';
  return html`<section class="card call" aria-label=${t('call')} data-state=${state}>
    <h2>${t('call')}</h2>
    ${
      inCall &&
      html`<div class="videos">
      <video ref=${remote} autoplay playsinline class="remote" aria-label=${t('call_remote')}></video>
      <video ref=${local} autoplay playsinline muted class="local" aria-label=${t('call_local')}></video>
    </div>`
    }
    <p class="call-state" role="status">${t('call_' + state)}${inCall && kbps !== null ? ` · ${kbps} kbps` : ''}
      ${audioOnly && inCall ? ' · ' + t(reason === 'auto' ? 'call_audio_auto' : reason === 'peer' ? 'call_audio_peer' : reason === 'site' ? 'call_audio_site' : 'call_audio_only') : ''}</p>
    ${state === 'lost' && html`<p class="warn" role="alert">${t('call_lost')} <button type="button" class="link" onClick=${goToChat}>${t('call_use_chat')}</button></p>`}
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <div class="actions">
      ${
        !inCall &&
        html`<${NetButton} onClick=${start}>${audioOnly ? t('call_start_audio') : t('call_start_video')}<//>
        <label><input type="checkbox" checked=${audioOnly} onChange=${(e) => setAudioOnly(e.target.checked)} /> ${t('call_audio_only')}</label>`
      }
      ${
        inCall &&
        !audioOnly &&
        html`<button class="link" onClick=${() => {
          c.audioOnly = true;
          dropVideo('user');
        }}>${t('call_switch_audio')}</button>`
      }
      ${inCall && html`<button onClick=${() => hangup()}>${t('call_hangup')}</button>`}
    </div>
  </section>`;
}
