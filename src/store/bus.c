/* The bus between instances on one PostgreSQL (ytexa/bus.h). One thread owns a connection of its
 * own: it LISTENs on ytexa_hub, waits with poll() on the connection's socket and on an eventfd
 * that yx_bus_publish() signals, and sends what was queued with pg_notify(). The event loop never
 * waits for the database: it only appends to the queue.
 *
 * A notification's payload is one line of header, then the message:
 *     <instance> <to_user> <channel> <spill id, or 0>\n<text>
 * PostgreSQL delivers a session's notifications to that session too, so each instance tags what
 * it sends with a random id and skips its own. A payload must stay under 8000 bytes: a longer
 * message is stored in hub_bus by the same statement that notifies (so the row is committed when
 * the notification arrives), and the notification carries the row's id and no text. Any instance
 * deletes rows older than a minute. */
#include <inttypes.h>
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "ytexa/bus.h"
#include "ytexa/core.h"
#include "ytexa/store.h"

#define NOTIFY_CHANNEL "ytexa_hub"
#define PAYLOAD_MAX 7900 /* PostgreSQL refuses a payload of 8000 bytes or more */
#define QUEUE_MAX_MSGS 4096
#define QUEUE_MAX_BYTES (8u << 20)
#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 30000
#define CONNECT_TIMEOUT_MS 10000
#define SWEEP_EVERY_MS 30000
/* The database's clock in milliseconds: instances whose clocks differ still agree on a row's age. */
#define DB_NOW_MS "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"

struct bus_msg {
    struct bus_msg *next;
    int64_t to_user;
    size_t len;
    char channel[40];
    char text[]; /* len bytes and a NUL */
};

static struct {
    pthread_mutex_t mu;
    struct bus_msg *head, **tail; /* the queue (mu) */
    int queued;                   /* (mu) */
    size_t queued_bytes;          /* (mu) */
    uint64_t dropped;             /* messages that never left (mu) */
    uint64_t dropped_logged;      /* how many of them the log has told of (mu) */
    int open, stopping;           /* (mu) */
    int wake;                     /* eventfd: something was queued, or the bus stops */
    pthread_t thread;
    char *url;
    yx_bus_handler on_message;
    void *arg;
    char instance[17];
    PGconn *conn; /* the bus thread's only */
} B = {.mu = PTHREAD_MUTEX_INITIALIZER, .tail = &B.head, .wake = -1};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int stopping(void)
{
    pthread_mutex_lock(&B.mu);
    int s = B.stopping;
    pthread_mutex_unlock(&B.mu);
    return s;
}

static void wake_up(void)
{
    uint64_t one = 1;
    if (write(B.wake, &one, sizeof one) < 0) {
        /* The counter is full, so the thread has a wake-up waiting already. */
    }
}

/* Waits at most ms for fd (-1: none) to be ready for events, or for a wake-up, which it consumes.
 * Returns whether fd is ready. */
static int wait_for(int fd, short events, int ms)
{
    struct pollfd p[2] = {{B.wake, POLLIN, 0}, {fd, events, 0}};
    uint64_t n;
    if (poll(p, fd >= 0 ? 2 : 1, ms < 0 ? 0 : ms) <= 0)
        return 0;
    if (p[0].revents && read(B.wake, &n, sizeof n) < 0) {
        /* Another wait consumed it. */
    }
    return fd >= 0 && p[1].revents != 0;
}

/* Sleeps ms, or less when the bus stops. */
static void pause_ms(int ms)
{
    int64_t until = mono_ms() + ms;
    for (int64_t left = ms; left > 0 && !stopping(); left = until - mono_ms())
        wait_for(-1, 0, (int)left);
}

/* The oldest queued message, taken off the queue (caller holds mu). */
static struct bus_msg *pop_locked(void)
{
    struct bus_msg *m = B.head;
    if (!m)
        return NULL;
    B.head = m->next;
    if (!B.head)
        B.tail = &B.head;
    B.queued--;
    B.queued_bytes -= m->len;
    return m;
}

static void count_dropped(uint64_t n)
{
    pthread_mutex_lock(&B.mu);
    B.dropped += n;
    pthread_mutex_unlock(&B.mu);
}

