/* The data folder's free space, watched (docs/operations.md, "A full disk"). A full disk must not
 * take the service down nor damage anything: below --min-free-mb the server refuses new writes
 * (503 storage_full with Retry-After) while reads, sign-ins and the audit events of reads go on in
 * the space kept free; once space returns, writes are taken again by themselves. A write that
 * still meets a full disk (a burst faster than the watch) fails cleanly: SQLite's SQLITE_FULL and
 * PostgreSQL's class 53 are 503 too, and the transaction is rolled back. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/statvfs.h>

#include "files_internal.h"
#include "ytexa/store.h"

static struct {
    char dir[560];
    int64_t min_free;
    _Atomic int64_t free_bytes;
    struct yx_db_job job;
} S = {.free_bytes = -1};

/* Once a second: the free space (for an ordinary user: f_bavail) against the floor. The change is
 * logged once each way, so the operator sees when writes stopped and when they came back. */
static void watch(struct yx_db *db, void *arg)
{
    (void)db, (void)arg;
    struct statvfs v;
    if (statvfs(S.dir, &v) != 0)
        return;
    int64_t free_bytes = (int64_t)v.f_bavail * (int64_t)v.f_frsize;
    int was = yx_storage_low(), low = free_bytes < S.min_free;
    atomic_store(&S.free_bytes, free_bytes);
    yx_storage_low_set(low);
    if (low && !was)
        yx_log(YX_LOG_ERROR, "storage low: %lld MiB free in %s (floor %lld MiB); new writes are refused",
               (long long)(free_bytes >> 20), S.dir, (long long)(S.min_free >> 20));
    else if (!low && was)
        yx_log(YX_LOG_WARN, "storage back: %lld MiB free in %s; writes are taken again",
               (long long)(free_bytes >> 20), S.dir);
}

int yx_files_storage_watch_start(const char *data_dir, int64_t min_free_bytes)
{
    if (yx_snprintf(S.dir, sizeof S.dir, "%s", data_dir) != 0)
        return YX_EINVAL;
    S.min_free = min_free_bytes;
    /* statvfs only: no database connection held for it (on PostgreSQL one per instance). */
    S.job = (struct yx_db_job){.tick = watch, .interval_ms = 1000, .no_db = 1};
    return yx_db_job_start(&S.job);
}

void yx_files_storage_watch_stop(void)
{
    yx_db_job_stop(&S.job);
}

static double free_bytes(void)
{
    return (double)atomic_load(&S.free_bytes);
}

static double low(void)
{
    return yx_storage_low();
}

const struct yx_metric *yx_files_storage_metrics(void)
{
    static const struct yx_metric table[] = {
        {"ytexa_storage_free_bytes", "gauge",
         "Free space in the data folder's file system (-1 before the first look).", free_bytes},
        {"ytexa_storage_low", "gauge",
         "1 while the free space is under --min-free-mb and new writes are refused.", low},
        {NULL, NULL, NULL, NULL},
    };
    return table;
}
