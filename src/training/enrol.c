/* Enrolment (ghi danh): a person by name, or a whole facility (its staff of the roles the course
 * is for). The course's trainers and administrators enrol anyone; another facility's
 * administrator enrols their facility or its staff; an eligible person enrols themselves.
 * Withdrawing keeps the row (withdrawn_at), so a later enrolment brings it back. Every enrolled
 * person is told before each live session (session_starting notifications). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "training.h"

static const int makers = YX_COURSE_TRAINER | YX_COURSE_ADMIN;
#define STARTING_LEAD_MS (15 * 60 * 1000)

/* Who is enrolled: by name, or with their facility and of one of the course's target roles (an
 * empty list means any). The parameters: course, course, any-role flag, three roles. */
#define ENROLLED_PEOPLE                                                                                      \
    "u.active = 1 AND (EXISTS (SELECT 1 FROM enrolments e WHERE e.course_id = ? AND e.user_id = u.id AND "   \
    "e.withdrawn_at IS NULL) OR (EXISTS (SELECT 1 FROM enrolments e WHERE e.course_id = ? AND "              \
    "e.facility_id "                                                                                         \
    "= u.facility_id AND e.withdrawn_at IS NULL) AND (? = 1 OR u.role IN (?, ?, ?))))"

struct target_roles {
    int any;
    char role[3][24];
};

static int course_roles(struct yx_db *db, int64_t course_id, struct target_roles *t)
{
    struct yx_rows *rows = NULL;
    *t = (struct target_roles){0};
    int rc = YX_DB_Q(db, &rows, "SELECT target_roles FROM courses WHERE id = ?", YX_PI(course_id));
    if (rc == 0 && rows->nrows != 1)
        rc = YX_ENOTFOUND;
    json_t *a = rc == 0 ? json_loads(yx_rows_get(rows, 0, 0), 0, NULL) : NULL;
    yx_rows_free(rows);
    t->any = json_array_size(a) == 0;
    for (size_t i = 0; i < 3 && i < json_array_size(a); i++)
        yx_snprintf(t->role[i], sizeof t->role[i], "%s",
                    json_string_value(json_array_get(a, i)) ? json_string_value(json_array_get(a, i)) : "");
    json_decref(a);
    return rc;
}

int yx_course_people(struct yx_db *db, int64_t course_id, int64_t facility_id, int64_t after, int64_t limit,
                     struct yx_rows **rows)
{
    struct target_roles t;
    int rc = course_roles(db, course_id, &t);
    if (rc)
        return rc;
    return YX_DB_Q(
        db, rows,
        "SELECT u.id, u.full_name, u.facility_id, f.name AS facility_name, u.role FROM users u LEFT JOIN "
        "facilities f ON f.id = "
        "u.facility_id WHERE u.id > ? AND (? = 0 OR u.facility_id = ?) AND " ENROLLED_PEOPLE " ORDER BY u.id "
        "LIMIT ?",
        YX_PI(after), YX_PI(facility_id), YX_PI(facility_id), YX_PI(course_id), YX_PI(course_id),
        YX_PI(t.any), YX_PT(t.role[0]), YX_PT(t.role[1]), YX_PT(t.role[2]),
        YX_PI(limit > 0 ? limit : INT64_MAX));
}

