/* libFuzzer harness for what a client sends over /ws: WebSocket frames, read by wslay as the server
 * reads them (a server context, the server's 64 KiB message limit), handed to src/http/websocket.c's
 * message callback (control frames, text only, the rate limit) and from there to the real-time
 * hub (src/realtime/hub.c: JSON, each message type's field table, channel names, ping, presence,
 * leave, signal), up to where a message needs the database: join, chat, sync and receipt go to
 * yx_loop_work(), which has no loop here and answers "unavailable", as a server with its workers
 * gone would. The socket is yx_ws_adopt()'s, on a connection whose wslay callbacks read the input
 * and keep what the server writes; the input ends as a peer that goes away, and the hub lets go.
 *
 * Input layout: the first byte chooses. Even: the rest is the bytes off the wire, frames as a
 * client writes them (masked). Odd: the rest is messages separated by 0x00 bytes, each sent as one
 * masked text frame, so that the fuzzer works on the JSON. Properties checked beyond "no crash, no
 * sanitizer report": every frame the server writes is a whole, unmasked, unfragmented frame of a
 * type it may send (text, close, ping, pong), and each text frame is a JSON object with a string
 * "type"; once the socket has closed the hub holds no socket. */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/server_internal.h"
#include "ytexa/consult.h"
#include "ytexa/realtime.h"
#include "ytexa/training.h"
#include "ytexa/visit.h"

#define OUT_MAX (4 << 20)
#define WIRE_MAX (1 << 16)

extern const struct yx_channel_kind yx_facility_channel;

static uv_loop_t loop;
static uv_idle_t awake; /* keeps the loop alive, so that one turn runs the sockets' flush */

/* What the client sends (the wire) and what the server writes back. */
static struct {
    const uint8_t *in;
    size_t in_len;
    uint8_t *out;
    size_t out_len;
    int out_full;
} io;

static ssize_t wire_recv(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags, void *conn)
{
    if (io.in_len == 0) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    size_t n = len < io.in_len ? len : io.in_len;
    memcpy(buf, io.in, n);
    io.in += n;
    io.in_len -= n;
    return (ssize_t)n;
}

static ssize_t wire_send(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags, void *conn)
{
    if (io.out_len + len > OUT_MAX) {
        io.out_full = 1;
    } else {
        memcpy(io.out + io.out_len, data, len);
        io.out_len += len;
    }
    return (ssize_t)len;
}

/* As h2o's own: a message goes to the connection's callback. */
static void on_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg, void *c)
{
    h2o_websocket_conn_t *conn = c;
    conn->cb(conn, arg);
}

static void awake_cb(uv_idle_t *h)
{
    (void)h;
}

static void setup(void)
{
    static const struct yx_channel_kind *const kinds[] = {&yx_visit_channel, &yx_consult_channel,
                                                          &yx_training_channel, &yx_facility_channel, NULL};
    if (sodium_init() < 0)
        abort();
    yx_log_set_level(YX_LOG_ERROR + 1); /* no logging: it would slow every input */
    uv_loop_init(&loop);
    /* A burst of 4 messages (the server's default is 200): the rate limit is reached, and an input
     * costs at most a few messages' work in the hub. */
    yx_ws_init(&loop, 50, 4);
    uv_idle_init(&loop, &awake);
    uv_idle_start(&awake, awake_cb);
    yx_hub_kinds(kinds);
    io.out = malloc(OUT_MAX);
}

/* One message as the masked text frame a client sends. */
static size_t frame(uint8_t *w, size_t cap, const uint8_t *msg, size_t n)
{
    static const uint8_t mask[4] = {0x37, 0xfa, 0x21, 0x3d};
    size_t h = 2;
    if (n > 0xffff || n + 8 > cap)
        return 0;
    w[0] = 0x81;
    if (n < 126) {
        w[1] = (uint8_t)(0x80 | n);
    } else {
        w[1] = 0x80 | 126;
        w[2] = (uint8_t)(n >> 8);
        w[3] = (uint8_t)n;
        h = 4;
    }
    memcpy(w + h, mask, 4);
    for (size_t i = 0; i < n; i++)
        w[h + 4 + i] = msg[i] ^ mask[i % 4];
    return h + 4 + n;
}

