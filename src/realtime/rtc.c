/* GET /api/v1/rtc/ice-servers: the STUN and TURN servers a browser uses for a call, with a TURN
 * credential that expires (the TURN REST convention coturn checks with use-auth-secret: username
 * "<unix expiry>:<user id>", password base64(HMAC-SHA1(secret, username))). The secret never
 * leaves the server; a leaked credential is worth --turn-ttl seconds of relay. */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "ytexa/config.h"
#include "ytexa/realtime.h"

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

/* password = base64(HMAC-SHA1(secret, username)) */
static int turn_password(const char *username, char *out, size_t outlen)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    if (!HMAC(EVP_sha1(), R.secret, (int)strlen(R.secret), (const unsigned char *)username, strlen(username),
              mac, &maclen))
        return YX_EINTERNAL;
    if (outlen < sodium_base64_ENCODED_LEN(maclen, sodium_base64_VARIANT_ORIGINAL))
        return YX_EINTERNAL;
    sodium_bin2base64(out, outlen, mac, maclen, sodium_base64_VARIANT_ORIGINAL);
    return 0;
}

static int ice_servers(struct yx_req *r)
{
    json_t *servers = json_array();
    json_t *stun = urls(R.stun), *turn = urls(R.turn);
    int64_t expiry = yx_now_ms() / 1000 + R.ttl_s;
    char username[48], password[64], at[32];
    int rc = 0;
    if (json_array_size(stun))
        json_array_append_new(servers, json_pack("{s:O}", "urls", stun));
    if (json_array_size(turn) && R.secret[0]) {
        yx_snprintf(username, sizeof username, "%lld:%lld", (long long)expiry, (long long)r->who.user_id);
        rc = turn_password(username, password, sizeof password);
        if (rc == 0)
            json_array_append_new(servers, json_pack("{s:O,s:s,s:s}", "urls", turn, "username", username,
                                                     "credential", password));
    }
    json_decref(stun);
    json_decref(turn);
    if (rc) {
        json_decref(servers);
        return rc;
    }
    yx_time_format(expiry * 1000, at);
    return yx_reply(r, 200,
                    json_pack("{s:o,s:s,s:i,s:s}", "ice_servers", servers, "ice_transport_policy",
                              R.relay_only ? "relay" : "all", "ttl", R.ttl_s, "expires_at", at));
}

const struct yx_route yx_rtc_routes[] = {
    {"GET", "/api/v1/rtc/ice-servers", ice_servers, 0, NULL, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL},
};
