/* The kinds of channel the hub knows: those the workflows register (yx_hub_kinds) and its own
 * "user" channel. Parses a channel's name into its kind and id, and builds once, at registration,
 * the statements of each kind's chat from what the kind names (its column, its people). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub.h"

#define KINDS_MAX 8

const struct yx_channel_kind yx_user_channel = {.name = "user"};

static struct {
    const struct yx_channel_kind *kind[KINDS_MAX + 1]; /* the registered ones, then "user" */
    struct yx_chat_sql sql[KINDS_MAX];
    int n;
    /* "Các kênh là visit:<id>, … và user:<id> / Channels are visit:<id>, … and user:<id>." */
    char names[640];
} C = {.kind = {&yx_user_channel}, .names = "Kênh là user:<id> / Channels are user:<id>."};

/* The statements of a kind that keeps a chat. The people's query is a subquery: SQLite needs the
 * WHERE to tell an upsert's ON CONFLICT from a join's ON. */
static int build_sql(const struct yx_channel_kind *k, struct yx_chat_sql *q)
{
    if (!k->keeps_chat)
        return 0;
    return yx_snprintf(
               q->thread, sizeof q->thread,
               "INSERT INTO chat_threads (channel, %s, created_at) VALUES (?, ?, ?) ON CONFLICT (channel) "
               "DO NOTHING",
               k->chat_column) ||
           yx_snprintf(
               q->people, sizeof q->people,
               "INSERT INTO chat_marks (thread_id, user_id, notified_seq, updated_at) SELECT ?, p.id, ?, ? "
               "FROM (%s) p WHERE true ON CONFLICT (thread_id, user_id) DO NOTHING",
               k->chat_people) ||
           yx_snprintf(
               q->notify, sizeof q->notify,
               "INSERT INTO notifications (user_id, %s, channel, kind, text_vi, text_en, due_at, "
               "created_at, status, next_attempt_at, delivered_at) VALUES (?, ?, 'app', 'chat_message', "
               "?, ?, ?, ?, 'delivered', ?, ?)",
               k->chat_column);
}

void yx_hub_kinds(const struct yx_channel_kind *const *kinds)
{
    char list[240] = "";
    size_t at = 0;
    C.n = 0;
    for (; kinds[C.n] && C.n < KINDS_MAX; C.n++) {
        const struct yx_channel_kind *k = kinds[C.n];
        if (build_sql(k, &C.sql[C.n]) != 0) {
            yx_log(YX_LOG_ERROR, "channel kind %s: its statements are too long", k->name);
            abort();
        }
        C.kind[C.n] = k;
        if (at < sizeof list)
            at += (size_t)snprintf(list + at, sizeof list - at, "%s%s:<id>", C.n ? ", " : "", k->name);
    }
    C.kind[C.n] = &yx_user_channel;
    if (C.n)
        snprintf(C.names, sizeof C.names, "Các kênh là %s và user:<id> / Channels are %s and user:<id>.",
                 list, list);
}

const char *yx_channel_names(void)
{
    return C.names;
}

const struct yx_chat_sql *yx_chat_sql(const struct yx_channel_kind *kind)
{
    for (int i = 0; i < C.n; i++)
        if (C.kind[i] == kind && kind->keeps_chat)
            return &C.sql[i];
    return NULL;
}

const struct yx_channel_kind *yx_channel_parse(const char *channel, int64_t *id)
{
    const char *colon = channel ? strchr(channel, ':') : NULL;
    if (!colon || colon[1] < '1' || colon[1] > '9')
        return NULL;
    for (int i = 0; i <= C.n; i++) {
        const struct yx_channel_kind *k = C.kind[i];
        size_t n = strlen(k->name);
        if ((size_t)(colon - channel) != n || strncmp(channel, k->name, n) != 0)
            continue;
        char *end;
        long long v = strtoll(colon + 1, &end, 10);
        if (*end || v <= 0 || end - colon > 16)
            return NULL;
        *id = v;
        return k;
    }
    return NULL;
}
