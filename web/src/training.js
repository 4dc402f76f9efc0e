// Online training (đào tạo trực tuyến) on screen: a hub's trainer makes a course (materials, live
// sessions, a quiz), publishes it and enrols stations or people; health workers enrol themselves,
// read, watch the live lectures, take the quiz and keep their credit hours and certificates. The
// live page presents the trainer's camera to the session's Janus room and shows attendance as it
// is counted; viewers only receive (no camera), raise a hand and ask questions. Attendance is
// counted by the server from the page's stay in the hub channel session:<sid> (docs/training.md).
// Routes: #/training, #/training/new, #/training/<course id>, #/training/sessions/<sid>/live, and
// #/training/hours (administrators' credit hours, in training_admin.js).
import { useState, useEffect, useRef } from 'preact/hooks';
import { html } from 'htm/preact';
import { call } from './api.js';
import { t, getLang } from './i18n.js';
import { errorText, placeError, Field, formatTime } from './words.js';
import { when } from './appointments.js';
import { upload } from './upload.js';
import { parts, idOf, useRoute, go } from './router.js';
import { useLoad, Pending } from './loader.js';
import { listen, send } from './live.js';
import { janusSession, gathered, feedSubscriber, Tile } from './room.js';
// training_admin.js imports this module's helpers back; neither uses the other's exports at load time.
import { CourseEdit, CaseView, SiteAttendance, TrainingHours, Revoke } from './training_admin.js';
import { NetButton, NetLink } from './online.js';

// training_admin.js takes the loader's useLoad from here with the rest.
export { useLoad };
export const ROLES = ['health_worker', 'doctor', 'specialist'];
export const LEVELS = ['commune', 'district', 'provincial', 'central'];
const LEARNERS = new Set(ROLES);
// Who records a site's attendance (docs/training.md, "Site attendance").
const SITE_RECORDERS = new Set([...ROLES, 'facility_admin']);
const ADMINS = new Set(['facility_admin', 'province_admin', 'ministry_admin']);
export const hours = (h) => `${String(Math.round(h * 100) / 100).replace('.', getLang() === 'vi' ? ',' : '.')} ${t('hours')}`;
const mmss = (s) => `${Math.floor(s / 60)} ${t('minutes')} ${String(s % 60).padStart(2, '0')} s`;
export const Err = ({ e }) => (e ? html`<p class="error" role="alert">${e}</p>` : '');

export const trainingRoute = () => {
  const [, what, sid, live] = parts();
  if (what === 'sessions' && idOf(sid) && live === 'live') return { page: 'live', sid: idOf(sid) };
  if (what === 'hours') return { page: 'hours' };
  if (what === 'new') return { page: 'new' };
  return idOf(what) ? { page: 'course', id: idOf(what) } : { page: 'list' };
};

// The training pages follow the hash.
export function Training({ user }) {
  const r = useRoute(trainingRoute);
  if (r.page === 'live') return html`<${LivePage} key=${r.sid} sid=${r.sid} />`;
  if (r.page === 'new') return html`<${NewCourse} />`;
  if (r.page === 'hours') return html`<${TrainingHours} user=${user} />`;
  if (r.page === 'course') return html`<${CoursePage} key=${r.id} id=${r.id} user=${user} />`;
  return html`<${TrainingList} user=${user} />`;
}

const State = ({ s }) => html`<span class=${'tr-state s-' + s}>${t('tr_state_' + s)}</span>`;

function CourseItem({ c, action }) {
  const live = (c.sessions || []).find((s) => s.state === 'live');
  return html`<li class="course-item"><a class="facility" href=${'#/training/' + c.id}>
      <strong>${c.title}</strong>
      <span class="muted">${c.facility.name} · ${hours(c.credit_hours)} · <${State} s=${c.state} />
        ${live ? html` · <b class="live-dot">${t('tr_live_now')}</b>` : ''}</span></a>
    ${action}</li>`;
}

function TrainingList({ user }) {
  const maker = user.role === 'trainer' || user.role === 'facility_admin';
  const learner = LEARNERS.has(user.role);
  const [mine, error, reload] = useLoad(() => call('GET', '/api/v1/courses?scope=mine&limit=100').then((r) => r.items), []);
  const [avail, , reloadAvail] = useLoad(
    () => (learner ? call('GET', '/api/v1/courses?scope=available&limit=100').then((r) => r.items) : Promise.resolve([])),
    [],
  );
  const [busy, setBusy] = useState(null);
  const [enrolError, setEnrolError] = useState(null);
  const enrol = async (c) => {
    setBusy(c.id);
    setEnrolError(null);
    try {
      await call('POST', `/api/v1/courses/${c.id}/enrolments`, {});
      await Promise.all([reload(), reloadAvail()]);
    } catch (e) {
      setEnrolError(errorText(e));
    } finally {
      setBusy(null);
    }
  };
  return html`<main class="page training">
    <div class="title-row"><h1>${t('tr_title')}</h1><div class="actions">${maker && html`<a class="button" href="#/training/new">${t('tr_new_course')}</a>`}
      ${ADMINS.has(user.role) && html`<a class="button secondary" href="#/training/hours">${t('tr_hours_title')}</a>`}</div></div>
    <section class="card"><h2>${t('tr_my_courses')}</h2><${Err} e=${error} />
      ${
        mine === null
          ? html`<p>${t('loading')}</p>`
          : mine.length === 0
            ? html`<p class="muted">${t('tr_none')}</p>`
            : html`<ul class="facilities">${mine.map((c) => html`<${CourseItem} key=${c.id} c=${c} />`)}</ul>`
      }</section>
    ${
      learner &&
      html`<section class="card"><h2>${t('tr_available')}</h2><${Err} e=${enrolError} />
      ${
        avail === null
          ? html`<p>${t('loading')}</p>`
          : avail.length === 0
            ? html`<p class="muted">${t('tr_none_available')}</p>`
            : html`<ul class="facilities">${avail.map(
                (c) => html`<${CourseItem} key=${c.id} c=${c}
          action=${html`<button disabled=${busy === c.id} onClick=${() => enrol(c)} aria-label=${t('tr_enrol') + ': ' + c.title}>${t('tr_enrol')}</button>`} />`,
              )}</ul>`
      }</section>`
    }
    ${learner && html`<${MyRecord} />`}
  </main>`;
}