/* Tells the log how many messages were lost since it last did. */
static void log_dropped(void)
{
    pthread_mutex_lock(&B.mu);
    uint64_t n = B.dropped - B.dropped_logged;
    B.dropped_logged = B.dropped;
    pthread_mutex_unlock(&B.mu);
    if (n)
        yx_log(YX_LOG_WARN, "bus: %llu messages were not sent to the other instances", (unsigned long long)n);
}

/* Logs what failed with the first line of libpq's message (the rest is advice for psql users). */
static void log_pg(const char *what, PGconn *c)
{
    const char *m = c ? PQerrorMessage(c) : "out of memory";
    size_t n = strcspn(m, "\n");
    while (n && m[n - 1] == ' ')
        n--;
    yx_log(YX_LOG_WARN, "bus: %s: %.*s", what, (int)(n < 500 ? n : 500), m);
}

static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Connects without blocking, so that stopping the bus never waits for an unreachable server. */
static PGconn *connect_db(void)
{
    /* The URL may choose its keepalives; the application name marks the bus's connections in
     * pg_stat_activity, and every string exchanged is UTF-8. */
    const char *keys[] = {"tcp_user_timeout", "keepalives_idle", "dbname",
                          "application_name", "client_encoding", NULL};
    const char *vals[] = {"10000", "30", B.url, "ytexa-bus", "UTF8", NULL};
    PGconn *c = PQconnectStartParams(keys, vals, 1);
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    int64_t deadline = mono_ms() + CONNECT_TIMEOUT_MS;
    while (c && PQstatus(c) != CONNECTION_BAD && st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED &&
           mono_ms() < deadline && !stopping())
        if (wait_for(PQsocket(c), st == PGRES_POLLING_READING ? POLLIN : POLLOUT,
                     (int)(deadline - mono_ms())))
            st = PQconnectPoll(c);
    if (c && st == PGRES_POLLING_OK) {
        PQsetNoticeProcessor(c, ignore_notice, NULL);
        return c;
    }
    int failed = !c || PQstatus(c) == CONNECTION_BAD || st == PGRES_POLLING_FAILED;
    if (!stopping())
        log_pg(failed ? "cannot connect to PostgreSQL" : "connecting to PostgreSQL timed out", c);
    PQfinish(c);
    return NULL;
}

/* 0 when r has the status wanted; YX_EUNAVAIL when the connection is lost, YX_EDB (logged) for
 * another failure. Clears r. */
static int result_rc(PGresult *r, ExecStatusType want, const char *what)
{
    int rc = 0;
    if (PQresultStatus(r) != want) {
        rc = PQstatus(B.conn) != CONNECTION_OK ? YX_EUNAVAIL : YX_EDB;
        if (rc == YX_EDB)
            log_pg(what, B.conn);
    }
    PQclear(r);
    return rc;
}

/* Sends m to the other instances: inline when it fits in a notification, through hub_bus when
 * it does not. */
static int send_one(const struct bus_msg *m)
{
    char head[96];
    int rc = YX_ENOMEM;
    struct yx_buf payload;
    yx_buf_init(&payload, PAYLOAD_MAX);
    yx_snprintf(head, sizeof head, "%s %" PRId64 " %s", B.instance, m->to_user, m->channel);
    if (yx_buf_printf(&payload, "%s 0\n", head) == 0 && yx_buf_append(&payload, m->text, m->len) == 0) {
        const char *v[] = {payload.data};
        rc = result_rc(
            PQexecParams(B.conn, "SELECT pg_notify('" NOTIFY_CHANNEL "', $1)", 1, NULL, v, NULL, NULL, 0),
            PGRES_TUPLES_OK, "cannot notify");
    } else {
        const char *v[] = {m->text, head};
        rc = result_rc(PQexecParams(B.conn,
                                    "WITH s AS (INSERT INTO hub_bus (body, created_at) VALUES ($1, " DB_NOW_MS
                                    ") RETURNING id) SELECT pg_notify('" NOTIFY_CHANNEL
                                    "', $2 || ' ' || id || E'\\n') FROM s",
                                    2, NULL, v, NULL, NULL, 0),
                       PGRES_TUPLES_OK, "cannot store a long message");
    }
    yx_buf_release(&payload);
    return rc;
}

