/* Multi-site rooms on Janus's VideoRoom plugin, the WebRTC gateway (src/media/janus.c): used by a
 * consultation's room (src/consult/room.c) and a live lecture (src/training/sessions.c). Calls
 * block: use them on request workers. They return 0, or YX_EUNAVAIL when Janus cannot be reached
 * or refuses (logged). */
#ifndef YTEXA_MEDIA_H
#define YTEXA_MEDIA_H

#include <stddef.h>
#include <stdint.h>

struct yx_config;
struct yx_req;

/* Janus's configuration (--janus-url, --janus-public-url, --janus-token-secret, --janus-admin-key,
 * --janus-rec-dir), kept once before serving (src/app). */
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
