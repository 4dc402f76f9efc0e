/* GET /metrics: the server's counters in Prometheus's text format, for the operator's monitoring
 * (docs/operations.md, "Metrics"). Requests are counted where the access log is written, on the
 * loop, so the counters need no lock; the handler runs on the loop too (YX_R_LOOP). The other
 * figures are asked of their owners when scraped. Who may read it: whoever presents the
 * metrics-token as a bearer token, or, when none is configured, a client on this machine that did
 * not come through a proxy. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "server_internal.h"
#include "ytexa/http.h"
#include "ytexa/store.h"

/* Upper bounds of the latency buckets, in milliseconds (the last, +Inf, is implied). */
static const double bounds_ms[] = {1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500};
#define NBOUNDS (sizeof bounds_ms / sizeof bounds_ms[0])

static struct {
    uint64_t by_class[6]; /* 1xx … 5xx; [0] for anything else */
    uint64_t buckets[NBOUNDS + 1];
    double sum_s;
    uint64_t started_ms;
    char token[128];
    const struct yx_metric *owned[8]; /* the workflows' figures (yx_metrics_register) */
    int nowned;
} M;

void yx_metrics_register(const struct yx_metric *table)
{
    if (M.nowned < (int)(sizeof M.owned / sizeof M.owned[0]))
        M.owned[M.nowned++] = table;
}

void yx_metrics_configure(const char *token)
{
    snprintf(M.token, sizeof M.token, "%s", token ? token : "");
    M.started_ms = (uint64_t)yx_now_ms();
}

void yx_metrics_observe(int status, uint64_t ns)
{
    double ms = (double)ns / 1e6;
    M.by_class[status >= 100 && status < 600 ? status / 100 : 0]++;
    size_t b = 0;
    while (b < NBOUNDS && ms > bounds_ms[b])
        b++;
    M.buckets[b]++;
    M.sum_s += ms / 1000;
}

static int allowed(const struct yx_req *r)
{
    if (M.token[0])
        return yx_secret_eq(r->bearer, M.token);
    /* A proxy on this machine (nginx) would make every client look local: a proxied request is not. */
    return !r->proxied && (strcmp(r->addr, "127.0.0.1") == 0 || strcmp(r->addr, "::1") == 0);
}

static long open_fds(void)
{
    long n = 0;
    DIR *d = opendir("/proc/self/fd");
    for (struct dirent *e; d && (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return d ? n - 1 : -1; /* the directory's own descriptor */
}

static long resident_bytes(void)
{
    long pages = 0, rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    int ok = f && fscanf(f, "%ld %ld", &pages, &rss) == 2;
    if (f)
        fclose(f);
    return ok ? rss * sysconf(_SC_PAGESIZE) : -1;
}

static int one(struct yx_buf *b, const char *name, const char *type, const char *help, double v)
{
    return yx_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s %.17g\n", name, help, name, type, name, v);
}

static int metrics(struct yx_req *r)
{
    static const char *const classes[] = {"other", "1xx", "2xx", "3xx", "4xx", "5xx"};
    if (!allowed(r))
        return yx_fail(r, YX_EFORBIDDEN,
                       "Số liệu vận hành chỉ dành cho hệ thống giám sát / the metrics are for the operator's "
                       "monitoring (metrics-token, or from this machine).");
    struct yx_buf b;
    yx_buf_init(&b, 64 * 1024);
    int bad = yx_buf_puts(&b, "# HELP ytexa_http_requests_total API requests answered, by status class.\n"
                              "# TYPE ytexa_http_requests_total counter\n");
    for (int i = 0; !bad && i < 6; i++)
        bad = yx_buf_printf(&b, "ytexa_http_requests_total{class=\"%s\"} %llu\n", classes[i],
                            (unsigned long long)M.by_class[i]);
    bad = bad || yx_buf_puts(&b, "# HELP ytexa_http_request_duration_seconds From a request's arrival to its "
                                 "answer.\n# TYPE ytexa_http_request_duration_seconds histogram\n");
    uint64_t cumulative = 0;
    for (size_t i = 0; !bad && i <= NBOUNDS; i++) {
        cumulative += M.buckets[i];
        char le[24];
        if (i < NBOUNDS)
            snprintf(le, sizeof le, "%g", bounds_ms[i] / 1000);
        else
            snprintf(le, sizeof le, "+Inf");
        bad = yx_buf_printf(&b, "ytexa_http_request_duration_seconds_bucket{le=\"%s\"} %llu\n", le,
                            (unsigned long long)cumulative);
    }
    bad =
        bad || yx_buf_printf(&b, "ytexa_http_request_duration_seconds_sum %.6f\n", M.sum_s) ||
        yx_buf_printf(&b, "ytexa_http_request_duration_seconds_count %llu\n", (unsigned long long)cumulative);
    /* The figures of the parts that registered them (the hub's sockets, the audit queue …). */
    for (int i = 0; !bad && i < M.nowned; i++)
        for (const struct yx_metric *m = M.owned[i]; !bad && m->name; m++)
            bad = one(&b, m->name, m->type, m->help, m->value());
    double groups, writes;
    yx_writes_counts(&groups, &writes);
    bad = bad ||
          one(&b, "ytexa_write_groups_total", "counter",
              "Transactions the writes thread committed, each for a group of write requests (SQLite).",
              groups) ||
          one(&b, "ytexa_writes_grouped_total", "counter", "Write requests run in those groups (SQLite).",
              writes) ||
          one(&b, "ytexa_sqlite_paced_writebacks_total", "counter",
              "Groups of checkpoint pages written back to the SQLite file (0 on PostgreSQL).",
              (double)yx_db_paced_writebacks()) ||
          one(&b, "ytexa_db_round_trips_total", "counter",
              "Round trips to PostgreSQL (statements sent together count once; 0 on SQLite).",
              (double)yx_db_round_trips()) ||
          one(&b, "ytexa_db_statements_total", "counter", "Statements run on PostgreSQL (0 on SQLite).",
              (double)yx_db_statements()) ||
          one(&b, "ytexa_process_start_time_seconds", "gauge", "When this instance started, in Unix time.",
              (double)M.started_ms / 1000) ||
          one(&b, "ytexa_process_resident_memory_bytes", "gauge", "Resident memory.",
              (double)resident_bytes()) ||
          one(&b, "ytexa_process_open_fds", "gauge", "Open file descriptors.", (double)open_fds());
    if (bad) {
        yx_buf_release(&b);
        return YX_ENOMEM;
    }
    size_t len = 0;
    char *text = yx_buf_detach(&b, &len);
    return yx_reply_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
}

const struct yx_route yx_metrics_routes[] = {
    {"GET", "/metrics", metrics, YX_R_PUBLIC | YX_R_LOOP, NULL, NULL, 0, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