/* One session's notices, to everyone enrolled who has none for it yet. */
static int announce_one(struct yx_db *db, const struct target_roles *t, int64_t course_id,
                        const struct yx_rows *s, int i)
{
    int64_t now = yx_now_ms(), starts = yx_rows_i64(s, i, "starts_at"), due = starts - STARTING_LEAD_MS;
    char text[2048], text_en[2048], when[32], when_en[32]; /* two titles of 200 characters, ≤ 4 bytes each */
    yx_time_vn(starts, "%H:%M ngày %d/%m", when, sizeof when);
    yx_time_vn(starts, "%H:%M on %d/%m", when_en, sizeof when_en);
    yx_snprintf(text, sizeof text, "Buổi học \"%s\" (khoá \"%s\") bắt đầu lúc %s.",
                yx_rows_str(s, i, "title"), yx_rows_str(s, i, "course_title"), when);
    yx_snprintf(text_en, sizeof text_en, "Session \"%s\" (course \"%s\") starts at %s.",
                yx_rows_str(s, i, "title"), yx_rows_str(s, i, "course_title"), when_en);
    if (due < now)
        due = now;
    int64_t sid = yx_rows_i64(s, i, "id");
    return YX_DB_Q(
        db, NULL,
        "INSERT INTO notifications (user_id, session_id, channel, kind, text_vi, text_en, due_at, "
        "created_at, "
        "status, next_attempt_at, delivered_at) SELECT u.id, ?, 'app', 'session_starting', ?, ?, ?, ?, "
        "'delivered', ?, ? FROM users u WHERE " ENROLLED_PEOPLE " AND NOT EXISTS (SELECT 1 FROM "
        "notifications n WHERE n.user_id = u.id AND n.session_id = ? AND n.kind = 'session_starting')",
        YX_PI(sid), YX_PT(text), YX_PT(text_en), YX_PI(due), YX_PI(now), YX_PI(due), YX_PI(due),
        YX_PI(course_id), YX_PI(course_id), YX_PI(t->any), YX_PT(t->role[0]), YX_PT(t->role[1]),
        YX_PT(t->role[2]), YX_PI(sid));
}

int yx_course_announce(struct yx_db *db, int64_t course_id, int64_t session_id)
{
    struct target_roles t;
    struct yx_rows *rows = NULL;
    int rc = course_roles(db, course_id, &t);
    if (rc == 0)
        rc = YX_DB_Q(db, &rows,
                     "SELECT s.id, s.starts_at, s.title, c.title AS course_title FROM course_sessions s JOIN "
                     "courses c ON c.id = "
                     "s.course_id WHERE s.course_id = ? AND (? = 0 OR s.id = ?) AND s.state = 'planned' AND "
                     "s.starts_at > ? ORDER BY s.id",
                     YX_PI(course_id), YX_PI(session_id), YX_PI(session_id), YX_PI(yx_now_ms()));
    for (int i = 0; rc == 0 && i < rows->nrows; i++)
        rc = announce_one(db, &t, course_id, rows, i);
    yx_rows_free(rows);
    return rc;
}

static json_t *enrolment_row(const struct yx_rows *r, int i)
{
    json_t *e = json_pack("{s:I,s:o,s:o}", "id", (json_int_t)yx_rows_i64(r, i, "id"), "enrolled_at",
                          yx_json_time_or_null(r, i, "enrolled_at"), "enrolled_by",
                          json_pack("{s:I,s:s}", "id", (json_int_t)yx_rows_i64(r, i, "enrolled_by"),
                                    "full_name", yx_rows_str(r, i, "enrolled_by_name")));
    if (!yx_rows_null(r, i, "user_id"))
        json_object_set_new(e, "user",
                            json_pack("{s:I,s:s,s:o}", "id", (json_int_t)yx_rows_i64(r, i, "user_id"),
                                      "full_name", yx_rows_str(r, i, "full_name"), "facility_id",
                                      yx_json_id_or_null(r, i, "user_facility_id")));
    else
        json_object_set_new(e, "facility",
                            json_pack("{s:I,s:s}", "id", (json_int_t)yx_rows_i64(r, i, "facility_id"), "name",
                                      yx_rows_str(r, i, "facility_name")));
    return e;
}

#define ENROLMENT_SELECT                                                                                     \
    "SELECT e.id, e.user_id, u.full_name, e.facility_id, f.name AS facility_name, e.enrolled_at, "           \
    "e.enrolled_by, b.full_name AS enrolled_by_name, u.facility_id AS user_facility_id "                     \
    "FROM enrolments e LEFT JOIN users u ON u.id = e.user_id LEFT JOIN facilities f ON f.id "                \
    "= "                                                                                                     \
    "e.facility_id JOIN users b ON b.id = e.enrolled_by "

