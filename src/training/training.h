/* Internal to src/training: what its files share. The workflow and the API are in
 * docs/training.md; the tables in src/store/migrations/x/0015_training.sql. A course is loaded
 * once per request with the caller's relation to it; handlers then ask for a relation. */
#ifndef YTEXA_TRAINING_INTERNAL_H
#define YTEXA_TRAINING_INTERNAL_H

#include <stdint.h>

#include "ytexa/auth.h"
#include "ytexa/http.h"

/* The caller's relation to a course (bits). */
enum {
    YX_COURSE_TRAINER = 1,  /* named among its trainers, or a trainer of its facility */
    YX_COURSE_ADMIN = 2,    /* an administrator over its facility (facility, province, ministry) */
    YX_COURSE_ENROLLED = 4, /* enrolled: by name, or with their whole facility (and of a target role) */
    YX_COURSE_ELIGIBLE = 8, /* may enrol themselves: published, of a target role and facility level */
};

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
/* Loads by id, without a caller (jobs, the hub's worker). YX_ENOTFOUND when there is none. */
int yx_course_load_db(struct yx_db *db, int64_t id, struct yx_course *c);
/* 403 "not_your_part" unless the caller has one of the relations (bits); who_may names them in
 * Vietnamese and English for the message. */
int yx_course_relation(struct yx_req *r, const struct yx_course *c, int relations, const char *who_may);
/* Is user (of facility, role) enrolled in course (by name or with their facility)? */
int yx_course_enrolled(struct yx_db *db, int64_t course_id, int64_t user_id, int *yes);

/* After attendance or a quiz changed: awards the course's credit to user when every live or case
 * session of the course that has ended was attended (attendance.passed) and the quiz, if the
 * course has one, was passed; awarded_by 0 means the rules. Sets *awarded when a credit exists
 * now (new or already there). */
int yx_training_award(struct yx_db *db, int64_t course_id, int64_t user_id, int64_t awarded_by, int *awarded);

#endif
