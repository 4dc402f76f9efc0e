// The training screens of those who run and oversee it (docs/training.md): a course's makers
// change it and revoke certificates; a case session's de-identified consultation; a site that
// watched a lecture together records who was there and its lead confirms it; administrators read
// the credit hours of their facility, province or the country, and one person's record.
// The course page, sessions and enrolments that use these are in training.js.
import { useState, useEffect } from 'preact/hooks';
import { html } from 'htm/preact';
import { call } from './api.js';
import { t } from './i18n.js';
import { when } from './appointments.js';
import { hours, Err, useLoad, Checks, ROLES, LEVELS } from './training.js';
import { Pending } from './loader.js';
import { errorText, placeError, Field } from './words.js';

// Those who confirm a site's attendance: its administrator, or a doctor who did not record it.
const LEADS = new Set(['facility_admin', 'doctor', 'specialist']);

// The course's own fields, changed by PATCH (its state goes through publish and archive).
export function CourseEdit({ c, onSaved }) {
  const [f, setF] = useState(() => ({
    title: c.title,
    description: c.description || '',
    credit_hours: String(c.credit_hours),
    target_roles: c.target_roles,
    target_levels: c.target_levels,
    attendance_pass_pct: String(c.attendance_pass_pct),
    quiz_pass_pct: String(c.quiz_pass_pct),
    quiz_max_attempts: String(c.quiz_max_attempts),
  }));
  const [busy, setBusy] = useState(false);
  const [errs, setErrs] = useState({});
  const [error, setError] = useState(null);
  const set = (k, v) => setF({ ...f, [k]: v });
  const save = async (e) => {
    e.preventDefault();
    setBusy(true);
    setErrs({});
    setError(null);
    try {
      onSaved(
        await call('PATCH', `/api/v1/courses/${c.id}`, {
          title: f.title.trim(),
          description: f.description.trim(),
          credit_hours: Number(f.credit_hours),
          target_roles: f.target_roles,
          target_levels: f.target_levels,
          attendance_pass_pct: Number(f.attendance_pass_pct),
          quiz_pass_pct: Number(f.quiz_pass_pct),
          quiz_max_attempts: Number(f.quiz_max_attempts),
        }),
      );
    } catch (err) {
      const placed = placeError(err, {
        title: ['ect', t('tr_course_title')],
        description: ['ecd', t('tr_description')],
        target_roles: ['ecroles', t('tr_target_roles')],
        target_levels: ['eclevels', t('tr_target_levels')],
        credit_hours: ['ech', t('tr_credit_hours')],
        attendance_pass_pct: ['eca', t('tr_attendance_pass')],
        quiz_pass_pct: ['ecq', t('tr_quiz_pass') + ' (%)'],
        quiz_max_attempts: ['ecm', t('tr_max_attempts')],
      });
      setErrs(placed.field);
      setError(placed.general);
    } finally {
      setBusy(false);
    }
  };
  const num = (id, k, label, attrs) =>
    html`<${Field} id=${id} label=${label} error=${errs[id]} type="number" required ...${attrs} value=${f[k]} onInput=${(e) => set(k, e.target.value)} />`;
  return html`<details class="course-edit"><summary>${t('tr_edit_course')}</summary>
    <form class="form" onSubmit=${save}>
      <${Field} id="ect" label=${t('tr_course_title')} error=${errs.ect} required minlength="3" maxlength="200" value=${f.title} onInput=${(e) => set('title', e.target.value)} />
      <${Field} as="textarea" id="ecd" label=${t('tr_description')} error=${errs.ecd} rows="4" maxlength="8000" value=${f.description} onInput=${(e) => set('description', e.target.value)} />
      <${Checks} id="ecroles" error=${errs.ecroles} legend=${t('tr_target_roles')} options=${ROLES} value=${f.target_roles} onChange=${(v) => set('target_roles', v)} label=${(r) => t('role_' + r)} />
      <${Checks} id="eclevels" error=${errs.eclevels} legend=${t('tr_target_levels')} options=${LEVELS} value=${f.target_levels} onChange=${(v) => set('target_levels', v)} label=${(l) => t('level_' + l)} />
      ${num('ech', 'credit_hours', t('tr_credit_hours'), { min: 0.25, max: 100, step: 0.25 })}
      ${num('eca', 'attendance_pass_pct', t('tr_attendance_pass'), { min: 1, max: 100 })}
      ${num('ecq', 'quiz_pass_pct', t('tr_quiz_pass') + ' (%)', { min: 1, max: 100 })}
      ${num('ecm', 'quiz_max_attempts', t('tr_max_attempts'), { min: 1, max: 20 })}
      <${Err} e=${error} />
      <button type="submit" disabled=${busy}>${t('tr_save_course')}</button>
    </form></details>`;
}

