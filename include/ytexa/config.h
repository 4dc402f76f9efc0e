/* Configuration: defaults, then an optional file, then YTEXA_* environment, then flags. */
#ifndef YTEXA_CONFIG_H
#define YTEXA_CONFIG_H

#include <stdint.h>

struct yx_config {
    char host[64];
    int port;
    char db_url[512];
    char data_dir[512];
    char web_dir[512];
    char tls_cert[512];
    char tls_key[512];
    int session_idle_s;           /* an idle session ends after this */
    int session_max_s;            /* and any session after this */
    int cookie_secure;            /* Secure cookies: on with TLS or behind a TLS proxy */
    int trust_proxy;              /* client address and scheme from X-Forwarded-For/-Proto (nginx) */
    int hash_concurrency;         /* password hashes computed at once */
    int image_concurrency;        /* thumbnails and previews made at once */
    int report_concurrency;       /* reports computed at once */
    int max_body;                 /* bytes of a JSON body */
    int login_fail_user;          /* failed logins an account may have in an hour */
    int login_fail_addr;          /* failed logins an address may have in an hour */
    char notify_webhook_url[512]; /* where SMS/Zalo notifications are POSTed (none: app only) */
    char notify_secret[128];      /* key of the HMAC-SHA256 signature of each POST */
    int request_timeout_s;        /* a request's headers and body must arrive within this */
    int min_free_mb;              /* free space in the data folder under which writes are refused */
    int file_quota_mb;            /* storage a facility may use for files, unless its own is set */
    int ws_rate, ws_burst;        /* messages a WebSocket may send per second, and in a burst */
    int workers;                  /* the worker pool's threads; 0: by the engine (src/http/server.c) */
    int group_commit;             /* SQLite: writes per commit at most (src/http/writes.c); 0 off */
    int chat_notify_after_s;      /* a chat message not received by then becomes a notification */
    char stun_urls[512];          /* STUN servers offered to browsers, space-separated */
    char turn_urls[512];          /* coturn servers ("turn:host:3478?transport=udp"), space-separated */
    char turn_secret[128];        /* coturn's static-auth-secret: TURN REST credentials */
    int ice_relay_only;           /* browsers use relayed candidates only */
    int turn_ttl_s;               /* how long such a credential lives */
    char public_url[256];         /* how clients reach this server (https://name[:port]); by default its
                                   * own listening address */
    char janus_url[256];          /* Janus's HTTP API as ytexa reaches it (multi-site rooms) */
    char janus_public_url[256];   /* and as the browser reaches it (same origin through nginx) */
    char janus_token_secret[128]; /* Janus's token_auth_secret: ytexa signs each user's token */
    char janus_admin_key[128];    /* the VideoRoom plugin's admin_key: only ytexa creates rooms */
    char janus_rec_dir[256];      /* where Janus writes recordings (on Janus's machine) */
    char demo_password[128];
    char password_list[512]; /* common passwords refused for new ones (john-data's list) */
    char log_level[16];
    char metrics_token[128]; /* bearer token for GET /metrics (none: from this machine only) */
};

/* Fills cfg from defaults, the file named by --config or YTEXA_CONFIG, the environment and the
 * flags in argv (which it consumes from index *argi). Returns 0, or YX_EINVAL with a message in
 * err. */
int yx_config_load(struct yx_config *cfg, int argc, char **argv, int *argi, char *err, size_t errlen);
/* Prints the options the loader understands. */
void yx_config_usage(void);

#endif
