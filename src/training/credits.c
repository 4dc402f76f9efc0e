/* Credits (tín chỉ đào tạo liên tục): a course's credit hours go on a person's training record once
 * they have done everything the course asks, and the course asks something. The rule, stated once
 * (MISSING below) and read two ways:
 *
 *   1. every live or case session of the course that is not cancelled has ended and the person's
 *      attendance of it passed — a session planned or still live is not done yet;
 *   2. self-paced sessions leave no trace of their own (no attendance, no completion): the quiz is
 *      what checks them, so a self-paced session that is not cancelled needs the course to have a
 *      quiz;
 *   3. the quiz, when the course has one, was passed;
 *   4. the course has something to complete: a session that is not cancelled, or a quiz. A course
 *      with neither gives no credit (otherwise 1–3 would hold over nothing, and a trainer could
 *      award the full hours of a course before anything of it took place).
 *
 * The rules award a credit by themselves when they come to hold: a session ends, a late site
 * confirmation, a quiz passed, a session cancelled; a trainer awards it by hand under the same
 * rules (after a late confirmation, say), and a certificate is issued only while they hold. */
#include <stdio.h>
#include <string.h>

#include "training.h"

/* What person u still lacks in course c, one row a requirement not met (none: the credit is
 * earned), in the columns ord, kind, session_id, title, state (the session's), pct (attendance),
 * attempts (the quiz's). It names c.id and u.id: award() puts it under NOT EXISTS in a query over courses
 * c and users u; yx_credit_requirements() reads its rows for one person, c and u being one-row
 * tables then. FROM is what comes first in each branch's FROM clause ("" or "c CROSS JOIN u CROSS
 * JOIN "). The four branches are the rules 1 to 4 above, in order. The first gives every column
 * its type: PostgreSQL types a UNION pair by pair, and NULL with NULL would be text against the
 * attempts' COUNT. */
#define MISSING(FROM)                                                                                        \
    "SELECT 0 AS ord, 'session' AS kind, s.id AS session_id, s.title, s.state, a.pct, "                      \
    "CAST(NULL AS BIGINT) AS attempts FROM " FROM                                                            \
    "course_sessions s LEFT JOIN attendance a ON a.session_id = s.id AND a.user_id = u.id WHERE "            \
    "s.course_id = c.id AND s.kind IN ('live', 'case') AND s.state <> 'cancelled' AND (s.state <> 'ended' "  \
    "OR a.passed IS NULL OR a.passed = 0) "                                                                  \
    "UNION ALL SELECT 1, 'self_paced', s.id, s.title, s.state, NULL, NULL FROM " FROM                        \
    "course_sessions s WHERE s.course_id = c.id AND s.kind = 'self_paced' AND s.state <> 'cancelled' AND "   \
    "NOT EXISTS (SELECT 1 FROM quiz_questions q WHERE q.course_id = c.id) "                                  \
    "UNION ALL SELECT 2, 'quiz', NULL, NULL, NULL, NULL, (SELECT COUNT(*) FROM quiz_attempts t WHERE "       \
    "t.course_id = c.id AND t.user_id = u.id) FROM " FROM                                                    \
    "courses k WHERE k.id = c.id AND EXISTS (SELECT 1 FROM quiz_questions q WHERE q.course_id = c.id) AND "  \
    "NOT EXISTS (SELECT 1 FROM quiz_attempts t WHERE t.course_id = c.id AND t.user_id = u.id AND t.passed "  \
    "= 1) "                                                                                                  \
    "UNION ALL SELECT 3, 'nothing_to_complete', NULL, NULL, NULL, NULL, NULL FROM " FROM                     \
    "courses k WHERE k.id = c.id AND NOT EXISTS (SELECT 1 FROM course_sessions s WHERE s.course_id = c.id "  \
    "AND s.state <> 'cancelled') AND NOT EXISTS (SELECT 1 FROM quiz_questions q WHERE q.course_id = c.id)"

enum { M_ORD, M_KIND, M_SESSION, M_TITLE, M_STATE, M_PCT, M_ATTEMPTS };

