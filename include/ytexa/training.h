/* Online training (src/training): what the rest of the program asks of it. The workflow and the
 * API are in docs/training.md. */
#ifndef YTEXA_TRAINING_H
#define YTEXA_TRAINING_H

#include <stdint.h>

struct yx_req;
struct yx_db;

/* May r's principal be in the real-time channel "session:<session_id>"? 0 when the session is
 * live and they are one of its course's trainers or enrolled in the course; YX_ENOTFOUND
 * otherwise, with r's error set (404). The real-time hub asks this before a socket joins. */
int yx_training_may_join(struct yx_req *r, int64_t session_id);

/* Attendance is taken from the channel: the hub opens a span when a socket joins
 * "session:<id>" (at: ms since the epoch) and closes it when the socket leaves or closes.
 * span_open sets *span_id; YX_ECONFLICT when the session is not live (nothing written).
 * span_close does nothing to a span already closed (the session's end closes those left open);
 * a leave before the join counts as a stay of no length. Each is one statement: atomic by itself,
 * safe outside a transaction. */
int yx_training_span_open(struct yx_db *db, int64_t session_id, int64_t user_id, int64_t at,
                          int64_t *span_id);
int yx_training_span_close(struct yx_db *db, int64_t span_id, int64_t at);

/* The owner of course materials (include/ytexa/files.h): a file that is a course's material is
 * read by the course's trainers, the administrators over its facility and those enrolled.
 * src/app registers it with the files workflow. */
struct yx_file_owner;
extern const struct yx_file_owner yx_course_file_owner;

/* GET /api/v1/verify/:code for training certificates (src/app/verify.c asks each kind of
 * document): 0 with the answer set when code (as printed, XXXXX-XXXXX) is a certificate's;
 * YX_ENOTFOUND, with no answer set, when it is not; another code when the database fails. */
int yx_training_verify(struct yx_req *r, const char *code);

#endif