/* Hands one notification of another instance to the handler, reading a long message from
 * hub_bus first. YX_EUNAVAIL when the connection is lost. */
static int receive(const PGnotify *n)
{
    char instance[17], channel[40];
    long long to_user, spill;
    const char *text = strchr(n->extra, '\n');
    if (!text ||
        sscanf(n->extra, "%16[0-9a-f] %lld %39[^ \n] %lld", instance, &to_user, channel, &spill) != 4) {
        yx_log(YX_LOG_WARN, "bus: a notification that is not ytexa's was ignored");
        return 0;
    }
    if (strcmp(instance, B.instance) == 0)
        return 0;
    if (!spill) {
        B.on_message(channel, (int64_t)to_user, text + 1, B.arg);
        return 0;
    }
    char id[24];
    yx_snprintf(id, sizeof id, "%lld", spill);
    const char *v[] = {id};
    PGresult *r = PQexecParams(B.conn, "SELECT body FROM hub_bus WHERE id = $1", 1, NULL, v, NULL, NULL, 0);
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        B.on_message(channel, (int64_t)to_user, PQgetvalue(r, 0, 0), B.arg);
    else if (PQresultStatus(r) == PGRES_TUPLES_OK)
        yx_log(YX_LOG_WARN, "bus: long message %lld was deleted before it was read", spill);
    return result_rc(r, PGRES_TUPLES_OK, "cannot read a long message");
}

/* Handles the notifications libpq has read so far. */
static int receive_all(void)
{
    PGnotify *n;
    int rc = 0;
    while (rc != YX_EUNAVAIL && (n = PQnotifies(B.conn))) {
        rc = receive(n);
        PQfreemem(n);
    }
    return rc == YX_EUNAVAIL ? rc : 0;
}

/* Sends the queue, oldest first. A message whose statement failed is lost and counted. */
static int send_queued(void)
{
    for (;;) {
        pthread_mutex_lock(&B.mu);
        struct bus_msg *m = pop_locked();
        pthread_mutex_unlock(&B.mu);
        if (!m)
            return 0;
        int rc = send_one(m);
        free(m);
        if (rc)
            count_dropped(1);
        if (rc == YX_EUNAVAIL || (rc = receive_all()) != 0)
            return rc;
    }
}

/* Sends, receives and sweeps until the connection fails (YX_EUNAVAIL) or the bus stops (0). */
static int serve(void)
{
    int64_t next_sweep = mono_ms();
    for (;;) {
        int rc = send_queued();
        if (rc || stopping())
            return rc;
        if (mono_ms() >= next_sweep) {
            rc = result_rc(PQexec(B.conn, "DELETE FROM hub_bus WHERE created_at < " DB_NOW_MS " - 60000"),
                           PGRES_COMMAND_OK, "cannot delete old long messages");
            if (rc == YX_EUNAVAIL)
                return rc;
            next_sweep = mono_ms() + SWEEP_EVERY_MS;
        }
        /* A statement's answer may have brought notifications that libpq read but did not parse;
         * the socket would not tell of them again. */
        if ((rc = receive_all()) != 0)
            return rc;
        if (wait_for(PQsocket(B.conn), POLLIN, (int)(next_sweep - mono_ms()))) {
            if (!PQconsumeInput(B.conn) || PQstatus(B.conn) != CONNECTION_OK)
                return YX_EUNAVAIL;
            if ((rc = receive_all()) != 0)
                return rc;
        }
    }
}

static int start_listening(void)
{
    if (!(B.conn = connect_db()))
        return YX_EUNAVAIL;
    if (result_rc(PQexec(B.conn, "LISTEN " NOTIFY_CHANNEL), PGRES_COMMAND_OK, "cannot listen") != 0)
        return YX_EUNAVAIL;
    yx_log(YX_LOG_INFO, "bus: instance %s listening on PostgreSQL", B.instance);
    log_dropped();
    return 0;
}