static int answer_enrolment(struct yx_req *r, int status, int64_t id)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(r->db, &rows, ENROLMENT_SELECT "WHERE e.id = ?", YX_PI(id));
    json_t *out = rc == 0 && rows->nrows == 1 ? enrolment_row(rows, 0) : NULL;
    yx_rows_free(rows);
    return out ? yx_reply(r, status, out) : rc ? rc : YX_EDB;
}

static int already(struct yx_req *r)
{
    return yx_fail_code(r, YX_ECONFLICT, "already_enrolled", NULL, "Đã ghi danh rồi / already enrolled.");
}

/* Inserts the enrolment of user or facility, or brings back a withdrawn one; *id set. */
static int enrol(struct yx_req *r, int64_t course_id, int64_t user, int64_t facility, int64_t *id)
{
    struct yx_rows *rows = NULL;
    int64_t now = yx_now_ms();
    int rc = YX_DB_Q(
        r->db, &rows,
        "INSERT INTO enrolments (course_id, user_id, facility_id, enrolled_by, enrolled_at) VALUES (?, "
        "?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
        YX_PI(course_id), user ? YX_PI(user) : YX_PN, facility ? YX_PI(facility) : YX_PN,
        YX_PI(r->who.user_id), YX_PI(now));
    *id = rc == 0 && rows->nrows == 1 ? yx_rows_int(rows, 0, 0) : 0;
    yx_rows_free(rows);
    rows = NULL;
    if (rc || *id)
        return rc;
    rc = YX_DB_Q(
        r->db, &rows,
        "UPDATE enrolments SET withdrawn_at = NULL, enrolled_by = ?, enrolled_at = ? WHERE course_id = ? "
        "AND (user_id = ? OR facility_id = ?) AND withdrawn_at IS NOT NULL RETURNING id",
        YX_PI(r->who.user_id), YX_PI(now), YX_PI(course_id), YX_PI(user), YX_PI(facility));
    *id = rc == 0 && rows->nrows == 1 ? yx_rows_int(rows, 0, 0) : 0;
    yx_rows_free(rows);
    return rc ? rc : *id ? 0 : already(r);
}

/* A person who may be enrolled: active, working at a facility (not a patient); *facility set. */
static int enrollable_person(struct yx_req *r, int64_t user, int64_t *facility)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(
        r->db, &rows,
        "SELECT facility_id FROM users WHERE id = ? AND active = 1 AND facility_id IS NOT NULL AND role "
        "<> 'patient'",
        YX_PI(user));
    *facility = rc == 0 && rows->nrows == 1 ? yx_rows_int(rows, 0, 0) : 0;
    yx_rows_free(rows);
    if (rc == 0 && !*facility)
        rc = yx_fail_field(r, YX_EINVAL, "user_id",
                           "Không có nhân viên y tế %lld đang làm việc / no active health worker %lld.",
                           (long long)user, (long long)user);
    return rc;
}

/* May the caller enrol, or withdraw, people of facility (the facility itself, or a person working
 * there; self: the caller themselves) in course c (yx_authorize(), YX_RES_ENROLMENT)? 1 or 0. */
static int may_enrol(struct yx_req *r, const struct yx_course *c, int64_t facility, int self)
{
    struct yx_resource res = yx_course_resource(c, 0);
    res.kind = YX_RES_ENROLMENT;
    res.facility_id = facility;
    res.party = self;
    return yx_authorize(&r->who, YX_A_WRITE, &res) == 0;
}

static int not_yours(struct yx_req *r)
{
    return yx_fail_code(
        r, YX_EFORBIDDEN, "not_your_part", NULL,
        "Bạn chỉ ghi danh được cơ sở của mình hoặc nhân viên của nó / you may enrol only your own "
        "facility or its staff.");
}

