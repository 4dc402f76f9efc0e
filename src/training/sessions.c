/* A course's sessions: live lectures broadcast from the hub on a Janus room, self-paced material,
 * and cases presented from a concluded consultation (de-identified). A live or case session goes
 * planned → live → ended (or planned → cancelled): starting it creates its Janus room, joining
 * gives a presenter's or a viewer's pass, ending it closes the stays still open, computes
 * everyone's attendance, destroys the room and awards credits where due.
 * The routes that call Janus run without a request transaction (YX_R_NOTX): a slow or dead Janus
 * must not hold the database's write lock. They call Janus before writing, so a refusal from
 * Janus leaves nothing written. */
#include <stdio.h>
#include <string.h>

#include "training.h"
#include "ytexa/consult.h"
#include "ytexa/media.h"
#include "ytexa/patient.h"
#include "ytexa/realtime.h"
#include "ytexa/training.h"

static const int makers = YX_COURSE_TRAINER | YX_COURSE_ADMIN;
#define MAKERS "giảng viên hoặc quản trị của khoá / the course's trainers or administrators"
/* A lecture: the presenter's camera, a co-presenter, the slides as a screen share. */
#define SESSION_PUBLISHERS 3
/* What a presenter sends at most (less from a thin site). */
#define SESSION_BITRATE_KBPS 768

static const char *const kinds[] = {"live", "self_paced", "case", NULL};
static const char *const live_kinds[] = {"live", "case", NULL};
static const char *const concluded[] = {"concluded", "outcome_recorded", "closed", NULL};

#define SESSION_LOAD                                                                                         \
    "SELECT id, course_id, kind, title, starts_at, minutes, consult_id, state, started_at, ended_at, "       \
    "janus_room, pin, secret FROM course_sessions WHERE id = ?"

int yx_session_load_db(struct yx_db *db, int64_t id, struct yx_course_session *s)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(db, &rows, SESSION_LOAD, YX_PI(id));
    if (rc == 0 && rows->nrows != 1)
        rc = YX_ENOTFOUND;
    if (rc == 0) {
        *s = (struct yx_course_session){.id = yx_rows_i64(rows, 0, "id"),
                                        .course_id = yx_rows_i64(rows, 0, "course_id"),
                                        .starts_at = yx_rows_i64(rows, 0, "starts_at"),
                                        .minutes = (int)yx_rows_i64(rows, 0, "minutes"),
                                        .consult_id = yx_rows_i64(rows, 0, "consult_id"),
                                        .started_at = yx_rows_i64(rows, 0, "started_at"),
                                        .ended_at = yx_rows_i64(rows, 0, "ended_at"),
                                        .janus_room = yx_rows_i64(rows, 0, "janus_room")};
        yx_snprintf(s->kind, sizeof s->kind, "%s", yx_rows_str(rows, 0, "kind"));
        yx_snprintf(s->title, sizeof s->title, "%s", yx_rows_str(rows, 0, "title"));
        yx_snprintf(s->state, sizeof s->state, "%s", yx_rows_str(rows, 0, "state"));
        yx_snprintf(s->pin, sizeof s->pin, "%s",
                    yx_rows_null(rows, 0, "pin") ? "" : yx_rows_str(rows, 0, "pin"));
        yx_snprintf(s->secret, sizeof s->secret, "%s",
                    yx_rows_null(rows, 0, "secret") ? "" : yx_rows_str(rows, 0, "secret"));
    }
    yx_rows_free(rows);
    return rc;
}

int yx_session_load(struct yx_req *r, int param, struct yx_course_session *s, struct yx_course *c)
{
    int64_t id;
    int rc = yx_param_id(r, param, &id);
    if (rc)
        return rc;
    rc = yx_session_load_db(r->db, id, s);
    if (rc == 0)
        rc = yx_course_find(r, s->course_id, c);
    if (rc == YX_ENOTFOUND)
        return yx_fail(r, YX_ENOTFOUND, "Không có buổi học này / no such session.");
    if (rc == 0)
        yx_audit_target(r, s->id);
    return rc;
}