static json_t *missing_json(const struct yx_rows *rows, int i)
{
    const char *kind = yx_rows_str(rows, i, "kind");
    if (strcmp(kind, "quiz") == 0)
        return json_pack("{s:s,s:I}", "kind", kind, "attempts", (json_int_t)yx_rows_i64(rows, i, "attempts"));
    if (strcmp(kind, "nothing_to_complete") == 0)
        return json_pack("{s:s}", "kind", kind);
    json_t *o = json_pack("{s:s,s:{s:I,s:s,s:s}}", "kind", kind, "session", "id",
                          (json_int_t)yx_rows_i64(rows, i, "session_id"), "title",
                          yx_rows_str(rows, i, "title"), "state", yx_rows_str(rows, i, "state"));
    if (o && strcmp(kind, "session") == 0)
        json_object_set_new(
            o, "pct", yx_rows_null(rows, i, "pct") ? json_null() : json_integer(yx_rows_i64(rows, i, "pct")));
    return o;
}

int yx_credit_requirements(struct yx_db *db, int64_t course_id, int64_t user_id, json_t **missing)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(db, &rows,
                     "WITH c(id) AS (SELECT CAST(? AS BIGINT)), u(id) AS (SELECT CAST(? AS BIGINT)) " MISSING(
                         "c CROSS JOIN u CROSS JOIN ") " ORDER BY 1, 3",
                     YX_PI(course_id), YX_PI(user_id));
    *missing = rc == 0 ? json_array() : NULL;
    for (int i = 0; rc == 0 && i < rows->nrows; i++)
        json_array_append_new(*missing, missing_json(rows, i));
    yx_rows_free(rows);
    return rc;
}

int yx_credit_refuse(struct yx_req *r, json_t *missing)
{
    json_t *first = json_array_get(missing, 0);
    if (json_array_size(missing) == 1 &&
        strcmp(json_string_value(json_object_get(first, "kind")), "nothing_to_complete") == 0) {
        json_decref(missing);
        return yx_fail_code(r, YX_ECONFLICT, "nothing_to_complete", NULL,
                            "Khoá học chưa có buổi học hay bài kiểm tra nào để hoàn thành / the course has "
                            "nothing to complete: no session and no quiz.");
    }
    return yx_fail_code(r, YX_ECONFLICT, "requirements_not_met", json_pack("{s:o}", "missing", missing),
                        "Chưa đủ điều kiện cấp tín chỉ / the requirements for the credit are not met.");
}

/* Whom award() considers (each still only under the rule); the numbers are in its SQL. */
enum award_scope {
    AWARD_USER = 0,    /* one person (a quiz passed, a credit by hand) */
    AWARD_SESSION = 1, /* everyone with an attendance of the session (its end, a late site confirmation) */
    AWARD_COURSE = 2,  /* everyone with an attendance in the course or a passed quiz (a session cancelled) */
};

/* Awards the credit where the rule holds and there is none yet, in one statement whatever the
 * number of people. Its attendance is the lowest of the course's ended live and case sessions
 * (100 when it has none: a quiz-only course), its quiz score the best passed one (none when the
 * course has no quiz). *created counts the credits made. */
static int award(struct yx_db *db, int64_t course_id, enum award_scope scope, int64_t id, int64_t awarded_by,
                 int64_t *created)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(
        db, &rows,
        "INSERT INTO credits (course_id, user_id, minutes, attendance_pct, quiz_score_pct, earned_at, "
        "awarded_by) SELECT c.id, u.id, c.credit_minutes, COALESCE((SELECT MIN(a.pct) FROM course_sessions s "
        "JOIN attendance a ON a.session_id = s.id WHERE a.user_id = u.id AND s.course_id = c.id AND s.kind "
        "IN ('live', 'case') AND s.state = 'ended'), 100), (SELECT MAX(q.score_pct) FROM quiz_attempts q "
        "WHERE q.course_id = c.id AND q.user_id = u.id AND q.passed = 1), ?, ? FROM courses c JOIN users u "
        "ON (? = 0 AND u.id = ?) OR (? = 1 AND u.id IN (SELECT p.user_id FROM attendance p WHERE "
        "p.session_id = ?)) OR (? = 2 AND (u.id IN (SELECT p.user_id FROM attendance p JOIN course_sessions "
        "s ON s.id = p.session_id WHERE s.course_id = c.id) OR u.id IN (SELECT t.user_id FROM quiz_attempts "
        "t WHERE t.course_id = c.id AND t.passed = 1))) WHERE c.id = ? AND NOT EXISTS (" MISSING(
            "") ") ON CONFLICT (course_id, user_id) DO NOTHING",
        YX_PI(yx_now_ms()), awarded_by ? YX_PI(awarded_by) : YX_PN, YX_PI(scope), YX_PI(id), YX_PI(scope),
        YX_PI(id), YX_PI(scope), YX_PI(course_id));
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
    int rc = award(db, course_id, AWARD_USER, user_id, 0, &created);
    return rc ? rc : credit_id(db, course_id, user_id, credit);
}

