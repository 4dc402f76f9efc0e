/* WebSocket connections on the server's port (h2o + wslay). The route that accepts a socket
 * (yx_ws_accept) authorizes it on a worker thread like any API request; the upgrade itself happens
 * on the loop. What a client says goes to the socket's owner, the struct yx_ws_handler its route
 * named (the real-time hub for /ws); this file keeps the sockets themselves: their limits (message
 * size, messages per second, bytes waiting for a slow reader), keepalive pings, and closing.
 *
 * h2o runs wslay from h2o_websocket_proceed(), and a message arrives inside it, so sending to a
 * socket from there must not call proceed again. A send only queues the message in wslay and
 * marks the socket; a check handle, run by libuv after each round of I/O callbacks, proceeds the
 * marked sockets one after another. */
#include <h2o/websocket.h>
#include <stdlib.h>
#include <string.h>

#include "server_internal.h"

#define WS_MAX_MESSAGE (64 * 1024)  /* larger messages close the socket with 1009 */
#define WS_MAX_QUEUED (1024 * 1024) /* bytes a slow reader may have waiting before it is closed */
#define WS_PING_AFTER_MS 25000      /* a quiet socket is pinged */
#define WS_DEAD_AFTER_MS 75000      /* and dropped when nothing at all comes back */
#define WS_CLOSE_GRACE_MS 5000      /* a closing socket whose peer does not answer is dropped */

struct yx_ws {
    h2o_websocket_conn_t *conn; /* NULL once closed */
    struct yx_ws *prev, *next;  /* the open sockets */
    struct yx_ws *dirty_next;   /* sockets with messages to write */
    int dirty, refs, closing;
    int close_code; /* a close waiting for the messages queued before it to go out */
    char close_reason[64];
    const struct yx_ws_handler *owner;
    struct yx_principal who;
    char token[128];
    char addr[64]; /* the upgrade request's, as the API's audit has it (--trust-proxy respected) */
    void *data;
    double tokens; /* messages the client may still send now (token bucket) */
    uint64_t tokens_at, last_rx, closing_at, refused_at;
    int refused; /* messages refused in a row for the rate */
};

static struct {
    struct yx_ws *open, *dirty;
    uv_check_t flush;
    uv_timer_t keepalive;
    double rate, burst;
    int started;
} W;

static uint64_t now_ms(void)
{
    return (uint64_t)yx_now_ms();
}

void yx_ws_hold(struct yx_ws *ws)
{
    ws->refs++;
}

void yx_ws_release(struct yx_ws *ws)
{
    if (--ws->refs == 0)
        free(ws);
}

const struct yx_principal *yx_ws_who(const struct yx_ws *ws)
{
    return &ws->who;
}

const char *yx_ws_token(const struct yx_ws *ws)
{
    return ws->token;
}

const char *yx_ws_addr(const struct yx_ws *ws)
{
    return ws->addr;
}

void *yx_ws_data(const struct yx_ws *ws)
{
    return ws->data;
}

void yx_ws_set_data(struct yx_ws *ws, void *data)
{
    ws->data = data;
}

int yx_ws_alive(const struct yx_ws *ws)
{
    return ws->conn && !ws->closing;
}

static void mark_dirty(struct yx_ws *ws)
{
    if (ws->dirty)
        return;
    ws->dirty = 1;
    yx_ws_hold(ws); /* the dirty list's reference */
    ws->dirty_next = W.dirty;
    W.dirty = ws;
}

/* The connection ended (the peer left, an error, or we dropped it): the owner lets go, and the
 * connection's own reference goes. */
static void gone(struct yx_ws *ws)
{
    if (ws->prev)
        ws->prev->next = ws->next;
    else
        W.open = ws->next;
    if (ws->next)
        ws->next->prev = ws->prev;
    ws->conn = NULL;
    ws->owner->closed(ws, ws->owner->data);
    yx_ws_release(ws);
}

/* Drops a connection at once, outside h2o's proceed (from the keepalive timer). */
static void drop(struct yx_ws *ws)
{
    h2o_websocket_conn_t *conn = ws->conn;
    gone(ws);
    h2o_websocket_close(conn);
}

