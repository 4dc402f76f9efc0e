/* Attendance (điểm danh) from real presence: the hub opens a stay (attendance_spans) when a socket
 * joins a live session's channel and closes it when the socket leaves. A person's time is the
 * union of their stays within the session's actual start and end, so two tabs or a reconnect are
 * not counted twice. A site watching together on one screen records the names present; once its
 * lead confirms, they count as fully present (source "site"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "training.h"
#include "ytexa/training.h"

static int by_start(const void *a, const void *b)
{
    const struct yx_span *x = a, *y = b;
    return x->from < y->from ? -1 : x->from > y->from;
}

int64_t yx_attendance_ms(struct yx_span *spans, size_t n, int64_t start, int64_t end)
{
    if (end <= start || n == 0) /* qsort() may not be given NULL, even for no elements */
        return 0;
    for (size_t i = 0; i < n; i++) {
        struct yx_span *s = &spans[i];
        if (s->to < 0 || s->to > end)
            s->to = end;
        if (s->from < start)
            s->from = start;
        if (s->to < s->from) /* wholly outside, or a leave before its join */
            s->to = s->from;
    }
    qsort(spans, n, sizeof *spans, by_start);
    int64_t total = 0, from = 0, to = 0;
    int open = 0;
    for (size_t i = 0; i < n; i++) {
        if (spans[i].to == spans[i].from)
            continue;
        if (open && spans[i].from <= to) {
            if (spans[i].to > to)
                to = spans[i].to;
            continue;
        }
        if (open)
            total += to - from;
        from = spans[i].from;
        to = spans[i].to;
        open = 1;
    }
    if (open)
        total += to - from;
    return total;
}

int yx_attendance_pct(int64_t ms, int64_t duration_ms)
{
    if (duration_ms <= 0 || ms <= 0)
        return 0;
    return ms >= duration_ms ? 100 : (int)(ms * 100 / duration_ms);
}

/* One person's attendance, as computed. */
struct tally {
    int64_t ms;
    int present, site;
};

/* The tallies of the people (rows of yx_course_people, by id ascending) of session s
 * up to end: their stays (open ones count to end) and whether a confirmed site attendance names
 * them. out has people->nrows entries. */
static int tally_people(struct yx_db *db, const struct yx_course_session *s, const struct yx_rows *people,
                        int64_t end, struct tally *out)
{
    struct yx_rows *spans = NULL, *site = NULL;
    if (people->nrows == 0)
        return 0;
    int64_t first = yx_rows_i64(people, 0, "id"), last = yx_rows_i64(people, people->nrows - 1, "id");
    int rc =
        YX_DB_Q(db, &spans,
                "SELECT user_id, joined_at, left_at FROM attendance_spans WHERE session_id = ? AND user_id "
                "BETWEEN ? AND ? ORDER BY user_id, id",
                YX_PI(s->id), YX_PI(first), YX_PI(last));
    if (rc == 0)
        rc = YX_DB_Q(
            db, &site,
            "SELECT a.user_id FROM site_attendees a JOIN site_attendance t ON t.id = a.site_attendance_id "
            "WHERE t.session_id = ? AND t.confirmed_at IS NOT NULL AND a.user_id BETWEEN ? AND ? ORDER BY "
            "a.user_id",
            YX_PI(s->id), YX_PI(first), YX_PI(last));
    struct yx_span *buf = rc == 0 ? malloc(sizeof *buf * (size_t)(spans->nrows + 1)) : NULL;
    if (rc == 0 && !buf)
        rc = YX_ENOMEM;
    /* Both lists are in user order: walk them along the people. */
    for (int p = 0, k = 0, j = 0; rc == 0 && p < people->nrows; p++) {
        int64_t user = yx_rows_i64(people, p, "id");
        size_t n = 0;
        out[p] = (struct tally){0};
        while (k < spans->nrows && yx_rows_int(spans, k, 0) < user)
            k++;
        for (; k < spans->nrows && yx_rows_int(spans, k, 0) == user; k++) {
            int open = yx_rows_isnull(spans, k, 2);
            buf[n++] = (struct yx_span){yx_rows_int(spans, k, 1), open ? -1 : yx_rows_int(spans, k, 2)};
            out[p].present |= open;
        }
        out[p].ms = yx_attendance_ms(buf, n, s->started_at, end);
        while (j < site->nrows && yx_rows_int(site, j, 0) < user)
            j++;
        out[p].site = j < site->nrows && yx_rows_int(site, j, 0) == user;
    }
    free(buf);
    yx_rows_free(spans);
    yx_rows_free(site);
    return rc;
}

