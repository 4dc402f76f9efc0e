/* The clinical record of a visit: notes (SOAP), vitals within plausible ranges, ICD-10 diagnoses,
 * follow-up and referral, and a summary in plain Vietnamese for the patient. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "visit.h"
#include "ytexa/realtime.h"

static const char *const in_progress[] = {"in_progress", NULL};
static const char *const open_or_done[] = {"in_progress", "finished", NULL};

static const struct yx_field notes_fields[] = {
    {"subjective", YX_F_STRING, 0, 0, 4000},
    {"objective", YX_F_STRING, 0, 0, 4000},
    {"assessment", YX_F_STRING, 0, 0, 4000},
    {"plan", YX_F_STRING, 0, 0, 4000},
    {NULL, 0, 0, 0, 0},
};

/* Answers with the visit, and tells the visit's open pages what changed (once committed), unless
 * what is NULL: then the shared function that wrote told them. */
static int answer(struct yx_req *r, int status, int64_t id, const char *what)
{
    int rc = what ? yx_live_changed(r->db, "visit", id, what) : 0;
    if (rc)
        return rc;
    json_t *v = yx_visit_json(r->db, id, 0);
    return v ? yx_reply(r, status, v) : YX_EDB;
}

/* PUT /api/v1/visits/:id/notes — the fields sent replace those stored. */
static int visit_notes(struct yx_req *r)
{
    struct yx_visit v;
    int rc;
    if ((rc = yx_visit_load(r, YX_A_WRITE, &v)) != 0 || (rc = yx_visit_doctor_only(r, &v)) != 0 ||
        (rc = yx_body(r, notes_fields)) != 0 || (rc = yx_visit_state_in(r, &v, in_progress)) != 0)
        return rc;
    if (json_object_size(r->json) == 0)
        return yx_fail(r, YX_EINVAL,
                       "Nhập ít nhất một mục: bệnh sử (subjective), khám (objective), đánh giá (assessment), "
                       "kế hoạch (plan) / Send at least one of subjective, objective, assessment, plan.");
    const json_t *b = r->json;
#define KEEP(f) json_object_get(b, f) ? 1 : 0
    rc = YX_DB_Q(r->db, NULL,
                 "UPDATE visits SET subjective = CASE WHEN ? = 1 THEN ? ELSE subjective END, "
                 "objective = CASE WHEN ? = 1 THEN ? ELSE objective END, "
                 "assessment = CASE WHEN ? = 1 THEN ? ELSE assessment END, "
                 "plan = CASE WHEN ? = 1 THEN ? ELSE plan END, updated_at = ? WHERE id = ?",
                 YX_PI(KEEP("subjective")), YX_PT(yx_json_str(b, "subjective")), YX_PI(KEEP("objective")),
                 YX_PT(yx_json_str(b, "objective")), YX_PI(KEEP("assessment")),
                 YX_PT(yx_json_str(b, "assessment")), YX_PI(KEEP("plan")), YX_PT(yx_json_str(b, "plan")),
                 YX_PI(yx_now_ms()), YX_PI(v.id));
#undef KEEP
    return rc ? rc : answer(r, 200, v.id, "notes");
}

/* Plausible ranges: a value outside is a typing mistake, not a patient. Units: mmHg, beats and
 * breaths a minute, °C, %, kg, cm, mmol/L. */
static const struct vital_range {
    const char *name;
    double min, max;
    int whole;
} vital_ranges[] = {
    {"systolic", 50, 260, 1},   {"diastolic", 30, 160, 1},
    {"pulse", 20, 250, 1},      {"respiratory_rate", 4, 80, 1},
    {"temperature", 30, 45, 0}, {"spo2", 50, 100, 1},
    {"weight", 0.5, 350, 0},    {"height", 30, 250, 0},
    {"glucose", 1, 40, 0},      {NULL, 0, 0, 0},
};

/* The body's fields, in the order of vital_ranges: numbers, each checked against its range by
 * read_vitals() (the table holds whole-number bounds only). */
