/* Online training (src/training): what the rest of the program asks of it. The workflow and the
 * API are in docs/training.md. */
#ifndef YTEXA_TRAINING_H
#define YTEXA_TRAINING_H

#include <stdint.h>

struct yx_req;
struct yx_db;

/* The channel "session:<session_id>" of a live session (include/ytexa/realtime.h): for its
 * course's trainers and those enrolled, while the session is live. It keeps no chat (questions go
 * as signals); attendance is taken from it, a socket's stay being a span. src/app registers it
 * with the hub. */
struct yx_channel_kind;
extern const struct yx_channel_kind yx_training_channel;

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
