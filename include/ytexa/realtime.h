/* The real-time hub (src/realtime/): chat, presence, call signaling and live notifications over
 * the WebSockets of /ws. The protocol is in docs/realtime.md. */
#ifndef YTEXA_REALTIME_H
#define YTEXA_REALTIME_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "ytexa/http.h"
#include "ytexa/store.h"

struct yx_config;

/* A kind of channel that sockets join, "<name>:<id>": a record of a workflow that its people share
 * live (a visit, a consultation, a lecture). The workflow defines one; src/app hands the list to
 * yx_hub_kinds() before serving; the hub asks the kind and never names a workflow. Its callbacks
 * run on worker threads, with r's session resolved again for the message (r->db, r->who). */
struct yx_channel_kind {
    const char *name; /* "visit": its channels are "visit:<id>" (lower-case letters, unique) */
    /* May r's principal be in channel name:id? 0 with *patient set to the patient the channel is
     * about, for the audit (it is 0 when called; left so when none), or the refusal (404/403)
     * with r's error set. Asked at each join, chat, sync and receipt, and every 30 s for the
     * sockets in the channel: a refusal then takes them out ("left", "access_revoked"). */
    int (*may_join)(struct yx_req *r, int64_t id, int64_t *patient);
    /* 1: the channel has a chat (messages stored with gapless numbers, sync, receipts, the
     * notification of messages missed while away); 0: only join, leave and signal, and a chat,
     * sync or receipt is refused with no_chat ("no_chat", the message as sent). */
    int keeps_chat;
    const char *no_chat;
    /* A chat's record, for a kind that keeps one: the column of chat_threads and notifications
     * that names it ("visit_id"); SQL selecting the ids of the people its messages are for before
     * they open the chat (notified of what they miss), one ? for the record's id; and what the
     * record is called in that notification, in Vietnamese and in English ("lượt khám", "visit"). */
    const char *chat_column;
    const char *chat_people;
    const char *chat_label_vi;
    const char *chat_label_en;
    /* A socket's stay, for a kind that keeps no chat (NULL: nothing is counted). on_join, after
     * may_join allowed it: 0 with *stay set (0: nothing to end), or the refusal with r's error set.
     * on_leave(db, stay, at) once the socket leaves the channel or closes (at: ms since the
     * epoch); 0, or a YX_E… code, which is logged. */
    int (*on_join)(struct yx_req *r, int64_t id, int64_t *stay);
    int (*on_leave)(struct yx_db *db, int64_t stay, int64_t at);
};
/* The kinds (a NULL-terminated list, not copied: static; at most 8), besides the hub's own "user"
 * channel (a person's notifications). Their order is the one the hub names them in when a channel
 * is unknown. Call once before serving and before yx_hub_start(). */
void yx_hub_kinds(const struct yx_channel_kind *const *kinds);

/* The hub as the owner of the sockets of /ws (yx_ws_accept, include/ytexa/http.h): what a socket
 * says is a message of docs/realtime.md. */
extern const struct yx_ws_handler yx_hub_ws;
/* The hub's figures for /metrics (yx_metrics_register): the WebSockets open on this instance. */
const struct yx_metric *yx_hub_metrics(void);

/* Delivers msg (taken) to every socket that joined channel ("user:12", "visit:7"), on this
 * instance and the others attached to the same PostgreSQL, from any thread. Call it only for
 * what is already committed. */
void yx_hub_publish(const char *channel, json_t *msg);

/* The same for a message already written out (text, copied): what yx_db_publish hands on once a
 * transaction commits (src/app sets it as the store's publisher). */
void yx_hub_publish_text(const char *channel, const char *text);

/* Announces that record id of a channel kind ("consult", "visit", "facility") changed, once db's
 * transaction commits (yx_db_publish: nothing when it rolls back): {"type":"changed","channel":
 * "<kind>:<id>","id","what","version"} to everyone in that channel, on every instance. what says
 * what happened ("accepted", "inbox"), from the workflow's own short list; version is the time of
 * the change (ms), which grows with each change. Never clinical content: the pages refetch through
 * the API, so every read stays behind the API's rule. 0, or YX_ENOMEM / YX_EINVAL. */
int yx_live_changed(struct yx_db *db, const char *kind, int64_t id, const char *what);

/* Connects the hub to the other instances on the same PostgreSQL (for any other database it does
 * nothing): what one delivers to a channel, the others deliver to their sockets too. Attach
 * once the loop takes posts (yx_loop_post: the server's start hook, include/ytexa/server.h) and
 * detach before it stops taking them (its stop hook). Attaching also starts the re-check of the
 * sockets' channels on the loop. 0, or a YX_E… code when the bus could not start. */
int yx_hub_attach(const char *db_url);
void yx_hub_detach(void);

/* Starts and stops the hub's background jobs: pushing due notifications to open sockets, and
 * notifying people of chat messages they did not receive while away. */
int yx_hub_start(const struct yx_config *cfg);
void yx_hub_stop(void);

/* Keeps the STUN/TURN settings for GET /api/v1/rtc/ice-servers (yx_hub_start calls it). */
void yx_rtc_configure(const struct yx_config *cfg);
/* {"ice_servers", "ice_transport_policy", "ttl", "expires_at", "relay"} with a TURN credential for who
 * (a user id, or "g12" for a room's guest), as GET /api/v1/rtc/ice-servers answers; NULL when it
 * cannot be made. */
json_t *yx_rtc_ice_json(const char *who);
/* Does the first TURN server answer a STUN Binding Request (within a second; the verdict kept five
 * seconds)? 1 also when no UDP TURN server is configured. */
int yx_rtc_relay_up(void);
/* Routes: GET /api/v1/rtc/ice-servers. */
extern const struct yx_route yx_rtc_routes[];

/* What a call or room from a connection site may send (its facility's site_bandwidth_kbps and
 * site_profile): three quarters of the site's bandwidth, at most 256 kbit/s on a low_video site,
 * never more than ceiling_kbps; audio only on an audio site. A caller without a facility gets the
 * ceiling. */
struct yx_site_caps {
    int max_bitrate_kbps;
    int audio_only;
};
struct yx_db;
int yx_rtc_site_caps(struct yx_db *db, int64_t facility_id, int ceiling_kbps, struct yx_site_caps *caps);

#endif
