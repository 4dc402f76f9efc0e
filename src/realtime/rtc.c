/* GET /api/v1/rtc/ice-servers: the STUN and TURN servers a browser uses for a call, with a TURN
 * credential that expires (the TURN REST convention coturn checks with use-auth-secret: username
 * "<unix expiry>:<user id>", password base64(HMAC-SHA1(secret, username))). The secret never
 * leaves the server; a leaked credential is worth --turn-ttl seconds of relay. The answer also
 * carries the caller's site caps (its facility's site_bandwidth_kbps and site_profile). */
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ytexa/config.h"
#include "ytexa/realtime.h"

/* What a 1:1 call sends at most, whatever the site: plenty for a face and a wound. */
#define CALL_CEILING_KBPS 1500

static struct {
    char stun[512], turn[512], secret[128];
    int ttl_s, relay_only;
} R;

void yx_rtc_configure(const struct yx_config *cfg)
{
    yx_snprintf(R.stun, sizeof R.stun, "%s", cfg->stun_urls);
    yx_snprintf(R.turn, sizeof R.turn, "%s", cfg->turn_urls);
    yx_snprintf(R.secret, sizeof R.secret, "%s", cfg->turn_secret);
    R.ttl_s = cfg->turn_ttl_s > 0 ? cfg->turn_ttl_s : 3600;
    R.relay_only = cfg->ice_relay_only;
    /* Relay only with nothing to relay through: every call would fail to connect. */
    if (R.relay_only && (!R.turn[0] || !R.secret[0]))
        yx_log(YX_LOG_WARN, "--ice-relay-only without --turn-urls and --turn-secret: calls cannot connect");
}

/* The space-separated URLs of list as a JSON array. */
static json_t *urls(const char *list)
{
    json_t *a = json_array();
    const char *p = list;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (n)
            json_array_append_new(a, json_stringn(p, n));
        p += n;
    }
    return a;
}

/* Is the call relay answering? A call that must go through TURN (--ice-relay-only, or a site behind
 * a strict firewall) cannot connect while coturn is down, and the browser would find out only after
 * gathering for long seconds. So before handing out a credential the server asks the first TURN URL
 * over UDP with a STUN Binding Request (RFC 5389: coturn answers it without credentials), one second
 * to answer. The verdict is kept RELAY_KEEP_MS, so a room full of people entering asks once; those
 * who arrive during the probe get the verdict before it. A TURN URL over TCP or TLS is not probed (taken as
 * up). */
#define RELAY_WAIT_MS 1000
#define RELAY_KEEP_MS 5000
static struct {
    pthread_mutex_t mu;
    int64_t checked_ms;
    int up;
} P = {PTHREAD_MUTEX_INITIALIZER, 0, 1};

/* The host and port of the first TURN URL ("turn:host[:port][?transport=udp]"); -1 when there is
 * none or it is not over UDP. */
static int relay_target(char *host, size_t hn, char *port, size_t pn)
{
    const char *u = R.turn;
    while (*u == ' ')
        u++;
    if (strncmp(u, "turn:", 5) != 0)
        return -1;
    u += 5;
    size_t n = strcspn(u, " ?");
    const char *q = u + n, *colon = memchr(u, ':', n);
    if (*q == '?' && strncmp(q, "?transport=udp", 14) != 0)
        return -1;
    size_t hlen = colon ? (size_t)(colon - u) : n;
    if (hlen == 0 || hlen >= hn)
        return -1;
    memcpy(host, u, hlen);
    host[hlen] = '\0';
    return yx_snprintf(port, pn, "%.*s", colon ? (int)(n - hlen - 1) : 4, colon ? colon + 1 : "3478") == 0
               ? 0
               : -1;
}

static int stun_answers(const char *host, const char *port)
{
    struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *ai = NULL;
    unsigned char req[20] = {0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42}, got[548];
    int fd = -1, up = 0;
    randombytes_buf(req + 8, 12);
    if (getaddrinfo(host, port, &hints, &ai) != 0)
        return 0;
    fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
        send(fd, req, sizeof req, 0) == sizeof req) {
        int64_t until = yx_now_ms() + RELAY_WAIT_MS;
        for (int64_t left; !up && (left = until - yx_now_ms()) > 0;) {
            struct pollfd pfd = {fd, POLLIN, 0};
            if (poll(&pfd, 1, (int)left) <= 0)
                break;
            ssize_t n = recv(fd, got, sizeof got, 0);
            /* A Binding success (0x0101) for our transaction; anything else is not the answer. */
            up = n >= 20 && got[0] == 0x01 && got[1] == 0x01 && memcmp(got + 4, req + 4, 16) == 0;
            if (n < 0)
                break; /* ICMP port unreachable: nothing listens there */
        }
    }
    if (fd >= 0)
        close(fd);
    freeaddrinfo(ai);
    return up;
}

