/* The real-time hub, on the event loop: which socket joined which channel, presence, call
 * signaling, and the messages of docs/realtime.md. Messages that need the database (join, chat,
 * sync, receipt) go to a worker through yx_loop_work() and are answered when it is done; the rest
 * (ping, leave, presence, signal) is answered here at once. A socket joins a workflow's channel
 * (a visit's, a consultation's: the kinds registered, channels.c) only when the kind's check —
 * the API's — says the person may see it; the check is run again every 30 s for the sockets in
 * such channels (a case moves, an account is deactivated), and each socket is in its own user's
 * channel from the start (notifications). What
 * the hub delivers to a channel also goes to the other instances on the same PostgreSQL
 * (ytexa/bus.h, relay.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub.h"
#include "ytexa/bus.h"
#include "ytexa/loop.h"
#include "ytexa/realtime.h"

#define NBUCKETS 4096
#define RECHECK_INTERVAL_MS 30000 /* how often the sockets' channels are checked again */
#define RECHECK_MAX 1024          /* sockets checked in one round; the next round goes on from there */

struct channel;
struct client;

/* One socket in one channel. */
struct member {
    struct channel *ch;
    struct client *cl;
    struct member *ch_prev, *ch_next; /* the channel's members */
    struct member *cl_next;           /* the channels of the client */
    int64_t covered; /* the chat messages up to this seq were in the join's answer: not sent again */
    uint64_t gen;    /* when it was made (joins counted), so an older re-check leaves it alone */
    int64_t stay;    /* the stay its join began (its kind's on_join), ended when it leaves */
};

static void end_stay(const struct yx_channel_kind *kind, int64_t stay);

struct channel {
    struct channel *hnext;
    const struct yx_channel_kind *kind;
    struct member *members;
    int pending;      /* joins on their way: the channel is kept for them, with last_seq */
    int64_t last_seq; /* the highest chat seq this instance has delivered in it */
    char name[40];
};

/* The hub's state of a socket (yx_ws_data). */
struct client {
    struct yx_ws *ws;
    struct client *prev, *next; /* every socket of the hub */
    struct member *joined;
    int njoined;
    int joining;     /* joins of new channels on their way: they count towards the limit */
    int rechecking;  /* a re-check of its channels is on its way */
    char id[16];     /* a random name for the socket, in its messages' request ids */
    uint64_t nmsg;   /* its messages that went to a worker */
    char status[12]; /* online, away, in_call */
};

static struct channel *buckets[NBUCKETS];
static struct {
    struct client *clients, *cursor; /* every socket; where the next re-check round starts */
    int nclients;
    uint64_t joins; /* memberships made so far */
    int timer;      /* the re-check's (yx_loop_every), or -1 */
} R = {.timer = -1};

/* On the loop, as /metrics is answered. */
static double sockets(void)
{
    return R.nclients;
}

const struct yx_metric *yx_hub_metrics(void)
{
    static const struct yx_metric table[] = {
        {"ytexa_websockets", "gauge", "WebSockets open on this instance.", sockets},
        {NULL, NULL, NULL, NULL},
    };
    return table;
}

static unsigned hash(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h % NBUCKETS;
}

