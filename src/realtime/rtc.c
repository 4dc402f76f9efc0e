/* GET /api/v1/rtc/ice-servers: the STUN and TURN servers a browser uses for a call, with a TURN
 * credential that expires (the TURN REST convention coturn checks with use-auth-secret: username
 * "<unix expiry>:<user id>", password base64(HMAC-SHA1(secret, username))). The secret never
 * leaves the server; a leaked credential is worth --turn-ttl seconds of relay. The answer also
 * carries the caller's site caps (its facility's site_bandwidth_kbps and site_profile). */
#include <stdio.h>
#include <string.h>

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
    if (json_array_size(turn) && R.secret[0]) {
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
    return json_pack("{s:o,s:s,s:i,s:s}", "ice_servers", servers, "ice_transport_policy",
                     R.relay_only ? "relay" : "all", "ttl", R.ttl_s, "expires_at", at);
}

static int ice_servers(struct yx_req *r)
{
    char who[24];
    struct yx_site_caps caps;
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
