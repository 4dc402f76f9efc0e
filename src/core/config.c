/* Configuration from defaults, an optional `key = value` file, YTEXA_* variables and flags, each
 * later source overriding the earlier ones. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ytexa/config.h"
#include "ytexa/core.h"

enum kind { K_STR, K_INT, K_BOOL };
struct opt {
    const char *key; /* flag --key, variable YTEXA_KEY (upper case, '-' as '_'), file key */
    enum kind kind;
    size_t off, size;
    const char *help;
};

#define S(f) offsetof(struct yx_config, f), sizeof(((struct yx_config *)0)->f)
static const struct opt opts[] = {
    {"host", K_STR, S(host), "address to listen on (127.0.0.1)"},
    {"port", K_INT, S(port), "port to listen on (8080; also PORT)"},
    {"db", K_STR, S(db_url), "SQLite file or postgres:// URL (<data>/ytexa.db)"},
    {"data", K_STR, S(data_dir), "data folder (./var)"},
    {"web", K_STR, S(web_dir), "folder of the built web app (web/dist)"},
    {"tls-cert", K_STR, S(tls_cert), "PEM certificate; with --tls-key serves HTTPS"},
    {"tls-key", K_STR, S(tls_key), "PEM private key"},
    {"session-idle", K_INT, S(session_idle_s), "seconds an idle session lives (1800)"},
    {"session-max", K_INT, S(session_max_s), "seconds any session lives (43200)"},
    {"cookie-secure", K_BOOL, S(cookie_secure), "mark cookies Secure (on with TLS)"},
    {"public-url", K_STR, S(public_url),
     "how clients reach this server, e.g. https://ytexa.example.vn: the audience of system "
     "assertions (http(s)://<host>:<port>)"},
    {"trust-proxy", K_BOOL, S(trust_proxy),
     "client address and scheme from the last X-Forwarded-For / X-Forwarded-Proto entries"},
    {"hash-concurrency", K_INT, S(hash_concurrency), "password hashes at once (2)"},
    {"image-concurrency", K_INT, S(image_concurrency), "thumbnails and previews made at once (1)"},
    {"report-concurrency", K_INT, S(report_concurrency), "reports computed at once (1)"},
    {"max-body", K_INT, S(max_body), "largest JSON body in bytes (65536)"},
    {"request-timeout", K_INT, S(request_timeout_s),
     "seconds a request's headers and body have to arrive whole (30)"},
    {"workers", K_INT, S(workers),
     "threads that run requests, each with a database connection (4; on PostgreSQL twice the cores)"},
    {"group-commit", K_INT, S(group_commit),
     "SQLite: writes committed together at most, one sync for them all (64; 0: each its own)"},
    {"login-fail-user", K_INT, S(login_fail_user),
     "failed logins per account from one address per hour (20; from all addresses, ten times that)"},
    {"login-fail-addr", K_INT, S(login_fail_addr), "failed logins per address per hour (100)"},
    {"notify-webhook-url", K_STR, S(notify_webhook_url),
     "URL the SMS/Zalo notifications are POSTed to (none)"},
    {"notify-secret", K_STR, S(notify_secret), "key of their X-Ytexa-Signature HMAC-SHA256"},
    {"file-quota-mb", K_INT, S(file_quota_mb), "MiB of files a facility may store (10240)"},
    {"min-free-mb", K_INT, S(min_free_mb),
     "MiB kept free in the data folder: under it new writes are refused, reads go on (256)"},
    {"ws-rate", K_INT, S(ws_rate), "WebSocket messages a socket may send per second (50)"},
    {"ws-burst", K_INT, S(ws_burst), "and in a burst (200)"},
    {"chat-notify-after", K_INT, S(chat_notify_after_s),
     "seconds before an unreceived chat message is notified (30)"},
    {"stun-urls", K_STR, S(stun_urls), "STUN servers for calls, space-separated (none)"},
    {"turn-urls", K_STR, S(turn_urls), "coturn URLs for calls, space-separated (none)"},
    {"turn-secret", K_STR, S(turn_secret), "coturn's static-auth-secret (TURN REST credentials)"},
    {"ice-relay-only", K_BOOL, S(ice_relay_only),
     "calls only through TURN: no user's address reaches the other"},
    {"turn-ttl", K_INT, S(turn_ttl_s), "seconds a TURN credential lives (3600)"},
    {"janus-url", K_STR, S(janus_url),
     "Janus HTTP API for multi-site rooms, e.g. http://127.0.0.1:8088/janus (none)"},
    {"janus-public-url", K_STR, S(janus_public_url), "the same API as browsers reach it (/janus)"},
    {"janus-token-secret", K_STR, S(janus_token_secret), "Janus's token_auth_secret (signed tokens)"},
    {"janus-admin-key", K_STR, S(janus_admin_key), "the VideoRoom plugin's admin_key"},
    {"janus-rec-dir", K_STR, S(janus_rec_dir), "folder on Janus's machine for recordings (Janus's default)"},
    {"demo-password", K_STR, S(demo_password), "password of the demo accounts (demo-password)"},
    {"password-list", K_STR, S(password_list),
     "common passwords refused for new ones, one a line (/usr/share/john/password.lst; empty: none)"},
    {"log-level", K_STR, S(log_level), "debug, info, warn or error (info)"},
    {"metrics-token", K_STR, S(metrics_token),
     "bearer token for GET /metrics (none: only from this machine)"},
};
#undef S

