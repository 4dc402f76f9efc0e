/* The real-time hub (src/realtime/): chat, presence, call signaling and live notifications over
 * the WebSockets of /ws. The protocol is in docs/realtime.md. */
#ifndef YTEXA_REALTIME_H
#define YTEXA_REALTIME_H

#include <jansson.h>
#include <stddef.h>

#include "ytexa/http.h"

struct yx_config;

/* What the server tells the hub about a socket, on the loop: it opened (after the handshake), a
 * text message arrived (not NUL-terminated), it closed (the hub lets go of it; the socket is
 * freed once no one holds it). */
void yx_hub_opened(struct yx_ws *ws);
void yx_hub_received(struct yx_ws *ws, const char *text, size_t len);
void yx_hub_closed(struct yx_ws *ws);

/* Delivers msg (taken) to every socket that joined channel ("user:12", "visit:7"), from any
 * thread. Call it only for what is already committed. */
void yx_hub_publish(const char *channel, json_t *msg);

/* Starts and stops the hub's background jobs: pushing due notifications to open sockets, and
 * notifying people of chat messages they did not receive while away. */
int yx_hub_start(const struct yx_config *cfg);
void yx_hub_stop(void);

/* Keeps the STUN/TURN settings for GET /api/v1/rtc/ice-servers (yx_hub_start calls it). */
void yx_rtc_configure(const struct yx_config *cfg);
/* Routes: GET /api/v1/rtc/ice-servers. */
extern const struct yx_route yx_rtc_routes[];

#endif