static const struct yx_field vitals_fields[] = {
    {"systolic", YX_F_NUMBER, 0, 0, 0},    {"diastolic", YX_F_NUMBER, 0, 0, 0},
    {"pulse", YX_F_NUMBER, 0, 0, 0},       {"respiratory_rate", YX_F_NUMBER, 0, 0, 0},
    {"temperature", YX_F_NUMBER, 0, 0, 0}, {"spo2", YX_F_NUMBER, 0, 0, 0},
    {"weight", YX_F_NUMBER, 0, 0, 0},      {"height", YX_F_NUMBER, 0, 0, 0},
    {"glucose", YX_F_NUMBER, 0, 0, 0},     {NULL, 0, 0, 0, 0},
};

const char *const yx_vital_names[YX_VITALS] = {"systolic",         "diastolic",   "pulse",
                                               "respiratory_rate", "temperature", "spo2",
                                               "weight",           "height",      "glucose"};

/* The measurements against their plausible ranges (a 400 naming the measurement), at least one,
 * and blood pressure as both of its numbers, systolic above diastolic. */
static int check_vitals(struct yx_req *r, const struct yx_vitals *m)
{
    int any = 0;
    for (int k = 0; vital_ranges[k].name; k++) {
        /* The names, the field table and the ranges list the measurements in one order (struct
         * yx_vitals and the columns of the insert follow it). */
        YX_ASSERT(k < YX_VITALS && strcmp(yx_vital_names[k], vital_ranges[k].name) == 0 &&
                  strcmp(vitals_fields[k].name, vital_ranges[k].name) == 0);
        if (!m->set[k])
            continue;
        const struct vital_range *g = &vital_ranges[k];
        double d = m->val[k];
        if (g->whole && d != floor(d))
            return yx_fail_check(r, g->name, "bad_format", 0, 0, 0,
                                 "'%s' là số nguyên / '%s' must be a whole number.", g->name, g->name);
        if (!(d >= g->min && d <= g->max))
            return yx_fail_check(
                r, g->name, "out_of_range", 1, g->min, g->max,
                "Giá trị '%s' ngoài khoảng hợp lý %g–%g / '%s' is outside the plausible range %g–%g.",
                g->name, g->min, g->max, g->name, g->min, g->max);
        any = 1;
    }
    if (!any)
        return yx_fail(r, YX_EINVAL, "Nhập ít nhất một chỉ số / send at least one measurement.");
    if (m->set[0] && m->set[1] && m->val[0] <= m->val[1])
        return yx_fail_check(r, "diastolic", "mismatch", 0, 0, 0,
                             "Huyết áp tâm trương phải thấp hơn tâm thu / diastolic must be below systolic.");
    if (m->set[0] != m->set[1])
        return yx_fail_check(
            r, m->set[0] ? "diastolic" : "systolic", "required", 0, 0, 0,
            "Huyết áp cần cả tâm thu và tâm trương / blood pressure needs systolic and diastolic.");
    return 0;
}

int yx_visit_record_vitals(struct yx_req *r, int64_t visit, const struct yx_vitals *m, int64_t at,
                           int64_t *id)
{
    struct yx_visit v;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = yx_visit_load_id(r, visit, YX_A_WRITE, &v)) != 0)
        return rc;
    struct yx_resource record = {
        .kind = YX_RES_VISIT_RECORD, .facility_id = v.facility_id, .party = r->who.user_id == v.doctor_id};
    if (yx_authorize(&r->who, YX_A_WRITE, &record) != 0)
        return yx_visit_doctor_only(r, &v);
    if ((rc = check_vitals(r, m)) != 0 || (rc = yx_visit_state_in(r, &v, in_progress)) != 0)
        return rc;
    struct yx_param p[12] = {YX_PI(v.id), YX_PI(r->who.user_id), YX_PI(at ? at : yx_now_ms())};
    char text[YX_VITALS][32];
    for (int k = 0; k < YX_VITALS; k++) {
        p[3 + k] = !m->set[k] ? YX_PN : vital_ranges[k].whole ? YX_PI((int64_t)m->val[k]) : YX_PN;
        if (m->set[k] && !vital_ranges[k].whole) {
            snprintf(text[k], sizeof text[k], "%.2f", m->val[k]);
            p[3 + k] = YX_PT(text[k]);
        }
    }
    rc = yx_db_exec(
        r->db,
        "INSERT INTO vitals (visit_id, recorded_by, at, systolic, diastolic, pulse, respiratory_rate, "
        "temperature, spo2, weight, height, glucose) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING "
        "id",
        p, 12, &rows);
    *id = rc == 0 && rows->nrows == 1 ? yx_rows_i64(rows, 0, "id") : 0;
    yx_rows_free(rows);
    /* The REST route and a FHIR Observation both record here, so both tell the visit's pages. */
    return rc ? rc : yx_live_changed(r->db, "visit", visit, "vitals");
}