static int set_opt(struct yx_config *cfg, const struct opt *o, const char *v, char *err, size_t errlen)
{
    char *field = (char *)cfg + o->off;
    if (o->kind == K_STR) {
        if (yx_snprintf(field, o->size, "%s", v) != 0) {
            yx_snprintf(err, errlen, "%s: value too long", o->key);
            return YX_EINVAL;
        }
        return 0;
    }
    if (o->kind == K_BOOL) {
        *(int *)field = strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "on") == 0 || !*v;
        return 0;
    }
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < 0 || n > 1000000000) {
        yx_snprintf(err, errlen, "%s: expected a whole number, got '%s'", o->key, v);
        return YX_EINVAL;
    }
    *(int *)field = (int)n;
    return 0;
}

static const struct opt *find_opt(const char *key, size_t n)
{
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        if (strlen(opts[i].key) == n && strncmp(opts[i].key, key, n) == 0)
            return &opts[i];
    return NULL;
}

static int load_file(struct yx_config *cfg, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        yx_snprintf(err, errlen, "cannot read config file %s", path);
        return YX_EINVAL;
    }
    char line[1024];
    int rc = 0, lineno = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        char *p = line, *eq;
        while (isspace((unsigned char)*p))
            p++;
        if (!*p || *p == '#')
            continue;
        if (!(eq = strchr(p, '='))) {
            yx_snprintf(err, errlen, "%s:%d: expected key = value", path, lineno);
            rc = YX_EINVAL;
            break;
        }
        char *k_end = eq;
        while (k_end > p && isspace((unsigned char)k_end[-1]))
            k_end--;
        char *v = eq + 1;
        while (isspace((unsigned char)*v))
            v++;
        size_t vl = strlen(v);
        while (vl && isspace((unsigned char)v[vl - 1]))
            v[--vl] = '\0';
        const struct opt *o = find_opt(p, (size_t)(k_end - p));
        if (!o) {
            yx_snprintf(err, errlen, "%s:%d: unknown key", path, lineno);
            rc = YX_EINVAL;
            break;
        }
        rc = set_opt(cfg, o, v, err, errlen);
    }
    fclose(f);
    return rc;
}