static struct channel *channel_find(const char *name)
{
    for (struct channel *c = buckets[hash(name)]; c; c = c->hnext)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

static struct channel *channel_get(const char *name)
{
    struct channel *c = channel_find(name);
    if (c || !(c = calloc(1, sizeof *c)))
        return c;
    yx_snprintf(c->name, sizeof c->name, "%s", name);
    int64_t id;
    c->kind = yx_channel_parse(name, &id);
    unsigned h = hash(name);
    c->hnext = buckets[h];
    buckets[h] = c;
    return c;
}

/* An empty channel is forgotten, unless a join is on its way to it. */
static void channel_drop_if_empty(struct channel *c)
{
    if (c->members || c->pending)
        return;
    for (struct channel **p = &buckets[hash(c->name)]; *p; p = &(*p)->hnext)
        if (*p == c) {
            *p = c->hnext;
            free(c);
            return;
        }
}

/* A person's own channel of notifications: no presence, no re-check. */
static int is_user(const struct channel *c)
{
    return c->kind == &yx_user_channel;
}

static int64_t uid(const struct client *cl)
{
    return yx_ws_who(cl->ws)->user_id;
}

static struct member *membership(struct client *cl, const char *name)
{
    for (struct member *m = cl->joined; m; m = m->cl_next)
        if (strcmp(m->ch->name, name) == 0)
            return m;
    return NULL;
}

/* How many sockets of user are in channel c, other than except. */
static int sockets_of(const struct channel *c, int64_t user, const struct client *except)
{
    int n = 0;
    for (struct member *m = c->members; m; m = m->ch_next)
        n += m->cl != except && uid(m->cl) == user;
    return n;
}

/* The seq of a chat message, or 0 for any other message. */
static int64_t chat_seq(const json_t *msg)
{
    const char *type = json_string_value(json_object_get(msg, "type"));
    return type && strcmp(type, "chat") == 0 ? yx_json_int(msg, "seq", 0) : 0;
}

/* Sends text to the sockets in channel name (only user's when to_user is set), except one. For a
 * chat message (seq > 0) the channel remembers the highest seq it saw, which a join that was on
 * its way meanwhile did not receive; a socket whose join answer had that message already is not
 * sent it again. */
static int deliver(const char *name, int64_t to_user, const struct client *except, const char *text,
                   size_t len, int64_t seq)
{
    struct channel *c = channel_find(name);
    int n = 0;
    if (c && seq > c->last_seq)
        c->last_seq = seq;
    for (struct member *m = c ? c->members : NULL; m; m = m->ch_next)
        if (m->cl != except && (!to_user || uid(m->cl) == to_user) && (!seq || seq > m->covered))
            n += yx_ws_send(m->cl->ws, text, len) == 0;
    return n;
}

/* A channel event (a chat message, a receipt, presence, a signal) goes to this instance's sockets
 * and, through the bus, to the other instances', which deliver it the same way. Returns how many
 * sockets of this instance it went to. */
static int deliver_json(const char *name, int64_t to_user, const struct client *except, json_t *msg)
{
    int64_t seq = chat_seq(msg);
    char *s = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
    json_decref(msg);
    if (s)
        yx_bus_publish(name, to_user, s);
    int n = s ? deliver(name, to_user, except, s, strlen(s), seq) : 0;
    free(s);
    return n;
}

static void send_to(struct client *cl, json_t *msg, const char *ref)
{
    if (msg && ref && *ref)
        json_object_set_new(msg, "ref", json_string(ref));
    yx_ws_send_json(cl->ws, msg);
}

static void send_error(struct client *cl, const char *code, const char *message, const char *field,
                       const char *ref)
{
    json_t *e = json_pack("{s:s,s:s,s:s}", "type", "error", "code", code, "message", message);
    if (e && field && *field)
        json_object_set_new(e, "field", json_string(field));
    send_to(cl, e, ref);
}

static void too_many_channels(struct client *cl, const char *ref)
{
    send_error(cl, "too_many_channels",
               "Mỗi kết nối vào tối đa 16 kênh; hãy rời một kênh trước / a socket joins at most 16 channels; "
               "leave one first.",
               NULL, ref);
}

static json_t *presence_json(const char *channel, const struct client *cl, const char *status)
{
    const struct yx_principal *w = yx_ws_who(cl->ws);
    return json_pack("{s:s,s:s,s:I,s:s,s:s,s:s}", "type", "presence", "channel", channel, "user",
                     (json_int_t)w->user_id, "name", w->full_name, "role", w->role, "status", status);
}

/* The people in a channel, one entry a person, with their presence. */
static json_t *members_json(const struct channel *c)
{
    json_t *a = json_array();
    for (struct member *m = c->members; m; m = m->ch_next) {
        int seen = 0;
        for (struct member *p = c->members; p != m; p = p->ch_next)
            seen |= uid(p->cl) == uid(m->cl);
        if (seen)
            continue;
        const struct yx_principal *w = yx_ws_who(m->cl->ws);
        json_array_append_new(a, json_pack("{s:I,s:s,s:s,s:s}", "user", (json_int_t)w->user_id, "name",
                                           w->full_name, "role", w->role, "status", m->cl->status));
    }
    return a;
}

/* The socket's membership of channel name, made when it is new; NULL when out of memory. */
static struct member *join(struct client *cl, const char *name)
{
    struct member *m = membership(cl, name);
    if (m)
        return m;
    struct channel *c = channel_get(name);
    if (!c || !(m = calloc(1, sizeof *m))) {
        if (c)
            channel_drop_if_empty(c);
        return NULL;
    }
    /* A user channel has no presence (and may hold thousands of one person's sockets). */
    int first = !is_user(c) && sockets_of(c, uid(cl), cl) == 0;
    *m = (struct member){c, cl, NULL, c->members, cl->joined, 0, ++R.joins, 0};
    if (c->members)
        c->members->ch_prev = m;
    c->members = m;
    cl->joined = m;
    cl->njoined++;
    if (first)
        deliver_json(name, 0, cl, presence_json(name, cl, cl->status));
    return m;
}

static void leave(struct client *cl, struct member *m)
{
    struct channel *c = m->ch;
    for (struct member **p = &cl->joined; *p; p = &(*p)->cl_next)
        if (*p == m) {
            *p = m->cl_next;
            break;
        }
    cl->njoined--;
    end_stay(c->kind, m->stay);
    if (m->ch_prev)
        m->ch_prev->ch_next = m->ch_next;
    else
        c->members = m->ch_next;
    if (m->ch_next)
        m->ch_next->ch_prev = m->ch_prev;
    free(m);
    /* The others see the person go when their last socket leaves: the doctor sees the health
     * worker drop off. */
    if (!is_user(c) && sockets_of(c, uid(cl), NULL) == 0)
        deliver_json(c->name, 0, NULL, presence_json(c->name, cl, "offline"));
    channel_drop_if_empty(c);
}

/* The fields each message may have (docs/realtime.md). */
#define F_TYPE                                                                                               \
    {                                                                                                        \
        "type", YX_F_STRING, 1, 1, 16                                                                        \
    }
#define F_REF                                                                                                \
    {                                                                                                        \
        "ref", YX_F_STRING, 0, 1, 64                                                                         \
    }
#define F_CHANNEL                                                                                            \
    {                                                                                                        \
        "channel", YX_F_STRING, 1, 3, 32                                                                     \
    }
#define F_END                                                                                                \
    {                                                                                                        \
        NULL, 0, 0, 0, 0                                                                                     \
    }
static const struct yx_field f_ping[] = {F_TYPE, F_REF, F_END};
static const struct yx_field f_join[] = {
    F_TYPE, F_REF, F_CHANNEL, {"after", YX_F_INT, 0, 0, 1LL << 53}, F_END};
static const struct yx_field f_leave[] = {F_TYPE, F_REF, F_CHANNEL, F_END};
static const struct yx_field f_chat[] = {
    F_TYPE, F_REF, F_CHANNEL, {"text", YX_F_STRING, 1, 1, 4000}, {"client_id", YX_F_STRING, 1, 1, 64}, F_END};
#define SYNC_LIMIT_MAX 200
static const struct yx_field f_sync[] = {
    F_TYPE, F_REF, F_CHANNEL, {"after", YX_F_INT, 1, 0, 1LL << 53}, {"limit", YX_F_INT, 0, 1, SYNC_LIMIT_MAX},
    F_END};
static const struct yx_field f_receipt[] = {
    F_TYPE, F_REF, F_CHANNEL, {"seq", YX_F_INT, 1, 1, 1LL << 53}, {"kind", YX_F_STRING, 1, 1, 16}, F_END};
static const struct yx_field f_presence[] = {F_TYPE, F_REF, {"status", YX_F_STRING, 1, 1, 16}, F_END};
static const struct yx_field f_signal[] = {
    F_TYPE, F_REF, F_CHANNEL, {"to", YX_F_INT, 0, 1, 1LL << 53}, {"data", YX_F_OBJECT, 1, 0, 0}, F_END};

static int start_job(struct client *cl, const char *type, const char *channel, const char *ref, json_t *msg,
                     int counted);

/* Sends what a join on its way missed: the chat messages delivered in the channel after the join
 * read the thread and before the socket was in the channel, as a history without ref (the answer
 * to a sync the hub sends for the client). Messages are numbered without gaps, so the ones after
 * `after` up to the last delivered are exactly `missed` many. */
static void catch_up(struct client *cl, const char *channel, int64_t after, int64_t missed)
{
    json_t *msg =
        json_pack("{s:s,s:s,s:I,s:I}", "type", "sync", "channel", channel, "after", (json_int_t)after,
                  "limit", (json_int_t)(missed < SYNC_LIMIT_MAX ? missed : SYNC_LIMIT_MAX));
    if (!msg)
        send_error(cl, "out_of_memory", "Lỗi máy chủ / server error.", NULL, NULL);
    else
        start_job(cl, "sync", channel, NULL, msg, 0);
}

/* The socket enters the channel the worker let it into, and is answered. A message delivered in
 * the channel while the join was on its way reached the others but not this socket: when the
 * channel saw a higher seq than the answer has, the rest follows in a history. A message the
 * answer's items have already is not sent to the socket again when its delivery comes after. */
static void on_joined(struct client *cl, struct hub_job *j)
{
    struct member *m = membership(cl, j->channel);
    int fresh = !m;
    if (fresh && cl->njoined >= MAX_CHANNELS_PER_SOCKET) {
        too_many_channels(cl, j->ref);
        end_stay(j->kind, j->stay);
        return;
    }
    if (!m && !(m = join(cl, j->channel))) {
        send_error(cl, "out_of_memory", "Lỗi máy chủ / server error.", NULL, j->ref);
        end_stay(j->kind, j->stay);
        return;
    }
    if (!m->stay)
        m->stay = j->stay;
    else
        end_stay(j->kind, j->stay); /* joined twice: one stay */
    json_t *items = json_object_get(j->reply, "items");
    size_t n = json_array_size(items);
    int64_t has = yx_json_int(j->reply, "last_seq", 0), top = n ? chat_seq(json_array_get(items, n - 1)) : 0;
    int64_t after = yx_json_int(j->msg, "after", 0);
    int more = json_is_true(json_object_get(j->reply, "more"));
    json_object_set_new(j->reply, "members", members_json(m->ch));
    send_to(cl, json_incref(j->reply), j->ref);
    if (!fresh)
        return;
    /* With after, the client has every message up to after (none past the thread's end, whatever
     * it claims), and the items. */
    if (items)
        m->covered = top > after ? top : after < has ? after : has;
    if (m->covered > has)
        has = m->covered;
    /* With more, the client goes on with sync until it has all. */
    if (!more && m->ch->last_seq > has)
        catch_up(cl, j->channel, has, m->ch->last_seq - has);
}

static void on_job_done(void *arg)
{
    struct hub_job *j = arg;
    struct client *cl = yx_ws_alive(j->ws) ? yx_ws_data(j->ws) : NULL;
    int is_join = strcmp(j->type, "join") == 0;
    struct channel *kept = is_join ? channel_find(j->channel) : NULL;
    if (cl && j->counted)
        cl->joining--;
    if (!cl) {
        /* The socket went away meanwhile. A stored message still goes to the others; a stay its
         * join began ends. */
        if (is_join && j->rc == 0)
            end_stay(j->kind, j->stay);
    } else if (j->rc == YX_EAUTH) {
        send_error(cl, "session_ended", j->err_msg, NULL, j->ref);
        yx_ws_close(j->ws, 4401, "session ended");
        cl = NULL;
    } else if (j->rc) {
        send_error(cl, j->err_code, j->err_msg, j->err_field, j->ref);
    } else if (is_join) {
        on_joined(cl, j);
        json_decref(j->reply);
        j->reply = NULL;
    }
    if (j->rc == 0 && j->reply && cl) /* sync, or a chat message sent twice */
        send_to(cl, json_incref(j->reply), j->ref);
    /* A stored message or a receipt goes to everyone in the channel; the sender's copy carries
     * its ref, which is how it knows the message was stored. */
    if (j->rc == 0 && j->broadcast) {
        deliver_json(j->channel, 0, cl, json_deep_copy(j->broadcast));
        if (cl)
            send_to(cl, json_incref(j->broadcast), j->ref);
    }
    if (kept) {
        kept->pending--;
        channel_drop_if_empty(kept);
    }
    json_decref(j->reply);
    json_decref(j->broadcast);
    json_decref(j->msg);
    yx_ws_release(j->ws);
    free(j);
}

static void on_job(struct yx_db *db, void *arg)
{
    yx_chat_run(db, arg);
}

/* A socket's stay in a channel ends (its kind's on_leave): written on a worker, on its own (the
 * socket may be gone). */
struct stay_end {
    const struct yx_channel_kind *kind;
    int64_t stay, at;
    int rc;
};

static void on_stay_end(struct yx_db *db, void *arg)
{
    struct stay_end *e = arg;
    e->rc = db ? e->kind->on_leave(db, e->stay, e->at) : YX_EUNAVAIL;
}

static void on_stay_ended(void *arg)
{
    struct stay_end *e = arg;
    if (e->rc)
        yx_log(YX_LOG_WARN, "stay %lld in a %s channel not ended: %s", (long long)e->stay, e->kind->name,
               yx_err_name(e->rc));
    free(e);
}

/* A socket left a channel (or closed): the stay its join began ends now. */
static void end_stay(const struct yx_channel_kind *kind, int64_t stay)
{
    struct stay_end *e = stay && kind && kind->on_leave ? malloc(sizeof *e) : NULL;
    if (!e)
        return;
    *e = (struct stay_end){kind, stay, yx_now_ms(), 0};
    if (yx_loop_work(on_stay_end, on_stay_ended, e) != 0)
        free(e);
}

/* Hands a message that needs the database to a worker (msg taken). Each gets a request id of its
 * own for the audit, the socket's name and a count. 0, or YX_EUNAVAIL with the error sent. */
static int start_job(struct client *cl, const char *type, const char *channel, const char *ref, json_t *msg,
                     int counted)
{
    struct hub_job *j = calloc(1, sizeof *j);
    if (!j) {
        json_decref(msg);
        send_error(cl, "unavailable", "Máy chủ đang bận; hãy thử lại / the server is busy; try again.", NULL,
                   ref);
        return YX_EUNAVAIL;
    }
    j->ws = cl->ws;
    yx_snprintf(j->type, sizeof j->type, "%s", type);
    yx_snprintf(j->channel, sizeof j->channel, "%s", channel);
    yx_snprintf(j->ref, sizeof j->ref, "%s", ref ? ref : "");
    yx_snprintf(j->token, sizeof j->token, "%s", yx_ws_token(cl->ws));
    yx_snprintf(j->addr, sizeof j->addr, "%s", yx_ws_addr(cl->ws));
    yx_snprintf(j->rid, sizeof j->rid, "ws-%s-%llx", cl->id, (unsigned long long)++cl->nmsg);
    int64_t id;
    j->kind = yx_channel_parse(channel, &id);
    j->counted = counted;
    j->msg = msg;
    yx_ws_hold(cl->ws);
    if (yx_loop_work(on_job, on_job_done, j) != 0) {
        send_error(cl, "unavailable", "Máy chủ đang bận; hãy thử lại / the server is busy; try again.", NULL,
                   ref);
        yx_ws_release(cl->ws);
        json_decref(msg);
        free(j);
        return YX_EUNAVAIL;
    }
    return 0;
}

/* A join of a channel the socket is not in counts towards its limit as soon as it is asked, so
 * one too many is refused before the worker writes marks and audit events for it. The channel is
 * kept while the join is on its way, to note the chat messages delivered meanwhile. */
static void start_join(struct client *cl, const char *channel, const char *ref, json_t *msg)
{
    int fresh = !membership(cl, channel);
    struct channel *c = NULL;
    if (fresh && cl->njoined + cl->joining >= MAX_CHANNELS_PER_SOCKET) {
        too_many_channels(cl, ref);
        json_decref(msg);
        return;
    }
    if (!(c = channel_get(channel))) {
        send_error(cl, "unavailable", "Máy chủ đang bận; hãy thử lại / the server is busy; try again.", NULL,
                   ref);
        json_decref(msg);
        return;
    }
    c->pending++;
    cl->joining += fresh;
    if (start_job(cl, "join", channel, ref, msg, fresh) != 0) {
        c->pending--;
        cl->joining -= fresh;
        channel_drop_if_empty(c);
    }
}

/* Relays a call signal (offer, answer, ICE candidate, hang-up) to the other people of the call:
 * only to sockets that joined the same channel, so only between people its kind lets in. The hub
 * does not look inside data. */
static void on_signal(struct client *cl, const char *channel, json_t *msg, const char *ref)
{
    const struct yx_principal *w = yx_ws_who(cl->ws);
    json_t *out =
        json_pack("{s:s,s:s,s:I,s:s,s:O}", "type", "signal", "channel", channel, "from",
                  (json_int_t)w->user_id, "from_name", w->full_name, "data", json_object_get(msg, "data"));
    int n = deliver_json(channel, yx_json_int(msg, "to", 0), cl, out);
    /* The peer may be connected to another instance, which this one cannot know. */
    if (n == 0 && !yx_bus_active())
        send_error(cl, "no_peer",
                   "Chưa có ai khác trong cuộc gọi này kết nối / nobody else of this call is connected.",
                   NULL, ref);
}

static void on_presence(struct client *cl, const char *status, const char *ref)
{
    static const char *const statuses[] = {"online", "away", "in_call", NULL};
    if (!yx_one_of(status, statuses)) {
        send_error(cl, "invalid_input",
                   "Trạng thái là trực tuyến (online), vắng (away) hoặc đang gọi (in_call) / status: one of "
                   "online, away, in_call.",
                   "status", ref);
        return;
    }
    yx_snprintf(cl->status, sizeof cl->status, "%s", status);
    for (struct member *m = cl->joined; m; m = m->cl_next)
        if (!is_user(m->ch))
            deliver_json(m->ch->name, 0, cl, presence_json(m->ch->name, cl, status));
}

static const struct yx_field *fields_of(const char *type)
{
    static const struct {
        const char *type;
        const struct yx_field *fields;
    } table[] = {{"ping", f_ping}, {"join", f_join},       {"leave", f_leave},       {"chat", f_chat},
                 {"sync", f_sync}, {"receipt", f_receipt}, {"presence", f_presence}, {"signal", f_signal}};
    for (size_t i = 0; type && i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].type, type) == 0)
            return table[i].fields;
    return NULL;
}