int yx_ws_send(struct yx_ws *ws, const char *text, size_t len)
{
    if (!yx_ws_alive(ws))
        return YX_EUNAVAIL;
    if (wslay_event_get_queued_msg_length(ws->conn->ws_ctx) > WS_MAX_QUEUED) {
        yx_ws_close(ws, 1008, "not reading fast enough");
        return YX_EUNAVAIL;
    }
    struct wslay_event_msg m = {WSLAY_TEXT_FRAME, (const uint8_t *)text, len};
    if (wslay_event_queue_msg(ws->conn->ws_ctx, &m) != 0) /* wslay copies the message */
        return YX_ENOMEM;
    mark_dirty(ws);
    return 0;
}

int yx_ws_send_json(struct yx_ws *ws, json_t *msg)
{
    char *s = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
    json_decref(msg);
    if (!s)
        return YX_ENOMEM;
    int rc = yx_ws_send(ws, s, strlen(s));
    free(s);
    return rc;
}

/* wslay sends a queued close before queued messages and nothing after it, so the close waits
 * until what was queued before it has gone out (the error that says why, say). A reader too slow
 * for that is closed at once. */
void yx_ws_close(struct yx_ws *ws, int code, const char *reason)
{
    if (!yx_ws_alive(ws))
        return;
    ws->closing = 1;
    ws->closing_at = now_ms();
    if (wslay_event_get_queued_msg_length(ws->conn->ws_ctx) > WS_MAX_QUEUED) {
        wslay_event_queue_close(ws->conn->ws_ctx, (uint16_t)code, (const uint8_t *)reason, strlen(reason));
    } else {
        ws->close_code = code;
        yx_snprintf(ws->close_reason, sizeof ws->close_reason, "%s", reason);
    }
    mark_dirty(ws);
}

static void flush_one(struct yx_ws *ws)
{
    h2o_websocket_proceed(ws->conn);
    if (!ws->conn || !ws->close_code)
        return;
    if (wslay_event_get_queued_msg_count(ws->conn->ws_ctx) == 0) {
        wslay_event_queue_close(ws->conn->ws_ctx, (uint16_t)ws->close_code, (const uint8_t *)ws->close_reason,
                                strlen(ws->close_reason));
        ws->close_code = 0;
        h2o_websocket_proceed(ws->conn);
    } else {
        mark_dirty(ws); /* again after the next round of I/O */
    }
}

static void on_flush(uv_check_t *h)
{
    (void)h;
    struct yx_ws *list = W.dirty;
    W.dirty = NULL;
    while (list) {
        struct yx_ws *ws = list;
        list = ws->dirty_next;
        ws->dirty = 0;
        /* Before the 101 answer is out there is no socket yet; h2o proceeds once it is. */
        if (ws->conn && ws->conn->sock)
            flush_one(ws);
        yx_ws_release(ws);
    }
}

/* Pings quiet sockets, drops dead ones and closing ones whose peer never answered. */
static void on_keepalive(uv_timer_t *t)
{
    (void)t;
    uint64_t now = now_ms();
    for (struct yx_ws *ws = W.open, *next; ws; ws = next) {
        next = ws->next;
        if (!ws->conn->sock)
            continue;
        if ((ws->closing && now - ws->closing_at > WS_CLOSE_GRACE_MS) ||
            now - ws->last_rx > WS_DEAD_AFTER_MS) {
            drop(ws);
        } else if (!ws->closing && now - ws->last_rx > WS_PING_AFTER_MS) {
            struct wslay_event_msg m = {WSLAY_PING, NULL, 0};
            wslay_event_queue_msg(ws->conn->ws_ctx, &m);
            mark_dirty(ws);
        }
    }
}

/* May the client send one more message now? A token bucket: rate a second, burst at once. */
static int within_rate(struct yx_ws *ws)
{
    uint64_t now = now_ms();
    ws->tokens += (double)(now - ws->tokens_at) * W.rate / 1000.0;
    if (ws->tokens > W.burst)
        ws->tokens = W.burst;
    ws->tokens_at = now;
    if (ws->tokens >= 1.0) {
        ws->tokens -= 1.0;
        ws->refused = 0;
        return 1;
    }
    /* One error a second says why; a client that keeps going regardless is closed. */
    if (++ws->refused > (int)W.burst) {
        yx_ws_close(ws, 1008, "too many messages");
    } else if (now - ws->refused_at >= 1000) {
        ws->refused_at = now;
        yx_ws_send_json(ws, json_pack("{s:s,s:s,s:s}", "type", "error", "code", "rate_limited", "message",
                                      "Too many messages; this one was dropped."));
    }
    return 0;
}

