/* The HTTP server: h2o on one libuv loop. This file starts and stops it: the listener and TLS,
 * the signals that stop it, and the drain of what is in flight. API requests are taken by
 * h2o_req.c and run off the loop (job.c); the web app's files (static.c) and WebSockets
 * (websocket.c) are served on the same port. */
#include <assert.h>
#include <h2o.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "server_internal.h"
#include "ytexa/config.h"

struct yx_http_server yx_srv;

static struct {
    uv_tcp_t listener;
    uv_signal_t sigterm, sigint;
    uv_timer_t drain_timer;
    uint64_t shutdown_at;
} S;

static void on_accept(uv_stream_t *listener, int status)
{
    if (status != 0)
        return;
    uv_tcp_t *conn = h2o_mem_alloc(sizeof *conn);
    uv_tcp_init(listener->loop, conn);
    if (uv_accept(listener, (uv_stream_t *)conn) != 0) {
        uv_close((uv_handle_t *)conn, (uv_close_cb)free);
        return;
    }
    uv_tcp_nodelay(conn, 1);
    h2o_socket_t *sock = h2o_uv_socket_create((uv_stream_t *)conn, (uv_close_cb)free);
    h2o_accept(&yx_srv.accept_ctx, sock);
}

static void on_drain_tick(uv_timer_t *t)
{
    /* Exit when nothing is in flight, or after 20 s whatever is left. */
    if ((yx_srv.inflight == 0 && yx_gates_queued() == 0 && uv_hrtime() - S.shutdown_at > 200000000ull) ||
        uv_hrtime() - S.shutdown_at > 20000000000ull) {
        uv_timer_stop(t);
        uv_stop(yx_srv.loop);
    }
}

static void on_signal(uv_signal_t *s, int signum)
{
    (void)s;
    if (yx_srv.shutting_down)
        return;
    yx_log(YX_LOG_INFO, "signal %d: no new connections, finishing %d requests in flight", signum,
           yx_srv.inflight);
    yx_srv.shutting_down = 1;
    S.shutdown_at = uv_hrtime();
    uv_close((uv_handle_t *)&S.listener, NULL);
    h2o_context_request_shutdown(&yx_srv.ctx);
    yx_ws_close_all(1001, "server shutting down");
    uv_timer_start(&S.drain_timer, on_drain_tick, 50, 50);
}

static SSL_CTX *tls_context(const struct yx_config *cfg)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx)
        return NULL;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (SSL_CTX_use_certificate_chain_file(ctx, cfg->tls_cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, cfg->tls_key, SSL_FILETYPE_PEM) != 1) {
        yx_log(YX_LOG_ERROR, "tls: cannot load %s / %s", cfg->tls_cert, cfg->tls_key);
        SSL_CTX_free(ctx);
        return NULL;
    }
    h2o_ssl_register_alpn_protocols(ctx, h2o_http2_alpn_protocols);
    return ctx;
}

/* The listening socket on cfg's host and port; 0, or YX_EINTERNAL (logged). */
static int listen_on(const struct yx_config *cfg)
{
    struct sockaddr_storage addr;
    if (uv_ip4_addr(cfg->host, cfg->port, (struct sockaddr_in *)&addr) != 0 &&
        uv_ip6_addr(cfg->host, cfg->port, (struct sockaddr_in6 *)&addr) != 0) {
        yx_log(YX_LOG_ERROR, "cannot parse listen address %s", cfg->host);
        return YX_EINTERNAL;
    }
    uv_tcp_init(yx_srv.loop, &S.listener);
    int e;
    if ((e = uv_tcp_bind(&S.listener, (struct sockaddr *)&addr, 0)) != 0 ||
        (e = uv_listen((uv_stream_t *)&S.listener, 1024, on_accept)) != 0) {
        yx_log(YX_LOG_ERROR, "cannot listen on %s:%d: %s", cfg->host, cfg->port, uv_strerror(e));
        uv_close((uv_handle_t *)&S.listener, NULL);
        return YX_EINTERNAL;
    }
    return 0;
}

static int never(void)
{
    return 0;
}

/* The worker pool is libuv's, sized by UV_THREADPOOL_SIZE when it first runs work. On SQLite one
 * writer at a time (the writes thread, with group commit) and reads that never wait on the
 * network need few threads: 4, libuv's default. On PostgreSQL a request's statements wait for
 * round trips, so more threads keep the cores busy, but past that they only switch: on 2 cores
 * creates ran at 2.2k/s with 4 workers, 2.0k with 8, 1.9k with 16 and 1.6k with 32
 * (bench/README.md, "Workers on PostgreSQL"); so twice the cores, at least 4. The workers
 * setting, or UV_THREADPOOL_SIZE in the environment when that is not set, says otherwise. */