// Revokes a certificate with a reason; the verification then says it is not valid, and why.
export function Revoke({ cert, name, onDone }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [errs, setErrs] = useState({});
  const [error, setError] = useState(null);
  if (cert.revoked_at) return html`<span class="warn">${t('tr_cert_revoked')}: ${cert.revoke_reason}</span>`;
  if (!open)
    return html`<button class="link danger-link" onClick=${() => setOpen(true)} aria-label=${t('tr_revoke') + ': ' + name}>${t('tr_revoke')}</button>`;
  const send = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      onDone(await call('POST', `/api/v1/certificates/${cert.id}/revoke`, { reason: reason.trim() }));
    } catch (err) {
      const placed = placeError(err, { reason: ['rv' + cert.id, t('tr_revoke_reason')] });
      setErrs(placed.field);
      setError(placed.general);
    }
  };
  return html`<form class="form inline" onSubmit=${send} aria-label=${t('tr_revoke') + ': ' + name}>
    <${Field} id=${'rv' + cert.id} label=${t('tr_revoke_reason')} error=${errs['rv' + cert.id]} required minlength="3" maxlength="500" value=${reason} onInput=${(e) => setReason(e.target.value)} />
    <${Err} e=${error} />
    <div class="actions"><button type="submit" class="danger">${t('tr_revoke')}</button>
      <button type="button" class="link" onClick=${() => setOpen(false)}>${t('tr_no')}</button></div></form>`;
}

// A case session's consultation as the API gives it: de-identified (no name, an age band, dates shifted).
export function CaseView({ sid }) {
  const [k, error] = useLoad(() => call('GET', `/api/v1/sessions/${sid}/case`), [sid]);
  if (!k) return html`<${Pending} error=${error} />`;
  const p = k.patient || {};
  const rec = k.recommendation || {};
  return html`<article class="case-view" aria-label=${t('tr_case')}>
    <p class="muted">${[
      p.sex && t('sex_' + p.sex),
      p.age_band && `${p.age_band} ${t('years_old')}`,
      k.urgency && t('urgency_' + k.urgency),
      k.hub?.name,
    ]
      .filter(Boolean)
      .join(' · ')}</p>
    <h3>${t('tr_case_summary')}</h3><pre class="summary">${k.summary}</pre>
    <h3>${t('consult_questions')}</h3>
    <ol>${k.questions.map((q) => html`<li><strong>${q.question}</strong><br />${t('consult_conclusion')}: ${q.conclusion || '—'}</li>`)}</ol>
    ${
      k.opinions.length > 0 &&
      html`<h3>${t('consult_opinions')}</h3><ul class="links">${k.opinions.map(
        (o) => html`<li>
      <span class="muted">${t('role_' + o.author_role)} · ${t('level_' + o.facility_level)}:</span> ${o.opinion}</li>`,
      )}</ul>`
    }
    <h3>${t('consult_recommendation')}</h3>
    <p>${rec.kind ? t('rec_' + rec.kind) : '—'}${rec.note ? html`<br />${rec.note}` : ''}</p>
    ${k.outcome && html`<p>${t('consult_outcome')}: ${t('outcome_' + k.outcome)}</p>`}
    <p class="muted">${t('tr_case_deid')}</p>
  </article>`;
}

