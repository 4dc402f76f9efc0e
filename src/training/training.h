/* Internal to src/training: what its files share. The workflow and the API are in
 * docs/training.md; the tables in src/store/migrations/x/0015_training.sql. A course is loaded
 * once per request with the caller's relation to it; handlers then ask for a relation. */
#ifndef YTEXA_TRAINING_INTERNAL_H
#define YTEXA_TRAINING_INTERNAL_H

#include <stdint.h>

#include "ytexa/auth.h"
#include "ytexa/http.h"

/* Attendance is taken from the session's channel (yx_training_channel): a span opens when a socket
 * joins "session:<id>" (at: ms since the epoch) and closes when the socket leaves or closes.
 * span_open sets *span_id; YX_ECONFLICT when the session is not live (nothing written).
 * span_close does nothing to a span already closed (the session's end closes those left open);
 * a leave before the join counts as a stay of no length. Each is one statement: atomic by itself,
 * safe outside a transaction. */
int yx_training_span_open(struct yx_db *db, int64_t session_id, int64_t user_id, int64_t at,
                          int64_t *span_id);
int yx_training_span_close(struct yx_db *db, int64_t span_id, int64_t at);

struct yx_course {
    int64_t id, facility_id, province_id;
    int relation;
    int credit_minutes, attendance_pass_pct, quiz_pass_pct, quiz_max_attempts;
    char state[12]; /* draft, published, archived */
    char title[256];
};

/* Loads course :id (path parameter index param) with the caller's relation. 404 when it does not
 * exist or the caller has no relation to it (a draft is seen by its trainers and administrators
 * only); names the course in the audit event. */
int yx_course_load(struct yx_req *r, int param, struct yx_course *c);
/* As yx_course_load, for a course id found another way (a session's course). */
int yx_course_load_id(struct yx_req *r, int64_t id, struct yx_course *c);
/* Loads course id with the caller's relation without answering: YX_ENOTFOUND (r's error not set)
 * when it does not exist or the caller may not see it. */
int yx_course_find(struct yx_req *r, int64_t id, struct yx_course *c);
/* The visible ones of n courses (ids) with the caller's relation, in the order of ids, into out
 * (room for n); *found says how many. One query for all of them (the course list). */
int yx_course_find_many(struct yx_req *r, const int64_t *ids, int n, struct yx_course *out, int *found);
/* The course as yx_authorize() sees it (YX_RES_COURSE): the caller's relation and its state; need,
 * the relations (YX_COURSE_… bits, include/ytexa/auth.h) an act needs (0: those who run it). */
struct yx_resource yx_course_resource(const struct yx_course *c, int need);
/* May the caller do what needs one of the relations (bits) to the course (yx_authorize())? 1 or 0. */
int yx_course_may(const struct yx_req *r, const struct yx_course *c, int relations);
/* 403 "not_your_part" unless the caller has one of the relations (bits); who_may names them in
 * Vietnamese and English for the message. */
int yx_course_require(struct yx_req *r, const struct yx_course *c, int relations, const char *who_may);
/* Is user (of facility, role) enrolled in course (by name or with their facility)? */
int yx_course_enrolled(struct yx_db *db, int64_t course_id, int64_t user_id, int *yes);

/* The rule of a course's credit is in credits.c (MISSING): every live or case session not cancelled
 * ended and passed, self-paced sessions checked by a quiz, the quiz passed when there is one, and
 * something to complete at all. */

/* After attendance or a quiz changed: awards the course's credit to user when the rule holds.
 * *credit is the user's credit in the course now (new or already there), or 0. */
int yx_training_award(struct yx_db *db, int64_t course_id, int64_t user_id, int64_t *credit);
/* The same for everyone with an attendance of session_id (at the session's end), in one statement. */
int yx_training_award_session(struct yx_db *db, int64_t course_id, int64_t session_id);
/* The same for everyone with an attendance in the course or a passed quiz (a session cancelled:
 * what was left may now be done), in one statement. */
int yx_training_award_course(struct yx_db *db, int64_t course_id);
/* What user still lacks for course's credit: *missing is a new array of {"kind": "session" |
 * "self_paced" | "quiz" | "nothing_to_complete", …} (empty when the credit is earned). */
int yx_credit_requirements(struct yx_db *db, int64_t course_id, int64_t user_id, json_t **missing);
/* Answers 409 for a non-empty missing (which it takes): "nothing_to_complete" when the course has
 * nothing to complete, "requirements_not_met" with missing otherwise. */
int yx_credit_refuse(struct yx_req *r, json_t *missing);

/* Credits, quiz, records, certificates (credits.c, quiz.c, records.c, certificates.c). */

