/* Credits (tín chỉ đào tạo liên tục): a course's credit hours go on a person's training record once
 * every live or case session of the course that has ended was attended (attendance.passed) and
 * the quiz, if the course has questions, was passed. The rules award it by themselves when a
 * session ends or a quiz is passed; a trainer awards it by hand after a late site confirmation,
 * under the same rules. */
#include <stdio.h>
#include <string.h>

#include "training.h"

/* What the rules still need from user in course: *missing gets one object a requirement not met
 * (an empty array when all hold). award() states the same rules in SQL: change both together. */
static int requirements(struct yx_db *db, int64_t course_id, int64_t user_id, json_t **missing)
{
    struct yx_rows *rows = NULL;
    *missing = json_array();
    int rc = YX_DB_Q(db, &rows,
                     "SELECT s.id, s.title, a.pct, a.passed FROM course_sessions s LEFT JOIN attendance a ON "
                     "a.session_id = s.id AND a.user_id = ? WHERE s.course_id = ? AND s.kind IN ('live', "
                     "'case') AND s.state = 'ended' ORDER BY s.id",
                     YX_PI(user_id), YX_PI(course_id));
    for (int i = 0; rc == 0 && i < rows->nrows; i++)
        if (yx_rows_isnull(rows, i, 3) || yx_rows_int(rows, i, 3) == 0)
            json_array_append_new(
                *missing,
                json_pack("{s:s,s:{s:I,s:s},s:o}", "kind", "session", "session", "id",
                          (json_int_t)yx_rows_int(rows, i, 0), "title", yx_rows_get(rows, i, 1), "pct",
                          yx_rows_isnull(rows, i, 2) ? json_null() : json_integer(yx_rows_int(rows, i, 2))));
    yx_rows_free(rows);
    rows = NULL;
    if (rc == 0)
        rc = YX_DB_Q(
            db, &rows,
            "SELECT (SELECT COUNT(*) FROM quiz_questions WHERE course_id = ?), (SELECT COUNT(*) FROM "
            "quiz_attempts WHERE course_id = ? AND user_id = ? AND passed = 1), (SELECT COUNT(*) FROM "
            "quiz_attempts WHERE course_id = ? AND user_id = ?)",
            YX_PI(course_id), YX_PI(course_id), YX_PI(user_id), YX_PI(course_id), YX_PI(user_id));
    if (rc == 0 && yx_rows_int(rows, 0, 0) > 0 && yx_rows_int(rows, 0, 1) == 0)
        json_array_append_new(*missing, json_pack("{s:s,s:I}", "kind", "quiz", "attempts",
                                                  (json_int_t)yx_rows_int(rows, 0, 2)));
    yx_rows_free(rows);
    if (rc) {
        json_decref(*missing);
        *missing = NULL;
    }
    return rc;
}

/* Awards the credit where the rules hold and there is none yet: to user, or (user 0) to everyone
 * with an attendance of session (the end of a session: one statement, not queries a person). Its
 * attendance is the lowest of the sessions that count (100 when none), its quiz score the best
 * passed one (none when the course has no quiz). *created counts the credits made. */
static int award(struct yx_db *db, int64_t course_id, int64_t user_id, int64_t session_id, int64_t awarded_by,
                 int64_t *created)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(
        db, &rows,
        "INSERT INTO credits (course_id, user_id, minutes, attendance_pct, quiz_score_pct, earned_at, "
        "awarded_by) "
        "SELECT c.id, u.id, c.credit_minutes, COALESCE((SELECT MIN(a.pct) FROM course_sessions s JOIN "
        "attendance a ON a.session_id = s.id WHERE a.user_id = u.id AND s.course_id = c.id AND s.kind IN "
        "('live', 'case') AND s.state = 'ended'), 100), (SELECT MAX(q.score_pct) FROM quiz_attempts q WHERE "
        "q.course_id = c.id AND q.user_id = u.id AND q.passed = 1), ?, ? FROM courses c JOIN users u ON "
        "(u.id = ? "
        "OR u.id IN (SELECT p.user_id FROM attendance p WHERE p.session_id = ?)) WHERE c.id = ? AND NOT "
        "EXISTS "
        "(SELECT 1 FROM course_sessions s LEFT JOIN attendance a ON a.session_id = s.id AND a.user_id = u.id "
        "WHERE s.course_id = c.id AND s.kind IN ('live', 'case') AND s.state = 'ended' AND (a.passed IS NULL "
        "OR "
        "a.passed = 0)) AND (NOT EXISTS (SELECT 1 FROM quiz_questions WHERE course_id = c.id) OR EXISTS "
        "(SELECT "
        "1 FROM quiz_attempts q WHERE q.course_id = c.id AND q.user_id = u.id AND q.passed = 1)) ON CONFLICT "
        "(course_id, user_id) DO NOTHING",
        YX_PI(yx_now_ms()), awarded_by ? YX_PI(awarded_by) : YX_PN, YX_PI(user_id), YX_PI(session_id),
        YX_PI(course_id));
    *created = rc == 0 ? rows->changes : 0;
    yx_rows_free(rows);
    return rc;
}

/* The id of user's credit in course, or 0. */
static int credit_id(struct yx_db *db, int64_t course_id, int64_t user_id, int64_t *id)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(db, &rows, "SELECT id FROM credits WHERE course_id = ? AND user_id = ?",
                     YX_PI(course_id), YX_PI(user_id));
    *id = rc == 0 && rows->nrows == 1 ? yx_rows_int(rows, 0, 0) : 0;
    yx_rows_free(rows);
    return rc;
}

