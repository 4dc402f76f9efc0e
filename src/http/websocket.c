/* WebSocket connections on the server's port (h2o + wslay). The /ws route authorizes the socket
 * on a worker thread like any API request; the upgrade itself happens on the loop. This file
 * keeps the list of open sockets so a shutdown can close each with 1001. The messaging hub of
 * the real-time workflow builds on it. */
#include <h2o/websocket.h>
#include <stdlib.h>
#include <string.h>

#include "server_internal.h"

#define WS_MAX_MESSAGE (64 * 1024)

struct ws_client {
    h2o_websocket_conn_t *conn;
    struct ws_client *prev, *next;
    int64_t user_id;
};

static struct ws_client *clients;

static void ws_send_json(struct ws_client *c, json_t *msg)
{
    char *s = json_dumps(msg, JSON_COMPACT);
    json_decref(msg);
    if (!s)
        return;
    struct wslay_event_msg m = {WSLAY_TEXT_FRAME, (const uint8_t *)s, strlen(s)};
    wslay_event_queue_msg(c->conn->ws_ctx, &m); /* wslay copies the message */
    free(s);
}

static void ws_unlink(struct ws_client *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        clients = c->next;
    if (c->next)
        c->next->prev = c->prev;
}

static void on_ws_message(h2o_websocket_conn_t *conn, const struct wslay_event_on_msg_recv_arg *arg)
{
    struct ws_client *c = conn->data;
    if (!arg) {
        ws_unlink(c);
        h2o_websocket_close(conn);
        free(c);
        return;
    }
    if (wslay_is_ctrl_frame(arg->opcode))
        return;
    if (arg->opcode != WSLAY_TEXT_FRAME) {
        wslay_event_queue_close(conn->ws_ctx, 1003, (const uint8_t *)"text frames only", 16);
        return;
    }
    json_error_t e;
    json_t *msg = json_loadb((const char *)arg->msg, arg->msg_length, JSON_REJECT_DUPLICATES, &e);
    const char *type = json_string_value(json_object_get(msg, "type"));
    if (type && strcmp(type, "ping") == 0)
        ws_send_json(c, json_pack("{s:s,s:I}", "type", "pong", "ts", (json_int_t)yx_now_ms()));
    else
        ws_send_json(c, json_pack("{s:s,s:s,s:s}", "type", "error", "code", msg ? "unknown_type" : "invalid_json",
                                  "message", msg ? "Unknown message type." : "The message is not valid JSON."));
    json_decref(msg);
}

void yx_ws_upgrade(h2o_req_t *req, const char *client_key, struct yx_req *r)
{
    struct ws_client *c = calloc(1, sizeof *c);
    if (!c)
        return;
    c->user_id = r->who.user_id;
    c->conn = h2o_upgrade_to_websocket(req, client_key, c, on_ws_message);
    struct wslay_event_context *ctx = c->conn->ws_ctx;
    wslay_event_config_set_max_recv_msg_length(ctx, WS_MAX_MESSAGE);
    c->next = clients;
    if (clients)
        clients->prev = c;
    clients = c;
    /* Queued now, written by h2o once the 101 answer is out. */
    ws_send_json(c, json_pack("{s:s,s:I,s:s}", "type", "hello", "user", (json_int_t)r->who.user_id, "role", r->who.role));
}

void yx_ws_close_all(int code, const char *reason)
{
    struct ws_client *c = clients, *next;
    for (; c; c = next) {
        /* proceed() may close the socket and free c: take the next one first. */
        next = c->next;
        wslay_event_queue_close(c->conn->ws_ctx, (uint16_t)code, (const uint8_t *)reason, strlen(reason));
        if (c->conn->sock)
            h2o_websocket_proceed(c->conn);
    }
}

const char *yx_cookie_value(struct yx_arena *a, const char *header, const char *name)
{
    size_t nl = strlen(name);
    const char *p = header;
    while (p && *p) {
        while (*p == ' ' || *p == ';')
            p++;
        const char *end = strchr(p, ';');
        size_t seg = end ? (size_t)(end - p) : strlen(p);
        if (seg > nl && p[nl] == '=' && strncmp(p, name, nl) == 0)
            return yx_arena_strndup(a, p + nl + 1, seg - nl - 1);
        p = end;
    }
    return NULL;
}