/* The names of the relations that run a course (YX_COURSE_RUNS) for a refusal's message. */
#define YX_COURSE_RUNS_WHO                                                                                   \
    "giảng viên hoặc quản trị của cơ sở mở khoá / the course's trainers or administrators"
/* A credit's columns for yx_credit_row_json(); add the WHERE clause. */
#define YX_CREDIT_SELECT                                                                                     \
    "SELECT c.id, c.course_id, co.title, f.id AS facility_id, f.name AS facility_name, c.user_id, "          \
    "u.full_name, c.minutes, c.attendance_pct, c.quiz_score_pct, c.earned_at, c.awarded_by, "                \
    "b.full_name AS awarded_by_name, ce.id AS certificate_id, ce.verify_code, ce.revoked_at FROM "           \
    "credits c JOIN courses co ON co.id = c.course_id JOIN facilities f ON f.id = co.facility_id JOIN "      \
    "users "                                                                                                 \
    "u ON u.id = c.user_id LEFT JOIN users b ON b.id = c.awarded_by LEFT JOIN certificates ce ON "           \
    "ce.credit_id = c.id"
/* A credit as the API shows it: {"id", "course": {"id", "title", "facility"}, "user", "minutes",
 * "hours", "attendance_pct", "quiz_score_pct", "earned_at", "awarded_by", "certificate"}; from
 * row i of YX_CREDIT_SELECT, or by id (NULL when there is none). New references. */
json_t *yx_credit_row_json(const struct yx_rows *rows, int i);
json_t *yx_credit_json(struct yx_db *db, int64_t credit_id);

/* Courses, enrolments, sessions and attendance (courses.c, enrol.c, sessions.c, attendance.c). */

/* The course as the API shows it, with the caller's relation in "my". NULL when it fails. */
json_t *yx_course_json(struct yx_req *r, const struct yx_course *c);
/* 409 "course_state" unless the course is in one of the states (NULL-terminated). */
int yx_course_state_in(struct yx_req *r, const struct yx_course *c, const char *const *states);

/* The people enrolled in a course, active, of one facility (facility_id 0: any), with id > after,
 * by id, at most limit (0: all): columns id, full_name, facility_id, facility_name, role. */
int yx_course_people(struct yx_db *db, int64_t course_id, int64_t facility_id, int64_t after, int64_t limit,
                     struct yx_rows **rows);
/* Announces each planned session of the course that starts later (session_id 0: all of them, or
 * that one) to every enrolled person who has no notice of it yet: a session_starting
 * notification due 15 minutes before it starts. */
int yx_course_announce(struct yx_db *db, int64_t course_id, int64_t session_id);

struct yx_course_session {
    int64_t id, course_id, consult_id, starts_at, started_at, ended_at, janus_room;
    int minutes;
    char kind[12], state[12], pin[48], secret[48], title[256];
};
/* A session as the API shows it, from a row of YX_SESSION_COLUMNS. */
#define YX_SESSION_COLUMNS                                                                                   \
    "id, kind, title, starts_at, minutes, state, started_at, ended_at, consult_id, course_id"
json_t *yx_session_row(const struct yx_rows *r, int i);
/* Loads session :sid (path parameter param) and its course with the caller's relation; 404 when
 * either does not exist or the caller may not see the course. Names the session in the audit. */
int yx_session_load(struct yx_req *r, int param, struct yx_course_session *s, struct yx_course *c);
/* Loads session id without a caller. YX_ENOTFOUND when there is none. */
int yx_session_load_db(struct yx_db *db, int64_t id, struct yx_course_session *s);
/* 409 "session_state" unless the session is in one of the states (NULL-terminated). */
int yx_session_state_in(struct yx_req *r, const struct yx_course_session *s, const char *const *states);

/* Attendance arithmetic (attendance.c). One stay: from joined to left ms; left < 0 while open. */
struct yx_span {
    int64_t from, to;
};
/* The milliseconds of [start, end) covered by the union of the spans (open ones count to end);
 * overlaps count once, what lies outside is cut off. Sorts spans in place. */
int64_t yx_attendance_ms(struct yx_span *spans, size_t n, int64_t start, int64_t end);
/* pct of a stay of ms in a session of duration_ms, rounded down (0 when the duration is 0). */
int yx_attendance_pct(int64_t ms, int64_t duration_ms);
/* Computes and stores the attendance row of every enrolled person of an ended session (union of
 * their stays, or 100 % from a confirmed site attendance), then awards credits where due. */
int yx_session_attendance_store(struct yx_db *db, const struct yx_course *c,
                                const struct yx_course_session *s);

#endif
