/* The chat of a channel, on worker threads: joining a channel, storing a message, sending what a
 * client missed, receipts. Each job resolves the socket's session again and asks the channel's
 * kind (the workflow that registered it: include/ytexa/realtime.h) whether the person may see it,
 * so access taken away (a case moved to another hub, a session logged out) takes effect at the
 * next message, as it does for the API; the hub's periodic re-check asks the same for sockets that
 * only listen. Reading and writing the chat is audited like the record it belongs to. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub.h"
#include "ytexa/audit.h"
#include "ytexa/auth.h"

#define HISTORY_MAX 200

/* A request standing for a socket's message, before its session is resolved. */
static void request_init(struct yx_req *r, struct yx_db *db, const char *token)
{
    memset(r, 0, sizeof *r);
    r->db = db;
    r->method = "GET";
    r->path = "/ws";
    r->query = "";
    r->bearer = token;
}

/* A request standing for the socket's message, with its session resolved again. Its address and
 * request id are the socket's and the message's, so the audit tells the messages apart. */
static int open_request(struct yx_db *db, struct hub_job *j, struct yx_req *r)
{
    request_init(r, db, j->token);
    yx_snprintf(r->addr, sizeof r->addr, "%s", j->addr);
    yx_snprintf(r->id, sizeof r->id, "%s", j->rid);
    /* Only a message a person writes is activity: joins, syncs and receipts are what a page does by
     * itself (on opening, on reconnecting, on showing a message), and must not keep an idle session
     * alive on a shared computer (docs/asvs.md, "The commune station's shared computer"). */
    r->no_touch = strcmp(j->type, "chat") != 0;
    if (!db)
        return yx_fail(r, YX_EUNAVAIL,
                       "Không kết nối được cơ sở dữ liệu; hãy thử lại sau ít phút / The database is not "
                       "reachable; try again shortly.");
    int rc = yx_auth_resolve(r);
    if (rc == 0) {
        r->authed = 1;
        j->user_id = r->who.user_id;
    }
    return rc;
}

/* May the caller be in the channel (its kind decides)? Sets the patient for the audit. */
static int may_see(struct yx_req *r, const char *channel, int64_t *patient,
                   const struct yx_channel_kind **kind, int64_t *id)
{
    *kind = yx_channel_parse(channel, id);
    if (!*kind || *kind == &yx_user_channel)
        return yx_fail_field(r, YX_EINVAL, "channel", "Không có kênh %s / Unknown channel %s.", channel,
                             channel);
    *patient = 0;
    return (*kind)->may_join(r, *id, patient);
}

/* The join of a channel that keeps no chat (a live lecture's): its kind begins the socket's stay
 * (an attendance span), which the hub ends when the socket leaves. */
static int join_without_chat(struct yx_req *r, struct hub_job *j, const struct yx_channel_kind *kind,
                             int64_t id)
{
    int rc = kind->on_join ? kind->on_join(r, id, &j->stay) : 0;
    if (rc == 0)
        j->reply = json_pack("{s:s,s:s,s:i,s:i,s:i}", "type", "joined", "channel", j->channel, "last_seq", 0,
                             "delivered_seq", 0, "read_seq", 0);
    return rc;
}

static int audit(struct yx_req *r, const char *action, const char *channel, int64_t patient)
{
    struct yx_audit_event ev = {.at = yx_now_ms(),
                                .request_id = r->id,
                                .actor_id = r->who.user_id,
                                .actor_role = r->who.role,
                                .actor_facility_id = r->who.facility_id,
                                .action = action,
                                .resource_type = "chat",
                                .resource_id = channel,
                                .patient_id = patient,
                                .addr = r->addr,
                                .outcome = "ok"};
    return yx_audit_append(r->db, &ev);
}