// A site's attendance of a lecture watched together: the people of the caller's own facility
// (GET /api/v1/users lists one's own facility to anyone working there), the list sent, and the
// lead's confirmation. The site's record is read when the screen opens, so that the lead sees the
// names before confirming them.
export function SiteAttendance({ sid, user }) {
  // The site's people the course counts (enrolled by name, or through the site for their role).
  const [people, setPeople] = useState(null);
  const [error, setError] = useState(null);
  const [picked, setPicked] = useState([]);
  const [rec, setRec] = useState(null);
  const [confirmed, setConfirmed] = useState(false);
  const [actError, setActError] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    call('GET', `/api/v1/sessions/${sid}/site-attendance`)
      .then((x) => {
        setPeople(x.people);
        if (x.record) {
          setRec(x.record);
          setConfirmed(!!x.record.confirmed_at);
        }
      })
      .catch((e) => setError(errorText(e)));
  }, [sid]);
  const run = async (p) => {
    setBusy(true);
    setActError(null);
    try {
      const r = await p;
      setRec(r);
      setConfirmed(!!r.confirmed_at);
    } catch (e) {
      if (e.code === 'already_confirmed') setConfirmed(true);
      else setActError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const record = (e) => {
    e.preventDefault();
    run(call('POST', `/api/v1/sessions/${sid}/site-attendance`, { user_ids: picked }));
  };
  const names = rec ? rec.people.map((x) => x.full_name).join(', ') : '';
  return html`<div class="site-attendance" aria-label=${t('tr_site_attendance')}>
    <p class="muted">${t('tr_site_hint')}</p>
    ${
      confirmed
        ? html`<p role="status" class="ok">${t('tr_site_confirmed')}${rec?.confirmed_by ? ` · ${rec.confirmed_by.full_name}, ${when(rec.confirmed_at)}` : ''}${names && html`<br />${names}`}</p>`
        : rec &&
          html`<p role="status" class="warn">${t('tr_site_recorded')} · ${rec.recorded_by.full_name} · ${t('tr_site_waiting')}<br />${names}</p>`
    }
    <${Err} e=${error || actError} />
    ${
      !confirmed &&
      people &&
      html`<form class="form" onSubmit=${record}>
      <fieldset><legend>${t('tr_site_present')}</legend>
        ${
          people.length === 0
            ? html`<p class="muted">${t('tr_nobody')}</p>`
            : people.map(
                (u) => html`<label class="check">
          <input type="checkbox" checked=${picked.includes(u.id)} onChange=${(e) => setPicked(e.target.checked ? [...picked, u.id] : picked.filter((x) => x !== u.id))} />
          ${u.full_name} <span class="muted">· ${t('role_' + u.role)}</span></label>`,
              )
        }</fieldset>
      <button type="submit" disabled=${busy || picked.length === 0}>${t('tr_site_record')}</button></form>`
    }
    ${
      !confirmed &&
      LEADS.has(user.role) &&
      html`<div class="actions"><button class="secondary" disabled=${busy}
      onClick=${() => run(call('POST', `/api/v1/sessions/${sid}/site-attendance/confirm`))}>${t('tr_site_confirm')}</button></div>`
    }
  </div>`;
}

const today = () => new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10); // a day in Vietnam