int yx_session_state_in(struct yx_req *r, const struct yx_course_session *s, const char *const *states)
{
    if (yx_one_of(s->state, states))
        return 0;
    return yx_fail_code(r, YX_ECONFLICT, "session_state", json_pack("{s:s}", "state", s->state),
                        "Buổi học đang ở trạng thái '%s', không làm được việc này / the session is %s; this "
                        "cannot be done now.",
                        s->state, s->state);
}

static int live_kind(struct yx_req *r, const struct yx_course_session *s)
{
    if (yx_one_of(s->kind, live_kinds))
        return 0;
    return yx_fail_code(r, YX_ECONFLICT, "session_kind", json_pack("{s:s}", "kind", s->kind),
                        "Buổi tự học không có phòng trực tuyến / a self-paced session has no live room.");
}

static int answer_session(struct yx_req *r, int status, int64_t id)
{
    struct yx_rows *rows = NULL;
    int rc =
        YX_DB_Q(r->db, &rows, "SELECT " YX_SESSION_COLUMNS " FROM course_sessions WHERE id = ?", YX_PI(id));
    json_t *out = rc == 0 && rows->nrows == 1 ? yx_session_row(rows, 0) : NULL;
    yx_rows_free(rows);
    return out ? yx_reply(r, status, out) : rc ? rc : YX_EDB;
}

static const struct yx_field create_fields[] = {
    {"kind", YX_F_STRING, 1, 1, 12},           {"title", YX_F_STRING, 1, 3, 200},
    {"starts_at", YX_F_STRING, 0, 1, 40},      {"minutes", YX_F_INT, 1, 5, 600},
    {"consult_id", YX_F_INT, 0, 1, INT64_MAX}, {NULL, 0, 0, 0, 0},
};

/* A case session's consultation: concluded, and the course's facility took part in it as the
 * one that asked or the one that answered. */
static int case_consult(struct yx_req *r, const struct yx_course *c, int64_t consult)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(
        r->db, &rows,
        "SELECT state FROM consults WHERE id = ? AND (requester_facility_id = ? OR assigned_facility_id "
        "= ?)",
        YX_PI(consult), YX_PI(c->facility_id), YX_PI(c->facility_id));
    int found = rc == 0 && rows->nrows == 1, done = found && yx_one_of(yx_rows_get(rows, 0, 0), concluded);
    yx_rows_free(rows);
    if (rc == 0 && !found)
        rc =
            yx_fail_field(r, YX_EINVAL, "consult_id",
                          "Không có ca hội chẩn này của cơ sở mở khoá / no such consultation of the course's "
                          "facility.");
    else if (rc == 0 && !done)
        rc = yx_fail_field(r, YX_EINVAL, "consult_id",
                           "Ca hội chẩn chưa có kết luận / the consultation is not concluded yet.");
    return rc;
}

/* GET /api/v1/courses/:id/cases?cursor&limit — the consultations a case session of this course may
 * present (concluded, and the course's facility asked or answered), newest first, for its makers
 * to pick one: what each case was about and no more (specialty, urgency, when it was concluded,
 * the patient's sex and age band), and whether a session of the course shows it already. */