/* POST /api/v1/visits/:id/vitals — the doctor, or a clinician of the patient's facility (who
 * measures them at the station). */
static int visit_vitals(struct yx_req *r)
{
    struct yx_vitals m = {{0}, {0}};
    int64_t visit, row;
    int rc;
    if ((rc = yx_param_id(r, 0, &visit)) != 0)
        return rc;
    for (int k = 0; k < YX_VITALS; k++) {
        json_t *x = json_object_get(r->json, yx_vital_names[k]);
        if (x && !json_is_null(x)) {
            m.val[k] = json_number_value(x);
            m.set[k] = 1;
        }
    }
    rc = yx_visit_record_vitals(r, visit, &m, 0, &row);
    return rc ? rc : answer(r, 201, visit, NULL);
}

static const struct yx_field diagnosis_fields[] = {
    {"icd10", YX_F_STRING, 1, 3, 8},
    {"primary", YX_F_BOOL, 0, 0, 0},
    {"note", YX_F_STRING, 0, 1, 500},
    {NULL, 0, 0, 0, 0},
};

int yx_visit_add_diagnosis(struct yx_req *r, int64_t visit, const char *icd10, int primary, const char *note,
                           int64_t *id)
{
    struct yx_visit v;
    struct yx_rows *rows = NULL;
    char code[8];
    int rc;
    if ((rc = yx_visit_load_id(r, visit, YX_A_WRITE, &v)) != 0 || (rc = yx_visit_doctor_only(r, &v)) != 0)
        return rc;
    if (!yx_icd10_wellformed(icd10, code))
        return yx_fail_check(
            r, "icd10", "bad_format", 0, 0, 0,
            "Mã ICD-10 gồm một chữ cái, hai chữ số, có thể thêm dấu chấm và 1-2 ký tự (vd. I10, "
            "J18.9) / an ICD-10 code is a letter, two digits and optionally '.' and 1-2 more.");
    if ((rc = yx_visit_state_in(r, &v, in_progress)) != 0)
        return rc;
    if (primary)
        rc =
            YX_DB_Q(r->db, NULL, "UPDATE visit_diagnoses SET is_primary = 0 WHERE visit_id = ?", YX_PI(v.id));
    if (rc == 0)
        rc = YX_DB_Q(r->db, &rows,
                     "INSERT INTO visit_diagnoses (visit_id, code, is_primary, note, created_by, created_at) "
                     "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                     YX_PI(v.id), YX_PT(code), YX_PI(primary), YX_PT(note), YX_PI(r->who.user_id),
                     YX_PI(yx_now_ms()));
    *id = rc == 0 && rows->nrows == 1 ? yx_rows_i64(rows, 0, "id") : 0;
    yx_rows_free(rows);
    return rc ? rc : yx_live_changed(r->db, "visit", v.id, "diagnosis");
}

/* POST /api/v1/visits/:id/diagnoses — a new primary diagnosis demotes the previous one. */
static int visit_diagnosis(struct yx_req *r)
{
    int64_t visit, id;
    int rc;
    if ((rc = yx_param_id(r, 0, &visit)) != 0 || (rc = yx_body(r, diagnosis_fields)) != 0)
        return rc;
    rc = yx_visit_add_diagnosis(r, visit, yx_json_str(r->json, "icd10"),
                                json_is_true(json_object_get(r->json, "primary")),
                                yx_json_str(r->json, "note"), &id);
    return rc ? rc : answer(r, 201, visit, NULL);
}

static const struct yx_field follow_fields[] = {
    {"date", YX_F_STRING, 1, 10, 10},
    {"note", YX_F_STRING, 0, 1, 500},
    {NULL, 0, 0, 0, 0},
};