/* The thread of the channel (made on first use) and its last number. */
static int thread_of(struct yx_db *db, const char *channel, const struct yx_channel_kind *kind, int64_t id,
                     int64_t *thread, int64_t *last)
{
    struct yx_rows *rows = NULL;
    const struct yx_chat_sql *sql = yx_chat_sql(kind);
    if (!sql)
        return YX_EINTERNAL; /* the hub lets no chat through to a kind that keeps none */
    int rc = YX_DB_Q(db, NULL, sql->thread, YX_PT(channel), YX_PI(id), YX_PI(yx_now_ms()));
    if (rc == 0)
        rc = YX_DB_Q(db, &rows, "SELECT id, last_seq FROM chat_threads WHERE channel = ?", YX_PT(channel));
    if (rc == 0 && rows->nrows != 1)
        rc = YX_EDB;
    if (rc == 0) {
        *thread = yx_rows_int(rows, 0, 0);
        *last = yx_rows_int(rows, 0, 1);
    }
    yx_rows_free(rows);
    /* The people a message is for even before they open the chat, as the kind names them (a
     * visit's doctor and whoever planned it; a case's author and its chair). They are notified of
     * what they miss. */
    if (rc == 0)
        rc = YX_DB_Q(db, NULL, sql->people, YX_PI(*thread), YX_PI(*last), YX_PI(yx_now_ms()), YX_PI(id));
    return rc;
}

static json_t *message_json(const struct yx_rows *rows, int i, const char *channel)
{
    char at[32];
    yx_time_format(yx_rows_i64(rows, i, "created_at"), at);
    return json_pack("{s:s,s:s,s:I,s:I,s:{s:I,s:s,s:s},s:s,s:s,s:s}", "type", "chat", "channel", channel,
                     "id", (json_int_t)yx_rows_i64(rows, i, "id"), "seq",
                     (json_int_t)yx_rows_i64(rows, i, "seq"), "from", "id",
                     (json_int_t)yx_rows_i64(rows, i, "sender_id"), "name", yx_rows_str(rows, i, "full_name"),
                     "role", yx_rows_str(rows, i, "role"), "text", yx_rows_str(rows, i, "body"), "at", at,
                     "client_id", yx_rows_str(rows, i, "client_id"));
}

#define MESSAGE_COLUMNS                                                                                      \
    "m.id, m.seq, u.id AS sender_id, u.full_name, u.role, m.body, m.created_at, m.client_id "                \
    "FROM chat_messages m JOIN "                                                                             \
    "users u ON u.id = m.sender_id "

/* The messages after seq `after`, oldest first, at most limit; *more when others follow. */
static int history(struct yx_db *db, int64_t thread, const char *channel, int64_t after, int64_t limit,
                   json_t **items, int *more)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(db, &rows,
                     "SELECT " MESSAGE_COLUMNS "WHERE m.thread_id = ? AND m.seq > ? ORDER BY m.seq LIMIT ?",
                     YX_PI(thread), YX_PI(after), YX_PI(limit + 1));
    if (rc == 0) {
        *items = json_array();
        for (int i = 0; i < rows->nrows && i < limit; i++)
            json_array_append_new(*items, message_json(rows, i, channel));
        *more = rows->nrows > limit;
    }
    yx_rows_free(rows);
    return rc;
}

static int64_t msg_int(const json_t *msg, const char *name, int64_t dflt)
{
    return yx_json_int(msg, name, dflt);
}

/* join: the person becomes one of the thread's people (receipts, notifications while away); the
 * answer says where the thread is and, with "after", what came since. */