/* A person's attendance of a session, stored or replaced: the head and tail of a multi-row insert. */
#define ATTENDANCE_HEAD                                                                                      \
    "INSERT INTO attendance (session_id, user_id, seconds, pct, source, passed, computed_at) VALUES "
#define ATTENDANCE_TAIL                                                                                      \
    " ON CONFLICT (session_id, user_id) DO UPDATE SET seconds = excluded.seconds, pct = excluded.pct, "      \
    "source = excluded.source, passed = excluded.passed, computed_at = excluded.computed_at"
#define ATTENDANCE_COLS 7

static void attendance_row(struct yx_param *p, int64_t session, int64_t user, int64_t seconds, int pct,
                           const char *source, int passed, int64_t now)
{
    p[0] = YX_PI(session);
    p[1] = YX_PI(user);
    p[2] = YX_PI(seconds);
    p[3] = YX_PI(pct);
    p[4] = YX_PT(source);
    p[5] = YX_PI(passed);
    p[6] = YX_PI(now);
}

/* Stores the n attendance rows of p (ATTENDANCE_COLS each) in statements of up to 128 people,
 * then awards the session's credits where due, in one statement. */
static int store_and_award(struct yx_db *db, const struct yx_course *c, const struct yx_course_session *s,
                           const struct yx_param *p, int n)
{
    int rc = yx_db_exec_rows(db, ATTENDANCE_HEAD, ATTENDANCE_TAIL, p, ATTENDANCE_COLS, n);
    return rc ? rc : yx_training_award_session(db, c->id, s->id);
}

/* Everyone's attendance at the session's end (a lecture's hundreds were a round trip each on
 * PostgreSQL), then the credits due. */
int yx_session_attendance_store(struct yx_db *db, const struct yx_course *c,
                                const struct yx_course_session *s)
{
    struct yx_rows *people = NULL;
    struct yx_param *p = NULL;
    int rc = yx_course_people(db, c->id, 0, 0, 0, &people);
    struct tally *t = rc == 0 ? calloc((size_t)people->nrows + 1, sizeof *t) : NULL;
    p = t ? calloc((size_t)people->nrows * ATTENDANCE_COLS + 1, sizeof *p) : NULL;
    if (rc == 0 && !p)
        rc = YX_ENOMEM;
    if (rc == 0)
        rc = tally_people(db, s, people, s->ended_at, t);
    int64_t duration = s->ended_at - s->started_at, now = yx_now_ms();
    for (int i = 0; rc == 0 && i < people->nrows; i++) {
        int pct = t[i].site ? 100 : yx_attendance_pct(t[i].ms, duration);
        int64_t ms = t[i].site ? duration : t[i].ms;
        attendance_row(p + (size_t)i * ATTENDANCE_COLS, s->id, yx_rows_i64(people, i, "id"), ms / 1000, pct,
                       t[i].site ? "site" : "online", pct >= c->attendance_pass_pct, now);
    }
    if (rc == 0)
        rc = store_and_award(db, c, s, p, people->nrows);
    free(p);
    free(t);
    yx_rows_free(people);
    return rc;
}

static json_t *person_json(const struct yx_rows *r, int i, int64_t seconds, int pct, int passed,
                           const char *source, int present)
{
    json_t *facility = yx_rows_null(r, i, "facility_id")
                           ? json_null()
                           : json_pack("{s:I,s:s}", "id", (json_int_t)yx_rows_i64(r, i, "facility_id"),
                                       "name", yx_rows_str(r, i, "facility_name"));
    return json_pack("{s:{s:I,s:s,s:o},s:I,s:i,s:b,s:s,s:b}", "user", "id",
                     (json_int_t)yx_rows_i64(r, i, "id"), "full_name", yx_rows_str(r, i, "full_name"),
                     "facility", facility, "seconds", (json_int_t)seconds, "pct", pct, "passed", passed,
                     "source", source, "present", present);
}