static int course_cases(struct yx_req *r)
{
    struct yx_course c;
    struct yx_rows *rows = NULL;
    int64_t after, limit;
    int rc;
    if ((rc = yx_course_load(r, 0, &c)) != 0 || (rc = yx_course_require(r, &c, makers, MAKERS)) != 0 ||
        (rc = yx_page(r, &after, &limit)) != 0)
        return rc;
    if ((rc = YX_DB_Q(
             r->db, &rows,
             "SELECT c.id, c.specialty, s.name_vi AS specialty_name, c.urgency, c.kind, c.concluded_at, "
             "p.sex, "
             "p.birth_year, c.requested_at, (SELECT COUNT(*) FROM course_sessions cs WHERE "
             "cs.course_id = ? AND cs.consult_id = c.id AND cs.state <> 'cancelled') AS in_course FROM "
             "consults c "
             "JOIN specialties s ON s.code = c.specialty JOIN patients p ON p.id = c.patient_id WHERE "
             "(c.requester_facility_id = ? OR c.assigned_facility_id = ?) AND c.state IN "
             "('concluded', 'outcome_recorded', 'closed') AND (? = 0 OR c.id < ?) ORDER BY c.id DESC "
             "LIMIT ?",
             YX_PI(c.id), YX_PI(c.facility_id), YX_PI(c.facility_id), YX_PI(after), YX_PI(after),
             YX_PI(limit + 1))) != 0)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < rows->nrows && i < limit; i++) {
        char band[16];
        yx_age_band(yx_rows_i64(rows, i, "requested_at"), yx_rows_i64(rows, i, "birth_year"), band);
        json_array_append_new(items,
                              json_pack("{s:I,s:s,s:s,s:s,s:s,s:o,s:{s:s,s:s},s:b}", "id",
                                        (json_int_t)yx_rows_i64(rows, i, "id"), "specialty",
                                        yx_rows_str(rows, i, "specialty"), "specialty_name",
                                        yx_rows_str(rows, i, "specialty_name"), "urgency",
                                        yx_rows_str(rows, i, "urgency"), "kind", yx_rows_str(rows, i, "kind"),
                                        "concluded_at", yx_json_time_or_null(rows, i, "concluded_at"),
                                        "patient", "sex", yx_rows_str(rows, i, "sex"), "age_band", band,
                                        "in_course", yx_rows_i64(rows, i, "in_course") > 0));
    }
    int more = rows->nrows > limit;
    int64_t last = more ? yx_rows_i64(rows, (int)limit - 1, "id") : 0;
    yx_rows_free(rows);
    return yx_reply(r, 200, yx_page_json(items, more, last));
}

/* POST /api/v1/courses/:id/sessions {kind, title, starts_at?, minutes, consult_id?} */
static int session_create(struct yx_req *r)
{
    static const char *const open_states[] = {"draft", "published", NULL};
    struct yx_course c;
    struct yx_rows *rows = NULL;
    int64_t starts = 0;
    int rc;
    if ((rc = yx_course_load(r, 0, &c)) != 0 || (rc = yx_course_require(r, &c, makers, MAKERS)) != 0 ||
        (rc = yx_body(r, create_fields)) != 0)
        return rc;
    const char *kind = yx_json_str(r->json, "kind"), *at = yx_json_str(r->json, "starts_at");
    int64_t consult = yx_json_int(r->json, "consult_id", 0);
    if (!yx_one_of(kind, kinds))
        return yx_fail_field(r, YX_EINVAL, "kind",
                             "Loại buổi học là trực tuyến (live), tự học (self_paced) hoặc ca bệnh (case) / "
                             "kind is live, self_paced or case.");
    if (strcmp(kind, "live") == 0 && !at)
        return yx_fail_field(
            r, YX_EINVAL, "starts_at",
            "Buổi học trực tuyến cần giờ bắt đầu (starts_at) / A live session needs starts_at.");
    if (strcmp(kind, "self_paced") == 0 && at)
        return yx_fail_field(
            r, YX_EINVAL, "starts_at",
            "Buổi tự học không có giờ bắt đầu (starts_at) / A self-paced session has no starts_at.");
    if (at && yx_time_parse(at, &starts) != 0)
        return yx_fail_field(
            r, YX_EINVAL, "starts_at",
            "Giờ bắt đầu (starts_at) là giờ ISO kèm múi giờ, ví dụ 2026-11-23T09:00:00+07:00 / starts_at is "
            "an ISO time with its offset, e.g. 2026-11-23T09:00:00+07:00.");
    if ((strcmp(kind, "case") == 0) != (consult != 0))
        return yx_fail_field(r, YX_EINVAL, "consult_id",
                             "Buổi học ca bệnh có ca hội chẩn (consult_id), các buổi khác thì không / A case "
                             "session, and only a case session, has a consult_id.");
    if ((rc = yx_course_state_in(r, &c, open_states)) != 0 ||
        (consult && (rc = case_consult(r, &c, consult)) != 0))
        return rc;
    rc =
        YX_DB_Q(r->db, &rows,
                "INSERT INTO course_sessions (course_id, kind, title, starts_at, minutes, consult_id, state, "
                "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, 'planned', ?, ?) RETURNING id",
                YX_PI(c.id), YX_PT(kind), YX_PT(yx_json_str(r->json, "title")), at ? YX_PI(starts) : YX_PN,
                YX_PI(yx_json_int(r->json, "minutes", 0)), consult ? YX_PI(consult) : YX_PN,
                YX_PI(r->who.user_id), YX_PI(yx_now_ms()));
    int64_t id = rc == 0 && rows->nrows == 1 ? yx_rows_int(rows, 0, 0) : 0;
    yx_rows_free(rows);
    if (rc == 0 && !id)
        rc = YX_EDB;
    if (rc == 0)
        rc = yx_course_announce(r->db, c.id, id);
    return rc ? rc : answer_session(r, 201, id);
}