/* Connects, serves, and after a failure connects again, waiting longer each time (up to 30 s)
 * unless the last connection had been up for a while. */
static void *bus_main(void *unused)
{
    (void)unused;
    int delay = 0;
    while (!stopping()) {
        pause_ms(delay);
        if (stopping())
            break;
        int64_t since = mono_ms();
        if (start_listening() == 0 && serve() == 0)
            break;
        if (B.conn && !stopping())
            log_pg("lost the connection to PostgreSQL; connecting again", B.conn);
        PQfinish(B.conn);
        B.conn = NULL;
        delay = mono_ms() - since > 10000 ? BACKOFF_MIN_MS : delay * 2;
        delay = delay < BACKOFF_MIN_MS ? BACKOFF_MIN_MS : delay > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : delay;
    }
    PQfinish(B.conn);
    B.conn = NULL;
    return NULL;
}

int yx_bus_start(const char *db_url, yx_bus_handler on_message, void *arg)
{
    int rc = YX_ENOMEM;
    uint8_t id[8];
    if (!db_url || !yx_db_url_is_postgres(db_url))
        return 0;
    if (yx_bus_active())
        return YX_EINTERNAL;
    yx_random(id, sizeof id);
    yx_hex(id, sizeof id, B.instance);
    B.on_message = on_message;
    B.arg = arg;
    B.dropped = B.dropped_logged = 0;
    if (!(B.url = strdup(db_url)))
        goto out;
    rc = YX_EINTERNAL;
    if ((B.wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0)
        goto out;
    B.stopping = 0;
    if (pthread_create(&B.thread, NULL, bus_main, NULL) != 0)
        goto out;
    pthread_mutex_lock(&B.mu);
    B.open = 1;
    pthread_mutex_unlock(&B.mu);
    rc = 0;
out:
    if (rc) {
        if (B.wake >= 0)
            close(B.wake);
        B.wake = -1;
        free(B.url);
        B.url = NULL;
    }
    return rc;
}

void yx_bus_publish(const char *channel, int64_t to_user, const char *text)
{
    if (!yx_bus_active())
        return;
    size_t len = strlen(text);
    struct bus_msg *m = malloc(sizeof *m + len + 1), *old;
    if (!m || yx_snprintf(m->channel, sizeof m->channel, "%s", channel) != 0) {
        free(m);
        return;
    }
    m->next = NULL;
    m->to_user = to_user;
    m->len = len;
    memcpy(m->text, text, len + 1);
    pthread_mutex_lock(&B.mu);
    int open = B.open;
    /* While the database is unreachable the queue keeps the newest messages. */
    while (open && B.head && (B.queued >= QUEUE_MAX_MSGS || B.queued_bytes + len > QUEUE_MAX_BYTES)) {
        old = pop_locked();
        free(old);
        B.dropped++;
    }
    /* Woken under the lock: once yx_bus_stop() has seen the bus open, no one writes to the
     * eventfd it closes. */
    if (open) {
        *B.tail = m;
        B.tail = &m->next;
        B.queued++;
        B.queued_bytes += len;
        wake_up();
    }
    pthread_mutex_unlock(&B.mu);
    if (!open)
        free(m);
}

uint64_t yx_bus_dropped(void)
{
    pthread_mutex_lock(&B.mu);
    uint64_t n = B.dropped;
    pthread_mutex_unlock(&B.mu);
    return n;
}

int yx_bus_active(void)
{
    pthread_mutex_lock(&B.mu);
    int open = B.open;
    pthread_mutex_unlock(&B.mu);
    return open;
}

void yx_bus_stop(void)
{
    pthread_mutex_lock(&B.mu);
    int was_open = B.open;
    B.open = 0;
    B.stopping = 1;
    pthread_mutex_unlock(&B.mu);
    if (!was_open)
        return;
    wake_up();
    pthread_join(B.thread, NULL);
    pthread_mutex_lock(&B.mu);
    for (struct bus_msg *m; (m = pop_locked());) {
        free(m);
        B.dropped++;
    }
    pthread_mutex_unlock(&B.mu);
    log_dropped();
    close(B.wake);
    B.wake = -1;
    free(B.url);
    B.url = NULL;
}