/* PUT /api/v1/visits/:id/follow-up {date, note} — when to come back. */
static int visit_follow_up(struct yx_req *r)
{
    struct yx_visit v;
    int64_t from, to;
    char today[11];
    int rc;
    if ((rc = yx_visit_load(r, YX_A_WRITE, &v)) != 0 || (rc = yx_visit_doctor_only(r, &v)) != 0 ||
        (rc = yx_body(r, follow_fields)) != 0)
        return rc;
    const char *date = yx_json_str(r->json, "date");
    yx_today(today);
    if (yx_vn_day(date, &from, &to) != 0 || strcmp(date, today) < 0)
        return yx_fail_check(r, "date", "out_of_range", 0, 0, 0,
                             "Ngày tái khám là một ngày từ hôm nay / date is YYYY-MM-DD, today or later.");
    if ((rc = yx_visit_state_in(r, &v, open_or_done)) != 0)
        return rc;
    rc = YX_DB_Q(r->db, NULL,
                 "UPDATE visits SET follow_up_date = ?, follow_up_note = ?, updated_at = ? WHERE id = ?",
                 YX_PT(date), YX_PT(yx_json_str(r->json, "note")), YX_PI(yx_now_ms()), YX_PI(v.id));
    return rc ? rc : answer(r, 200, v.id, "follow_up");
}

static const struct yx_field referral_fields[] = {
    {"to_facility_id", YX_F_INT, 1, 1, INT64_MAX},
    {"specialty", YX_F_STRING, 0, 1, 40},
    {"reason", YX_F_STRING, 1, 5, 1000},
    {NULL, 0, 0, 0, 0},
};

/* How long a referral lets the receiving facility read the patient (docs/api.md, "Sharing"). */
#define REFERRAL_SHARE_DAYS 90

/* POST /api/v1/visits/:id/referral {to_facility_id, specialty, reason}: the visit's doctor refers the
 * patient; the one way a share reaches a third facility, by the clinician in charge of the visit. */
static int visit_referral(struct yx_req *r)
{
    struct yx_visit v;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = yx_visit_load(r, YX_A_WRITE, &v)) != 0 || (rc = yx_visit_doctor_only(r, &v)) != 0 ||
        (rc = yx_body(r, referral_fields)) != 0)
        return rc;
    int64_t to = yx_json_int(r->json, "to_facility_id", 0);
    const char *spec = yx_json_str(r->json, "specialty");
    rc = YX_DB_Q(r->db, &rows,
                 "SELECT (SELECT COUNT(*) FROM facilities WHERE id = ? AND active = 1), "
                 "(SELECT COUNT(*) FROM specialties WHERE code = ?)",
                 YX_PI(to), YX_PT(spec ? spec : ""));
    int fac_ok = rc == 0 && yx_rows_int(rows, 0, 0) == 1,
        spec_ok = rc == 0 && (!spec || yx_rows_int(rows, 0, 1) == 1);
    yx_rows_free(rows);
    if (rc)
        return rc;
    if (!fac_ok)
        return yx_fail_check(r, "to_facility_id", "not_allowed", 0, 0, 0,
                             "Không có cơ sở đang hoạt động mã %lld / no active facility has id %lld.",
                             (long long)to, (long long)to);
    if (!spec_ok)
        return yx_fail_check(r, "specialty", "not_allowed", 0, 0, 0,
                             "Không có chuyên khoa này / unknown specialty (GET /api/v1/specialties).");
    if ((rc = yx_visit_state_in(r, &v, open_or_done)) != 0)
        return rc;
    rc =
        YX_DB_Q(r->db, &rows,
                "INSERT INTO referrals (visit_id, to_facility_id, specialty, reason, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                YX_PI(v.id), YX_PI(to), YX_PT(spec), YX_PT(yx_json_str(r->json, "reason")),
                YX_PI(r->who.user_id), YX_PI(yx_now_ms()));
    int64_t referral = rc == 0 && rows->nrows == 1 ? yx_rows_int(rows, 0, 0) : 0;
    yx_rows_free(rows);
    /* The receiving facility reads the patient for the time a referral is acted on, then no more. */
    if (rc == 0)
        rc = yx_patient_share(r->db, v.patient_id, to, "referral", referral,
                              yx_now_ms() + REFERRAL_SHARE_DAYS * 86400000LL);
    return rc ? rc : answer(r, 201, v.id, "referral");
}