/* The token that lets a presenter publish in the session's room (Janus's "allowed" list): made
 * from the room's secret, which never leaves the server, so it needs no column of its own and a
 * viewer, who has only the pin, cannot publish. */
static void presenter_token(const struct yx_course_session *s, char out[65])
{
    char seed[96];
    yx_snprintf(seed, sizeof seed, "%s:presenter", s->secret);
    yx_sha256_hex(seed, strlen(seed), out);
}

static int ensure_room(struct yx_req *r, const struct yx_course_session *s)
{
    char what[40], token[65];
    yx_snprintf(what, sizeof what, "session:%lld", (long long)s->id);
    presenter_token(s, token);
    struct yx_janus_room jr = {s->janus_room,        s->pin, s->secret, what, SESSION_PUBLISHERS,
                               SESSION_BITRATE_KBPS, token};
    return yx_janus_room_ensure(&jr) == 0 ? 0 : yx_janus_fail(r);
}

/* The session's course, its makers and a live kind, and no input: what start, end and cancel need. */
static int load_for_change(struct yx_req *r, struct yx_course_session *s, struct yx_course *c,
                           const char *const *states)
{
    int rc;
    if ((rc = yx_session_load(r, 0, s, c)) != 0 || (rc = yx_course_require(r, c, makers, MAKERS)) != 0 ||
        (rc = yx_no_body(r)) != 0 || (rc = live_kind(r, s)) != 0 ||
        (rc = yx_session_state_in(r, s, states)) != 0)
        return rc;
    return 0;
}