// The caller's credit hours and certificates.
function MyRecord({ version = 0 }) {
  const [rec, error] = useLoad(() => call('GET', '/api/v1/training/records?limit=100'), [version]);
  return html`<section class="card record" aria-label=${t('tr_my_record')}><h2>${t('tr_my_record')}</h2><${Err} e=${error} />
    ${
      rec &&
      html`<p class="total"><strong>${t('tr_total_hours')}: ${hours(rec.total_hours)}</strong></p>
      ${
        rec.items.length === 0
          ? html`<p class="muted">${t('tr_no_credits')}</p>`
          : html`<ul class="links">${rec.items.map(
              (x) => html`<li>
        <strong>${x.course.title}</strong> · ${hours(x.hours)} <span class="muted">· ${x.course.facility.name} · ${when(x.earned_at)}</span><br />
        ${
          x.certificate
            ? html`<a href=${x.certificate.pdf_url} download>${t('tr_cert_download')}</a>
            <span class="muted"> · ${t('verify_code')} <code>${x.certificate.verify_code}</code>${x.certificate.revoked ? ' · ' + t('tr_cert_revoked') : ''}</span>`
            : html`<span class="muted">${t('tr_cert_pending')}</span>`
        }</li>`,
            )}</ul>`
      }`
    }
  </section>`;
}

// Boxes to tick; id and error: the group's refusal, said below it (the focus goes to the group).
export function Checks({ legend, options, value, onChange, label, id, error }) {
  return html`<fieldset id=${id} tabindex=${id ? '-1' : undefined} aria-invalid=${error ? 'true' : undefined}
    aria-describedby=${error ? `${id}-error` : undefined}><legend>${legend}</legend>${options.map(
      (o) => html`<label class="check">
    <input type="checkbox" checked=${value.includes(o)} onChange=${(e) => onChange(e.target.checked ? [...value, o] : value.filter((x) => x !== o))} /> ${label(o)}</label>`,
    )}${error && html`<p class="field-error" id=${`${id}-error`} role="alert">${error}</p>`}</fieldset>`;
}