static void on_ws_message(h2o_websocket_conn_t *conn, const struct wslay_event_on_msg_recv_arg *arg)
{
    struct yx_ws *ws = conn->data;
    if (!arg) {
        gone(ws);
        h2o_websocket_close(conn);
        return;
    }
    ws->last_rx = now_ms();
    if (wslay_is_ctrl_frame(arg->opcode) || ws->closing)
        return; /* wslay answers pings and closes itself */
    if (arg->opcode != WSLAY_TEXT_FRAME) {
        yx_ws_close(ws, 1003, "text frames only");
        return;
    }
    if (within_rate(ws))
        ws->owner->received(ws, (const char *)arg->msg, arg->msg_length, ws->owner->data);
}

void yx_ws_accept(struct yx_req *r, const struct yx_ws_handler *h)
{
    r->upgrade_ws = h;
}

/* A socket for owner h, opened by who with token from addr; not yet connected. */
static struct yx_ws *ws_new(const struct yx_ws_handler *h, const struct yx_principal *who, const char *token,
                            const char *addr)
{
    struct yx_ws *ws = calloc(1, sizeof *ws);
    if (!ws)
        return NULL;
    ws->refs = 1; /* the connection's */
    ws->owner = h;
    ws->who = *who;
    if (token)
        yx_snprintf(ws->token, sizeof ws->token, "%s", token);
    yx_snprintf(ws->addr, sizeof ws->addr, "%s", addr);
    ws->last_rx = ws->tokens_at = now_ms();
    ws->tokens = W.burst;
    return ws;
}

/* The socket on its connection: its limits set, among the open ones, handed to its owner. */
static void ws_start(struct yx_ws *ws, h2o_websocket_conn_t *conn)
{
    ws->conn = conn;
    wslay_event_config_set_max_recv_msg_length(ws->conn->ws_ctx, WS_MAX_MESSAGE);
    ws->next = W.open;
    if (W.open)
        W.open->prev = ws;
    W.open = ws;
    ws->owner->opened(ws, ws->owner->data);
}

void yx_ws_upgrade(h2o_req_t *req, const char *client_key, struct yx_req *r)
{
    struct yx_ws *ws = ws_new(r->upgrade_ws, &r->who, r->bearer ? r->bearer : r->cookie_token, r->addr);
    if (ws)
        ws_start(ws, h2o_upgrade_to_websocket(req, client_key, ws, on_ws_message));
}

struct yx_ws *yx_ws_adopt(h2o_websocket_conn_t *conn, const struct yx_ws_handler *h,
                          const struct yx_principal *who, const char *token, const char *addr)
{
    struct yx_ws *ws = ws_new(h, who, token, addr);
    if (!ws)
        return NULL;
    conn->data = ws;
    conn->cb = on_ws_message;
    ws_start(ws, conn);
    return ws;
}

void yx_ws_init(uv_loop_t *loop, int rate, int burst)
{
    W.rate = rate > 0 ? rate : 50;
    W.burst = burst > 0 ? burst : 200;
    uv_check_init(loop, &W.flush);
    uv_check_start(&W.flush, on_flush);
    uv_unref((uv_handle_t *)&W.flush);
    uv_timer_init(loop, &W.keepalive);
    uv_timer_start(&W.keepalive, on_keepalive, 5000, 5000);
    uv_unref((uv_handle_t *)&W.keepalive);
    W.started = 1;
}

void yx_ws_fini(void)
{
    if (!W.started)
        return;
    uv_close((uv_handle_t *)&W.flush, NULL);
    uv_close((uv_handle_t *)&W.keepalive, NULL);
    W.started = 0;
}

void yx_ws_close_all(int code, const char *reason)
{
    for (struct yx_ws *ws = W.open; ws; ws = ws->next)
        yx_ws_close(ws, code, reason);
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