/* Appends the medicines of the visit's newest signed prescription, one line each. */
static int summary_medicines(struct yx_req *r, int64_t visit, struct yx_buf *b)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(r->db, &rows,
                     "SELECT items FROM prescriptions WHERE visit_id = ? AND status = 'signed' ORDER BY "
                     "version DESC LIMIT 1",
                     YX_PI(visit));
    json_t *items = rc == 0 && rows->nrows == 1 ? json_loads(yx_rows_get(rows, 0, 0), 0, NULL) : NULL;
    yx_rows_free(rows);
    size_t i;
    json_t *it;
    if (json_array_size(items))
        yx_buf_puts(b, "Thuốc của bạn:\n");
    json_array_foreach(items, i, it)
    {
        yx_buf_printf(b, "- %s %s: mỗi lần %s, %s, trong %lld ngày", yx_json_str(it, "medicine"),
                      yx_json_str(it, "strength"), yx_json_str(it, "dose"), yx_json_str(it, "frequency"),
                      (long long)yx_json_int(it, "duration_days", 0));
        if (yx_json_str(it, "instructions"))
            yx_buf_printf(b, " (%s)", yx_json_str(it, "instructions"));
        yx_buf_puts(b, ".\n");
    }
    json_decref(items);
    return rc;
}

/* GET /api/v1/visits/:id/summary — for the patient, in plain Vietnamese. */
static int visit_summary(struct yx_req *r)
{
    struct yx_visit v;
    struct yx_buf b;
    int rc;
    if ((rc = yx_visit_load(r, YX_A_READ, &v)) != 0)
        return rc;
    json_t *visit = yx_visit_json(r->db, v.id, 1);
    if (!visit)
        return YX_EDB;
    yx_buf_init(&b, 64 * 1024);
    const char *name = json_string_value(json_object_get(json_object_get(visit, "patient"), "full_name"));
    const char *doctor = json_string_value(json_object_get(json_object_get(visit, "doctor"), "full_name"));
    yx_buf_printf(&b, "Xin chào %s.\nBạn đã được bác sĩ %s khám từ xa.\n", name ? name : "",
                  doctor ? doctor : "");
    json_t *dx = json_object_get(visit, "diagnoses"), *d;
    size_t i;
    json_array_foreach(dx, i, d)
    {
        const char *n = json_string_value(json_object_get(d, "name_vi"));
        yx_buf_printf(&b, "%s: %s (mã %s).\n",
                      json_is_true(json_object_get(d, "primary")) ? "Chẩn đoán" : "Bệnh kèm theo",
                      n ? n : "bệnh theo mã", json_string_value(json_object_get(d, "code")));
    }
    const char *plan = json_string_value(json_object_get(json_object_get(visit, "notes"), "plan"));
    if (plan)
        yx_buf_printf(&b, "Lời dặn của bác sĩ: %s\n", plan);
    rc = summary_medicines(r, v.id, &b);
    json_t *follow = json_object_get(visit, "follow_up");
    if (json_is_object(follow)) {
        const char *date = json_string_value(json_object_get(follow, "date"));
        yx_buf_printf(&b, "Hẹn tái khám ngày %.2s/%.2s/%.4s.", date + 8, date + 5, date);
        const char *note = json_string_value(json_object_get(follow, "note"));
        yx_buf_printf(&b, "%s%s\n", note ? " " : "", note ? note : "");
    }
    json_array_foreach(json_object_get(visit, "referrals"), i, d)
        yx_buf_printf(&b, "Bạn được chuyển đến %s. Lý do: %s\n",
                      json_string_value(json_object_get(json_object_get(d, "to_facility"), "name")),
                      json_string_value(json_object_get(d, "reason")));
    yx_buf_puts(&b, "Nếu thấy mệt hơn, sốt cao, khó thở hoặc đau nhiều, hãy đến trạm y tế xã ngay.");
    json_t *out = json_pack("{s:I,s:s,s:o,s:s}", "visit_id", (json_int_t)v.id, "state", v.state, "visit",
                            visit, "text_vi", b.data ? b.data : "");
    yx_buf_release(&b);
    return rc ? (json_decref(out), rc) : yx_reply(r, 200, out);
}