function NewCourse() {
  const [f, setF] = useState({
    title: '',
    description: '',
    target_roles: ['health_worker'],
    target_levels: ['commune'],
    credit_hours: '1',
  });
  const [busy, setBusy] = useState(false);
  const [errs, setErrs] = useState({});
  const [error, setError] = useState(null);
  const set = (k, v) => setF({ ...f, [k]: v });
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setErrs({});
    setError(null);
    try {
      const c = await call('POST', '/api/v1/courses', {
        title: f.title.trim(),
        ...(f.description.trim() ? { description: f.description.trim() } : {}),
        target_roles: f.target_roles,
        target_levels: f.target_levels,
        credit_hours: Number(f.credit_hours),
      });
      go('training/' + c.id);
    } catch (err) {
      const placed = placeError(err, {
        title: ['ct', t('tr_course_title')],
        description: ['cd', t('tr_description')],
        target_roles: ['croles', t('tr_target_roles')],
        target_levels: ['clevels', t('tr_target_levels')],
        credit_hours: ['ch', t('tr_credit_hours')],
      });
      setErrs(placed.field);
      setError(placed.general);
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="page"><a class="back" href="#/training">← ${t('tr_title')}</a>
    <form class="card form" onSubmit=${submit}><h1>${t('tr_new_course')}</h1>
      <${Field} id="ct" label=${t('tr_course_title')} error=${errs.ct} required minlength="3" maxlength="200" value=${f.title} onInput=${(e) => set('title', e.target.value)} />
      <${Field} as="textarea" id="cd" label=${t('tr_description')} error=${errs.cd} rows="4" maxlength="8000" value=${f.description} onInput=${(e) => set('description', e.target.value)} />
      <${Checks} id="croles" error=${errs.croles} legend=${t('tr_target_roles')} options=${ROLES} value=${f.target_roles} onChange=${(v) => set('target_roles', v)} label=${(r) => t('role_' + r)} />
      <${Checks} id="clevels" error=${errs.clevels} legend=${t('tr_target_levels')} options=${LEVELS} value=${f.target_levels} onChange=${(v) => set('target_levels', v)} label=${(l) => t('level_' + l)} />
      <${Field} id="ch" label=${t('tr_credit_hours')} error=${errs.ch} type="number" required min="0.25" max="100" step="0.25" value=${f.credit_hours} onInput=${(e) => set('credit_hours', e.target.value)} />
      <${Err} e=${error} />
      <button type="submit" disabled=${busy}>${t('tr_create')}</button>
    </form></main>`;
}

let formSeq = 0;

// A small form whose submit runs act(values) and shows its error; fields as in consults' ActionForm.
// A refused field (the API's name is f.api, or f.name) is said next to itself and takes the focus.
export function MiniForm({ fields, label, act, children, initial = {} }) {
  const idp = useRef('mf' + ++formSeq + '-').current; // ids unique on the page
  const [v, setV] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [errs, setErrs] = useState({});
  const [error, setError] = useState(null);
  const shown = fields.filter((f) => !f.when || f.when(v));
  const run = async (e) => {
    e.preventDefault();
    setBusy(true);
    setErrs({});
    setError(null);
    try {
      await act(v);
      setV(initial);
      e.target.reset?.();
    } catch (err) {
      const placed = placeError(err, Object.fromEntries(shown.map((f) => [f.api || f.name, [idp + f.name, f.label]])));
      setErrs(placed.field);
      setError(placed.general);
    } finally {
      setBusy(false);
    }
  };
  const input = (f) => {
    const common = {
      id: idp + f.name,
      label: f.label,
      error: errs[idp + f.name],
      hint: f.hint,
      required: !f.optional,
      onInput: (e) => setV({ ...v, [f.name]: e.target.value }),
      onChange: (e) => setV({ ...v, [f.name]: e.target.value }),
    };
    if (f.options)
      return html`<${Field} as="select" ...${common} value=${v[f.name] || ''}>${f.blank !== false && html`<option value="">—</option>`}${f.options.map(([k, l]) => html`<option value=${k}>${l}</option>`)}</${Field}>`;
    if (f.file)
      return html`<${Field} ...${common} type="file" accept=${f.accept} onInput=${undefined} onChange=${(e) => setV({ ...v, [f.name]: e.target.files[0] })} />`;
    return html`<${Field} ...${common} type=${f.type || 'text'} value=${v[f.name] || ''} min=${f.min} max=${f.max} step=${f.step} />`;
  };
  return html`<form class="form action" onSubmit=${run}>${children}
    ${shown.map(input)}
    <${Err} e=${error} /><button type="submit" disabled=${busy}>${label}</button></form>`;
}

// A button that asks once more before an act that cannot be undone (archive, cancel, withdraw).
export function Confirm({ label, sure, act, cls = 'link', aria }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      await act();
      setAsking(false);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return html`<span class="confirm">${
    asking
      ? html`<span role="group" aria-label=${aria || label}>${sure} <button class="danger" disabled=${busy} onClick=${run}>${t('tr_yes')}</button>
        <button class="link" onClick=${() => setAsking(false)}>${t('tr_no')}</button></span>`
      : html`<button class=${cls} aria-label=${aria} onClick=${() => setAsking(true)}>${label}</button>`
  }${error && html` <span class="error" role="alert">${error}</span>`}</span>`;
}

function CoursePage({ id, user }) {
  const [c, error, reload, setC] = useLoad(() => call('GET', `/api/v1/courses/${id}`), [id]);
  const [actError, setActError] = useState(null);
  const [recVersion, setRecVersion] = useState(0);
  if (error && !c) return html`<main class="page"><a class="back" href="#/training">← ${t('tr_title')}</a><${Err} e=${error} /></main>`;
  if (!c) return html`<${Pending} />`;
  const maker = c.my.trainer || c.my.admin;
  const enrolled = c.my.enrolled || c.my.site;
  const act = (method, path, body) =>
    call(method, path, body)
      .then(setC)
      .catch((e) => setActError(errorText(e)));
  return html`<main class="page course">
    <a class="back" href="#/training">← ${t('tr_title')}</a>
    <section class="card">
      <h1>${c.title}</h1>
      <p><${State} s=${c.state} /> · ${c.facility.name} · ${hours(c.credit_hours)}</p>
      ${c.description && html`<pre class="summary">${c.description}</pre>`}
      <dl class="facts">
        <dt>${t('tr_target_roles')}</dt><dd>${c.target_roles.map((r) => t('role_' + r)).join(', ') || '—'}</dd>
        <dt>${t('tr_target_levels')}</dt><dd>${c.target_levels.map((l) => t('level_' + l)).join(', ') || '—'}</dd>
        <dt>${t('tr_rules')}</dt><dd>${t('tr_attendance')} ≥ ${c.attendance_pass_pct}% · ${t('tr_quiz')} ≥ ${c.quiz_pass_pct}%</dd>
        <dt>${t('tr_trainers')}</dt><dd>${c.trainers.map((x) => x.full_name).join(', ')}</dd>
      </dl>
      <${Err} e=${actError} />
      <div class="actions">
        ${maker && c.state === 'draft' && html`<button onClick=${() => act('POST', `/api/v1/courses/${id}/publish`, {})}>${t('tr_publish')}</button>`}
        ${
          maker &&
          c.state === 'published' &&
          html`<${Confirm} label=${t('tr_archive')} sure=${t('tr_archive_sure')} cls="secondary"
          act=${() => call('POST', `/api/v1/courses/${id}/archive`, {}).then(setC)} />`
        }
        ${
          !maker &&
          !enrolled &&
          c.my.eligible &&
          html`<button onClick=${() =>
            call('POST', `/api/v1/courses/${id}/enrolments`, {})
              .then(reload)
              .catch((e) => setActError(errorText(e)))}>${t('tr_enrol')}</button>`
        }
        ${enrolled && html`<span class="ok">${t('tr_enrolled')}</span>`}
      </div>
      ${maker && c.state !== 'archived' && html`<${CourseEdit} key=${c.updated_at} c=${c} onSaved=${setC} />`}
    </section>
    <${Materials} c=${c} maker=${maker} onChange=${reload} />
    <${Sessions} c=${c} maker=${maker} enrolled=${enrolled} user=${user} onChange=${reload} />
    ${maker && html`<${QuizEditor} c=${c} onChange=${reload} />`}
    ${!maker && enrolled && c.quiz && html`<${QuizTaker} c=${c} onCredit=${() => setRecVersion((v) => v + 1)} />`}
    ${maker && html`<${Enrolments} c=${c} />`}
    ${!maker && LEARNERS.has(user.role) && enrolled && html`<${MyRecord} version=${recVersion} />`}
  </main>`;
}

function Materials({ c, maker, onChange }) {
  const add = async (v) => {
    const body = { title: v.title.trim() };
    if (v.kind === 'file') {
      if (!v.file) throw new Error(t('tr_pick_file'));
      body.file_id = await upload(v.file, undefined, { purpose: 'course_material' });
    } else body.url = v.url.trim();
    await call('POST', `/api/v1/courses/${c.id}/materials`, body);
    onChange();
  };
  return html`<section class="card"><h2>${t('tr_materials')}</h2>
    ${
      c.materials.length === 0
        ? html`<p class="muted">${t('tr_no_materials')}</p>`
        : html`<ul class="links">${c.materials.map(
            (m) => html`<li>
      ${m.download_url ? html`<a href=${m.download_url} target=${m.url ? '_blank' : undefined} rel="noopener">${m.title}</a>` : m.title}
      <span class="muted"> · ${m.file_id ? 'PDF' : t('tr_link')}</span>
      ${maker && html` <button class="link danger-link" onClick=${() => call('DELETE', `/api/v1/courses/${c.id}/materials/${m.id}`).then(onChange)}>${t('tr_remove')}</button>`}</li>`,
          )}</ul>`
    }
    ${
      maker &&
      html`<details><summary>${t('tr_add_material')}</summary><${MiniForm} label=${t('tr_add_material')} act=${add} fields=${[
        { name: 'title', label: t('tr_material_title') },
        {
          name: 'kind',
          label: t('tr_material_kind'),
          options: [
            ['url', t('tr_link')],
            ['file', t('tr_pdf_file')],
          ],
        },
        { name: 'url', label: t('tr_url'), type: 'url', when: (v) => v.kind === 'url' },
        { name: 'file', label: t('tr_pdf_file'), file: true, accept: 'application/pdf,video/mp4', when: (v) => v.kind === 'file' },
      ]} /></details>`
    }
  </section>`;
}

function Sessions({ c, maker, enrolled, user, onChange }) {
  const [error, setError] = useState(null);
  const [shown, setShown] = useState(null); // { id, what }: the session whose attendance, case … is open
  const toggle = (s, what) => setShown(shown?.id === s.id && shown.what === what ? null : { id: s.id, what });
  const open = (s, what) => shown?.id === s.id && shown.what === what;
  // Someone of an enrolled site (not of the hub running it) records who watched together there.
  const site = !maker && enrolled && user.facility && SITE_RECORDERS.has(user.role);
  const start = async (s) => {
    setError(null);
    try {
      await call('POST', `/api/v1/sessions/${s.id}/start`, {});
      // A trainer presents; an administrator (who may start but not present) follows from here.
      if (c.my.trainer) go(`training/sessions/${s.id}/live`);
      else onChange();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const add = async (v) => {
    const kind = v.kind || 'live';
    const at = kind === 'live' ? v.starts_at : kind === 'case' ? v.case_starts_at : null;
    await call('POST', `/api/v1/courses/${c.id}/sessions`, {
      kind,
      title: v.title.trim(),
      minutes: Number(v.minutes),
      ...(at ? { starts_at: `${at}:00+07:00` } : {}), // typed in Vietnam time
      ...(kind === 'case' ? { consult_id: Number(v.consult_id) } : {}),
    });
    onChange();
  };
  const liveKind = (s) => s.kind === 'live' || s.kind === 'case';
  // The consultations a case session may present, for the makers to pick from (no names in them).
  const [cases] = useLoad(
    () => (maker && c.state !== 'archived' ? call('GET', `/api/v1/courses/${c.id}/cases?limit=100`) : Promise.resolve(null)),
    [c.id, maker, c.state, c.sessions.length],
  );
  const caseLabel = (k) =>
    `#${k.id} · ${k.specialty_name} · ${t('urgency_' + k.urgency)} · ${t('tr_concluded')} ${when(k.concluded_at)} · ${t('sex_' + k.patient.sex)}, ${k.patient.age_band.replace('-', '–')} ${t('years_old')}${k.in_course ? ' · ' + t('tr_case_in_course') : ''}`;
  return html`<section class="card sessions"><h2>${t('tr_sessions')}</h2><${Err} e=${error} />
    ${
      c.sessions.length === 0
        ? html`<p class="muted">${t('tr_no_sessions')}</p>`
        : html`<ul class="links">${c.sessions.map(
            (s) => html`<li data-session=${s.id}>
      <strong>${s.title}</strong> <span class="muted">· ${t('tr_kind_' + s.kind)} · ${s.starts_at ? when(s.starts_at) + ' · ' : ''}${s.minutes} ${t('minutes')}</span>
      <${State} s=${s.state} />
      <div class="actions">
        ${maker && c.state === 'published' && s.state === 'planned' && liveKind(s) && html`<${NetButton} onClick=${() => start(s)}>${t('tr_start')}<//>`}
        ${s.state === 'live' && (c.my.trainer || enrolled) && html`<${NetLink} class="button" href=${`#/training/sessions/${s.id}/live`}>${c.my.trainer ? t('tr_present') : t('tr_watch')}<//>`}
        ${maker && (s.state === 'ended' || s.state === 'live') && html`<button class="link" aria-expanded=${open(s, 'att')} onClick=${() => toggle(s, 'att')}>${t('tr_attendance')}</button>`}
        ${s.kind === 'case' && (maker || c.my.enrolled) && html`<button class="link" aria-expanded=${open(s, 'case')} onClick=${() => toggle(s, 'case')}>${t('tr_case_open')}</button>`}
        ${s.kind === 'self_paced' && s.state !== 'cancelled' && html`<button class="link" aria-expanded=${open(s, 'self')} onClick=${() => toggle(s, 'self')}>${t('tr_self_open')}</button>`}
        ${site && liveKind(s) && (s.state === 'ended' || s.state === 'live') && html`<button class="link" aria-expanded=${open(s, 'site')} onClick=${() => toggle(s, 'site')}>${t('tr_site_attendance')}</button>`}
        ${
          maker &&
          s.state === 'planned' &&
          html`<${Confirm} label=${t('tr_cancel_session')} aria=${t('tr_cancel_session') + ': ' + s.title} sure=${t('tr_cancel_sure')}
          act=${() => call('POST', `/api/v1/sessions/${s.id}/cancel`, {}).then(onChange)} />`
        }
      </div>
      ${open(s, 'att') && html`<${Attendance} sid=${s.id} courseId=${s.state === 'ended' ? c.id : null} every=${s.state === 'live' ? 4000 : 0} />`}
      ${open(s, 'case') && html`<${CaseView} sid=${s.id} />`}
      ${
        open(s, 'self') &&
        html`<div class="self-paced" aria-label=${s.title}><p>${s.minutes} ${t('minutes')} · ${t('tr_self_hint')}</p>
        ${
          c.materials.length === 0
            ? html`<p class="muted">${t('tr_no_materials')}</p>`
            : html`<ul class="links">${c.materials.map(
                (m) => html`<li>
          ${m.download_url ? html`<a href=${m.download_url} target=${m.url ? '_blank' : undefined} rel="noopener">${m.title}</a>` : m.title}</li>`,
              )}</ul>`
        }</div>`
      }
      ${open(s, 'site') && html`<${SiteAttendance} sid=${s.id} user=${user} />`}</li>`,
          )}</ul>`
    }
    ${
      maker &&
      c.state !== 'archived' &&
      html`<details><summary>${t('tr_add_session')}</summary><${MiniForm} label=${t('tr_add_session')} act=${add} initial=${{ kind: 'live' }} fields=${[
        {
          name: 'kind',
          label: t('tr_session_kind'),
          blank: false,
          options: ['live', 'self_paced', 'case'].map((k) => [k, t('tr_kind_' + k)]),
        },
        { name: 'title', label: t('tr_session_title') },
        { name: 'starts_at', label: t('tr_starts_at'), type: 'datetime-local', when: (v) => (v.kind || 'live') === 'live' },
        {
          name: 'case_starts_at',
          api: 'starts_at',
          label: t('tr_starts_at'),
          type: 'datetime-local',
          optional: true,
          when: (v) => v.kind === 'case',
        },
        {
          name: 'consult_id',
          label: t('tr_consult_id'),
          options: (cases?.items || []).map((k) => [String(k.id), caseLabel(k)]),
          hint: cases?.items.length === 0 ? t('tr_no_cases') : t('tr_case_hint'),
          when: (v) => v.kind === 'case',
        },
        { name: 'minutes', label: t('tr_session_minutes'), type: 'number', min: 5, max: 600 },
      ]} /></details>`
    }
  </section>`;
}

// A session's attendance: polled every few seconds while live (every: ms), once when ended.
function Attendance({ sid, courseId, every = 0, version = 0 }) {
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    let stop = false;
    const load = () =>
      call('GET', `/api/v1/sessions/${sid}/attendance?limit=200`)
        .then((r) => {
          if (!stop) {
            setItems(r.items);
            setError(null);
          }
        })
        .catch((e) => !stop && setError(errorText(e)));
    load();
    const i = every ? setInterval(load, every) : null;
    return () => {
      stop = true;
      clearInterval(i);
    };
  }, [sid, every, version]);
  if (!items) return html`<${Pending} error=${error} />`;
  return html`<div class="attendance" aria-label=${t('tr_attendance')}><${Err} e=${error} />
    ${
      items.length === 0
        ? html`<p class="muted">${t('tr_nobody')}</p>`
        : html`<table><thead><tr>
      <th>${t('tr_person')}</th><th>${t('tr_time_present')}</th><th>%</th><th>${t('tr_result')}</th></tr></thead>
      <tbody>${items.map(
        (a) => html`<tr data-user=${a.user.id} class=${a.passed ? 'passed' : 'not-passed'}>
        <td>${a.present && html`<span class="live-dot" title=${t('tr_present_now')}>● </span>`}${a.user.full_name}
          <span class="muted">${a.user.facility ? ' · ' + a.user.facility.name : ''}${a.source === 'site' ? ' · ' + t('tr_site') : ''}</span></td>
        <td>${mmss(a.seconds)}</td><td>${a.pct}%</td>
        <td>${a.passed ? html`<span class="ok">${t('tr_passed')}</span>` : html`<span class="warn">${t('tr_not_passed')}</span>`}
          ${courseId && html` <${Certify} courseId=${courseId} userId=${a.user.id} name=${a.user.full_name} />`}</td></tr>`,
      )}</tbody></table>`
    }
  </div>`;
}

// One requirement that still holds a person's credit back, from the server's `missing` (docs/
// training.md, "The credit rule"): a session not held or not ended yet, attendance not passed,
// self-study without a quiz to check it, the quiz not passed.
const missingText = (m) => {
  if (m.kind === 'quiz') return t('tr_missing_quiz');
  const title = `“${m.session.title}”`;
  if (m.kind === 'self_paced') return `${title}: ${t('tr_missing_self')}`;
  if (m.session.state === 'ended') return `${title}: ${t('tr_missing_attendance')}${m.pct === null ? '' : ` (${m.pct}%)`}`;
  return `${title}: ${t(m.session.state === 'live' ? 'tr_missing_live' : 'tr_missing_planned')}`;
};
const requirementsText = (e) => {
  const missing = (e.detail?.missing || []).map(missingText);
  return missing.length ? `${t('tr_requirements_not_met')}: ${missing.join('; ')}.` : `${t('tr_requirements_not_met')}.`;
};

// Issues (or shows) a person's certificate for the course: their credit from the training records,
// awarded by hand when the rules hold but none is there yet, then its certificate.
function Certify({ courseId, userId, name }) {
  const [cert, setCert] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const issue = async () => {
    setBusy(true);
    setError(null);
    try {
      const rec = await call('GET', `/api/v1/training/records?user_id=${userId}&limit=200`).catch((e) =>
        e.status === 404 ? { items: [] } : Promise.reject(e),
      );
      let credit = rec.items.find((x) => x.course.id === courseId);
      if (!credit) credit = await call('POST', `/api/v1/courses/${courseId}/credits`, { user_id: userId });
      setCert(await call('POST', `/api/v1/credits/${credit.id}/certificate`));
    } catch (e) {
      setError(e.code === 'requirements_not_met' ? requirementsText(e) : errorText(e));
    } finally {
      setBusy(false);
    }
  };
  if (cert)
    return html`<span class="cert"><a href=${cert.pdf_url} download>PDF</a> <code>${cert.verify_code}</code>
    <${Revoke} cert=${cert} name=${name} onDone=${setCert} /></span>`;
  return html`<button class="link" disabled=${busy} onClick=${issue} aria-label=${t('tr_issue_cert') + ': ' + name}>${t('tr_issue_cert')}</button>${error && html` <span class="error">${error}</span>`}`;
}

function Enrolments({ c }) {
  const [list, error, reload] = useLoad(() => call('GET', `/api/v1/courses/${c.id}/enrolments?limit=200`).then((r) => r.items), [c.id]);
  const [facilities, setFacilities] = useState([]);
  useEffect(() => {
    call('GET', '/api/v1/facilities?limit=200')
      .then((r) => setFacilities(r.items.filter((f) => f.id !== c.facility.id)))
      .catch(() => {});
  }, [c.id]);
  const enrol = (body) => call('POST', `/api/v1/courses/${c.id}/enrolments`, body).then(reload);
  return html`<section class="card enrolments"><h2>${t('tr_enrolments')}</h2><${Err} e=${error} />
    ${
      list &&
      (list.length === 0
        ? html`<p class="muted">${t('tr_nobody')}</p>`
        : html`<ul class="links">${list.map(
            (e) => html`<li>
      ${
        e.facility
          ? html`<strong>${e.facility.name}</strong> <span class="muted">· ${t('tr_whole_site')}</span>`
          : html`<strong>${e.user.full_name}</strong>${e.user.facility ? html` <span class="muted">· ${e.user.facility.name}</span>` : ''}
          ${' '}<${Certify} courseId=${c.id} userId=${e.user.id} name=${e.user.full_name} />`
      }
      ${' '}<${Confirm} label=${t('tr_withdraw')} aria=${t('tr_withdraw') + ': ' + (e.facility ? e.facility.name : e.user.full_name)} sure=${t('tr_withdraw_sure')}
        act=${() => call('DELETE', `/api/v1/courses/${c.id}/enrolments/${e.id}`).then(reload)} /></li>`,
          )}</ul>`)
    }
    <details><summary>${t('tr_enrol_facility')}</summary><${MiniForm} label=${t('tr_enrol_facility')} act=${(v) => enrol({ facility_id: Number(v.facility_id) })}
      fields=${[{ name: 'facility_id', label: t('tr_facility'), options: facilities.map((f) => [String(f.id), f.name]) }]} /></details>
    <details><summary>${t('tr_enrol_person')}</summary><${MiniForm} label=${t('tr_enrol_person')} act=${(v) => enrol({ user_id: Number(v.user_id) })}
      fields=${[{ name: 'user_id', label: t('tr_user_id'), type: 'number', min: 1 }]} /></details>
  </section>`;
}

const blankQuestion = () => ({ question: '', choices: ['', ''], correct: 0 });
// Where the quiz's API paths are in the editor: "questions[1].choices[2]" is the third choice of the
// second question (ids qq1, qch1, qc1_2, qr1).
const at = (p) => p.match(/\d+/g).map(Number);
const QUIZ_FIELDS = () => ({
  'questions[].question': [(p) => `qq${at(p)[0]}`, t('tr_question_text')],
  'questions[].choices': [(p) => `qch${at(p)[0]}`, t('tr_choices')],
  'questions[].choices[]': [(p) => `qc${at(p)[0]}_${at(p)[1]}`, t('tr_choice')],
  'questions[].correct': [(p) => `qr${at(p)[0]}`, t('tr_correct')],
});
const FieldError = ({ id, errs }) => errs[id] && html`<p class="field-error" id=${`${id}-error`} role="alert">${errs[id]}</p>`;

function QuizEditor({ c, onChange }) {
  const [qs, setQs] = useState(null);
  const [error, setError] = useState(null);
  const [errs, setErrs] = useState({});
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (!c.quiz) {
      setQs([blankQuestion()]);
      return;
    }
    call('GET', `/api/v1/courses/${c.id}/quiz`)
      .then((r) => setQs(r.questions.map((q) => ({ question: q.question, choices: q.choices, correct: q.correct ?? 0 }))))
      .catch((e) => setError(errorText(e)));
  }, [c.id]);
  if (!qs) return html`<section class="card"><h2>${t('tr_quiz')}</h2><${Err} e=${error} /></section>`;
  const edit = (i, patch) => {
    setSaved(false);
    setQs(qs.map((q, k) => (k === i ? { ...q, ...patch } : q)));
  };
  const save = async (e) => {
    e.preventDefault();
    setError(null);
    setErrs({});
    try {
      await call('PUT', `/api/v1/courses/${c.id}/quiz`, {
        questions: qs.map((q) => ({ question: q.question.trim(), choices: q.choices.map((x) => x.trim()), correct: q.correct })),
      });
      setSaved(true);
      onChange();
    } catch (err) {
      const placed = placeError(err, QUIZ_FIELDS());
      setErrs(placed.field);
      setError(placed.general);
    }
  };
  const invalid = (id) => ({ 'aria-invalid': errs[id] ? 'true' : undefined, 'aria-describedby': errs[id] ? `${id}-error` : undefined });
  return html`<section class="card quiz-editor"><h2>${t('tr_quiz')}</h2>
    <p class="muted">${c.quiz ? `${c.quiz.questions} ${t('tr_questions')}` : t('tr_no_quiz')} · ${t('tr_quiz_pass')} ${c.quiz_pass_pct}% · ${t('tr_max_attempts')} ${c.quiz_max_attempts}</p>
    <details><summary>${t('tr_edit_quiz')}</summary>
    <form class="form" onSubmit=${save}>
      ${qs.map(
        (q, i) => html`<fieldset key=${i}><legend>${t('tr_question')} ${i + 1}</legend>
        <${Field} id=${'qq' + i} label=${t('tr_question_text')} error=${errs['qq' + i]} required minlength="3" value=${q.question} onInput=${(e) => edit(i, { question: e.target.value })} />
        <div id=${'qch' + i} tabindex="-1" class="choices" ...${invalid('qch' + i)}>
        ${q.choices.map(
          (ch, k) => html`<div class="choice-row">
          <input type="radio" id=${k === 0 ? 'qr' + i : undefined} name=${'qc' + i} checked=${q.correct === k} onChange=${() => edit(i, { correct: k })} aria-label=${`${t('tr_correct')} ${i + 1}.${k + 1}`} ...${k === 0 ? invalid('qr' + i) : {}} />
          <input id=${`qc${i}_${k}`} required value=${ch} aria-label=${`${t('tr_choice')} ${i + 1}.${k + 1}`} onInput=${(e) => edit(i, { choices: q.choices.map((x, j) => (j === k ? e.target.value : x)) })} ...${invalid(`qc${i}_${k}`)} />
          ${q.choices.length > 2 && html`<button type="button" class="link" aria-label=${t('tr_remove') + ' ' + (k + 1)} onClick=${() => edit(i, { choices: q.choices.filter((_, j) => j !== k), correct: q.correct === k ? 0 : q.correct > k ? q.correct - 1 : q.correct })}>×</button>`}
          <${FieldError} id=${`qc${i}_${k}`} errs=${errs} />
        </div>`,
        )}
        <${FieldError} id=${'qch' + i} errs=${errs} /><${FieldError} id=${'qr' + i} errs=${errs} />
        </div>
        <div class="actions">
          ${q.choices.length < 6 && html`<button type="button" class="link" onClick=${() => edit(i, { choices: [...q.choices, ''] })}>+ ${t('tr_add_choice')}</button>`}
          ${qs.length > 1 && html`<button type="button" class="link" onClick=${() => setQs(qs.filter((_, j) => j !== i))}>${t('tr_remove_question')}</button>`}
        </div></fieldset>`,
      )}
      ${qs.length < 50 && html`<button type="button" class="link" onClick=${() => setQs([...qs, blankQuestion()])}>+ ${t('tr_add_question')}</button>`}
      <${Err} e=${error} />${saved && html`<p class="ok" role="status">${t('tr_quiz_saved')}</p>`}
      <button type="submit">${t('tr_save_quiz')}</button>
    </form></details></section>`;
}

function QuizTaker({ c, onCredit }) {
  const [quiz, error, reload] = useLoad(() => call('GET', `/api/v1/courses/${c.id}/quiz`), [c.id]);
  const [answers, setAnswers] = useState({});
  const [result, setResult] = useState(null);
  const [sendError, setSendError] = useState(null);
  if (!quiz) return html`<section class="card"><h2>${t('tr_quiz')}</h2><${Err} e=${error} /></section>`;
  const passed = quiz.my_attempts.find((a) => a.passed);
  const left = passed ? 0 : Math.max(0, quiz.max_attempts - quiz.my_attempts.length);
  const submit = async (e) => {
    e.preventDefault();
    setSendError(null);
    try {
      const r = await call('POST', `/api/v1/courses/${c.id}/quiz/attempts`, { answers: quiz.questions.map((_, i) => Number(answers[i])) });
      setResult(r);
      setAnswers({});
      reload();
      if (r.credit) onCredit();
    } catch (err) {
      setSendError(errorText(err));
    }
  };
  return html`<section class="card quiz" aria-label=${t('tr_quiz')}><h2>${t('tr_quiz')}</h2>
    <p class="muted">${t('tr_quiz_pass')} ${quiz.pass_pct}% · ${t('tr_attempts_left')}: ${left}</p>
    ${
      result &&
      html`<p role="status" class=${result.passed ? 'ok' : 'warn'}>${t('tr_score')}: ${result.score_pct}% · ${result.passed ? t('tr_passed') : t('tr_not_passed')}
      · ${t('tr_attempts_left')}: ${result.attempts_left}${result.credit ? html`<br />${t('tr_credit_earned')} ${hours(result.credit.hours)}` : ''}</p>`
    }
    ${quiz.my_attempts.length > 0 && html`<ul class="links">${quiz.my_attempts.map((a) => html`<li>${t('tr_attempt')} ${a.attempt}: ${a.score_pct}% · ${a.passed ? t('tr_passed') : t('tr_not_passed')}</li>`)}</ul>`}
    ${
      left > 0 &&
      html`<form class="form" onSubmit=${submit}>
      ${quiz.questions.map(
        (q, i) => html`<fieldset key=${i}><legend>${i + 1}. ${q.question}</legend>
        ${q.choices.map(
          (ch, k) => html`<label class="check"><input type="radio" name=${'a' + i} required checked=${answers[i] === String(k)} value=${k}
          onChange=${() => setAnswers({ ...answers, [i]: String(k) })} /> ${ch}</label>`,
        )}</fieldset>`,
      )}
      <${Err} e=${sendError} />
      <button type="submit">${t('tr_submit_quiz')}</button></form>`
    }
  </section>`;
}

// The live lecture. Everyone joins the session's hub channel (that is their attendance) and the
// Janus room: the presenter publishes the camera (with the publisher token only presenters get:
// Janus refuses anyone else as a publisher), viewers only subscribe — they ask the room who
// publishes every few seconds and subscribe to each presenter's feed.
function LivePage({ sid }) {
  const [phase, setPhase] = useState('joining'); // joining | waiting | live | ended | error
  const [pass, setPass] = useState(null);
  const [course, setCourse] = useState(null);
  const [feeds, setFeeds] = useState([]);
  const [hands, setHands] = useState([]); // [{ from, name, at }]
  const [questions, setQuestions] = useState([]); // [{ name, text, at }]
  const [raised, setRaised] = useState(false);
  const [question, setQuestion] = useState('');
  const [asked, setAsked] = useState({}); // { error } next to the box, or { ok } once sent
  const [error, setError] = useState(null);
  const [version, setVersion] = useState(0);
  const local = useRef(null);
  const r = useRef({ subs: new Map() }).current;
  // The camera's preview appears once the page is live (the video element exists then).
  useEffect(() => {
    if (local.current && r.stream) local.current.srcObject = r.stream;
  }, [phase]);

  useEffect(() => {
    call('GET', '/api/v1/courses?scope=mine&limit=200')
      .then((x) => setCourse(x.items.find((c) => c.sessions.some((s) => s.id === sid)) || null))
      .catch(() => {});
    let timer = null;
    r.stopped = false;
    const tryJoin = async () => {
      try {
        const p = await call('POST', `/api/v1/sessions/${sid}/join`);
        if (r.stopped) return;
        setPass(p);
        await enter(p);
      } catch (e) {
        if (r.stopped) return;
        if (e.code === 'session_state' && e.detail?.state === 'planned') {
          setPhase('waiting');
          timer = setTimeout(tryJoin, 3000);
          return;
        }
        if (e.code === 'session_state') {
          setPhase('ended');
          return;
        }
        setError(e.name === 'NotAllowedError' ? t('call_no_device') : errorText(e));
        setPhase('error');
        leave();
      }
    };
    tryJoin();
    return () => {
      r.stopped = true;
      clearTimeout(timer);
      leave();
    };
  }, [sid]);

  const onChannel = (m) => {
    if (m.type !== 'signal' || !m.data) return;
    const d = m.data;
    if (d.kind === 'hand') {
      setHands((hs) =>
        d.raised === false
          ? hs.filter((h) => h.from !== m.from)
          : [...hs.filter((h) => h.from !== m.from), { from: m.from, name: m.from_name, at: new Date() }],
      );
    } else if (d.kind === 'question' && typeof d.text === 'string') {
      setQuestions((qs) => [...qs, { name: m.from_name, text: d.text.slice(0, 500), at: new Date() }].slice(-50));
    } else if (d.kind === 'ended') {
      leave();
      setPhase('ended');
    }
  };

  const { subscribe, unsubscribe } = feedSubscriber(r, () => r.pass, setFeeds);
  const onRoomEvent = async (ev) => {
    const d = ev.plugindata?.data || {};
    if (ev.jsep?.type === 'answer') await r.pub?.setRemoteDescription(ev.jsep);
    for (const p of d.publishers || []) subscribe(p).catch((e) => setError(e.message));
    const gone = d.unpublished || d.leaving;
    if (gone && gone !== 'ok') unsubscribe(gone);
    if (d.videoroom === 'destroyed') {
      leave();
      setPhase('ended');
    }
    if (d.error) setError(d.error);
  };

  async function enter(p) {
    r.pass = p;
    r.unlisten = listen(p.channel, onChannel);
    r.ice = await call('GET', '/api/v1/rtc/ice-servers');
    r.session = janusSession(p.janus.url, p.janus.token);
    await r.session.start();
    window.__ytexaLecture = r; // for the browser tests and for support staff in the console
    const h = await r.session.attach((ev) => onRoomEvent(ev).catch((e) => setError(e.message)));
    if (p.role === 'presenter') {
      r.stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: p.audio_only ? false : { width: 640, height: 360 } });
      if (local.current) local.current.srcObject = r.stream;
      r.pub = new RTCPeerConnection({ iceServers: r.ice.ice_servers, iceTransportPolicy: r.ice.ice_transport_policy || 'all' });
      r.stream.getTracks().forEach((tr) => r.pub.addTrack(tr, r.stream));
      await h.send({ request: 'join', ptype: 'publisher', room: p.janus_room, pin: p.pin, display: p.display, token: p.publisher_token });
      await r.pub.setLocalDescription(await r.pub.createOffer());
      await gathered(r.pub);
      await h.send(
        { request: 'publish', audio: true, video: !p.audio_only, bitrate: p.max_bitrate_kbps * 1000 },
        { type: 'offer', sdp: r.pub.localDescription.sdp, trickle: false },
      );
    } else {
      await follow(h, p);
      r.follow = setInterval(() => follow(h, p).catch(() => {}), 3000);
    }
    setPhase('live');
  }

  // A viewer: who publishes now (a synchronous request on the handle), subscribed to or dropped.
  async function follow(h, p) {
    const a = await h.send({ request: 'listparticipants', room: p.janus_room });
    const d = a.plugindata?.data || {};
    if (d.error_code === 426) {
      leave();
      setPhase('ended');
      return;
    } // the room is gone
    const live = (d.participants || []).filter((x) => x.publisher);
    for (const x of live) subscribe(x).catch((e) => setError(e.message));
    for (const id of [...r.subs.keys()]) if (!live.some((x) => x.id === id)) unsubscribe(id);
  }

  function leave() {
    clearInterval(r.follow);
    r.unlisten?.();
    for (const id of [...r.subs.keys()]) unsubscribe(id);
    r.pub?.close();
    r.stream?.getTracks().forEach((tr) => tr.stop());
    r.session?.stop();
    Object.assign(r, { unlisten: null, pub: null, stream: null, session: null, handle: null });
    setFeeds([]);
  }

  const signal = (data) => pass && send({ type: 'signal', channel: pass.channel, data });
  const toggleHand = () => {
    signal({ kind: 'hand', raised: !raised });
    setRaised(!raised);
  };
  // A question goes to the presenter over the socket: an empty one is refused beside the box, and
  // one that the socket could not take (reconnecting) stays typed, saying so.
  const ask = (e) => {
    e.preventDefault();
    if (!question.trim()) return setAsked({ error: t('tr_ask_empty') });
    if (!signal({ kind: 'question', text: question.trim() })) return setAsked({ error: t('tr_ask_failed') });
    setQuestion('');
    setAsked({ ok: true });
  };
  const end = async () => {
    setError(null);
    try {
      await call('POST', `/api/v1/sessions/${sid}/end`, {});
      signal({ kind: 'ended' });
      leave();
      setPhase('ended');
      setVersion((v) => v + 1);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const back = course ? '#/training/' + course.id : '#/training';
  const presenter = pass?.role === 'presenter';
  const session = course?.sessions.find((s) => s.id === sid);
  return html`<main class="page lecture" data-phase=${phase}>
    <a class="back" href=${back}>← ${course ? course.title : t('tr_title')}</a>
    <section class="card">
      <h1>${session ? session.title : t('tr_live_session')}</h1>
      <p role="status" class="phase">${t('tr_phase_' + phase)}</p>
      <${Err} e=${error} />
      ${
        phase === 'live' &&
        html`<div class="tiles stage">
        ${presenter && html`<figure class="tile own"><video ref=${local} autoplay playsinline muted aria-label=${t('call_local')}></video><figcaption>${t('room_you')}</figcaption></figure>`}
        ${feeds.map((f) => html`<${Tile} key=${f.id} stream=${f.stream} name=${f.display} />`)}
        ${!presenter && feeds.length === 0 && html`<p class="muted">${t('tr_waiting_presenter')}</p>`}
      </div>`
      }
      <div class="actions">
        ${phase === 'live' && !presenter && html`<button aria-pressed=${raised} onClick=${toggleHand}>${raised ? t('tr_lower_hand') : t('tr_raise_hand')}</button>`}
        ${phase === 'live' && presenter && html`<button class="danger" onClick=${end}>${t('tr_end_session')}</button>`}
        <a class="button secondary" href=${back} onClick=${() => leave()}>${t('tr_leave')}</a>
      </div>
      ${
        phase === 'live' &&
        !presenter &&
        html`<form class="ask" onSubmit=${ask} noValidate>
        <div class="send"><${Field} id="question" label=${t('tr_ask')} error=${asked.error} maxlength="500" value=${question}
          onInput=${(e) => {
            setQuestion(e.target.value);
            setAsked({});
          }} />
          <button type="submit">${t('tr_send')}</button></div>
        ${asked.ok && html`<p class="muted" role="status">${t('tr_asked')}</p>`}</form>`
      }
    </section>
    ${
      presenter &&
      html`<section class="card hands" aria-label=${t('tr_hands')}><h2>${t('tr_hands')} (${hands.length})</h2>
      ${
        hands.length === 0
          ? html`<p class="muted">${t('tr_no_hands')}</p>`
          : html`<ul class="links">${hands.map(
              (h) => html`<li>✋ ${h.name}
        <span class="muted"> · ${formatTime(h.at.getTime())}</span>${' '}
        <button class="link" onClick=${() => setHands((hs) => hs.filter((x) => x.from !== h.from))}>${t('tr_dismiss')}</button></li>`,
            )}</ul>`
      }
      <h2>${t('tr_questions_asked')} (${questions.length})</h2>
      ${questions.length === 0 ? html`<p class="muted">${t('tr_no_questions')}</p>` : html`<ul class="links">${questions.map((q) => html`<li><strong>${q.name}</strong>: ${q.text}</li>`)}</ul>`}
    </section>`
    }
    ${
      presenter &&
      html`<section class="card"><h2>${t('tr_attendance')}</h2>
      <${Attendance} sid=${sid} courseId=${phase === 'ended' ? course?.id : null} every=${phase === 'live' ? 4000 : 0} version=${version} /></section>`
    }
  </main>`;
}