static int chat_join(struct yx_req *r, struct hub_job *j)
{
    const struct yx_channel_kind *kind;
    int64_t id, patient, thread, last;
    int rc = may_see(r, j->channel, &patient, &kind, &id);
    if (rc == 0 && !kind->keeps_chat)
        return join_without_chat(r, j, kind, id);
    if (rc == 0)
        rc = thread_of(r->db, j->channel, kind, id, &thread, &last);
    if (rc == 0)
        rc = YX_DB_Q(r->db, NULL,
                     "INSERT INTO chat_marks (thread_id, user_id, delivered_seq, read_seq, notified_seq, "
                     "updated_at) VALUES (?, ?, 0, 0, ?, ?) ON CONFLICT (thread_id, user_id) DO NOTHING",
                     YX_PI(thread), YX_PI(r->who.user_id), YX_PI(last), YX_PI(yx_now_ms()));
    struct yx_rows *rows = NULL;
    if (rc == 0)
        rc = YX_DB_Q(r->db, &rows,
                     "SELECT delivered_seq, read_seq FROM chat_marks WHERE thread_id = ? AND user_id = ?",
                     YX_PI(thread), YX_PI(r->who.user_id));
    if (rc == 0 && rows->nrows == 1)
        j->reply = json_pack("{s:s,s:s,s:I,s:I,s:I}", "type", "joined", "channel", j->channel, "last_seq",
                             (json_int_t)last, "delivered_seq", (json_int_t)yx_rows_int(rows, 0, 0),
                             "read_seq", (json_int_t)yx_rows_int(rows, 0, 1));
    yx_rows_free(rows);
    int64_t after = msg_int(j->msg, "after", -1);
    if (rc == 0 && j->reply && after >= 0) {
        json_t *items = NULL;
        int more = 0;
        rc = history(r->db, thread, j->channel, after, HISTORY_MAX, &items, &more);
        if (rc == 0) {
            json_object_set_new(j->reply, "items", items);
            json_object_set_new(j->reply, "more", json_boolean(more));
            rc = audit(r, "chat.read", j->channel, patient);
        }
    }
    return rc;
}

/* sync: what came after seq "after" (a client that reconnects). */
static int chat_sync(struct yx_req *r, struct hub_job *j)
{
    const struct yx_channel_kind *kind;
    int64_t id, patient, thread, last;
    json_t *items = NULL;
    int more = 0;
    int rc = may_see(r, j->channel, &patient, &kind, &id);
    if (rc == 0)
        rc = thread_of(r->db, j->channel, kind, id, &thread, &last);
    if (rc == 0)
        rc = history(r->db, thread, j->channel, msg_int(j->msg, "after", 0), msg_int(j->msg, "limit", 100),
                     &items, &more);
    if (rc == 0)
        rc = audit(r, "chat.read", j->channel, patient);
    if (rc == 0)
        j->reply = json_pack("{s:s,s:s,s:o,s:b,s:I}", "type", "history", "channel", j->channel, "items",
                             items, "more", more, "last_seq", (json_int_t)last);
    else
        json_decref(items);
    return rc;
}

/* chat: stored with the next number of its thread, in one transaction with its audit event; the
 * sender has of course read it. A message sent again with the same client_id (the sender did not
 * see the first answer) is not stored twice: the first one is answered. */
