import { render } from 'preact';
import { useState, useEffect } from 'preact/hooks';
import { html } from 'htm/preact';
import * as api from './api.js';
import { t, getLang, setLang, startLang } from './i18n.js';
import { Network } from './network.js';
import { onNotification, onFacilityChanged, renew } from './live.js';
import { TodayCards } from './today.js';
import { parts, useRoute, go } from './router.js';
import { lazy, Pending } from './loader.js';
import { OfflineBanner, onOnlineChange, isOnline, sawCopy } from './online.js';
import { clearReads, copyOf, keep, syncDay, isStation, ME } from './reads.js';
import { clearDrafts } from './drafts.js';
import { startOutbox, clearOutbox, lastUser, useOutbox } from './outbox.js';
import { OutboxCount, OutboxPage, OutboxList } from './outbox_page.js';
import { Field, placeError } from './words.js';
import './style.css';

// What each role's home page offers; `ready` tiles work today, the rest come with their workflow.
const TILES = {
  health_worker: ['queue', 'patients', 'visit', 'consult', 'training', 'network'],
  doctor: ['visit', 'schedule', 'consult', 'patients', 'training', 'network'],
  specialist: ['consult', 'visit', 'schedule', 'training', 'network'],
  trainer: ['training', 'network'],
  facility_admin: ['users', 'training', 'training_hours', 'reports', 'network'],
  province_admin: ['users', 'training_hours', 'reports', 'network'],
  ministry_admin: ['reports', 'training_hours', 'users', 'network'],
  patient: ['my_record', 'my_visits', 'network'],
};
const READY = new Set([
  'network',
  'patients',
  'my_record',
  'visit',
  'my_visits',
  'queue',
  'schedule',
  'consult',
  'training',
  'training_hours',
  'reports',
]);
// Who reads reports (the API's YX_ADMINS): the page is theirs alone.
const REPORT_READERS = new Set(['facility_admin', 'province_admin', 'ministry_admin']);
// Who has a day of numbers above the tiles (GET /api/v1/me/today); administrators read the reports.
const TODAY = new Set(['health_worker', 'doctor', 'specialist', 'trainer']);
// A logout made without a network ends the session on the server once it answers again (the
// cookie is the browser's: the page cannot drop it itself).
const LOGOUT_PENDING = 'ytexa.logout-pending';
// Logins started on this page: a pending logout finished on the way back online must not end a
// session that a login made meanwhile (the cookie would be the new one's).
let logins = 0;
// That logout while it is on its way: a login waits for it, or its answer (which clears the cookie)
// could arrive after the login's and end the new session.
let ending = null;
// The session check running now: one at a time (the online event and the health probe can both
// start one, and two would send the pending logout twice).
let restoring = null;
const HREF = { my_record: 'my', visit: 'visits', my_visits: 'my-visits', consult: 'consults', training_hours: 'training/hours' };

// Hash routes: #/login, #/home, #/network, #/patients, #/my, #/visits, #/my-visits, #/queue,
// #/schedule, #/consults, #/training, #/reports, #/outbox, #/account; anything else is home (or login without a session).
const ROUTES = new Set([
  'login',
  'home',
  'network',
  'patients',
  'my',
  'visits',
  'my-visits',
  'queue',
  'schedule',
  'consults',
  'training',
  'reports',
  'guest',
  'outbox',
  'account',
]);
const route = () => {
  const r = parts()[0];
  return ROUTES.has(r) ? r : 'home';
};
// The first load carries the shell, the login, the home page and the network page, which every
// role has; each role's own pages are fetched when their route opens (docs/web.md): the patients,
// visits, queue and cases of the clinical roles, a patient's own record, the video room (a case's
// or a guest's), training with its administration, and the reports with their charts.
const Room = lazy(() => import('./room.js'), 'Room');
const Training = lazy(() => import('./training.js'), 'Training');
const Reports = lazy(() => import('./reports.js'), 'Reports');
const Patients = lazy(() => import('./patients.js'), 'Patients');
const PatientPage = lazy(() => import('./patients.js'), 'PatientPage');
const Visits = lazy(() => import('./visits.js'), 'Visits');
const MyVisits = lazy(() => import('./visits.js'), 'MyVisits');
const MySchedule = lazy(() => import('./visits.js'), 'MySchedule');
const Queue = lazy(() => import('./queue.js'), 'Queue');
const Consults = lazy(() => import('./consults.js'), 'Consults');
const Account = lazy(() => import('./account.js'), 'Account');
// Once the home page is up, the code of the role's tiles is fetched in the background, so a tile
// opens at once and the service worker keeps it for a day without a network.
const PAGES = {
  queue: [Queue],
  patients: [Patients],
  my_record: [PatientPage],
  visit: [Visits],
  my_visits: [MyVisits],
  schedule: [MySchedule],
  consult: [Consults, Room],
  training: [Training],
  training_hours: [Training],
  reports: [Reports],
};
const preloadRole = (role) => (TILES[role] || []).forEach((k) => (PAGES[k] || []).forEach((c) => c.preload()));