/* Checks a message against its table; 0, or an error sent. */
static int validate(struct client *cl, json_t *msg, const struct yx_field *fields, const char *ref)
{
    struct yx_req v;
    memset(&v, 0, sizeof v);
    int rc = yx_validate(&v, msg, fields);
    if (rc)
        send_error(cl, "invalid_input", v.err_msg, v.err_field, ref);
    json_decref(v.err_detail);
    yx_arena_release(&v.arena);
    return rc;
}

static void dispatch(struct client *cl, json_t *msg)
{
    const char *type = json_string_value(json_object_get(msg, "type"));
    const char *ref = json_string_value(json_object_get(msg, "ref"));
    const struct yx_field *fields = fields_of(type);
    if (!fields) {
        send_error(cl, "unknown_type", "Không có loại tin nhắn này / unknown message type.", "type", ref);
        return;
    }
    if (validate(cl, msg, fields, ref) != 0)
        return;
    const char *channel = yx_json_str(msg, "channel");
    const struct yx_channel_kind *kind;
    int64_t id;
    if (strcmp(type, "ping") == 0) {
        send_to(cl, json_pack("{s:s,s:I}", "type", "pong", "ts", (json_int_t)yx_now_ms()), ref);
        return;
    }
    if (strcmp(type, "presence") == 0) {
        on_presence(cl, yx_json_str(msg, "status"), ref);
        return;
    }
    if (!(kind = yx_channel_parse(channel, &id))) {
        send_error(cl, "unknown_channel", yx_channel_names(), "channel", ref);
        return;
    }
    struct member *m = membership(cl, channel);
    if (strcmp(type, "receipt") == 0 &&
        !yx_one_of(yx_json_str(msg, "kind"), (const char *const[]){"delivered", "read", NULL})) {
        send_error(cl, "invalid_input",
                   "Loại xác nhận là đã nhận (delivered) hoặc đã đọc (read) / kind: delivered or read.",
                   "kind", ref);
    } else if (kind == &yx_user_channel && strcmp(type, "join") != 0) {
        send_error(cl, "forbidden",
                   "Kênh người dùng chỉ nhận thông báo / a user channel only receives notifications.",
                   "channel", ref);
    } else if (kind == &yx_user_channel) {
        if (id != uid(cl))
            send_error(cl, "not_found", "Không tìm thấy kênh / no such channel.", "channel", ref);
        else
            send_to(cl, json_pack("{s:s,s:s}", "type", "joined", "channel", channel), ref);
    } else if (!kind->keeps_chat && strcmp(type, "join") != 0 && strcmp(type, "leave") != 0 &&
               strcmp(type, "signal") != 0) {
        /* A channel that keeps no chat: refused here, with no worker and no query. */
        send_error(cl, "no_chat", kind->no_chat, "channel", ref);
    } else if (strcmp(type, "join") == 0) {
        start_join(cl, channel, ref, json_incref(msg));
    } else if (strcmp(type, "sync") == 0) {
        start_job(cl, type, channel, ref, json_incref(msg), 0);
    } else if (!m) {
        send_error(cl, "not_joined", "Hãy vào kênh trước / join the channel first.", "channel", ref);
    } else if (strcmp(type, "leave") == 0) {
        leave(cl, m);
        send_to(cl, json_pack("{s:s,s:s}", "type", "left", "channel", channel), ref);
    } else if (strcmp(type, "signal") == 0) {
        on_signal(cl, channel, msg, ref);
    } else {
        start_job(cl, type, channel, ref, json_incref(msg), 0);
    }
}

