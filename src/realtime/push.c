/* The hub's background jobs. The pusher sends each in-app notification, once it is due, to the
 * open sockets of its user (channel user:<id>): a case assigned or escalated, a visit about to
 * start, an appointment booked — its text in both languages (text, text_en), the page shows the
 * one it speaks. The away notifier turns chat messages a person of a thread has
 * not received within --chat-notify-after seconds into one notification per thread, so a doctor
 * whose page was closed learns that the station wrote. Both claim their rows with a conditional
 * UPDATE … RETURNING, so several instances on one PostgreSQL never do the same row twice. */
#include <stdio.h>
#include <string.h>

#include "hub.h"
#include "ytexa/config.h"
#include "ytexa/store.h"

static struct {
    struct yx_db_job pusher, away;
    int64_t away_ms;
} H;

static void push_due(struct yx_db *db, void *unused)
{
    (void)unused;
    struct yx_rows *rows = NULL;
    int64_t now = yx_now_ms();
    if (!db ||
        YX_DB_Q(db, &rows,
                "UPDATE notifications SET pushed_at = ? WHERE id IN (SELECT id FROM notifications WHERE "
                "pushed_at IS NULL AND due_at <= ? ORDER BY id LIMIT 200) AND pushed_at IS NULL RETURNING "
                "id, user_id, kind, text_vi, COALESCE(text_en, text_vi) AS text_en, due_at, consult_id, "
                "visit_id, appointment_id, channel, status, "
                "session_id",
                YX_PI(now), YX_PI(now)) != 0) {
        yx_rows_free(rows);
        return;
    }
    for (int i = 0; i < rows->nrows; i++) {
        /* Outward rows (SMS, Zalo) are the sender's; a patient without an account has no socket. */
        if (yx_rows_null(rows, i, "user_id") || strcmp(yx_rows_str(rows, i, "channel"), "app") != 0 ||
            strcmp(yx_rows_str(rows, i, "status"), "delivered") != 0)
            continue;
        char channel[32], at[32];
        yx_snprintf(channel, sizeof channel, "user:%lld", (long long)yx_rows_i64(rows, i, "user_id"));
        yx_time_format(yx_rows_i64(rows, i, "due_at"), at);
        yx_hub_publish(channel,
                       json_pack("{s:s,s:I,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o}", "type", "notification", "id",
                                 (json_int_t)yx_rows_i64(rows, i, "id"), "kind", yx_rows_str(rows, i, "kind"),
                                 "text", yx_rows_str(rows, i, "text_vi"), "text_en",
                                 yx_rows_str(rows, i, "text_en"), "at", at, "consult_id",
                                 yx_json_id_or_null(rows, i, "consult_id"), "visit_id",
                                 yx_json_id_or_null(rows, i, "visit_id"), "appointment_id",
                                 yx_json_id_or_null(rows, i, "appointment_id"), "session_id",
                                 yx_json_id_or_null(rows, i, "session_id")));
    }
    yx_rows_free(rows);
}

/* One person of one thread has n messages they did not receive: one notification for them, about
 * the record the thread's channel is (its kind names it and its column). */
static void notify_away(struct yx_db *db, const struct yx_rows *rows, int i)
{
    int64_t thread = yx_rows_i64(rows, i, "thread_id"), user = yx_rows_i64(rows, i, "user_id"),
            last = yx_rows_i64(rows, i, "last_seq");
    int64_t unseen = last - yx_rows_i64(rows, i, "delivered_seq"), now = yx_now_ms(), id;
    const struct yx_channel_kind *kind = yx_channel_parse(yx_rows_str(rows, i, "channel"), &id);
    const struct yx_chat_sql *sql = kind ? yx_chat_sql(kind) : NULL;
    char text[200], text_en[200];
    struct yx_rows *claimed = NULL;
    if (!sql)
        return; /* a kind no longer registered, or one without chat: nobody to tell of it */
    snprintf(text, sizeof text, "%lld tin nhắn mới trong %s #%lld.", (long long)unseen, kind->chat_label_vi,
             (long long)id);
    snprintf(text_en, sizeof text_en, "%lld new message%s in %s #%lld.", (long long)unseen,
             unseen == 1 ? "" : "s", kind->chat_label_en, (long long)id);
    if (yx_db_begin(db) != 0)
        return;
    int rc =
        YX_DB_Q(db, &claimed,
                "UPDATE chat_marks SET notified_seq = ? WHERE thread_id = ? AND user_id = ? AND notified_seq "
                "< ? RETURNING user_id",
                YX_PI(last), YX_PI(thread), YX_PI(user), YX_PI(last));
    int mine = rc == 0 && claimed->nrows == 1;
    yx_rows_free(claimed);
    if (mine)
        rc = YX_DB_Q(db, NULL, sql->notify, YX_PI(user), YX_PI(id), YX_PT(text), YX_PT(text_en), YX_PI(now),
                     YX_PI(now), YX_PI(now), YX_PI(now));
    if (rc == 0 && mine)
        yx_db_commit(db);
    else
        yx_db_rollback(db);
}

static void away_tick(struct yx_db *db, void *unused)
{
    (void)unused;
    struct yx_rows *rows = NULL;
    if (!db ||
        YX_DB_Q(db, &rows,
                "SELECT k.thread_id, k.user_id, t.last_seq, k.delivered_seq, t.channel FROM "
                "chat_marks k JOIN chat_threads t ON t.id = k.thread_id WHERE k.notified_seq < t.last_seq "
                "AND k.delivered_seq < t.last_seq AND t.last_at <= ? ORDER BY t.last_at LIMIT 200",
                YX_PI(yx_now_ms() - H.away_ms)) != 0) {
        yx_rows_free(rows);
        return;
    }
    for (int i = 0; i < rows->nrows; i++)
        notify_away(db, rows, i);
    yx_rows_free(rows);
}

int yx_hub_start(const struct yx_config *cfg)
{
    yx_rtc_configure(cfg);
    H.away_ms = (int64_t)cfg->chat_notify_after_s * 1000;
    H.pusher = (struct yx_db_job){.tick = push_due, .interval_ms = 500};
    H.away = (struct yx_db_job){.tick = away_tick, .interval_ms = 1000};
    if (yx_db_job_start(&H.pusher) != 0 || yx_db_job_start(&H.away) != 0) {
        yx_hub_stop();
        return YX_EINTERNAL;
    }
    return 0;
}

void yx_hub_stop(void)
{
    yx_db_job_stop(&H.pusher);
    yx_db_job_stop(&H.away);
}