static void defaults(struct yx_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    yx_snprintf(cfg->host, sizeof cfg->host, "%s", "127.0.0.1");
    cfg->port = 8080;
    yx_snprintf(cfg->data_dir, sizeof cfg->data_dir, "%s", "var");
    yx_snprintf(cfg->web_dir, sizeof cfg->web_dir, "%s", "web/dist");
    cfg->session_idle_s = 1800;
    cfg->session_max_s = 12 * 3600;
    cfg->hash_concurrency = 2;
    cfg->image_concurrency = 1;
    cfg->report_concurrency = 1;
    cfg->max_body = 64 * 1024;
    cfg->group_commit = 64;
    cfg->login_fail_user = 20;
    cfg->login_fail_addr = 100;
    cfg->file_quota_mb = 10240;
    cfg->min_free_mb = 256;
    cfg->request_timeout_s = 30;
    cfg->ws_rate = 50;
    cfg->ws_burst = 200;
    cfg->turn_ttl_s = 3600;
    cfg->chat_notify_after_s = 30;
    yx_snprintf(cfg->janus_public_url, sizeof cfg->janus_public_url, "%s", "/janus");
    yx_snprintf(cfg->demo_password, sizeof cfg->demo_password, "%s", "demo-password");
    yx_snprintf(cfg->password_list, sizeof cfg->password_list, "%s", "/usr/share/john/password.lst");
    yx_snprintf(cfg->log_level, sizeof cfg->log_level, "%s", "info");
}

int yx_config_load(struct yx_config *cfg, int argc, char **argv, int *argi, char *err, size_t errlen)
{
    defaults(cfg);
    const char *file = getenv("YTEXA_CONFIG");
    for (int i = *argi; i + 1 < argc; i++)
        if (strcmp(argv[i], "--config") == 0)
            file = argv[i + 1];
    if (file && *file && load_file(cfg, file, err, errlen) != 0)
        return YX_EINVAL;
    const char *port = getenv("PORT");
    if (port && *port && set_opt(cfg, find_opt("port", 4), port, err, errlen) != 0)
        return YX_EINVAL;
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        char name[64] = "YTEXA_";
        size_t j = 6;
        for (const char *k = opts[i].key; *k && j < sizeof name - 1; k++)
            name[j++] = *k == '-' ? '_' : (char)toupper((unsigned char)*k);
        name[j] = '\0';
        const char *v = getenv(name);
        if (v && set_opt(cfg, &opts[i], v, err, errlen) != 0)
            return YX_EINVAL;
    }
    int i = *argi;
    while (i < argc) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0)
            break;
        if (strcmp(a, "--config") == 0) {
            i += 2;
            continue;
        }
        const char *key = a + 2, *eq = strchr(key, '=');
        size_t kl = eq ? (size_t)(eq - key) : strlen(key);
        const struct opt *o = find_opt(key, kl);
        if (!o) {
            yx_snprintf(err, errlen, "unknown option %s", a);
            return YX_EINVAL;
        }
        const char *v = eq ? eq + 1 : NULL;
        if (!v && o->kind == K_BOOL)
            v = "1";
        else if (!v) {
            if (i + 1 >= argc) {
                yx_snprintf(err, errlen, "%s needs a value", a);
                return YX_EINVAL;
            }
            v = argv[++i];
        }
        if (set_opt(cfg, o, v, err, errlen) != 0)
            return YX_EINVAL;
        i++;
    }
    *argi = i;
    if (!cfg->db_url[0] && yx_snprintf(cfg->db_url, sizeof cfg->db_url, "%s/ytexa.db", cfg->data_dir) != 0) {
        yx_snprintf(err, errlen, "data folder path too long");
        return YX_EINVAL;
    }
    if (cfg->tls_cert[0] || cfg->tls_key[0])
        cfg->cookie_secure = 1;
    return 0;
}

void yx_config_usage(void)
{
    fprintf(stderr,
            "Options (each also YTEXA_<NAME> in the environment, or `name = value` in --config FILE):\n");
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        fprintf(stderr, "  --%-18s %s\n", opts[i].key, opts[i].help);
}