int yx_training_award(struct yx_db *db, int64_t course_id, int64_t user_id, int64_t *credit)
{
    int64_t created;
    int rc = award(db, course_id, user_id, 0, 0, &created);
    return rc ? rc : credit_id(db, course_id, user_id, credit);
}

int yx_training_award_session(struct yx_db *db, int64_t course_id, int64_t session_id)
{
    int64_t created;
    return award(db, course_id, 0, session_id, 0, &created);
}

json_t *yx_credit_json(struct yx_db *db, int64_t credit_id)
{
    struct yx_rows *rows = NULL;
    json_t *out = NULL;
    int rc = YX_DB_Q(db, &rows, YX_CREDIT_SELECT " WHERE c.id = ?", YX_PI(credit_id));
    if (rc == 0 && rows->nrows == 1)
        out = yx_credit_row_json(rows, 0);
    yx_rows_free(rows);
    return out;
}

json_t *yx_credit_row_json(const struct yx_rows *rows, int i)
{
    int64_t minutes = yx_rows_int(rows, i, 7);
    json_t *o = json_pack(
        "{s:I,s:{s:I,s:s,s:{s:I,s:s}},s:{s:I,s:s},s:I,s:f,s:I,s:o,s:o,s:o}", "id",
        (json_int_t)yx_rows_int(rows, i, 0), "course", "id", (json_int_t)yx_rows_int(rows, i, 1), "title",
        yx_rows_get(rows, i, 2), "facility", "id", (json_int_t)yx_rows_int(rows, i, 3), "name",
        yx_rows_get(rows, i, 4), "user", "id", (json_int_t)yx_rows_int(rows, i, 5), "full_name",
        yx_rows_get(rows, i, 6), "minutes", (json_int_t)minutes, "hours", (double)minutes / 60.0,
        "attendance_pct", (json_int_t)yx_rows_int(rows, i, 8), "quiz_score_pct",
        yx_rows_isnull(rows, i, 9) ? json_null() : json_integer(yx_rows_int(rows, i, 9)), "earned_at",
        yx_json_time_or_null(rows, i, 10), "awarded_by",
        yx_rows_isnull(rows, i, 11) ? json_null()
                                    : json_pack("{s:I,s:s}", "id", (json_int_t)yx_rows_int(rows, i, 11),
                                                "full_name", yx_rows_get(rows, i, 12)));
    json_t *cert = json_null();
    if (o && !yx_rows_isnull(rows, i, 13)) {
        char url[64];
        snprintf(url, sizeof url, "/api/v1/certificates/%lld/pdf", (long long)yx_rows_int(rows, i, 13));
        cert = json_pack("{s:I,s:s,s:s,s:b}", "id", (json_int_t)yx_rows_int(rows, i, 13), "verify_code",
                         yx_rows_get(rows, i, 14), "pdf_url", url, "revoked", !yx_rows_isnull(rows, i, 15));
    }
    if (o)
        json_object_set_new(o, "certificate", cert);
    return o;
}

static const struct yx_field award_fields[] = {
    {"user_id", YX_F_INT, 1, 1, INT64_MAX},
    {NULL, 0, 0, 0, 0},
};

/* POST /api/v1/courses/:id/credits {user_id} — a trainer awards the credit by hand (after a site's
 * attendance was confirmed late, say) once the rules hold: 201 with the new credit, 200 with the
 * one already there, 409 "requirements_not_met" with what is missing. */
static int credit_award(struct yx_req *r)
{
    struct yx_course c;
    json_t *missing = NULL;
    int rc, enrolled = 0;
    int64_t id = 0, created = 0;
    if ((rc = yx_course_load(r, 0, &c)) != 0 ||
        (rc = yx_course_relation(r, &c, YX_COURSE_RUNS, YX_COURSE_RUNS_WHO)) != 0 ||
        (rc = yx_body(r, award_fields)) != 0)
        return rc;
    int64_t user = yx_json_int(r->json, "user_id", 0);
    if ((rc = yx_course_enrolled(r->db, c.id, user, &enrolled)) != 0)
        return rc;
    if (!enrolled)
        return yx_fail_field(r, YX_EINVAL, "user_id",
                             "Người này không học khoá này / this person is not enrolled in the course.");
    if ((rc = requirements(r->db, c.id, user, &missing)) != 0)
        return rc;
    if (json_array_size(missing) > 0)
        return yx_fail_code(r, YX_ECONFLICT, "requirements_not_met", json_pack("{s:o}", "missing", missing),
                            "Chưa đủ điều kiện cấp tín chỉ / the requirements for the credit are not met.");
    json_decref(missing);
    if ((rc = award(r->db, c.id, user, 0, r->who.user_id, &created)) != 0 ||
        (rc = credit_id(r->db, c.id, user, &id)) != 0)
        return rc;
    json_t *out = yx_credit_json(r->db, id);
    return out ? yx_reply(r, created ? 201 : 200, out) : YX_EDB;
}

const struct yx_route yx_training_credit_routes[] = {
    {"POST", "/api/v1/courses/:id/credits", credit_award, 0, "training.credit_award", "course", YX_COURSE_MAKERS, award_fields},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