static void size_workers(const struct yx_config *cfg)
{
    char n[24];
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cfg->workers <= 0 && getenv("UV_THREADPOOL_SIZE"))
        return;
    long want = cfg->workers > 0                      ? cfg->workers
                : !yx_db_url_is_postgres(cfg->db_url) ? 4
                : cores > 2                           ? 2 * cores
                                                      : 4;
    snprintf(n, sizeof n, "%ld", want);
    setenv("UV_THREADPOOL_SIZE", n, 1);
}

int yx_server_run(const struct yx_config *cfg, const struct yx_server_setup *setup)
{
    int rc = YX_EINTERNAL;
    const struct yx_pipeline *p = &setup->pipeline;
    /* The pipeline cannot do without these; group commit needs both of its hooks or neither. */
    assert(setup->routes && p->authenticate && p->permit && p->sessions_changed && p->audit);
    assert(!p->deferrable == !p->defer);
    memset(&S, 0, sizeof S);
    memset(&yx_srv, 0, sizeof yx_srv);
    yx_srv.cfg = cfg;
    yx_srv.setup = setup;
    size_workers(cfg);
    yx_srv.deferrable = p->deferrable ? p->deferrable : never;
    yx_gates_init(cfg);
    yx_srv.routes = setup->routes;
    yx_metrics_configure(cfg->metrics_token);
    yx_random(&yx_srv.instance, sizeof yx_srv.instance);
    yx_srv.loop = uv_default_loop();
    signal(SIGPIPE, SIG_IGN);

    h2o_config_init(&yx_srv.config);
    /* h2o 2.2 buffers a whole body before our handler sees it and answers larger ones itself,
     * in plain text. Up to this size we answer 413 in JSON (bodies over --max-body), and upload
     * chunks fit under it. */
    yx_srv.config.max_request_entity_size = 16 * 1024 * 1024;
    /* A request must arrive whole, headers and body, within this (h2o does not restart the clock
     * as bytes come): a slow sender (slowloris) holds its socket that long at most, while a phone's
     * upload chunk, sized by the web app to take about 5 s, fits on a satellite link. */
    yx_srv.config.http1.req_timeout =
        (uint64_t)(cfg->request_timeout_s > 0 ? cfg->request_timeout_s : 30) * 1000;
    h2o_hostconf_t *host =
        h2o_config_register_host(&yx_srv.config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    yx_static_register(host, cfg);
    h2o_context_init(&yx_srv.ctx, yx_srv.loop, &yx_srv.config);
    yx_srv.accept_ctx.ctx = &yx_srv.ctx;
    yx_srv.accept_ctx.hosts = yx_srv.config.hosts;
    if (cfg->tls_cert[0] && !(yx_srv.accept_ctx.ssl_ctx = tls_context(cfg)))
        goto out;
    if (listen_on(cfg) != 0)
        goto out;
    uv_signal_init(yx_srv.loop, &S.sigterm);
    uv_signal_start(&S.sigterm, on_signal, SIGTERM);
    uv_signal_init(yx_srv.loop, &S.sigint);
    uv_signal_start(&S.sigint, on_signal, SIGINT);
    uv_timer_init(yx_srv.loop, &S.drain_timer);
    yx_audited_init(yx_srv.loop);
    yx_access_log_init(yx_srv.loop);
    yx_loop_open(yx_srv.loop);
    yx_ws_init(yx_srv.loop, cfg->ws_rate, cfg->ws_burst);
    if (setup->start && setup->start(cfg) != 0) {
        yx_log(YX_LOG_ERROR, "cannot start what serving needs");
        goto out;
    }
    if (yx_reads_start(cfg) != 0 || yx_writes_start(cfg) != 0) {
        yx_log(YX_LOG_ERROR, "cannot start the reads and writes threads");
        yx_reads_stop();
        yx_writes_stop();
        if (setup->stop)
            setup->stop();
        goto out;
    }
    yx_log(YX_LOG_INFO, "listening on %s://%s:%d", yx_srv.accept_ctx.ssl_ctx ? "https" : "http", cfg->host,
           cfg->port);
    uv_run(yx_srv.loop, UV_RUN_DEFAULT);
    uv_close((uv_handle_t *)&S.sigterm, NULL);
    uv_close((uv_handle_t *)&S.sigint, NULL);
    uv_close((uv_handle_t *)&S.drain_timer, NULL);
    /* The reads still queued run and hand their events to the writer before it stops; the writes
     * still queued are committed. */
    yx_reads_stop();
    yx_writes_stop();
    if (setup->stop)
        setup->stop();
    yx_audited_fini();
    yx_loop_close();
    yx_ws_fini();
    yx_access_log_fini();
    yx_log(YX_LOG_INFO, "stopped");
    rc = 0;
out:
    if (yx_srv.accept_ctx.ssl_ctx)
        SSL_CTX_free(yx_srv.accept_ctx.ssl_ctx);
    return rc;
}