function Login({ onLogin }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [errs, setErrs] = useState({});
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    logins++;
    setBusy(true);
    setErrs({});
    setError(null);
    try {
      await ending?.catch(() => {});
      // Whoever logs in starts with an empty copy: nothing of an earlier user is ever shown.
      await clearReads();
      await api.login(username.trim(), password);
      renew();
      // A logout left pending offline is done: this login's session replaced that cookie.
      localStorage.removeItem(LOGOUT_PENDING);
      const me = await api.me();
      await keep(ME, me);
      onLogin(me.user);
    } catch (err) {
      const placed = placeError(err, { username: ['username', t('username')], password: ['password', t('password')] });
      setErrs(placed.field);
      setError(placed.general);
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="login">
    <div class="brand"><img src="/icon.svg" alt="" width="56" height="56" /><h1>${t('app_name')}</h1><p>${t('app_tagline')}</p></div>
    <form onSubmit=${submit} class="card" aria-label=${t('login_title')}>
      <h2>${t('login_title')}</h2>
      <${Field} id="username" label=${t('username')} error=${errs.username} name="username" autocomplete="username" autocapitalize="none" required
        value=${username} onInput=${(e) => setUsername(e.target.value)} />
      <${Field} id="password" label=${t('password')} error=${errs.password} name="password" type="password" autocomplete="current-password" required
        value=${password} onInput=${(e) => setPassword(e.target.value)} />
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <button type="submit" disabled=${busy}>${busy ? t('logging_in') : t('login')}</button>
    </form>
    <${LangSwitch} />
  </main>`;
}

function LangSwitch() {
  const [, redraw] = useState(0);
  const other = getLang() === 'vi' ? 'en' : 'vi';
  const label = other === 'en' ? 'English' : 'Tiếng Việt';
  // The accessible name holds the visible word (WCAG 2.5.3) and says what the button is for.
  return html`<button class="lang" lang=${other} aria-label=${t('language') + ': ' + label} onClick=${async () => {
    await setLang(other);
    redraw((n) => n + 1);
    window.dispatchEvent(new Event('ytexa-lang'));
  }}>
    ${label}</button>`;
}

function Header({ user, onLogout }) {
  // Logging out empties the outbox (docs/web.md, "Offline writes"): say what would be lost first.
  const waiting = useOutbox().length;
  const [asking, setAsking] = useState(false);
  const logout = () => (waiting && !asking ? setAsking(true) : onLogout());
  return html`<header class="top">
    <a class="logo" href="#/home"><img src="/icon.svg" alt="" width="28" height="28" /> ytexa</a>
    <div class="who">
      <a class="me" href="#/account" title=${t('acc_open')}><strong class="name">${user.full_name}</strong></a>
      <span class="role">${t('role_' + user.role)}</span>
      <span class="facility">${user.facility ? user.facility.name : user.role === 'ministry_admin' ? t('ministry') : ''}</span>
    </div>
    <${LangSwitch} />
    <${OutboxCount} />
    <button class="logout" onClick=${logout}>${t('logout')}</button>
    ${
      asking &&
      html`<div class="ob-confirm" role="alertdialog" aria-label=${t('logout')}>
      <p>${t('ob_logout_confirm').replace('{n}', waiting)}</p>
      <div class="actions"><button class="danger" onClick=${onLogout}>${t('ob_logout_yes')}</button>
        <button class="link" onClick=${() => setAsking(false)}>${t('ob_keep')}</button></div></div>`
    }
  </header>`;
}

function Home({ user }) {
  return html`<main class="home">
    <h1>${t('hello')}, ${user.full_name}</h1>
    ${TODAY.has(user.role) && html`<${TodayCards} />`}
    <h2>${t('your_work')}</h2>
    <ul class="tiles">
      ${(TILES[user.role] || ['network']).map((k) =>
        READY.has(k)
          ? html`<li><a class="tile" href=${'#/' + (HREF[k] || k)}><strong>${t('tile_' + k)}</strong><span>${t('tile_' + k + '_d')}</span></a></li>`
          : html`<li><div class="tile disabled" aria-disabled="true"><strong>${t('tile_' + k)}</strong><span>${t('tile_' + k + '_d')}</span><em>${t('coming_soon')}</em></div></li>`,
      )}
    </ul>
  </main>`;
}

// Notifications pushed by the hub while the app is open (a case waiting, a message missed), shown
// for a minute with a link to what they are about, in the app's language (the push carries both).
function Notices() {
  const [items, setItems] = useState([]);
  useEffect(
    () =>
      onNotification((n) => {
        setItems((xs) => [...xs.filter((x) => x.id !== n.id), n].slice(-4));
        setTimeout(() => setItems((xs) => xs.filter((x) => x.id !== n.id)), 60000);
      }),
    [],
  );
  const href = (n) => (n.consult_id ? `#/consults/${n.consult_id}` : n.visit_id ? `#/visits/${n.visit_id}` : null);
  return html`<ul class="notices" role="status" aria-live="polite">${items.map(
    (n) => html`<li class="notice" data-kind=${n.kind}>
    <span>${getLang() === 'en' && n.text_en ? n.text_en : n.text}</span> ${href(n) && html`<a href=${href(n)}>${t('notice_open')}</a>`}
    <button class="link" aria-label=${t('notice_close')} onClick=${() => setItems((xs) => xs.filter((x) => x.id !== n.id))}>×</button></li>`,
  )}</ul>`;
}

// A guest of a consultation's room (a family member, an interpreter), from the link they were
// given: no account, no menu, only the room.
function GuestRoom({ code }) {
  return html`<main class="page guest">
    <div class="brand"><img src="/icon.svg" alt="" width="40" height="40" /><h1>${t('app_name')}</h1></div>
    <p>${t('guest_intro')}</p>
    <${Room} guestCode=${code} />
    <${LangSwitch} />
  </main>`;
}

function App() {
  const [user, setUser] = useState(undefined);
  const page = useRoute(route);
  const [offline, setOffline] = useState(false);
  const [, redraw] = useState(0);
  // Restore the session from the cookie. Without a network the shell still opens (service
  // worker) as the user last signed in on this browser, from the kept copy of /api/v1/me (never a
  // password or a token), with the offline banner; with no copy, say so and offer to retry. A 401
  // (the session ended) always leads to the login and drops every copy.
  const restore = () => (restoring ||= check().finally(() => (restoring = null)));
  const check = async () => {
    setOffline(false);
    const epoch = logins;
    try {
      const r = await api.me();
      if (epoch !== logins) return; // someone logged in meanwhile: that login decides
      if (localStorage.getItem(LOGOUT_PENDING)) {
        // The logout made offline, now that the server answers (me gave the CSRF token).
        renew();
        ending = api.logout();
        await ending.finally(() => (ending = null));
        if (epoch !== logins) return;
        localStorage.removeItem(LOGOUT_PENDING);
        await clearReads();
        setUser(null);
        return;
      }
      await keep(ME, r);
      setUser((u) => (u && u.id === r.user.id ? u : r.user));
    } catch (e) {
      // The session ended or is refused: the login, and nothing kept survives it.
      if (e.status === 401 || e.status === 403) await clearReads();
      // No answer, or a server that cannot answer now (5xx): the kept user, if any.
      if (e.status !== 0 && !(e.status >= 500)) {
        setUser(null);
        return;
      }
      const c = localStorage.getItem(LOGOUT_PENDING) ? null : await copyOf(ME);
      if (!c) return setOffline(true);
      sawCopy(c.at);
      setUser((u) => u || c.data.user);
    }
  };
  useEffect(() => {
    restore();
    const onLang = () => redraw((n) => n + 1);
    const onUnauth = () => {
      clearReads();
      setUser(null);
    };
    window.addEventListener('ytexa-lang', onLang);
    window.addEventListener('ytexa-unauth', onUnauth);
    // A logout made offline is finished as soon as the server answers again.
    const stopNet = onOnlineChange((o) => o && localStorage.getItem(LOGOUT_PENDING) && restore());
    return () => {
      stopNet();
      window.removeEventListener('ytexa-lang', onLang);
      window.removeEventListener('ytexa-unauth', onUnauth);
    };
  }, []);
  // Keep the address bar honest: #/login without a session, never #/login with one. A guest's
  // link (#/guest/<code>) needs no session.
  useEffect(() => {
    if (page === 'guest') return;
    if (user === null) go('login');
    else if (user && page === 'login') go('home');
  }, [user, page]);
  // The outbox works for whoever is signed in, and waits while nobody is.
  useEffect(() => {
    if (user !== undefined) startOutbox(user);
  }, [user?.id ?? user]);
  useEffect(() => {
    if (!user) return undefined;
    const timer = setTimeout(() => preloadRole(user.role), 1000);
    // Back online after starting without a network: is the session still alive (a 401 leads to
    // the login), and the day's copy is made fresh.
    const stop = onOnlineChange((o) => {
      if (o) restore();
      if (o && isStation(user)) syncDay().catch(() => {});
    });
    if (isOnline() && isStation(user)) syncDay().catch(() => {});
    // Someone took a number or was called at another desk: the day's copy follows, whatever page
    // is open.
    const stopLive = isStation(user) ? onFacilityChanged(['queue'], () => syncDay().catch(() => {}), { ms: 2000 }) : () => {};
    return () => {
      clearTimeout(timer);
      stop();
      stopLive();
    };
  }, [user]);
  if (offline) {
    lastUser();
    return html`<main class="login"><div class="card" role="alert"><p>${t('network_error')}</p>
      <button onClick=${restore}>${t('retry')}</button></div>
      <section class="card" aria-labelledby="ob-offline"><h2 id="ob-offline">${t('ob_title')}</h2><${OutboxList} /></section>
      <${LangSwitch} /></main>`;
  }
  if (page === 'guest') return html`<${GuestRoom} code=${parts()[1] || ''} />`;
  if (user === undefined) return html`<${Pending} />`;
  if (!user)
    return html`<${Login} onLogin=${(u) => {
      setUser(u);
      go('home');
    }} />`;
  const onLogout = async () => {
    // What this browser kept — the day's copy, the typed drafts, what waits to be sent — goes
    // first, network or not (the header asked before dropping what waits).
    clearDrafts();
    api.forgetUploads();
    await clearOutbox().catch(() => {});
    await clearReads();
    renew();
    await api.logout().catch((e) => {
      if (e.status === 0) localStorage.setItem(LOGOUT_PENDING, '1');
    });
    setUser(null);
  };
  return html`<${Header} user=${user} onLogout=${onLogout} /><${OfflineBanner} /><${Notices} />
    ${
      page === 'network'
        ? html`<${Network} />`
        : page === 'patients'
          ? html`<${Patients} user=${user} />`
          : page === 'my' && user.patient_id
            ? html`<${PatientPage} id=${user.patient_id} self=${true} />`
            : page === 'visits'
              ? html`<${Visits} user=${user} />`
              : page === 'my-visits'
                ? html`<${MyVisits} user=${user} />`
                : page === 'schedule'
                  ? html`<${MySchedule} user=${user} />`
                  : page === 'outbox'
                    ? html`<${OutboxPage} />`
                    : page === 'account'
                      ? html`<${Account} user=${user} />`
                      : page === 'queue'
                        ? html`<${Queue} />`
                        : page === 'consults'
                          ? html`<${Consults} user=${user} />`
                          : page === 'training'
                            ? html`<${Training} user=${user} />`
                            : page === 'reports' && REPORT_READERS.has(user.role)
                              ? html`<${Reports} user=${user} />`
                              : html`<${Home} user=${user} />`
    }`;
}

startLang().then(() => render(html`<${App} />`, document.getElementById('app')));
// The shell works offline once loaded (https, or http on this machine's loopback for testing).
if ('serviceWorker' in navigator && window.isSecureContext) navigator.serviceWorker.register('/sw.js').catch(() => {});
