/* The real-time hub (src/realtime/): chat, presence, call signaling and live notifications over
 * the WebSockets of /ws. The protocol is in docs/realtime.md. */
#ifndef YTEXA_REALTIME_H
#define YTEXA_REALTIME_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "ytexa/http.h"

struct yx_config;

/* The hub as the owner of the sockets of /ws (yx_ws_accept, include/ytexa/http.h): what a socket
 * says is a message of docs/realtime.md. */
extern const struct yx_ws_handler yx_hub_ws;
/* The hub's figures for /metrics (yx_metrics_register): the WebSockets open on this instance. */
const struct yx_metric *yx_hub_metrics(void);

/* Delivers msg (taken) to every socket that joined channel ("user:12", "visit:7"), on this
 * instance and the others attached to the same PostgreSQL, from any thread. Call it only for
 * what is already committed. */
void yx_hub_publish(const char *channel, json_t *msg);

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
/* {"ice_servers", "ice_transport_policy", "ttl", "expires_at"} with a TURN credential for who
 * (a user id, or "g12" for a room's guest), as GET /api/v1/rtc/ice-servers answers; NULL when it
 * cannot be made. */
json_t *yx_rtc_ice_json(const char *who);
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

/* Multi-site rooms on Janus's VideoRoom plugin (src/realtime/janus.c). Calls block: use them on
 * request workers. They return 0, or YX_EUNAVAIL when Janus cannot be reached or refuses (logged). */
void yx_janus_configure(const struct yx_config *cfg);
/* Is a Janus configured (--janus-url)? */
int yx_janus_enabled(void);
/* Janus's HTTP API as browsers reach it (--janus-public-url). */
const char *yx_janus_public_url(void);
/* A token a browser presents to Janus ("<expiry>,janus,janus.plugin.videoroom:<signature>", see
 * Janus's token_auth_secret), and when it expires (unix seconds). */
int yx_janus_token(char *out, size_t outlen, int64_t *expires_s);

struct yx_janus_room {
    int64_t room;            /* Janus's number for it */
    const char *pin;         /* needed to join: given only to people ytexa lets in */
    const char *secret;      /* needed to record or destroy it: never leaves the server */
    const char *description; /* for Janus's logs ("consult:12"): no patient data */
    int publishers;          /* how many may send video at once */
    int bitrate_kbps;        /* the most a publisher sends */
    const char *allowed;     /* when set, only a join with this token may publish (a lecture's
                              * presenters); anyone with the pin may still watch */
};
/* The answer when Janus did not do what was asked: 503 media_unavailable (returns its code). */
int yx_janus_fail(struct yx_req *r);
/* Creates the room unless Janus has it already (Janus forgets rooms when it restarts). */
int yx_janus_room_ensure(const struct yx_janus_room *room);
/* Starts or stops recording every publisher of the room (into --janus-rec-dir). */
int yx_janus_room_record(int64_t room, const char *secret, int on);
/* Destroys the room: everyone in it is sent away. A room Janus does not have counts as done. */
int yx_janus_room_destroy(int64_t room, const char *secret);

#endif
