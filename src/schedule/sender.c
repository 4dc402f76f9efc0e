/* Delivers SMS/Zalo notifications through the webhook an operator configures
 * (--notify-webhook-url): a thread that claims due rows, POSTs each as JSON signed with
 * HMAC-SHA256 (--notify-secret), and records the outcome on the row. A failed attempt is retried
 * after 1 s, 5 s, 30 s, 2 min, 10 min and 1 h, then the row is marked failed. All state is in the
 * database, so a restart resumes where it was; a claim names the instance and expires after a
 * minute, so instances sharing PostgreSQL do not send a row twice while both are alive. Delivery
 * is at least once: a crash between the receiver's 2xx and the update resends, with the same
 * X-Ytexa-Delivery id for the receiver to recognise. */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ytexa/config.h"
#include "ytexa/notify.h"
#include "ytexa/store.h"

static const int64_t backoff_ms[] = {1000, 5000, 30000, 120000, 600000, 3600000};
#define MAX_ATTEMPTS ((int)(sizeof backoff_ms / sizeof backoff_ms[0]))

static struct {
    struct yx_db_job job;
    CURL *curl;
    char url[512], secret[128], instance[40];
} N;

static size_t discard(char *p, size_t size, size_t n, void *u)
{
    (void)p;
    (void)u;
    return size * n;
}

/* POSTs body; returns 0 on a 2xx, otherwise fills why. */
static int post(CURL *curl, const char *body, int64_t id, char *why, size_t whylen)
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char hex[2 * sizeof mac + 1], sig[100], delivery[64];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)N.secret, strlen(N.secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    snprintf(sig, sizeof sig, "X-Ytexa-Signature: sha256=%s", hex);
    snprintf(delivery, sizeof delivery, "X-Ytexa-Delivery: %lld", (long long)id);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json; charset=utf-8");
    h = curl_slist_append(h, sig);
    h = curl_slist_append(h, delivery);
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, N.url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    CURLcode cc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    if (cc != CURLE_OK) {
        snprintf(why, whylen, "%s", curl_easy_strerror(cc));
        return -1;
    }
    if (status < 200 || status > 299) {
        snprintf(why, whylen, "HTTP %ld", status);
        return -1;
    }
    return 0;
}

/* Claims up to 20 due rows for this instance and sends them. */
static void send_due(struct yx_db *db, CURL *curl)
{
    struct yx_rows *rows = NULL;
    int64_t now = yx_now_ms();
    /* A reminder that could not go out before the appointment is no longer worth sending. */
    YX_DB_Q(db, NULL,
            "UPDATE notifications SET status = 'not_needed' WHERE status = 'pending' AND kind = 'reminder' "
            "AND due_at < ?",
            YX_PI(now - 2 * 3600000LL));
    if (YX_DB_Q(db, NULL,
                "UPDATE notifications SET claimed_by = ?, claimed_at = ? WHERE id IN (SELECT id FROM "
                "notifications "
                "WHERE channel <> 'app' AND status = 'pending' AND next_attempt_at <= ? AND (claimed_by IS "
                "NULL OR "
                "claimed_at < ?) ORDER BY id LIMIT 20) AND (claimed_by IS NULL OR claimed_at < ?)",
                YX_PT(N.instance), YX_PI(now), YX_PI(now), YX_PI(now - 60000), YX_PI(now - 60000)) != 0)
        return;
    if (YX_DB_Q(db, &rows,
                "SELECT id, channel, phone, kind, text_vi, appointment_id, attempts FROM notifications "
                "WHERE claimed_by = ? AND claimed_at = ? AND status = 'pending'",
                YX_PT(N.instance), YX_PI(now)) != 0) {
        yx_rows_free(rows);
        return;
    }
    for (int i = 0; i < rows->nrows; i++) {
        int64_t id = yx_rows_i64(rows, i, "id"), attempts = yx_rows_i64(rows, i, "attempts") + 1;
        json_t *msg = json_pack(
            "{s:I,s:s,s:s,s:s,s:s,s:o}", "id", (json_int_t)id, "channel", yx_rows_str(rows, i, "channel"),
            "to", yx_rows_str(rows, i, "phone") ? yx_rows_str(rows, i, "phone") : "", "kind",
            yx_rows_str(rows, i, "kind"), "text", yx_rows_str(rows, i, "text_vi"), "appointment_id",
            yx_rows_null(rows, i, "appointment_id") ? json_null()
                                                    : json_integer(yx_rows_i64(rows, i, "appointment_id")));
        char *body = msg ? json_dumps(msg, JSON_COMPACT) : NULL, why[200] = "";
        json_decref(msg);
        int ok = body && post(curl, body, id, why, sizeof why) == 0;
        free(body);
        int64_t t = yx_now_ms();
        if (ok)
            YX_DB_Q(db, NULL,
                    "UPDATE notifications SET status = 'delivered', delivered_at = ?, attempts = ?, "
                    "last_error = NULL, "
                    "claimed_by = NULL WHERE id = ?",
                    YX_PI(t), YX_PI(attempts), YX_PI(id));
        else
            YX_DB_Q(db, NULL,
                    "UPDATE notifications SET status = ?, attempts = ?, last_error = ?, next_attempt_at = ?, "
                    "claimed_by = NULL WHERE id = ?",
                    YX_PT(attempts >= MAX_ATTEMPTS ? "failed" : "pending"), YX_PI(attempts), YX_PT(why),
                    YX_PI(t + backoff_ms[attempts - 1 < MAX_ATTEMPTS ? attempts - 1 : MAX_ATTEMPTS - 1]),
                    YX_PI(id));
        if (!ok)
            yx_log(YX_LOG_WARN, "notify: delivery %lld attempt %lld failed: %s", (long long)id,
                   (long long)attempts, why);
    }
    yx_rows_free(rows);
}

/* Looks for due rows twice a second. */
static void sender_tick(struct yx_db *db, void *unused)
{
    (void)unused;
    if (db && N.curl)
        send_due(db, N.curl);
}

int yx_notify_sender_start(const struct yx_config *cfg)
{
    if (!cfg->notify_webhook_url[0])
        return 0; /* notifications stay in the app (and pending outward until a webhook is set) */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        return YX_EINTERNAL;
    snprintf(N.url, sizeof N.url, "%s", cfg->notify_webhook_url);
    snprintf(N.secret, sizeof N.secret, "%s", cfg->notify_secret);
    uint32_t rnd;
    yx_random(&rnd, sizeof rnd);
    snprintf(N.instance, sizeof N.instance, "%08x", rnd);
    N.curl = curl_easy_init();
    N.job = (struct yx_db_job){.tick = sender_tick, .interval_ms = 500};
    if (!N.curl || yx_db_job_start(&N.job) != 0)
        return YX_EINTERNAL;
    yx_log(YX_LOG_INFO, "notify: sending SMS/Zalo notifications to the webhook (instance %s)", N.instance);
    return 0;
}

void yx_notify_sender_stop(void)
{
    if (!N.job.running)
        return;
    yx_db_job_stop(&N.job);
    curl_easy_cleanup(N.curl);
    N.curl = NULL;
    curl_global_cleanup();
}