/* ---- Past visits, written by a bulk import ------------------------------------------------- */

/* The clocks of the system a file comes from may run a few minutes ahead of ours. */
#define PAST_CLOCK_SKEW_MS (5 * 60 * 1000)

/* at (ms) is a time that has come: after 1970 and not past now (with the clocks' skew). */
static int past_time(struct yx_req *r, int64_t at, const char *field)
{
    if (at > 0 && at <= yx_now_ms() + PAST_CLOCK_SKEW_MS)
        return 0;
    return yx_fail_field(r, YX_EINVAL, field,
                         "Thời điểm '%s' chưa đến: nhập hồ sơ đã qua / '%s' is in the future: an import "
                         "writes what has happened.",
                         field, field);
}

/* The patient must be of the facility written into; any other, as an absent one, is a 404. */
static int past_patient(struct yx_req *r, int64_t patient, int64_t facility)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(r->db, &rows, "SELECT facility_id FROM patients WHERE id = ?", YX_PI(patient));
    if (rc == 0 && (rows->nrows != 1 || yx_rows_i64(rows, 0, "facility_id") != facility))
        rc = yx_not_found(r);
    yx_rows_free(rows);
    return rc;
}

/* The visit measurements and diagnoses are added to: a finished visit of a patient of the facility
 * (another is the 404 of an absent one). *when is p's time, or when none is given the visit's
 * start (a measuring) or end (a diagnosis). */
static int past_visit(struct yx_req *r, const struct yx_visit_past *p, int64_t *when)
{
    struct yx_rows *rows = NULL;
    int rc =
        YX_DB_Q(r->db, &rows,
                "SELECT v.state, v.started_at, v.ended_at, pa.facility_id FROM visits v JOIN patients pa ON "
                "pa.id = v.patient_id WHERE v.id = ?",
                YX_PI(p->visit_id));
    if (rc == 0 && (rows->nrows != 1 || yx_rows_i64(rows, 0, "facility_id") != p->facility_id))
        rc = yx_not_found(r);
    else if (rc == 0 && strcmp(yx_rows_str(rows, 0, "state"), "finished") != 0)
        rc = yx_fail_code(r, YX_ECONFLICT, "visit_state", NULL,
                          "Chỉ thêm vào lượt khám đã xong / an import adds to finished visits only.");
    if (rc == 0)
        *when = p->at ? p->at : yx_rows_i64(rows, 0, p->kind == YX_PAST_VITALS ? "started_at" : "ended_at");
    yx_rows_free(rows);
    return rc;
}

static int past_visit_insert(struct yx_req *r, const struct yx_visit_past *p, int64_t *id)
{
    static const char *const modes[] = {"video", "audio", "chat", "assisted", NULL};
    struct yx_rows *rows = NULL;
    int64_t doctor = p->by ? p->by : r->who.user_id, doctor_facility = p->facility_id;
    size_t reason = p->reason ? strlen(p->reason) : 0;
    int rc;
    if ((rc = past_patient(r, p->patient_id, p->facility_id)) != 0)
        return rc;
    if (!p->mode || !yx_one_of(p->mode, modes))
        return yx_fail_field(r, YX_EINVAL, "mode",
                             "mode là video, audio, chat hoặc assisted / mode is video, "
                             "audio, chat or assisted.");
    if (reason < 2 || reason > 500)
        return yx_fail_field(r, YX_EINVAL, "reason",
                             "Lý do khám 2-500 ký tự / the reason is 2-500 characters.");
    if ((rc = past_time(r, p->start, "start")) != 0 || (rc = past_time(r, p->end, "end")) != 0)
        return rc;
    if (p->end < p->start)
        return yx_fail_field(r, YX_EINVAL, "end",
                             "Lượt khám kết thúc sau khi bắt đầu / a visit ends after it starts.");
    if (p->by && (rc = yx_visit_doctor_facility(r, p->by, "doctor_id", &doctor_facility)) != 0)
        return rc;
    /* Booked when it started: the file does not say when it was planned, and a wait the import
     * made up would skew the waiting-time report. */
    rc = YX_DB_Q(
        r->db, &rows,
        "INSERT INTO visits (patient_id, facility_id, doctor_id, doctor_facility_id, created_by, mode, "
        "state, reason, started_at, ended_at, created_at, updated_at) "
        "SELECT id, facility_id, ?, ?, ?, ?, 'finished', ?, ?, ?, ?, ? FROM patients WHERE id = ? "
        "RETURNING id",
        YX_PI(doctor), YX_PI(doctor_facility), YX_PI(r->who.user_id), YX_PT(p->mode), YX_PT(p->reason),
        YX_PI(p->start), YX_PI(p->end), YX_PI(p->start), YX_PI(yx_now_ms()), YX_PI(p->patient_id));
    *id = rc == 0 && rows->nrows == 1 ? yx_rows_i64(rows, 0, "id") : 0;
    yx_rows_free(rows);
    return rc ? rc : yx_visit_event(r, *id, NULL, "finished", "imported");
}