static const struct yx_field enrol_fields[] = {
    {"user_id", YX_F_INT, 0, 1, INT64_MAX},
    {"facility_id", YX_F_INT, 0, 1, INT64_MAX},
    {NULL, 0, 0, 0, 0},
};

/* POST /api/v1/courses/:id/enrolments {user_id} | {facility_id} | {} (oneself) */
static int enrolment_create(struct yx_req *r)
{
    static const char *const open_states[] = {"draft", "published", NULL};
    static const char *const published[] = {"published", NULL};
    struct yx_course c;
    int64_t id = 0;
    int rc;
    if ((rc = yx_course_load(r, 0, &c)) != 0 || (rc = yx_body(r, enrol_fields)) != 0)
        return rc;
    int64_t user = yx_json_int(r->json, "user_id", 0), facility = yx_json_int(r->json, "facility_id", 0);
    int maker = yx_course_may(r, &c, makers);
    if (user && facility)
        return yx_fail_field(
            r, YX_EINVAL, "facility_id",
            "Ghi danh một người hoặc một cơ sở, không cả hai / enrol a person or a facility, "
            "not both.");
    if ((rc = yx_course_state_in(r, &c, maker ? open_states : published)) != 0)
        return rc;
    if (facility) {
        struct yx_rows *rows = NULL;
        if (!may_enrol(r, &c, facility, 0))
            return not_yours(r);
        rc = YX_DB_Q(r->db, &rows, "SELECT 1 FROM facilities WHERE id = ?", YX_PI(facility));
        int known = rc == 0 && rows->nrows == 1;
        yx_rows_free(rows);
        if (rc == 0 && !known)
            rc = yx_fail_field(r, YX_EINVAL, "facility_id", "Không có cơ sở này / no such facility.");
        if (rc == 0)
            rc = enrol(r, c.id, 0, facility, &id);
    } else if (user) {
        int64_t home = 0;
        int yes = 0;
        /* Someone of the caller's own facility, at least, before the person is looked up. */
        if (!may_enrol(r, &c, r->who.facility_id, 0))
            return not_yours(r);
        if ((rc = enrollable_person(r, user, &home)) != 0)
            return rc;
        if (!may_enrol(r, &c, home, 0))
            return not_yours(r);
        if ((rc = yx_course_enrolled(r->db, c.id, user, &yes)) != 0)
            return rc;
        rc = yes ? already(r) : enrol(r, c.id, user, 0, &id);
    } else {
        if (c.relation & YX_COURSE_ENROLLED)
            return already(r);
        if (!yx_course_may(r, &c, YX_COURSE_ELIGIBLE))
            return yx_fail_code(
                r, YX_EFORBIDDEN, "not_your_part", NULL,
                "Khoá học này không dành cho vai trò hoặc tuyến của bạn / this course is not for "
                "your role or facility level.");
        rc = enrol(r, c.id, r->who.user_id, 0, &id);
    }
    if (rc == 0)
        rc = yx_course_announce(r->db, c.id, 0);
    return rc ? rc : answer_enrolment(r, 201, id);
}

/* GET /api/v1/courses/:id/enrolments?cursor&limit — the course's trainers and administrators. */
static int enrolment_list(struct yx_req *r)
{
    struct yx_course c;
    struct yx_rows *rows = NULL;
    int64_t after, limit;
    int rc;
    if ((rc = yx_course_load(r, 0, &c)) != 0 ||
        (rc = yx_course_require(r, &c, makers,
                                "giảng viên hoặc quản trị / the course's trainers or administrators")) != 0 ||
        (rc = yx_page(r, &after, &limit)) != 0)
        return rc;
    rc = YX_DB_Q(r->db, &rows,
                 ENROLMENT_SELECT
                 "WHERE e.course_id = ? AND e.withdrawn_at IS NULL AND e.id > ? ORDER BY e.id LIMIT ?",
                 YX_PI(c.id), YX_PI(after), YX_PI(limit + 1));
    if (rc)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < rows->nrows && i < limit; i++)
        json_array_append_new(items, enrolment_row(rows, i));
    int more = rows->nrows > limit;
    int64_t last = more ? yx_rows_i64(rows, (int)limit - 1, "id") : 0;
    yx_rows_free(rows);
    return yx_reply(r, 200, yx_page_json(items, more, last));
}