/* POST /api/v1/sessions/:sid/start — planned → live, with a new room on Janus. */
static int session_start(struct yx_req *r)
{
    static const char *const planned[] = {"planned", NULL}, *const published[] = {"published", NULL};
    struct yx_course_session s;
    struct yx_course c;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = load_for_change(r, &s, &c, planned)) != 0 || (rc = yx_course_state_in(r, &c, published)) != 0)
        return rc;
    if (!yx_janus_enabled())
        return yx_fail_code(
            r, YX_EUNAVAIL, "rooms_unavailable", NULL,
            "Máy chủ này chưa có phòng họp video / this server has no video rooms configured.");
    uint64_t n;
    yx_random(&n, sizeof n);
    yx_random_token(s.pin, sizeof s.pin, 18);
    yx_random_token(s.secret, sizeof s.secret, 24);
    s.janus_room = 1 + (int64_t)(n % ((1ULL << 52) - 1));
    if ((rc = ensure_room(r, &s)) != 0)
        return rc;
    rc = YX_DB_Q(
        r->db, &rows,
        "UPDATE course_sessions SET state = 'live', started_at = ?, janus_room = ?, pin = ?, secret = ? "
        "WHERE id = ? AND state = 'planned' RETURNING id",
        YX_PI(yx_now_ms()), YX_PI(s.janus_room), YX_PT(s.pin), YX_PT(s.secret), YX_PI(s.id));
    int started = rc == 0 && rows->nrows == 1;
    yx_rows_free(rows);
    if (!started) {
        /* Someone else started it meanwhile (or the write failed): their room is the one. */
        yx_janus_room_destroy(s.janus_room, s.secret);
        return rc ? rc
                  : yx_fail_code(
                        r, YX_ECONFLICT, "session_state", NULL,
                        "Buổi học vừa được người khác bắt đầu / someone else started the session just now.");
    }
    return answer_session(r, 200, s.id);
}

/* POST /api/v1/sessions/:sid/join — while live: the pass to its Janus room, as presenter (a
 * trainer) or viewer (an enrolled person), and the hub channel where attendance is taken. */
static int session_join(struct yx_req *r)
{
    static const char *const live[] = {"live", NULL};
    struct yx_course_session s;
    struct yx_course c;
    struct yx_site_caps caps;
    int rc;
    if ((rc = yx_session_load(r, 0, &s, &c)) != 0 ||
        (rc = yx_course_require(
             r, &c, YX_COURSE_TRAINER | YX_COURSE_ENROLLED,
             "giảng viên hoặc người đã ghi danh / the course's trainers or the people enrolled")) != 0 ||
        (rc = yx_no_body(r)) != 0 || (rc = live_kind(r, &s)) != 0 ||
        (rc = yx_session_state_in(r, &s, live)) != 0)
        return rc;
    int presenter = yx_course_may(r, &c, YX_COURSE_TRAINER);
    /* Janus forgets rooms when it restarts: the room is made again with the same pin. */
    if ((rc = ensure_room(r, &s)) != 0 ||
        (rc = yx_rtc_site_caps(r->db, r->who.facility_id, SESSION_BITRATE_KBPS, &caps)) != 0)
        return rc;
    char token[192], at[32], channel[40];
    int64_t expires;
    if (yx_janus_token(token, sizeof token, &expires) != 0)
        return YX_EINTERNAL;
    yx_time_format(expires * 1000, at);
    yx_snprintf(channel, sizeof channel, "session:%lld", (long long)s.id);
    json_t *pass = json_pack(
        "{s:s,s:I,s:I,s:s,s:s,s:{s:s,s:s,s:s},s:i,s:b,s:s}", "role", presenter ? "presenter" : "viewer",
        "session_id", (json_int_t)s.id, "janus_room", (json_int_t)s.janus_room, "pin", s.pin, "display",
        r->who.full_name, "janus", "url", yx_janus_public_url(), "token", token, "expires_at", at,
        "max_bitrate_kbps", caps.max_bitrate_kbps, "audio_only", caps.audio_only, "channel", channel);
    if (presenter) {
        char publish[65];
        presenter_token(&s, publish);
        json_object_set_new(pass, "publisher_token", json_string(publish));
    }
    return yx_reply(r, 200, pass);
}

/* POST /api/v1/sessions/:sid/end — live → ended: the room destroyed (everyone sent away), then in
 * one transaction the stays still open closed now, everyone's attendance and credits. */