/* The page of a live session's attendance, counted up to now. */
static int live_items(struct yx_req *r, const struct yx_course *c, const struct yx_course_session *s,
                      const struct yx_rows *people, int limit, json_t *items)
{
    struct tally *t = calloc((size_t)people->nrows + 1, sizeof *t);
    int64_t now = yx_now_ms(), duration = now - s->started_at;
    int rc = t ? tally_people(r->db, s, people, now, t) : YX_ENOMEM;
    for (int i = 0; rc == 0 && i < people->nrows && i < limit; i++) {
        int pct = t[i].site ? 100 : yx_attendance_pct(t[i].ms, duration);
        json_array_append_new(items, person_json(people, i, (t[i].site ? duration : t[i].ms) / 1000, pct,
                                                 pct >= c->attendance_pass_pct, t[i].site ? "site" : "online",
                                                 t[i].present));
    }
    free(t);
    return rc;
}

/* GET /api/v1/sessions/:sid/attendance?cursor&limit — live: counted up to now; ended: as
 * computed at the end (and after a late site confirmation). */
static int attendance_get(struct yx_req *r)
{
    static const char *const states[] = {"live", "ended", NULL};
    struct yx_course_session s;
    struct yx_course c;
    struct yx_rows *rows = NULL;
    int64_t after, limit;
    int rc;
    if ((rc = yx_session_load(r, 0, &s, &c)) != 0 ||
        (rc = yx_course_require(r, &c, YX_COURSE_TRAINER | YX_COURSE_ADMIN,
                                "giảng viên hoặc quản trị / the course's trainers or administrators")) != 0 ||
        (rc = yx_session_state_in(r, &s, states)) != 0 || (rc = yx_page(r, &after, &limit)) != 0)
        return rc;
    json_t *items = json_array();
    int live = strcmp(s.state, "live") == 0;
    if (live)
        rc = yx_course_people(r->db, c.id, 0, after, limit + 1, &rows);
    else
        rc = YX_DB_Q(
            r->db, &rows,
            "SELECT a.user_id AS id, u.full_name, u.facility_id, f.name AS facility_name, a.seconds, a.pct, "
            "a.passed, a.source "
            "FROM attendance a JOIN users u ON u.id = a.user_id LEFT JOIN facilities f ON f.id = "
            "u.facility_id WHERE a.session_id = ? AND a.user_id > ? ORDER BY a.user_id LIMIT ?",
            YX_PI(s.id), YX_PI(after), YX_PI(limit + 1));
    if (rc == 0 && live)
        rc = live_items(r, &c, &s, rows, (int)limit, items);
    for (int i = 0; rc == 0 && !live && i < rows->nrows && i < limit; i++)
        json_array_append_new(
            items, person_json(rows, i, yx_rows_i64(rows, i, "seconds"), (int)yx_rows_i64(rows, i, "pct"),
                               yx_rows_i64(rows, i, "passed") != 0, yx_rows_str(rows, i, "source"), 0));
    int more = rc == 0 && rows->nrows > limit;
    int64_t last = more ? yx_rows_i64(rows, (int)limit - 1, "id") : 0;
    yx_rows_free(rows);
    if (rc) {
        json_decref(items);
        return rc;
    }
    return yx_reply(r, 200, yx_page_json(items, more, last));
}

/* Site attendance. */

static json_t *person_ref(const struct yx_rows *r, int i)
{
    return json_pack("{s:I,s:s}", "id", (json_int_t)yx_rows_int(r, i, 0), "full_name", yx_rows_get(r, i, 1));
}