static int past_vitals(struct yx_req *r, const struct yx_visit_past *p, int64_t *id)
{
    struct yx_rows *rows = NULL;
    struct yx_param v[YX_VITALS];
    char text[YX_VITALS][32], sql[512];
    int64_t by = p->by ? p->by : r->who.user_id, at = 0;
    int rc;
    if ((rc = past_visit(r, p, &at)) != 0 || (rc = check_vitals(r, p->vitals)) != 0 ||
        (rc = past_time(r, at, "at")) != 0)
        return rc;
    for (int k = 0; k < YX_VITALS; k++) {
        v[k] = !p->vitals->set[k] ? YX_PN : vital_ranges[k].whole ? YX_PI((int64_t)p->vitals->val[k]) : YX_PN;
        if (p->vitals->set[k] && !vital_ranges[k].whole) {
            snprintf(text[k], sizeof text[k], "%.2f", p->vitals->val[k]);
            v[k] = YX_PT(text[k]);
        }
    }
    /* The row of the same visit, time and hand whose columns for these measurements are empty:
     * the measurements of one measuring, sent one an Observation, come together again. */
    struct yx_buf where;
    yx_buf_init(&where, sizeof sql);
    for (int k = 0; k < YX_VITALS && rc == 0; k++)
        if (p->vitals->set[k])
            rc = yx_buf_printf(&where, " AND %s IS NULL", yx_vital_names[k]);
    if (rc == 0 &&
        (rc = yx_snprintf(
             sql, sizeof sql,
             "SELECT id FROM vitals WHERE visit_id = ? AND at = ? AND recorded_by = ?%s ORDER BY id "
             "LIMIT 1",
             where.data ? where.data : "")) == 0)
        rc = YX_DB_Q(r->db, &rows, sql, YX_PI(p->visit_id), YX_PI(at), YX_PI(by));
    yx_buf_release(&where);
    if (rc)
        return rc;
    int64_t row = rows->nrows == 1 ? yx_rows_i64(rows, 0, "id") : 0;
    yx_rows_free(rows);
    rows = NULL;
    if (row) {
        /* Each column keeps what it holds unless this measuring sets it (NULL is "not set"). */
        *id = row;
        return YX_DB_Q(
            r->db, NULL,
            "UPDATE vitals SET systolic = COALESCE(?, systolic), diastolic = COALESCE(?, diastolic), "
            "pulse = COALESCE(?, pulse), respiratory_rate = COALESCE(?, respiratory_rate), "
            "temperature = COALESCE(?, temperature), spo2 = COALESCE(?, spo2), weight = COALESCE(?, "
            "weight), height = COALESCE(?, height), glucose = COALESCE(?, glucose) WHERE id = ?",
            v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], YX_PI(row));
    }
    rc = YX_DB_Q(
        r->db, &rows,
        "INSERT INTO vitals (visit_id, recorded_by, at, systolic, diastolic, pulse, respiratory_rate, "
        "temperature, spo2, weight, height, glucose) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "RETURNING id",
        YX_PI(p->visit_id), YX_PI(by), YX_PI(at), v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
    *id = rc == 0 && rows->nrows == 1 ? yx_rows_i64(rows, 0, "id") : 0;
    yx_rows_free(rows);
    return rc;
}