static void hub_received(struct yx_ws *ws, const char *text, size_t len, void *unused)
{
    (void)unused;
    struct client *cl = yx_ws_data(ws);
    json_error_t e;
    json_t *msg = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
    if (!cl) {
        /* the hub could not take the socket (out of memory) */
    } else if (!json_is_object(msg)) {
        send_error(cl, msg ? "invalid_input" : "invalid_json",
                   msg ? "A message is a JSON object." : "The message is not valid JSON.", NULL, NULL);
    } else {
        dispatch(cl, msg);
    }
    json_decref(msg);
}

static void hub_opened(struct yx_ws *ws, void *unused)
{
    (void)unused;
    struct client *cl = calloc(1, sizeof *cl);
    if (!cl) {
        yx_ws_close(ws, 1011, "out of memory");
        return;
    }
    /* 48 random bits name the socket in its request ids: unique across sockets and instances
     * in practice, without a registry of names. */
    uint8_t name[6];
    yx_random(name, sizeof name);
    yx_hex(name, sizeof name, cl->id);
    cl->ws = ws;
    yx_snprintf(cl->status, sizeof cl->status, "online");
    yx_ws_set_data(ws, cl);
    cl->next = R.clients;
    if (R.clients)
        R.clients->prev = cl;
    R.clients = cl;
    R.nclients++;
    const struct yx_principal *w = yx_ws_who(ws);
    char own[32];
    yx_snprintf(own, sizeof own, "user:%lld", (long long)w->user_id);
    join(cl, own);
    /* The person's facility (null for none), whose channel its pages listen to for its inbox and
     * queue changing (facility:<id>). */
    yx_ws_send_json(ws, json_pack("{s:s,s:I,s:s,s:s,s:o}", "type", "hello", "user", (json_int_t)w->user_id,
                                  "role", w->role, "channel", own, "facility",
                                  w->facility_id ? json_integer(w->facility_id) : json_null()));
}