static int session_end(struct yx_req *r)
{
    static const char *const live[] = {"live", NULL};
    struct yx_course_session s;
    struct yx_course c;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = load_for_change(r, &s, &c, live)) != 0)
        return rc;
    if (s.janus_room && yx_janus_room_destroy(s.janus_room, s.secret) != 0)
        return yx_janus_fail(r);
    int64_t now = yx_now_ms();
    if ((rc = yx_db_begin(r->db)) != 0)
        return rc;
    rc = YX_DB_Q(
        r->db, &rows,
        "UPDATE course_sessions SET state = 'ended', ended_at = ? WHERE id = ? AND state = 'live' RETURNING "
        "id",
        YX_PI(now), YX_PI(s.id));
    int ended = rc == 0 && rows->nrows == 1;
    yx_rows_free(rows);
    if (rc == 0 && !ended)
        rc = yx_fail_code(r, YX_ECONFLICT, "session_state", NULL,
                          "Buổi học vừa được người khác kết thúc / someone else ended the session just now.");
    if (rc == 0)
        rc = YX_DB_Q(r->db, NULL,
                     "UPDATE attendance_spans SET left_at = ? WHERE session_id = ? AND left_at IS NULL",
                     YX_PI(now), YX_PI(s.id));
    if (rc == 0)
        rc = YX_DB_Q(r->db, NULL,
                     "UPDATE notifications SET status = 'not_needed' WHERE session_id = ? AND kind = "
                     "'session_starting' AND pushed_at IS NULL",
                     YX_PI(s.id));
    s.ended_at = now;
    yx_snprintf(s.state, sizeof s.state, "ended");
    if (rc == 0)
        rc = yx_session_attendance_store(r->db, &c, &s);
    if (rc == 0)
        rc = yx_db_commit(r->db);
    else
        yx_db_rollback(r->db);
    return rc ? rc : answer_session(r, 200, s.id);
}

/* POST /api/v1/sessions/:sid/cancel — planned → cancelled; nobody is called to it any more, and
 * credits the session held back are awarded. */
static int session_cancel(struct yx_req *r)
{
    static const char *const planned[] = {"planned", NULL};
    struct yx_course_session s;
    struct yx_course c;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = yx_session_load(r, 0, &s, &c)) != 0 || (rc = yx_course_require(r, &c, makers, MAKERS)) != 0 ||
        (rc = yx_no_body(r)) != 0 || (rc = yx_session_state_in(r, &s, planned)) != 0)
        return rc;
    rc = YX_DB_Q(
        r->db, &rows,
        "UPDATE course_sessions SET state = 'cancelled' WHERE id = ? AND state = 'planned' RETURNING id",
        YX_PI(s.id));
    int done = rc == 0 && rows->nrows == 1;
    yx_rows_free(rows);
    if (rc == 0 && !done)
        rc = yx_fail_code(
            r, YX_ECONFLICT, "session_state", NULL,
            "Buổi học vừa được người khác thay đổi / someone else changed the session just now.");
    if (rc == 0)
        rc = YX_DB_Q(r->db, NULL,
                     "UPDATE notifications SET status = 'not_needed' WHERE session_id = ? AND kind = "
                     "'session_starting' AND pushed_at IS NULL",
                     YX_PI(s.id));
    /* A cancelled session is no longer required: whoever had done the rest has the credit now. */
    if (rc == 0)
        rc = yx_training_award_course(r->db, c.id);
    return rc ? rc : answer_session(r, 200, s.id);
}

/* GET /api/v1/sessions/:sid/case — a case session's consultation, de-identified, for the course's
 * people (who do not see the case itself). */