static int past_diagnosis(struct yx_req *r, const struct yx_visit_past *p, int64_t *id)
{
    struct yx_rows *rows = NULL;
    char code[8];
    int64_t at = 0;
    int rc;
    if ((rc = past_visit(r, p, &at)) != 0)
        return rc;
    /* ytexa's list names the codes of primary care; a code outside it, or one that is not ICD-10's
     * shape, is more likely a typing mistake than a diagnosis. */
    if (!yx_icd10_wellformed(p->icd10, code) || !yx_icd10_name(r, code))
        return yx_fail_field(
            r, YX_EINVAL, "icd10",
            "Mã ICD-10 '%s' không có trong danh mục (GET /api/v1/icd10) / ICD-10 code '%s' is "
            "not in ytexa's list, itself or its category.",
            p->icd10 ? p->icd10 : "", p->icd10 ? p->icd10 : "");
    if ((rc = past_time(r, at, "at")) != 0)
        return rc;
    /* As a new primary diagnosis of the REST route, a primary one demotes the one before. */
    if (p->primary == 1)
        rc = YX_DB_Q(r->db, NULL,
                     "UPDATE visit_diagnoses SET is_primary = 0 WHERE visit_id = ? AND is_primary = 1",
                     YX_PI(p->visit_id));
    if (rc == 0)
        rc = YX_DB_Q(r->db, &rows,
                     "INSERT INTO visit_diagnoses (visit_id, code, is_primary, note, created_by, created_at) "
                     "SELECT ?, ?, CASE WHEN ? >= 0 THEN ? WHEN EXISTS (SELECT 1 FROM visit_diagnoses WHERE "
                     "visit_id = ?) THEN 0 ELSE 1 END, ?, ?, ? RETURNING id",
                     YX_PI(p->visit_id), YX_PT(code), YX_PI(p->primary), YX_PI(p->primary),
                     YX_PI(p->visit_id), YX_PT(p->note), YX_PI(p->by ? p->by : r->who.user_id), YX_PI(at));
    *id = rc == 0 && rows->nrows == 1 ? yx_rows_i64(rows, 0, "id") : 0;
    yx_rows_free(rows);
    return rc;
}

int yx_visit_record_past(struct yx_req *r, const struct yx_visit_past *p, int64_t *id)
{
    *id = 0;
    /* The rows name their author: an account of ytexa (a registered system has none yet). */
    if (!r->who.user_id)
        return yx_fail(r, YX_EFORBIDDEN,
                       "Chỉ một tài khoản ghi được hồ sơ nhập / only an account writes imported records.");
    switch (p->kind) {
    case YX_PAST_VISIT:
        return past_visit_insert(r, p, id);
    case YX_PAST_VITALS:
        return past_vitals(r, p, id);
    case YX_PAST_DIAGNOSIS:
        return past_diagnosis(r, p, id);
    }
    return YX_EINVAL;
}

const struct yx_route yx_visit_record_routes[] = {
    {"PUT", "/api/v1/visits/:id/notes", visit_notes, 0, "visit.notes", "visit", YX_DOCTORS, notes_fields},
    {"POST", "/api/v1/visits/:id/vitals", visit_vitals, 0, "visit.vitals", "visit", YX_CLINICIANS,
     vitals_fields},
    {"POST", "/api/v1/visits/:id/diagnoses", visit_diagnosis, 0, "visit.diagnosis", "visit", YX_DOCTORS,
     diagnosis_fields},
    {"PUT", "/api/v1/visits/:id/follow-up", visit_follow_up, 0, "visit.follow_up", "visit", YX_DOCTORS,
     follow_fields},
    {"POST", "/api/v1/visits/:id/referral", visit_referral, 0, "visit.referral", "visit", YX_DOCTORS,
     referral_fields},
    {"GET", "/api/v1/visits/:id/summary", visit_summary, 0, "visit.summary", "visit",
     YX_CLINICIANS | YX_ROLE_PATIENT, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