int yx_rtc_relay_up(void)
{
    char host[256], port[8];
    if (!R.secret[0] || relay_target(host, sizeof host, port, sizeof port) != 0)
        return 1;
    /* One request probes; the others meanwhile answer with the last verdict rather than hold a
     * worker for up to a second each. */
    if (pthread_mutex_trylock(&P.mu) != 0)
        return __atomic_load_n(&P.up, __ATOMIC_RELAXED);
    int64_t now = yx_now_ms();
    if (now - P.checked_ms >= RELAY_KEEP_MS) {
        int up = stun_answers(host, port);
        if (up != P.up)
            yx_log(up ? YX_LOG_WARN : YX_LOG_ERROR, "call relay %s:%s %s", host, port,
                   up ? "answers again" : "does not answer: calls that need it cannot connect");
        __atomic_store_n(&P.up, up, __ATOMIC_RELAXED);
        P.checked_ms = yx_now_ms();
    }
    int up = P.up;
    pthread_mutex_unlock(&P.mu);
    return up;
}

int yx_rtc_site_caps(struct yx_db *db, int64_t facility_id, int ceiling_kbps, struct yx_site_caps *caps)
{
    struct yx_rows *rows = NULL;
    *caps = (struct yx_site_caps){ceiling_kbps, 0};
    if (!facility_id)
        return 0;
    int rc = YX_DB_Q(db, &rows, "SELECT site_bandwidth_kbps, site_profile FROM facilities WHERE id = ?",
                     YX_PI(facility_id));
    if (rc == 0 && rows->nrows == 1) {
        /* A quarter of the link stays for audio, the chat and whatever else the site does. */
        int64_t kbps = yx_rows_int(rows, 0, 0) * 3 / 4;
        const char *profile = yx_rows_get(rows, 0, 1);
        if (profile && strcmp(profile, "low_video") == 0 && kbps > 256)
            kbps = 256;
        if (kbps > 0 && kbps < caps->max_bitrate_kbps)
            caps->max_bitrate_kbps = (int)(kbps < 32 ? 32 : kbps);
        caps->audio_only = profile && strcmp(profile, "audio") == 0;
    }
    yx_rows_free(rows);
    return rc;
}

json_t *yx_rtc_ice_json(const char *who)
{
    json_t *servers = json_array();
    json_t *stun = urls(R.stun), *turn = urls(R.turn);
    int64_t expiry = yx_now_ms() / 1000 + R.ttl_s;
    char username[96], password[64], at[32];
    int rc = 0;
    if (json_array_size(stun))
        json_array_append_new(servers, json_pack("{s:O}", "urls", stun));
    /* A relay that does not answer is left out: the browser would wait on it before giving up. */
    int relay = json_array_size(turn) && R.secret[0] ? yx_rtc_relay_up() : -1;
    if (relay == 1) {
        yx_snprintf(username, sizeof username, "%lld:%s", (long long)expiry, who);
        rc = yx_hmac_sha1_base64(R.secret, username, password, sizeof password);
        if (rc == 0)
            json_array_append_new(servers, json_pack("{s:O,s:s,s:s}", "urls", turn, "username", username,
                                                     "credential", password));
    }
    json_decref(stun);
    json_decref(turn);
    if (rc) {
        json_decref(servers);
        return NULL;
    }
    yx_time_format(expiry * 1000, at);
    return json_pack("{s:o,s:s,s:i,s:s,s:s}", "ice_servers", servers, "ice_transport_policy",
                     R.relay_only ? "relay" : "all", "ttl", R.ttl_s, "expires_at", at, "relay",
                     relay == 1   ? "up"
                     : relay == 0 ? "unavailable"
                                  : "none");
}

static int ice_servers(struct yx_req *r)
{
    char who[24];
    struct yx_site_caps caps;
    if (R.relay_only && !yx_rtc_relay_up()) {
        yx_reply_header(r, "retry-after", "10");
        return yx_fail_code(r, YX_EUNAVAIL, "relay_unavailable", NULL,
                            "Máy chủ chuyển tiếp cuộc gọi không trả lời nên chưa gọi được; nhắn tin vẫn dùng "
                            "được, hãy thử gọi lại sau ít phút / the call relay is not answering, so calls "
                            "cannot connect now; chat still works. Try the call again in a few minutes.");
    }
    yx_snprintf(who, sizeof who, "%lld", (long long)r->who.user_id);
    int rc = yx_rtc_site_caps(r->db, r->who.facility_id, CALL_CEILING_KBPS, &caps);
    json_t *out = rc == 0 ? yx_rtc_ice_json(who) : NULL;
    if (!out)
        return rc ? rc : YX_EINTERNAL;
    json_object_set_new(out, "max_bitrate_kbps", json_integer(caps.max_bitrate_kbps));
    json_object_set_new(out, "audio_only", json_boolean(caps.audio_only));
    return yx_reply(r, 200, out);
}

const struct yx_route yx_rtc_routes[] = {
    {"GET", "/api/v1/rtc/ice-servers", ice_servers, 0, NULL, NULL, YX_ANYONE, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
