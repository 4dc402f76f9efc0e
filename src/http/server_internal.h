/* Internal to src/http: what server.c and websocket.c share. */
#ifndef YTEXA_HTTP_SERVER_INTERNAL_H
#define YTEXA_HTTP_SERVER_INTERNAL_H

#include <h2o.h>
#include <uv.h>

#include "ytexa/http.h"

/* Upgrades an authorized /ws request to a WebSocket connection. */
void yx_ws_upgrade(h2o_req_t *req, const char *client_key, struct yx_req *r);
/* Sets up the sockets' flushing and keepalive on the loop, with the per-socket message rate and
 * burst; fini closes those handles. */
void yx_ws_init(uv_loop_t *loop, int rate, int burst);
void yx_ws_fini(void);
/* Closes every WebSocket with the given status (1001 when the server goes away). */
void yx_ws_close_all(int code, const char *reason);
/* The value of cookie `name` in a Cookie header, copied into the arena; NULL when absent. */
const char *yx_cookie_value(struct yx_arena *a, const char *header, const char *name);

#endif