// "Giờ đào tạo": the credit hours of a period per facility (per province for the ministry, which
// may open one), and one person's record by user id. The API decides the scope and says 403.
export function TrainingHours({ user }) {
  const [from, setFrom] = useState(today().slice(0, 4) + '-01-01');
  const [to, setTo] = useState(today());
  const [facility, setFacility] = useState('');
  const [province, setProvince] = useState(null); // { id, name } opened from the ministry's table
  const [facilities, setFacilities] = useState([]);
  const [sum, setSum] = useState(null);
  const [errs, setErrs] = useState({});
  const [error, setError] = useState(null);
  const wide = user.role === 'province_admin' || user.role === 'ministry_admin';
  useEffect(() => {
    if (wide)
      call('GET', '/api/v1/facilities?limit=200')
        .then((r) => setFacilities(r.items))
        .catch(() => {});
  }, []);
  const load = () => {
    const q = new URLSearchParams();
    if (from) q.set('from', from);
    if (to) q.set('to', to);
    if (facility) q.set('facility_id', facility);
    else if (province) q.set('province_id', province.id);
    setErrs({});
    setError(null);
    call('GET', '/api/v1/training/summary?' + q)
      .then(setSum)
      .catch((e) => {
        setSum(null);
        const placed = placeError(e, { from: ['hf', t('tr_from')], to: ['ht', t('tr_to')], facility_id: ['hfac', t('tr_facility')] });
        setErrs(placed.field);
        setError(placed.general);
      });
  };
  useEffect(load, [province]);
  const submit = (e) => {
    e.preventDefault();
    load();
  };
  const byProvince = sum?.by === 'province';
  return html`<main class="page training-hours">
    <a class="back" href="#/training">← ${t('tr_title')}</a>
    <section class="card" aria-label=${t('tr_hours_title')}><h1>${t('tr_hours_title')}</h1>
      <form class="form period" onSubmit=${submit}>
        <${Field} id="hf" label=${t('tr_from')} error=${errs.hf} type="date" value=${from} onInput=${(e) => setFrom(e.target.value)} />
        <${Field} id="ht" label=${t('tr_to')} error=${errs.ht} type="date" value=${to} onInput=${(e) => setTo(e.target.value)} />
        ${
          wide &&
          html`<${Field} as="select" id="hfac" label=${t('tr_facility')} error=${errs.hfac} value=${facility} onChange=${(e) => setFacility(e.target.value)}><option value="">${t('tr_all_facilities')}</option>
            ${facilities.map((f) => html`<option value=${String(f.id)}>${f.name}</option>`)}</${Field}>`
        }
        <button type="submit">${t('tr_show')}</button>
      </form>
      ${province && html`<p>${province.name} · <button class="link" onClick=${() => setProvince(null)}>${t('tr_all_provinces')}</button></p>`}
      <${Err} e=${error} />
      ${
        sum &&
        (sum.items.length === 0
          ? html`<p class="muted">${t('tr_no_hours')}</p>`
          : html`<div class="attendance"><table class="hours-table">
        <thead><tr><th>${byProvince ? t('province') : t('tr_facility')}</th><th>${t('tr_people')}</th><th>${t('tr_credits')}</th><th>${t('tr_hours_col')}</th></tr></thead>
        <tbody>${sum.items.map((x) => {
          const unit = x.facility || x.province;
          return html`<tr data-unit=${unit.id}><td>${
            byProvince && !facility ? html`<button class="link" onClick=${() => setProvince(unit)}>${unit.name}</button>` : unit.name
          }</td>
            <td>${x.people}</td><td>${x.credits}</td><td>${hours(x.hours)}</td></tr>`;
        })}</tbody>
        <tfoot><tr><th>${t('tr_total')}</th><th>${sum.total.people}</th><th>${sum.total.credits}</th><th>${hours(sum.total.hours)}</th></tr></tfoot>
      </table></div>`)
      }
    </section>
    <${PersonRecord} from=${from} to=${to} />
  </main>`;
}

// One person's credits in the period, by user id.
function PersonRecord({ from, to }) {
  const [id, setId] = useState('');
  const [rec, setRec] = useState(null);
  const [errs, setErrs] = useState({});
  const [error, setError] = useState(null);
  const submit = (e) => {
    e.preventDefault();
    setErrs({});
    setError(null);
    const q = new URLSearchParams({ user_id: id, limit: '100' });
    if (from) q.set('from', from);
    if (to) q.set('to', to);
    call('GET', '/api/v1/training/records?' + q)
      .then(setRec)
      .catch((err) => {
        setRec(null);
        const placed = placeError(err, { user_id: ['pru', t('tr_user_id')] });
        setErrs(placed.field);
        setError(placed.general);
      });
  };
  return html`<section class="card" aria-label=${t('tr_person_record')}><h2>${t('tr_person_record')}</h2>
    <form class="form" onSubmit=${submit}>
      <${Field} id="pru" label=${t('tr_user_id')} error=${errs.pru} type="number" min="1" required value=${id} onInput=${(e) => setId(e.target.value)} />
      <button type="submit">${t('tr_show')}</button></form>
    <${Err} e=${error} />
    ${
      rec &&
      html`<p><strong>${rec.user.full_name}</strong>${rec.user.facility ? ' · ' + rec.user.facility.name : ''} · ${t('tr_total_hours')}: <strong>${hours(rec.total_hours)}</strong></p>
      ${
        rec.items.length === 0
          ? html`<p class="muted">${t('tr_no_credits')}</p>`
          : html`<ul class="links">${rec.items.map(
              (x) => html`<li>
        <strong>${x.course.title}</strong> · ${hours(x.hours)} <span class="muted">· ${x.course.facility.name} · ${when(x.earned_at)}</span>
        ${x.certificate && html`<br /><span class="muted">${t('verify_code')} <code>${x.certificate.verify_code}</code>${x.certificate.revoked ? ' · ' + t('tr_cert_revoked') : ''}</span>`}</li>`,
            )}</ul>`
      }`
    }
  </section>`;
}
