/* Internal to src/realtime: what the hub (on the event loop), the chat store (on worker threads)
 * and the relay (messages from other threads and other instances) share. */
#ifndef YTEXA_REALTIME_HUB_H
#define YTEXA_REALTIME_HUB_H

#include <jansson.h>
#include <stdint.h>

#include "ytexa/http.h"
#include "ytexa/realtime.h"

/* The channels a socket may be in at once, its own user channel included. */
#define MAX_CHANNELS_PER_SOCKET 16

/* A message of a socket that needs the database: join, chat, sync or receipt. The hub fills the
 * request part on the loop, yx_chat_run() the answer part on a worker, the hub sends it. */
struct hub_job {
    struct yx_ws *ws; /* held while the job runs */
    char type[12];
    char channel[40];
    char ref[72];    /* the client's own reference, echoed in the answer */
    char token[128]; /* the socket's session, resolved again for each job */
    char addr[64];   /* where the socket came from, for the audit */
    char rid[24];    /* the request id of this message, for the audit ("ws-<socket>-<n>") */
    int counted;     /* a join counted in the socket's joins on their way (hub.c) */
    json_t *msg;     /* the message, validated (owned) */
    const struct yx_channel_kind *kind; /* the channel's */
    int64_t stay;                       /* a join: the stay its kind's on_join began (0: none) */

    /* The answer. */
    int rc;             /* 0, or the YX_E… code of the error */
    char err_code[32];  /* its code ("not_found", "not_joined" …) */
    char err_msg[640];  /* its message */
    char err_field[32]; /* the field it names, or "" */
    json_t *reply;      /* to the socket (owned) */
    json_t *broadcast;  /* to everyone in the channel (owned) */
    int64_t user_id;    /* who the session is now */
};

/* Does what j asks, on a worker thread with db (NULL when the database is unreachable). */
void yx_chat_run(struct yx_db *db, struct hub_job *j);

/* Access is checked at each join, chat, sync and receipt, but a socket that only listens sends
 * none of those: the hub asks again, every 30 s, for the sockets in a visit's or a case's
 * channel, a batch of sockets at a time. The hub fills the request part on the loop,
 * yx_chat_recheck() the answer part on a worker. */
#define RECHECK_BATCH 32
struct hub_recheck_socket {
    struct yx_ws *ws; /* held while the job runs */
    char token[128];
    int nchannels;
    char channels[MAX_CHANNELS_PER_SOCKET][40]; /* its visit and case channels */
    int revoked[MAX_CHANNELS_PER_SOCKET];       /* the answer: may no longer see channels[i] */
    int ended;                                  /* the answer: the session has ended */
};
struct hub_recheck {
    uint64_t gen; /* memberships made after this (hub.c's count of joins) are newer than the check */
    int n;
    struct hub_recheck_socket s[RECHECK_BATCH];
};

/* Resolves each socket's session again and asks whether the person may still see each channel,
 * on a worker thread with db (NULL: nothing is decided). What it writes is rolled back: checking
 * is not the person's activity, so it does not keep their session from expiring. */
void yx_chat_recheck(struct yx_db *db, struct hub_recheck *batch);

/* Starts and stops the timer of those re-checks on the server's loop (relay.c, when the hub is
 * attached and detached). start: 0 or YX_EUNAVAIL / YX_ENOMEM. */
int yx_hub_recheck_start(void);
void yx_hub_recheck_stop(void);

/* The hub's own kind of channel: "user:<id>", a person's notifications (channels.c). */
extern const struct yx_channel_kind yx_user_channel;
/* Parses a channel's name ("visit:12") into its kind and id: a registered kind or the user
 * channel, or NULL when channel is none of those in canonical form. */
const struct yx_channel_kind *yx_channel_parse(const char *channel, int64_t *id);
/* What an unknown channel is answered with: "Các kênh là visit:<id>, … / Channels are visit:<id>, … and
 * user:<id>." */
const char *yx_channel_names(void);
/* The statements of the chat of a kind that keeps one, built from what the kind names when it was
 * registered (NULL for any other kind). thread: a channel's thread made on first use (channel,
 * id, now); people: the people its messages are for from the start (thread, last seq, now, id);
 * notify: the notification of missed messages (user, id, text, then the time four times). */
struct yx_chat_sql {
    char thread[256], people[768], notify[384];
};
const struct yx_chat_sql *yx_chat_sql(const struct yx_channel_kind *kind);

/* Sends text to this instance's sockets in channel (only user's when to_user is not 0), on the
 * loop: a message published from another thread or by another instance (relay.c). */
void yx_hub_deliver(const char *channel, int64_t to_user, const char *text);

#endif
