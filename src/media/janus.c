/* ytexa's side of Janus (the WebRTC gateway that hosts multi-site rooms): creates, records and
 * destroys VideoRoom rooms through Janus's HTTP API, and signs the tokens browsers present to
 * Janus. Janus runs with token_auth and a token_auth_secret shared with ytexa, so nobody talks to
 * it without a token ytexa signed; its VideoRoom plugin has an admin_key, so only ytexa creates
 * rooms; each room has a pin, which ytexa gives only to people it lets in, and a secret, which
 * never leaves the server. Calls block (they run on request workers) and each opens and closes
 * its own short Janus session. */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "ytexa/config.h"
#include "ytexa/http.h"
#include "ytexa/media.h"

/* A browser's token lives this long: longer than any consultation meeting, short enough that a
 * leaked one is soon worthless (and useless without a room's pin). */
#define TOKEN_TTL_S (4 * 3600)
/* Janus answers a plugin request in well under a second; a dead one must not hold a worker. */
#define JANUS_TIMEOUT_MS 5000L
#define JANUS_ANSWER_MAX (256 * 1024)

static struct {
    char url[256], public_url[256], token_secret[128], admin_key[128], rec_dir[256];
} J;

void yx_janus_configure(const struct yx_config *cfg)
{
    yx_snprintf(J.url, sizeof J.url, "%s", cfg->janus_url);
    yx_snprintf(J.public_url, sizeof J.public_url, "%s", cfg->janus_public_url);
    yx_snprintf(J.token_secret, sizeof J.token_secret, "%s", cfg->janus_token_secret);
    yx_snprintf(J.admin_key, sizeof J.admin_key, "%s", cfg->janus_admin_key);
    yx_snprintf(J.rec_dir, sizeof J.rec_dir, "%s", cfg->janus_rec_dir);
}

int yx_janus_enabled(void)
{
    return J.url[0] != '\0';
}

const char *yx_janus_public_url(void)
{
    return J.public_url;
}

int yx_janus_fail(struct yx_req *r)
{
    return yx_fail_code(r, YX_EUNAVAIL, "media_unavailable", NULL,
                        "Máy chủ phòng họp video không trả lời, thử lại sau / the video room server does not "
                        "answer; try again shortly.");
}

int yx_janus_token(char *out, size_t outlen, int64_t *expires_s)
{
    char data[96], sig[64];
    int64_t expiry = yx_now_ms() / 1000 + TOKEN_TTL_S;
    yx_snprintf(data, sizeof data, "%lld,janus,janus.plugin.videoroom", (long long)expiry);
    if (yx_hmac_sha1_base64(J.token_secret, data, sig, sizeof sig) != 0 ||
        yx_snprintf(out, outlen, "%s:%s", data, sig) != 0)
        return YX_EINTERNAL;
    *expires_s = expiry;
    return 0;
}

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
    return yx_buf_append(arg, p, size * n) == 0 ? size * n : 0;
}

/* POSTs body (taken) to J.url + path and parses the answer into *out. YX_EUNAVAIL when Janus
 * cannot be reached or answers with an error of its own (logged). */
static int post(CURL *curl, const char *path, json_t *body, json_t **out)
{
    char url[320], token[192];
    int64_t expiry;
    struct yx_buf answer;
    int rc = YX_EUNAVAIL;
    *out = NULL;
    yx_buf_init(&answer, JANUS_ANSWER_MAX);
    char tx[24];
    yx_random_token(tx, sizeof tx, 12);
    if (!body || yx_janus_token(token, sizeof token, &expiry) != 0 ||
        json_object_set_new(body, "token", json_string(token)) != 0 ||
        json_object_set_new(body, "transaction", json_string(tx)) != 0 ||
        yx_snprintf(url, sizeof url, "%s%s", J.url, path) != 0)
        goto out;
    char *text = json_dumps(body, JSON_COMPACT);
    if (!text)
        goto out;
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, text);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, JANUS_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, JANUS_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
    CURLcode cc = curl_easy_perform(curl);
    curl_slist_free_all(h);
    free(text);
    if (cc != CURLE_OK) {
        yx_log(YX_LOG_WARN, "janus: %s: %s", url, curl_easy_strerror(cc));
        goto out;
    }
    json_t *j = json_loadb(answer.data ? answer.data : "", answer.len, 0, NULL);
    const char *kind = yx_json_str(j, "janus");
    if (!kind || (strcmp(kind, "success") != 0 && strcmp(kind, "ack") != 0)) {
        json_t *e = json_object_get(j, "error");
        yx_log(YX_LOG_WARN, "janus: %s answered %s: %s", url, kind ? kind : "no JSON",
               e ? yx_json_str(e, "reason") : "");
        json_decref(j);
        goto out;
    }
    *out = j;
    rc = 0;
