/* /healthz answers from the loop without touching anything; /readyz asks the database, so a load
 * balancer stops sending traffic to an instance that lost it. */
#include <string.h>

#include "ytexa/http.h"
#include "ytexa/realtime.h"

static int healthz(struct yx_req *r)
{
    return yx_reply(r, 200, json_pack("{s:s}", "status", "ok"));
}

static int readyz(struct yx_req *r)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q0(r->db, &rows, "SELECT MAX(version) FROM schema_migrations");
    int64_t v = rc == 0 ? yx_rows_int(rows, 0, 0) : 0;
    yx_rows_free(rows);
    if (rc)
        return yx_fail(r, YX_EUNAVAIL, "Cơ sở dữ liệu không trả lời / The database does not answer.");
    return yx_reply(r, 200,
                    json_pack("{s:s,s:s,s:I}", "status", "ready", "database",
                              yx_db_dialect(r->db) == YX_POSTGRES ? "postgres" : "sqlite", "schema",
                              (json_int_t)v));
}

/* The WebSocket endpoint: authorised like any API request, upgraded on the loop and handed to the
 * real-time hub.
 *
 * A browser's page must come from the site's own origin: its scheme, host and port, as the client
 * reached us (r->scheme, r->host). Otherwise a page of another site could open a socket carrying
 * the browser's session cookie (cross-site WebSocket hijacking): the handshake is a GET, so no
 * CSRF token guards it, and the Origin header is the only sign of the page. A handshake without a
 * Host header is refused, since there is then no origin of ours to compare with.
 *
 * A handshake without an Origin header is accepted. Browsers always send Origin on a WebSocket
 * handshake, so it does not come from a page and cannot carry a victim's cookie across sites; it
 * comes from a client that writes its own headers (the native app, the API tests), which could
 * send a matching Origin as easily as none, and which needs a session token or cookie of its own
 * to be let in at all. Refusing it would protect no one. */
static int ws_open(struct yx_req *r)
{
    if (!r->host)
        return yx_fail(r, YX_EFORBIDDEN,
                       "Thiếu tiêu đề Host / a WebSocket handshake without a Host header is refused.");
    if (r->origin && !yx_same_origin(r->origin, r->scheme, r->host))
        return yx_fail(r, YX_EFORBIDDEN,
                       "Kết nối WebSocket từ nguồn khác bị từ chối / WebSocket from another origin refused.");
    yx_ws_accept(r, &yx_hub_ws);
    return yx_reply(
        r, 400,
        json_pack("{s:{s:s,s:s}}", "error", "code", "invalid_input", "message", "Open /ws as a WebSocket."));
}

const struct yx_route yx_health_routes[] = {
    {"GET", "/healthz", healthz, YX_R_PUBLIC | YX_R_LOOP, NULL, NULL, 0, NULL},
    {"GET", "/readyz", readyz, YX_R_PUBLIC, NULL, NULL, 0, NULL},
    {"GET", "/ws", ws_open, 0, NULL, NULL, YX_ANYONE, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
