/* Internal to src/realtime: what the hub (on the event loop), the chat store (on worker threads)
 * and the relay (messages from other threads and other instances) share. */
#ifndef YTEXA_REALTIME_HUB_H
#define YTEXA_REALTIME_HUB_H

#include <jansson.h>
#include <stdint.h>

#include "ytexa/http.h"

/* A message of a socket that needs the database: join, chat, sync or receipt. The hub fills the
 * request part on the loop, yx_chat_run() the answer part on a worker, the hub sends it. */
struct hub_job {
    struct yx_ws *ws; /* held while the job runs */
    char type[12];
    char channel[40];
    char ref[72];    /* the client's own reference, echoed in the answer */
    char token[128]; /* the socket's session, resolved again for each job */
    char addr[64];
    json_t *msg; /* the message, validated (owned) */

    /* The answer. */
    int rc;             /* 0, or the YX_E… code of the error */
    char err_code[32];  /* its code ("not_found", "not_joined" …) */
    char err_msg[320];  /* its message */
    char err_field[32]; /* the field it names, or "" */
    json_t *reply;      /* to the socket (owned) */
    json_t *broadcast;  /* to everyone in the channel (owned) */
    int64_t user_id;    /* who the session is now */
};

/* Does what j asks, on a worker thread with db (NULL when the database is unreachable). */
void yx_chat_run(struct yx_db *db, struct hub_job *j);

/* Parses "visit:12" / "consult:5" / "user:3" into its kind and id; 0, or YX_EINVAL when channel
 * is not one of those in canonical form. kind is "visit", "consult" or "user". */
int yx_channel_parse(const char *channel, const char **kind, int64_t *id);

/* Sends text to this instance's sockets in channel (only user's when to_user is not 0), on the
 * loop: a message published from another thread or by another instance (relay.c). */
void yx_hub_deliver(const char *channel, int64_t to_user, const char *text);

#endif