static void hub_closed(struct yx_ws *ws, void *unused)
{
    (void)unused;
    struct client *cl = yx_ws_data(ws);
    if (!cl)
        return;
    while (cl->joined)
        leave(cl, cl->joined);
    if (R.cursor == cl)
        R.cursor = cl->next;
    if (cl->prev)
        cl->prev->next = cl->next;
    else
        R.clients = cl->next;
    if (cl->next)
        cl->next->prev = cl->prev;
    R.nclients--;
    yx_ws_set_data(ws, NULL);
    free(cl);
}

const struct yx_ws_handler yx_hub_ws = {hub_opened, hub_received, hub_closed, NULL};

/* A member and its place in the channel, to find each person's first socket by sorting. */
struct placed {
    int64_t user;
    size_t order;
    const struct member *m;
};

static int by_user_then_order(const void *a, const void *b)
{
    const struct placed *x = a, *y = b;
    if (x->user != y->user)
        return x->user < y->user ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static int by_order(const void *a, const void *b)
{
    const struct placed *x = a, *y = b;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Each person in the channel once (their first socket's status), in the channel's order, but the
 * newcomer; sorted rather than compared pairwise, since a lecture's channel holds hundreds. */
static json_t *present_people(const struct channel *c, int64_t newcomer)
{
    size_t n = 0, kept = 0;
    for (const struct member *m = c->members; m; m = m->ch_next)
        n++;
    struct placed *all = n ? malloc(n * sizeof *all) : NULL;
    json_t *people = all ? json_array() : NULL;
    if (!people) {
        free(all);
        return NULL;
    }
    n = 0;
    for (const struct member *m = c->members; m; m = m->ch_next, n++)
        all[n] = (struct placed){uid(m->cl), n, m};
    qsort(all, n, sizeof *all, by_user_then_order);
    for (size_t i = 0; i < n; i++)
        if (all[i].user != newcomer && (i == 0 || all[i].user != all[i - 1].user))
            all[kept++] = all[i];
    qsort(all, kept, sizeof *all, by_order);
    for (size_t i = 0; i < kept; i++) {
        json_t *here = presence_json(c->name, all[i].m->cl, all[i].m->cl->status);
        if (here && json_object_set_new(here, "echo", json_true()) == 0)
            json_array_append(people, here);
        json_decref(here);
    }
    free(all);
    return people;
}

/* Someone arrived in channel c on another instance (or changed their status there): they learn
 * who is here, as presence messages addressed to them only and marked "echo" (so that nobody
 * answers those in turn). Without this a join's members list names only the people on the
 * joiner's own instance. The people here go in one bus message (a lecture's channel holds
 * hundreds), which the newcomer's instance hands out one presence message each (deliver_echoes). */
static void answer_presence(const struct channel *c, const json_t *msg)
{
    const char *type = yx_json_str(msg, "type"), *status = yx_json_str(msg, "status");
    int64_t newcomer = yx_json_int(msg, "user", 0);
    if (!type || strcmp(type, "presence") != 0 || !status || strcmp(status, "offline") == 0 || !newcomer ||
        json_is_true(json_object_get(msg, "echo")))
        return;
    json_t *people = present_people(c, newcomer);
    json_t *answer =
        json_array_size(people) ? json_pack("{s:s,s:O}", "type", "presence_echo", "people", people) : NULL;
    char *s = answer ? json_dumps(answer, JSON_COMPACT) : NULL;
    if (s)
        yx_bus_publish(c->name, newcomer, s);
    free(s);
    json_decref(answer);
    json_decref(people);
}

/* The answer of answer_presence() on another instance, for a newcomer here: each person present
 * there, one presence message each, as the sockets expect them. 1 when msg was that answer. */
static int deliver_echoes(const char *channel, int64_t to_user, const json_t *msg)
{
    const char *type = yx_json_str(msg, "type");
    size_t i;
    json_t *one;
    if (!type || strcmp(type, "presence_echo") != 0)
        return 0;
    json_array_foreach(json_object_get(msg, "people"), i, one)
    {
        char *s = json_dumps(one, JSON_COMPACT);
        if (s)
            deliver(channel, to_user, NULL, s, strlen(s), 0);
        free(s);
    }
    return 1;
}

void yx_hub_deliver(const char *channel, int64_t to_user, const char *text)
{
    int64_t seq = 0;
    const struct channel *c = channel_find(channel);
    if (c && is_user(c))
        c = NULL;
    json_t *msg = c ? json_loads(text, 0, NULL) : NULL;
    if (deliver_echoes(channel, to_user, msg)) {
        json_decref(msg);
        return;
    }
    /* Another instance's chat message: a join on its way here must learn of its seq. */
    seq = chat_seq(msg);
    deliver(channel, to_user, NULL, text, strlen(text), seq);
    /* Found again: a socket may have gone while it was being sent to. */
    if (c && !to_user && (c = channel_find(channel)) != NULL && c->members)
        answer_presence(c, msg);
    json_decref(msg);
}

/* The re-check's answer, on the loop: a channel the person may no longer see is left, as if the
 * socket had sent leave (the others see them go), and the socket is told why; a session that
 * ended closes the socket as at any other message. A membership made after the check started
 * passed a newer check of its own and stays. */
static void on_recheck_done(void *arg)
{
    struct hub_recheck *batch = arg;
    for (int i = 0; i < batch->n; i++) {
        struct hub_recheck_socket *s = &batch->s[i];
        struct client *cl = yx_ws_alive(s->ws) ? yx_ws_data(s->ws) : NULL;
        if (cl)
            cl->rechecking = 0;
        if (cl && s->ended) {
            send_error(cl, "session_ended", "Phiên đã kết thúc / the session has ended; please log in again.",
                       NULL, NULL);
            yx_ws_close(s->ws, 4401, "session ended");
            cl = NULL;
        }
        for (int k = 0; cl && k < s->nchannels; k++) {
            struct member *m = s->revoked[k] ? membership(cl, s->channels[k]) : NULL;
            if (!m || m->gen > batch->gen)
                continue;
            leave(cl, m);
            send_to(cl,
                    json_pack("{s:s,s:s,s:s}", "type", "left", "channel", s->channels[k], "reason",
                              "access_revoked"),
                    NULL);
        }
        yx_ws_release(s->ws);
    }
    free(batch);
}

static void on_recheck_job(struct yx_db *db, void *arg)
{
    yx_chat_recheck(db, arg);
}

/* Is the socket in a workflow's channel (any but its user channel)? Only those are re-checked. */
static int in_shared_channel(const struct client *cl)
{
    for (const struct member *m = cl->joined; m; m = m->cl_next)
        if (!is_user(m->ch))
            return 1;
    return 0;
}

static void recheck_add(struct hub_recheck *batch, struct client *cl)
{
    struct hub_recheck_socket *s = &batch->s[batch->n++];
    s->ws = cl->ws;
    yx_ws_hold(cl->ws);
    yx_snprintf(s->token, sizeof s->token, "%s", yx_ws_token(cl->ws));
    for (struct member *m = cl->joined; m && s->nchannels < MAX_CHANNELS_PER_SOCKET; m = m->cl_next)
        if (!is_user(m->ch))
            yx_snprintf(s->channels[s->nchannels++], sizeof s->channels[0], "%s", m->ch->name);
    cl->rechecking = 1;
}

/* Hands a batch to a worker. When the workers take no more, the batch is answered as if nothing
 * changed, and its sockets wait for the next round. */
static void recheck_start(struct hub_recheck *batch)
{
    if (yx_loop_work(on_recheck_job, on_recheck_done, batch) != 0)
        on_recheck_done(batch);
}

/* Every RECHECK_INTERVAL_MS: the sockets in a workflow's channel, RECHECK_BATCH to a
 * worker job, at most RECHECK_MAX a round so that many sockets do not flood the workers; a round
 * starts where the last one stopped, so every socket has its turn. */
static void on_recheck(void *unused)
{
    (void)unused;
    struct hub_recheck *batch = NULL;
    int budget = RECHECK_MAX;
    for (int seen = 0; seen < R.nclients && budget > 0; seen++) {
        struct client *cl = R.cursor ? R.cursor : R.clients;
        R.cursor = cl->next;
        if (cl->rechecking || !yx_ws_alive(cl->ws) || !in_shared_channel(cl))
            continue;
        if (!batch && !(batch = calloc(1, sizeof *batch)))
            return;
        batch->gen = R.joins;
        recheck_add(batch, cl);
        budget--;
        if (batch->n == RECHECK_BATCH) {
            recheck_start(batch);
            batch = NULL;
        }
    }
    if (batch)
        recheck_start(batch);
}

int yx_hub_recheck_start(void)
{
    R.timer = yx_loop_every(RECHECK_INTERVAL_MS, on_recheck, NULL);
    return R.timer < 0 ? R.timer : 0;
}

void yx_hub_recheck_stop(void)
{
    yx_loop_cancel(R.timer);
    R.timer = -1;
}