static int session_case(struct yx_req *r)
{
    struct yx_course_session s;
    struct yx_course c;
    struct yx_rows *rows = NULL;
    int rc;
    if ((rc = yx_session_load(r, 0, &s, &c)) != 0 ||
        (rc = yx_course_require(r, &c, makers | YX_COURSE_ENROLLED,
                                "người đã ghi danh hoặc giảng viên / the people enrolled or the trainers")) !=
            0)
        return rc;
    if (strcmp(s.kind, "case") != 0)
        return yx_fail_code(r, YX_ECONFLICT, "session_kind", json_pack("{s:s}", "kind", s.kind),
                            "Buổi học này không trình bày ca bệnh / this session presents no case.");
    /* The export is made from the patient's record: the audit names whose. */
    if ((rc = YX_DB_Q(r->db, &rows, "SELECT patient_id FROM consults WHERE id = ?", YX_PI(s.consult_id))) !=
        0)
        return rc;
    r->audit_patient_id = rows->nrows == 1 ? yx_rows_int(rows, 0, 0) : 0;
    yx_rows_free(rows);
    json_t *out = yx_consult_deidentified(r->db, s.consult_id);
    if (!out)
        return yx_fail(r, YX_ENOTFOUND, "Ca bệnh không còn để trình bày / the case is no longer available.");
    json_object_set_new(out, "session_id", json_integer(s.id));
    return yx_reply(r, 200, out);
}

/* May r's principal be in the session's channel? When the session is live and they are one of its
 * course's trainers or enrolled in the course; 404 otherwise. */
static int may_join(struct yx_req *r, int64_t session_id, int64_t *patient)
{
    (void)patient; /* a lecture is about no patient */
    struct yx_course_session s;
    struct yx_course c;
    int rc = yx_session_load_db(r->db, session_id, &s);
    if (rc == 0)
        rc = yx_course_find(r, s.course_id, &c);
    if (rc == 0 &&
        (strcmp(s.state, "live") != 0 || !yx_course_may(r, &c, YX_COURSE_TRAINER | YX_COURSE_ENROLLED)))
        rc = YX_ENOTFOUND;
    if (rc == YX_ENOTFOUND)
        return yx_fail(r, YX_ENOTFOUND, "Không có buổi học trực tuyến này / no such live session.");
    return rc;
}

/* Attendance is taken from the channel: a socket's stay in it is a span (docs/training.md). */
static int lecture_join(struct yx_req *r, int64_t session, int64_t *span)
{
    int rc = yx_training_span_open(r->db, session, r->who.user_id, yx_now_ms(), span);
    if (rc == YX_ECONFLICT)
        return yx_fail_code(r, YX_ECONFLICT, "session_not_live", NULL,
                            "Buổi học chưa bắt đầu hoặc đã kết thúc / the session is not live.");
    return rc;
}

const struct yx_channel_kind yx_training_channel = {
    .name = "session",
    .may_join = may_join,
    /* Questions and raised hands go as signals. */
    .keeps_chat = 0,
    .no_chat =
        "Kênh buổi học không lưu tin nhắn: dùng signal / a session's channel keeps no chat: use signal.",
    .on_join = lecture_join,
    .on_leave = yx_training_span_close,
};

const struct yx_route yx_session_routes[] = {
    {"POST", "/api/v1/courses/:id/sessions", session_create, 0, "training.session_create", "course",
     YX_COURSE_MAKERS, create_fields},
    {"GET", "/api/v1/courses/:id/cases", course_cases, 0, "training.course_cases", "course", YX_COURSE_MAKERS,
     NULL},
    {"POST", "/api/v1/sessions/:sid/start", session_start, YX_R_NOTX, "training.session_start",
     "course_session", YX_COURSE_MAKERS, NULL},
    {"POST", "/api/v1/sessions/:sid/join", session_join, YX_R_NOTX, "training.session_join", "course_session",
     YX_STAFF, NULL},
    {"POST", "/api/v1/sessions/:sid/end", session_end, YX_R_NOTX, "training.session_end", "course_session",
     YX_COURSE_MAKERS, NULL},
    {"POST", "/api/v1/sessions/:sid/cancel", session_cancel, 0, "training.session_cancel", "course_session",
     YX_COURSE_MAKERS, NULL},
    {"GET", "/api/v1/sessions/:sid/case", session_case, 0, "training.session_case", "course_session",
     YX_STAFF, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