static json_t *site_json(struct yx_db *db, int64_t id)
{
    struct yx_rows *rows = NULL;
    json_t *out = NULL;
    if (YX_DB_Q(
            db, &rows,
            "SELECT t.id, t.session_id, t.facility_id, f.name AS facility_name, t.recorded_by, "
            "rb.full_name AS recorder_name, t.recorded_at, t.confirmed_by, cb.full_name AS confirmer_name, "
            "t.confirmed_at FROM site_attendance t JOIN facilities f ON f.id = "
            "t.facility_id JOIN users rb ON rb.id = t.recorded_by LEFT JOIN users cb ON cb.id = "
            "t.confirmed_by "
            "WHERE t.id = ?",
            YX_PI(id)) == 0 &&
        rows->nrows == 1)
        out = json_pack(
            "{s:I,s:I,s:{s:I,s:s},s:{s:I,s:s},s:o,s:o,s:o}", "id", (json_int_t)yx_rows_i64(rows, 0, "id"),
            "session_id", (json_int_t)yx_rows_i64(rows, 0, "session_id"), "facility", "id",
            (json_int_t)yx_rows_i64(rows, 0, "facility_id"), "name", yx_rows_str(rows, 0, "facility_name"),
            "recorded_by", "id", (json_int_t)yx_rows_i64(rows, 0, "recorded_by"), "full_name",
            yx_rows_str(rows, 0, "recorder_name"), "recorded_at",
            yx_json_time_or_null(rows, 0, "recorded_at"), "confirmed_by",
            yx_rows_null(rows, 0, "confirmed_by")
                ? json_null()
                : json_pack("{s:I,s:s}", "id", (json_int_t)yx_rows_i64(rows, 0, "confirmed_by"), "full_name",
                            yx_rows_str(rows, 0, "confirmer_name")),
            "confirmed_at", yx_json_time_or_null(rows, 0, "confirmed_at"));
    yx_rows_free(rows);
    if (out)
        json_object_set_new(
            out, "people",
            yx_json_rows(db,
                         "SELECT u.id, u.full_name FROM site_attendees a JOIN users u ON u.id = "
                         "a.user_id WHERE a.site_attendance_id = ? ORDER BY u.id",
                         id, person_ref));
    return out;
}

/* The site's record of this session (id 0 when none) and whether it is confirmed. */
static int site_find(struct yx_db *db, int64_t session, int64_t facility, int64_t *id, int64_t *recorder,
                     int *confirmed)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(
        db, &rows,
        "SELECT id, recorded_by, confirmed_at FROM site_attendance WHERE session_id = ? AND facility_id = "
        "?",
        YX_PI(session), YX_PI(facility));
    *id = rc == 0 && rows->nrows == 1 ? yx_rows_int(rows, 0, 0) : 0;
    *recorder = *id ? yx_rows_int(rows, 0, 1) : 0;
    *confirmed = *id && !yx_rows_isnull(rows, 0, 2);
    yx_rows_free(rows);
    return rc;
}

static int already_confirmed(struct yx_req *r)
{
    return yx_fail_code(r, YX_ECONFLICT, "already_confirmed", NULL,
                        "Danh sách đã được xác nhận / the site's attendance is already confirmed.");
}

/* May the caller do act to its site's attendance of a session of course c (yx_authorize())?
 * recorded: the caller recorded it. */
static int site_may(struct yx_req *r, const struct yx_course *c, enum yx_action act, int recorded)
{
    struct yx_resource res = yx_course_resource(c, 0);
    res.kind = YX_RES_SITE_ATTENDANCE;
    res.party = recorded;
    return yx_authorize(&r->who, act, &res);
}

/* The session and course for site attendance: a live or ended lecture, and a caller of a site. */
static int load_site(struct yx_req *r, struct yx_course_session *s, struct yx_course *c)
{
    static const char *const states[] = {"live", "ended", NULL}, *const kinds[] = {"live", "case", NULL};
    int rc;
    if ((rc = yx_session_load(r, 0, s, c)) != 0)
        return rc;
    if ((rc = site_may(r, c, YX_A_WRITE, 0)) != 0 && rc != YX_EFORBIDDEN)
        return yx_deny(r, rc);
    if (rc)
        return yx_fail_code(
            r, YX_EFORBIDDEN, "not_your_part", NULL,
            "Chỉ điểm cầu đã ghi danh ghi nhận điểm danh tại chỗ / only an enrolled site records "
            "attendance on site.");
    if (!yx_one_of(s->kind, kinds))
        return yx_fail_code(r, YX_ECONFLICT, "session_kind", NULL,
                            "Buổi tự học không điểm danh / a self-paced session takes no attendance.");
    return yx_session_state_in(r, s, states);
}