/* DELETE /api/v1/courses/:id/enrolments/:eid — withdraws: the course's makers, the person
 * themselves, or the administrator of the facility (or of the person's facility). */
static int enrolment_delete(struct yx_req *r)
{
    struct yx_course c;
    struct yx_rows *rows = NULL;
    int64_t eid;
    int rc;
    if ((rc = yx_course_load(r, 0, &c)) != 0 || (rc = yx_param_id(r, 1, &eid)) != 0 ||
        (rc = yx_no_body(r)) != 0)
        return rc;
    rc = YX_DB_Q(
        r->db, &rows,
        "SELECT e.user_id, COALESCE(e.facility_id, u.facility_id) FROM enrolments e LEFT JOIN users u ON "
        "u.id = e.user_id WHERE e.id = ? AND e.course_id = ? AND e.withdrawn_at IS NULL",
        YX_PI(eid), YX_PI(c.id));
    int found = rc == 0 && rows->nrows == 1;
    int64_t user = found ? yx_rows_int(rows, 0, 0) : 0, facility = found ? yx_rows_int(rows, 0, 1) : 0;
    yx_rows_free(rows);
    if (rc)
        return rc;
    if (!found)
        return yx_fail(r, YX_ENOTFOUND, "Không có lượt ghi danh này / no such enrolment.");
    if (!may_enrol(r, &c, facility, user && user == r->who.user_id))
        return not_yours(r);
    int64_t now = yx_now_ms();
    rc = YX_DB_Q(r->db, NULL, "UPDATE enrolments SET withdrawn_at = ? WHERE id = ?", YX_PI(now), YX_PI(eid));
    /* Who is no longer enrolled at all (the person, or the facility's people, unless enrolled
     * another way) is not called to the sessions to come. */
    if (rc == 0)
        rc = YX_DB_Q(
            r->db, NULL,
            "UPDATE notifications SET status = 'not_needed' WHERE kind = 'session_starting' AND pushed_at IS "
            "NULL AND session_id IN (SELECT id FROM course_sessions WHERE course_id = ?) AND user_id IN "
            "(SELECT id FROM users WHERE id = ? OR facility_id = ?) AND user_id NOT IN (SELECT user_id FROM "
            "enrolments WHERE course_id = ? AND user_id IS NOT NULL AND withdrawn_at IS NULL) AND user_id "
            "NOT "
            "IN (SELECT u.id FROM users u JOIN enrolments e ON e.facility_id = u.facility_id WHERE "
            "e.course_id = ? AND e.withdrawn_at IS NULL)",
            YX_PI(c.id), YX_PI(user), YX_PI(user ? 0 : facility), YX_PI(c.id), YX_PI(c.id));
    char at[32];
    yx_time_format(now, at);
    return rc ? rc : yx_reply(r, 200, json_pack("{s:I,s:s}", "id", (json_int_t)eid, "withdrawn_at", at));
}

const struct yx_route yx_enrolment_routes[] = {
    {"POST", "/api/v1/courses/:id/enrolments", enrolment_create, 0, "training.enrol", "course", YX_STAFF,
     enrol_fields},
    {"GET", "/api/v1/courses/:id/enrolments", enrolment_list, 0, NULL, NULL, YX_COURSE_MAKERS, NULL},
    {"DELETE", "/api/v1/courses/:id/enrolments/:eid", enrolment_delete, 0, "training.withdraw", "course",
     YX_STAFF, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