out:
    json_decref(body);
    yx_buf_release(&answer);
    return rc;
}

/* Sends one synchronous VideoRoom request (create, exists, destroy, enable_recording) in a
 * session of its own; *data is the plugin's answer (owned), which may carry an error_code. */
static int videoroom(json_t *request, json_t **data)
{
    CURL *curl = curl_easy_init();
    json_t *a = NULL, *b = NULL, *c = NULL, *d;
    char path[96];
    int64_t session, handle;
    int rc = YX_EUNAVAIL;
    *data = NULL;
    if (!curl || !request)
        goto out;
    if ((rc = post(curl, "", json_pack("{s:s}", "janus", "create"), &a)) != 0)
        goto out;
    session = yx_json_int(json_object_get(a, "data"), "id", 0);
    yx_snprintf(path, sizeof path, "/%lld", (long long)session);
    if ((rc = post(curl, path, json_pack("{s:s,s:s}", "janus", "attach", "plugin", "janus.plugin.videoroom"),
                   &b)) != 0)
        goto destroy;
    handle = yx_json_int(json_object_get(b, "data"), "id", 0);
    yx_snprintf(path, sizeof path, "/%lld/%lld", (long long)session, (long long)handle);
    rc = post(curl, path, json_pack("{s:s,s:O}", "janus", "message", "body", request), &c);
    d = json_object_get(json_object_get(c, "plugindata"), "data");
    if (rc == 0 && !json_is_object(d))
        rc = YX_EUNAVAIL;
    if (rc == 0)
        *data = json_incref(d);
destroy:
    yx_snprintf(path, sizeof path, "/%lld", (long long)session);
    json_decref(a);
    a = NULL;
    post(curl, path, json_pack("{s:s}", "janus", "destroy"), &a);
out:
    json_decref(a);
    json_decref(b);
    json_decref(c);
    json_decref(request);
    if (curl)
        curl_easy_cleanup(curl);
    return rc;
}

/* A plugin answer's error: 0 when there is none or it is `allowed` (e.g. 427, the room exists). */
static int plugin_error(json_t *data, int allowed)
{
    int64_t code = yx_json_int(data, "error_code", 0);
    if (code == 0 || code == allowed)
        return 0;
    yx_log(YX_LOG_WARN, "janus videoroom: %lld %s", (long long)code, yx_json_str(data, "error"));
    return YX_EUNAVAIL;
}

int yx_janus_room_ensure(const struct yx_janus_room *room)
{
    json_t *data = NULL;
    int rc;
    /* Created, private (never listed), unless it is there already: Janus answers 427 then, and
     * leaves it as it is. A room Janus forgot when it restarted is made again. */
    json_t *req = json_pack("{s:s,s:s,s:I,s:s,s:b,s:s,s:s,s:i,s:I,s:b,s:b,s:s,s:s}", "request", "create",
                            "admin_key", J.admin_key, "room", (json_int_t)room->room, "description",
                            room->description, "is_private", 1, "pin", room->pin, "secret", room->secret,
                            "publishers", room->publishers, "bitrate", (json_int_t)room->bitrate_kbps * 1000,
                            "permanent", 0, "record", 0, "audiocodec", "opus", "videocodec", "vp8");
    if (req && J.rec_dir[0])
        json_object_set_new(req, "rec_dir", json_string(J.rec_dir));
    /* Janus checks "allowed" when someone joins as a publisher, not when they subscribe. */
    if (req && room->allowed)
        json_object_set_new(req, "allowed", json_pack("[s]", room->allowed));
    if ((rc = videoroom(req, &data)) == 0)
        rc = plugin_error(data, 427);
    json_decref(data);
    return rc;
}

int yx_janus_room_record(int64_t room, const char *secret, int on)
{
    json_t *data = NULL;
    int rc = videoroom(json_pack("{s:s,s:I,s:s,s:b}", "request", "enable_recording", "room", (json_int_t)room,
                                 "secret", secret, "record", on),
                       &data);
    if (rc == 0)
        rc = plugin_error(data, 0);
    json_decref(data);
    return rc;
}

int yx_janus_room_destroy(int64_t room, const char *secret)
{
    json_t *data = NULL;
    /* 426: no such room (Janus restarted): as good as destroyed. */
    int rc = videoroom(
        json_pack("{s:s,s:I,s:s}", "request", "destroy", "room", (json_int_t)room, "secret", secret), &data);
    if (rc == 0)
        rc = plugin_error(data, 426);
    json_decref(data);
    return rc;
}