/* Each id of user_ids: an active person of the caller's facility enrolled in the course. */
static int check_attendees(struct yx_req *r, const struct yx_course *c, json_t *ids)
{
    struct yx_rows *rows = NULL;
    json_t *v;
    size_t i;
    if (json_array_size(ids) < 1 || json_array_size(ids) > 500)
        return yx_fail_field(
            r, YX_EINVAL, "user_ids",
            "user_ids: từ 1 đến 500 người của cơ sở bạn / user_ids: 1 to 500 people of your facility.");
    json_array_foreach(ids, i, v)
    {
        int enrolled = 0, rc;
        if (!json_is_integer(v))
            return yx_fail_field(r, YX_EINVAL, "user_ids",
                                 "user_ids: danh sách mã người dùng / user_ids: a list of user ids.");
        rc = YX_DB_Q(r->db, &rows, "SELECT 1 FROM users WHERE id = ? AND facility_id = ? AND active = 1",
                     YX_PI(json_integer_value(v)), YX_PI(r->who.facility_id));
        int ours = rc == 0 && rows->nrows == 1;
        yx_rows_free(rows);
        rows = NULL;
        if (rc == 0 && ours)
            rc = yx_course_enrolled(r->db, c->id, json_integer_value(v), &enrolled);
        if (rc)
            return rc;
        if (!ours || !enrolled)
            return yx_fail_field(
                r, YX_EINVAL, "user_ids",
                "Người %lld không phải người đã ghi danh của cơ sở bạn / user %lld is not an "
                "enrolled person of your facility.",
                (long long)json_integer_value(v), (long long)json_integer_value(v));
    }
    return 0;
}

/* The people of site record site (of facility) who are still enrolled in the course — an
 * enrolment, theirs or their facility's, may have been withdrawn since the list was recorded —
 * into *ids (malloc'd, ascending), *n of them. */
static int site_enrolled(struct yx_db *db, const struct yx_course *c, int64_t facility, int64_t site,
                         int64_t **ids, int *n)
{
    struct yx_rows *named = NULL, *people = NULL;
    *ids = NULL;
    *n = 0;
    int rc = YX_DB_Q(db, &named,
                     "SELECT user_id FROM site_attendees WHERE site_attendance_id = ? ORDER BY user_id",
                     YX_PI(site));
    if (rc == 0)
        rc = yx_course_people(db, c->id, facility, 0, 0, &people);
    if (rc == 0 && !(*ids = malloc(sizeof **ids * (size_t)(named->nrows + 1))))
        rc = YX_ENOMEM;
    /* Both lists are in id order: walk them together. */
    for (int i = 0, j = 0; rc == 0 && i < named->nrows; i++) {
        int64_t id = yx_rows_int(named, i, 0);
        while (j < people->nrows && yx_rows_i64(people, j, "id") < id)
            j++;
        if (j < people->nrows && yx_rows_i64(people, j, "id") == id)
            (*ids)[(*n)++] = id;
    }
    yx_rows_free(named);
    yx_rows_free(people);
    return rc;
}

/* Stores the site-confirmed attendance of the n people of ids in an ended session and awards
 * credits where due (a late confirmation). */
static int site_late(struct yx_db *db, const struct yx_course *c, const struct yx_course_session *s,
                     const int64_t *ids, int n)
{
    int64_t duration = s->ended_at - s->started_at, now = yx_now_ms();
    struct yx_param *p = calloc((size_t)n * ATTENDANCE_COLS + 1, sizeof *p);
    if (!p)
        return YX_ENOMEM;
    for (int i = 0; i < n; i++)
        attendance_row(p + (size_t)i * ATTENDANCE_COLS, s->id, ids[i], duration / 1000, 100, "site", 1, now);
    int rc = store_and_award(db, c, s, p, n);
    free(p);
    return rc;
}

static const struct yx_field site_fields[] = {
    {"user_ids", YX_F_ARRAY, 1, 0, 0},
    {NULL, 0, 0, 0, 0},
};

/* POST /api/v1/sessions/:sid/site-attendance {user_ids} — someone of an enrolled site records who
 * watched together there (again, replacing it, until it is confirmed). */