static int chat_send(struct yx_req *r, struct hub_job *j)
{
    const struct yx_channel_kind *kind;
    const char *client_id = yx_json_str(j->msg, "client_id"), *text = yx_json_str(j->msg, "text");
    int64_t id, patient, thread, last, now = yx_now_ms();
    struct yx_rows *rows = NULL;
    int rc = may_see(r, j->channel, &patient, &kind, &id);
    if (rc != 0 || (rc = yx_db_begin(r->db)) != 0)
        return rc;
    rc = thread_of(r->db, j->channel, kind, id, &thread, &last);
    if (rc == 0)
        rc = YX_DB_Q(r->db, &rows, "SELECT " MESSAGE_COLUMNS "WHERE m.sender_id = ? AND m.client_id = ?",
                     YX_PI(r->who.user_id), YX_PT(client_id));
    if (rc == 0 && rows->nrows == 1) { /* sent before */
        j->reply = message_json(rows, 0, j->channel);
        json_object_set_new(j->reply, "duplicate", json_true());
        yx_rows_free(rows);
        yx_db_rollback(r->db);
        return 0;
    }
    yx_rows_free(rows);
    rows = NULL;
    /* The thread's row is the lock: on PostgreSQL two senders wait for each other here, so numbers
     * are given in commit order and a reader never sees 12 before 11. */
    if (rc == 0)
        rc = YX_DB_Q(
            r->db, &rows,
            "UPDATE chat_threads SET last_seq = last_seq + 1, last_at = ? WHERE id = ? RETURNING last_seq",
            YX_PI(now), YX_PI(thread));
    int64_t seq = rc == 0 && rows->nrows == 1 ? yx_rows_int(rows, 0, 0) : 0;
    yx_rows_free(rows);
    rows = NULL;
    if (rc == 0)
        rc = YX_DB_Q(
            r->db, NULL,
            "INSERT INTO chat_messages (thread_id, seq, sender_id, client_id, body, created_at) VALUES "
            "(?, ?, ?, ?, ?, ?)",
            YX_PI(thread), YX_PI(seq), YX_PI(r->who.user_id), YX_PT(client_id), YX_PT(text), YX_PI(now));
    if (rc == 0)
        rc = YX_DB_Q(r->db, NULL,
                     "INSERT INTO chat_marks (thread_id, user_id, delivered_seq, read_seq, notified_seq, "
                     "updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (thread_id, user_id) DO UPDATE SET "
                     "delivered_seq = excluded.delivered_seq, read_seq = excluded.read_seq, notified_seq = "
                     "excluded.notified_seq, updated_at = excluded.updated_at",
                     YX_PI(thread), YX_PI(r->who.user_id), YX_PI(seq), YX_PI(seq), YX_PI(seq), YX_PI(now));
    if (rc == 0)
        rc = audit(r, "chat.send", j->channel, patient);
    if (rc == 0)
        rc = yx_db_commit(r->db);
    else
        yx_db_rollback(r->db);
    if (rc == 0)
        rc = YX_DB_Q(r->db, &rows, "SELECT " MESSAGE_COLUMNS "WHERE m.thread_id = ? AND m.seq = ?",
                     YX_PI(thread), YX_PI(seq));
    if (rc == 0 && rows->nrows == 1)
        j->broadcast = message_json(rows, 0, j->channel);
    yx_rows_free(rows);
    return rc;
}

/* receipt: how far the person has received or read; never moves back, never past the end. The
 * receipt goes to everyone in the channel, so it needs the same access as a message. */
static int chat_receipt(struct yx_req *r, struct hub_job *j)
{
    const char *kind = yx_json_str(j->msg, "kind");
    const struct yx_channel_kind *channel_kind;
    int64_t seq = msg_int(j->msg, "seq", 0), now = yx_now_ms(), id, patient;
    struct yx_rows *rows = NULL;
    int read = strcmp(kind, "read") == 0;
    int rc = may_see(r, j->channel, &patient, &channel_kind, &id);
    if (rc == 0)
        rc =
            YX_DB_Q(r->db, &rows,
                    "SELECT t.id, t.last_seq FROM chat_threads t JOIN chat_marks k ON k.thread_id = t.id AND "
                    "k.user_id = ? WHERE t.channel = ?",
                    YX_PI(r->who.user_id), YX_PT(j->channel));
    if (rc == 0 && rows->nrows != 1)
        rc = yx_fail_code(r, YX_ECONFLICT, "not_joined", NULL,
                          "Hãy vào kênh %s trước khi báo đã đọc / Join %s before sending receipts.",
                          j->channel, j->channel);
    if (rc == 0 && seq > yx_rows_int(rows, 0, 1))
        rc = yx_fail_field(r, YX_EINVAL, "seq",
                           "Tin nhắn %lld chưa có trong %s / Message %lld does not exist yet in %s.",
                           (long long)seq, j->channel, (long long)seq, j->channel);
    int64_t thread = rc == 0 ? yx_rows_int(rows, 0, 0) : 0;
    yx_rows_free(rows);
    if (rc == 0)
        rc = YX_DB_Q(
            r->db, NULL,
            "UPDATE chat_marks SET delivered_seq = CASE WHEN delivered_seq < ? THEN ? ELSE delivered_seq "
            "END, read_seq = CASE WHEN ? = 1 AND read_seq < ? THEN ? ELSE read_seq END, notified_seq = "
            "CASE WHEN notified_seq < ? THEN ? ELSE notified_seq END, updated_at = ? WHERE thread_id = ? "
            "AND user_id = ?",
            YX_PI(seq), YX_PI(seq), YX_PI(read), YX_PI(seq), YX_PI(seq), YX_PI(seq), YX_PI(seq), YX_PI(now),
            YX_PI(thread), YX_PI(r->who.user_id));
    if (rc == 0)
        j->broadcast = json_pack("{s:s,s:s,s:I,s:s,s:I}", "type", "receipt", "channel", j->channel, "user",
                                 (json_int_t)r->who.user_id, "kind", read ? "read" : "delivered", "seq",
                                 (json_int_t)seq);
    return rc;
}

