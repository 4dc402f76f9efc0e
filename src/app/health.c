/* /healthz answers from the loop without touching anything; /readyz asks the database, so a load
 * balancer stops sending traffic to an instance that lost it. */
#include <string.h>

#include "ytexa/http.h"

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
        return yx_fail(r, YX_EUNAVAIL, "The database does not answer.");
    return yx_reply(r, 200, json_pack("{s:s,s:s,s:I}", "status", "ready", "database",
                                      yx_db_dialect(r->db) == YX_POSTGRES ? "postgres" : "sqlite", "schema",
                                      (json_int_t)v));
}

/* The WebSocket endpoint: authorised like any API request, upgraded on the loop. A browser must
 * come from our own origin. */
static int ws_open(struct yx_req *r)
{
    if (r->origin && r->host) {
        const char *o = r->origin;
        const char *hostpart = strstr(o, "://");
        if (!hostpart || strcmp(hostpart + 3, r->host) != 0)
            return yx_fail(r, YX_EFORBIDDEN, "WebSocket from another origin refused.");
    }
    r->upgrade_ws = 1;
    return yx_reply(r, 400, json_pack("{s:{s:s,s:s}}", "error", "code", "invalid_input", "message",
                                      "Open /ws as a WebSocket."));
}

const struct yx_route yx_health_routes[] = {
    {"GET", "/healthz", healthz, YX_R_PUBLIC | YX_R_LOOP, NULL, NULL, 0, NULL},
    {"GET", "/readyz", readyz, YX_R_PUBLIC, NULL, NULL, 0, NULL},
    {"GET", "/ws", ws_open, 0, NULL, NULL, YX_ANYONE, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