/* The messages separated by 0x00, framed one by one into w. */
static size_t frames(uint8_t *w, size_t cap, const uint8_t *data, size_t size)
{
    size_t len = 0, start = 0;
    for (size_t i = 0; i <= size; i++)
        if (i == size || data[i] == 0) {
            size_t n = frame(w + len, cap - len, data + start, i - start);
            if (!n)
                break;
            len += n;
            start = i + 1;
        }
    return len;
}

static void check_text(const uint8_t *p, size_t n)
{
    json_t *j = json_loadb((const char *)p, n, 0, NULL);
    if (!json_is_object(j) || !json_is_string(json_object_get(j, "type")))
        abort();
    json_decref(j);
}

/* Every frame the server wrote: whole, unmasked, FIN, of a type a server sends. */
static void check_written(const uint8_t *b, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (n - i < 2 || (b[i] & 0xf0) != 0x80 || (b[i + 1] & 0x80))
            abort();
        size_t len = b[i + 1] & 0x7f, h = 2;
        if (len == 126) {
            if (n - i < 4)
                abort();
            len = (size_t)b[i + 2] << 8 | b[i + 3];
            h = 4;
        } else if (len == 127) {
            if (n - i < 10)
                abort();
            len = 0;
            for (int k = 0; k < 8; k++)
                len = len << 8 | b[i + 2 + k];
            h = 10;
        }
        if (len > n - i - h)
            abort();
        int op = b[i] & 0x0f;
        if (op == WSLAY_TEXT_FRAME)
            check_text(b + i + h, len);
        else if ((op == WSLAY_CONNECTION_CLOSE && len == 1) ||
                 (op != WSLAY_CONNECTION_CLOSE && op != WSLAY_PING && op != WSLAY_PONG))
            abort();
        i += h + len;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    static uint8_t wire[WIRE_MAX];
    if (!ready++)
        setup();
    if (size == 0)
        return 0;
    if (data[0] & 1) {
        io.in = wire;
        io.in_len = frames(wire, sizeof wire, data + 1, size - 1);
    } else {
        io.in = data + 1;
        io.in_len = size - 1;
    }
    io.out_len = 0;
    io.out_full = 0;

    h2o_websocket_conn_t *conn = calloc(1, sizeof *conn);
    conn->ws_callbacks.recv_callback = wire_recv;
    conn->ws_callbacks.send_callback = wire_send;
    conn->ws_callbacks.on_msg_recv_callback = on_msg;
    if (wslay_event_context_server_init(&conn->ws_ctx, &conn->ws_callbacks, conn) != 0)
        abort();
    struct yx_principal who = {.user_id = 7, .facility_id = 3, .province_id = 1};
    memcpy(who.role, "doctor", 7);
    memcpy(who.full_name, "Bác sĩ Lan", sizeof "Bác sĩ Lan");
    if (!yx_ws_adopt(conn, &yx_hub_ws, &who, "fuzz-session-token", "192.0.2.7")) {
        wslay_event_context_free(conn->ws_ctx);
        free(conn);
        return 0;
    }
    /* As h2o_websocket_proceed(): write what is queued, read what came, until neither moves. */
    int handled;
    do {
        handled = 0;
        if (wslay_event_want_write(conn->ws_ctx)) {
            if (wslay_event_send(conn->ws_ctx) != 0)
                break;
            handled = 1;
        }
        if (io.in_len && wslay_event_want_read(conn->ws_ctx)) {
            if (wslay_event_recv(conn->ws_ctx) != 0)
                break;
            handled = 1;
        }
    } while (handled);
    /* The peer goes away: the socket ends and the connection is closed (conn freed). */
    conn->cb(conn, NULL);
    uv_run(&loop, UV_RUN_NOWAIT);
    if (yx_hub_metrics()[0].value() != 0)
        abort();
    if (!io.out_full)
        check_written(io.out, io.out_len);
    return 0;
}