static int site_record(struct yx_req *r)
{
    struct yx_course_session s;
    struct yx_course c;
    struct yx_rows *rows = NULL;
    int64_t id, recorder;
    int confirmed, rc;
    if ((rc = load_site(r, &s, &c)) != 0)
        return rc;
    if ((rc = yx_body(r, site_fields)) != 0 ||
        (rc = check_attendees(r, &c, json_object_get(r->json, "user_ids"))) ||
        (rc = site_find(r->db, s.id, r->who.facility_id, &id, &recorder, &confirmed)) != 0)
        return rc;
    json_t *ids = json_object_get(r->json, "user_ids");
    if (confirmed)
        return already_confirmed(r);
    int64_t now = yx_now_ms();
    if (id)
        rc = YX_DB_Q(r->db, NULL, "UPDATE site_attendance SET recorded_by = ?, recorded_at = ? WHERE id = ?",
                     YX_PI(r->who.user_id), YX_PI(now), YX_PI(id));
    else {
        rc = YX_DB_Q(r->db, &rows,
                     "INSERT INTO site_attendance (session_id, facility_id, recorded_by, recorded_at) VALUES "
                     "(?, ?, ?, "
                     "?) RETURNING id",
                     YX_PI(s.id), YX_PI(r->who.facility_id), YX_PI(r->who.user_id), YX_PI(now));
        id = rc == 0 && rows->nrows == 1 ? yx_rows_int(rows, 0, 0) : 0;
        yx_rows_free(rows);
        if (rc == 0 && !id)
            rc = YX_EDB;
    }
    if (rc == 0)
        rc = YX_DB_Q(r->db, NULL, "DELETE FROM site_attendees WHERE site_attendance_id = ?", YX_PI(id));
    json_t *v;
    size_t i;
    json_array_foreach(ids, i, v)
    {
        if (rc)
            break;
        rc = YX_DB_Q(
            r->db, NULL,
            "INSERT INTO site_attendees (site_attendance_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            YX_PI(id), YX_PI(json_integer_value(v)));
    }
    json_t *out = rc == 0 ? site_json(r->db, id) : NULL;
    return out ? yx_reply(r, 201, out) : rc ? rc : YX_EDB;
}

/* POST /api/v1/sessions/:sid/site-attendance/confirm — the site's lead (its facility
 * administrator, or a doctor of it who did not record it) confirms: those named who are still
 * enrolled count as present; 409 "no_attendees" when none of them is. */
static int site_confirm(struct yx_req *r)
{
    struct yx_course_session s;
    struct yx_course c;
    struct yx_rows *rows = NULL;
    int64_t id, recorder;
    int confirmed, rc;
    if ((rc = load_site(r, &s, &c)) != 0 || (rc = yx_no_body(r)) != 0 ||
        (rc = site_find(r->db, s.id, r->who.facility_id, &id, &recorder, &confirmed)) != 0)
        return rc;
    if (!id)
        return yx_fail(
            r, YX_ENOTFOUND,
            "Điểm cầu của bạn chưa ghi nhận điểm danh buổi này / your site recorded no attendance for "
            "this session.");
    if (site_may(r, &c, YX_A_ADMIN, recorder == r->who.user_id) != 0)
        return yx_fail_code(
            r, YX_EFORBIDDEN, "not_your_part", NULL,
            "Trưởng điểm cầu (quản trị cơ sở, hoặc một bác sĩ không phải người ghi) xác nhận / the "
            "site's lead confirms: its administrator, or a doctor other than who recorded it.");
    if (confirmed)
        return already_confirmed(r);
    /* A list whose people are none of them enrolled any more confirms nobody: refused rather than
     * recorded as a confirmation that counts no one. */
    int64_t *ids = NULL;
    int n = 0;
    if ((rc = site_enrolled(r->db, &c, r->who.facility_id, id, &ids, &n)) == 0 && n == 0)
        rc = yx_fail_code(r, YX_ECONFLICT, "no_attendees", NULL,
                          "Không ai trong danh sách còn ghi danh khoá học; hãy ghi lại danh sách / nobody on "
                          "the list is still enrolled in the course: record the list again.");
    if (rc == 0)
        rc = YX_DB_Q(r->db, &rows,
                     "UPDATE site_attendance SET confirmed_by = ?, confirmed_at = ? WHERE id = ? AND "
                     "confirmed_at IS NULL RETURNING id",
                     YX_PI(r->who.user_id), YX_PI(yx_now_ms()), YX_PI(id));
    int done = rc == 0 && rows->nrows == 1;
    yx_rows_free(rows);
    if (rc == 0 && !done)
        rc = already_confirmed(r);
    if (rc == 0 && strcmp(s.state, "ended") == 0)
        rc = site_late(r->db, &c, &s, ids, n);
    free(ids);
    json_t *out = rc == 0 ? site_json(r->db, id) : NULL;
    return out ? yx_reply(r, 200, out) : rc ? rc : YX_EDB;
}

/* GET /api/v1/sessions/:sid/site-attendance — the caller's site's record of the session, so that
 * its lead sees the names before confirming them, and the people of the site who may be named in
 * it (enrolled by name, or through the site's enrolment if the course is for their role):
 * {"record": … | null, "people": [{"id", "full_name", "role"}]}. */
static int site_get(struct yx_req *r)
{
    struct yx_course_session s;
    struct yx_course c;
    struct yx_rows *rows = NULL;
    int64_t id, recorder;
    int confirmed, rc;
    if ((rc = load_site(r, &s, &c)) != 0 ||
        (rc = site_find(r->db, s.id, r->who.facility_id, &id, &recorder, &confirmed)) != 0 ||
        (rc = yx_course_people(r->db, c.id, r->who.facility_id, 0, 500, &rows)) != 0)
        return rc;
    json_t *people = json_array();
    for (int i = 0; i < rows->nrows; i++)
        json_array_append_new(people, json_pack("{s:I,s:s,s:s}", "id", (json_int_t)yx_rows_i64(rows, i, "id"),
                                                "full_name", yx_rows_str(rows, i, "full_name"), "role",
                                                yx_rows_str(rows, i, "role")));
    yx_rows_free(rows);
    json_t *record = id ? site_json(r->db, id) : json_null();
    if (!record) {
        json_decref(people);
        return YX_EDB;
    }
    return yx_reply(r, 200, json_pack("{s:o,s:o}", "record", record, "people", people));
}

int yx_training_span_open(struct yx_db *db, int64_t session_id, int64_t user_id, int64_t at, int64_t *span_id)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(db, &rows,
                     "INSERT INTO attendance_spans (session_id, user_id, joined_at) SELECT id, ?, ? FROM "
                     "course_sessions WHERE id = ? AND state = 'live' RETURNING id",
                     YX_PI(user_id), YX_PI(at), YX_PI(session_id));
    *span_id = rc == 0 && rows->nrows == 1 ? yx_rows_int(rows, 0, 0) : 0;
    yx_rows_free(rows);
    return rc ? rc : *span_id ? 0 : YX_ECONFLICT;
}

int yx_training_span_close(struct yx_db *db, int64_t span_id, int64_t at)
{
    return YX_DB_Q(
        db, NULL,
        "UPDATE attendance_spans SET left_at = CASE WHEN ? < joined_at THEN joined_at ELSE ? END WHERE id = "
        "? AND left_at IS NULL",
        YX_PI(at), YX_PI(at), YX_PI(span_id));
}

const struct yx_route yx_attendance_routes[] = {
    {"GET", "/api/v1/sessions/:sid/attendance", attendance_get, 0, NULL, NULL, YX_COURSE_MAKERS, NULL},
    {"GET", "/api/v1/sessions/:sid/site-attendance", site_get, 0, NULL, NULL, YX_STAFF, NULL},
    {"POST", "/api/v1/sessions/:sid/site-attendance", site_record, 0, "training.site_record",
     "course_session", YX_CLINICIANS | YX_ROLE_FACILITY_ADMIN, site_fields},
    {"POST", "/api/v1/sessions/:sid/site-attendance/confirm", site_confirm, 0, "training.site_confirm",
     "course_session", YX_DOCTORS | YX_ROLE_FACILITY_ADMIN, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