int yx_training_award_session(struct yx_db *db, int64_t course_id, int64_t session_id)
{
    int64_t created;
    return award(db, course_id, AWARD_SESSION, session_id, 0, &created);
}

int yx_training_award_course(struct yx_db *db, int64_t course_id)
{
    int64_t created;
    return award(db, course_id, AWARD_COURSE, 0, 0, &created);
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
    int64_t minutes = yx_rows_i64(rows, i, "minutes");
    json_t *o = json_pack(
        "{s:I,s:{s:I,s:s,s:{s:I,s:s}},s:{s:I,s:s},s:I,s:f,s:I,s:o,s:o,s:o}", "id",
        (json_int_t)yx_rows_i64(rows, i, "id"), "course", "id", (json_int_t)yx_rows_i64(rows, i, "course_id"),
        "title", yx_rows_str(rows, i, "title"), "facility", "id",
        (json_int_t)yx_rows_i64(rows, i, "facility_id"), "name", yx_rows_str(rows, i, "facility_name"),
        "user", "id", (json_int_t)yx_rows_i64(rows, i, "user_id"), "full_name",
        yx_rows_str(rows, i, "full_name"), "minutes", (json_int_t)minutes, "hours", (double)minutes / 60.0,
        "attendance_pct", (json_int_t)yx_rows_i64(rows, i, "attendance_pct"), "quiz_score_pct",
        yx_rows_null(rows, i, "quiz_score_pct") ? json_null()
                                                : json_integer(yx_rows_i64(rows, i, "quiz_score_pct")),
        "earned_at", yx_json_time_or_null(rows, i, "earned_at"), "awarded_by",
        yx_rows_null(rows, i, "awarded_by")
            ? json_null()
            : json_pack("{s:I,s:s}", "id", (json_int_t)yx_rows_i64(rows, i, "awarded_by"), "full_name",
                        yx_rows_str(rows, i, "awarded_by_name")));
    json_t *cert = json_null();
    if (o && !yx_rows_null(rows, i, "certificate_id")) {
        char url[64];
        snprintf(url, sizeof url, "/api/v1/certificates/%lld/pdf",
                 (long long)yx_rows_i64(rows, i, "certificate_id"));
        cert = json_pack("{s:I,s:s,s:s,s:b}", "id", (json_int_t)yx_rows_i64(rows, i, "certificate_id"),
                         "verify_code", yx_rows_str(rows, i, "verify_code"), "pdf_url", url, "revoked",
                         !yx_rows_null(rows, i, "revoked_at"));
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
 * one already there, 409 "requirements_not_met" with what is missing, 409 "nothing_to_complete"
 * for a course with no session and no quiz. */
static int credit_award(struct yx_req *r)
{
    struct yx_course c;
    json_t *missing = NULL;
    int rc, enrolled = 0;
    int64_t id = 0, created = 0;
    if ((rc = yx_course_load(r, 0, &c)) != 0 ||
        (rc = yx_course_require(r, &c, YX_COURSE_RUNS, YX_COURSE_RUNS_WHO)) != 0 ||
        (rc = yx_body(r, award_fields)) != 0)
        return rc;
    int64_t user = yx_json_int(r->json, "user_id", 0);
    if ((rc = yx_course_enrolled(r->db, c.id, user, &enrolled)) != 0)
        return rc;
    if (!enrolled)
        return yx_fail_field(r, YX_EINVAL, "user_id",
                             "Người này không học khoá này / this person is not enrolled in the course.");
    if ((rc = yx_credit_requirements(r->db, c.id, user, &missing)) != 0)
        return rc;
    if (json_array_size(missing) > 0)
        return yx_credit_refuse(r, missing);
    json_decref(missing);
    if ((rc = award(r->db, c.id, AWARD_USER, user, r->who.user_id, &created)) != 0 ||
        (rc = credit_id(r->db, c.id, user, &id)) != 0)
        return rc;
    json_t *out = yx_credit_json(r->db, id);
    return out ? yx_reply(r, created ? 201 : 200, out) : YX_EDB;
}

const struct yx_route yx_training_credit_routes[] = {
    {"POST", "/api/v1/courses/:id/credits", credit_award, 0, "training.credit_award", "course",
     YX_COURSE_MAKERS, award_fields},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