void yx_chat_run(struct yx_db *db, struct hub_job *j)
{
    struct yx_req r;
    int rc = open_request(db, j, &r);
    if (rc == 0 && strcmp(j->type, "join") == 0)
        rc = chat_join(&r, j);
    else if (rc == 0 && strcmp(j->type, "sync") == 0)
        rc = chat_sync(&r, j);
    else if (rc == 0 && strcmp(j->type, "chat") == 0)
        rc = chat_send(&r, j);
    else if (rc == 0 && strcmp(j->type, "receipt") == 0)
        rc = chat_receipt(&r, j);
    if (rc != 0 && !r.err)
        yx_fail(&r, rc, "Lỗi máy chủ / server error.");
    if (rc == YX_EDB || rc == YX_EINTERNAL || rc == YX_ENOMEM)
        yx_snprintf(r.err_msg, sizeof r.err_msg, "Lỗi máy chủ / server error.");
    j->rc = rc;
    if (rc) {
        yx_snprintf(j->err_code, sizeof j->err_code, "%s", r.err_code ? r.err_code : yx_err_name(rc));
        yx_snprintf(j->err_msg, sizeof j->err_msg, "%s", r.err_msg);
        yx_snprintf(j->err_field, sizeof j->err_field, "%s", r.err_field ? r.err_field : "");
        json_decref(j->reply);
        json_decref(j->broadcast);
        j->reply = j->broadcast = NULL;
    }
    json_decref(r.err_detail);
    yx_arena_release(&r.arena);
}

/* One socket of a re-check: reads only. The session is resolved without counting as activity,
 * so a check the person did not ask for does not keep an idle session alive. */
static void recheck_socket(struct yx_db *db, struct hub_recheck_socket *s)
{
    struct yx_req r;
    request_init(&r, db, s->token);
    r.no_touch = 1;
    int rc = yx_auth_resolve(&r);
    s->ended = rc == YX_EAUTH;
    for (int i = 0; rc == 0 && i < s->nchannels; i++) {
        const struct yx_channel_kind *kind;
        int64_t id, patient;
        int seen = may_see(&r, s->channels[i], &patient, &kind, &id);
        /* Only a refusal takes the channel away; a database that fails decides nothing. */
        s->revoked[i] = seen == YX_ENOTFOUND || seen == YX_EFORBIDDEN;
    }
    json_decref(r.err_detail);
    yx_arena_release(&r.arena);
}

void yx_chat_recheck(struct yx_db *db, struct hub_recheck *batch)
{
    for (int i = 0; db && i < batch->n; i++)
        recheck_socket(db, &batch->s[i]);
}
