/* Background jobs with a database connection of their own (include/ytexa/store.h). The wait is a
 * condition variable on the real-time clock, so stopping a job is prompt. */
#include <time.h>

#include "ytexa/core.h"
#include "ytexa/store.h"

static void *job_main(void *p)
{
    struct yx_db_job *job = p;
    pthread_mutex_lock(&job->mu);
    while (!job->stopping) {
        pthread_mutex_unlock(&job->mu);
        job->tick(job->no_db ? NULL : yx_db_thread(), job->arg);
        pthread_mutex_lock(&job->mu);
        if (job->stopping)
            break;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += job->interval_ms / 1000;
        until.tv_nsec += (long)(job->interval_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&job->cv, &job->mu, &until);
    }
    pthread_mutex_unlock(&job->mu);
    yx_db_thread_close();
    return NULL;
}

int yx_db_job_start(struct yx_db_job *job)
{
    pthread_mutex_init(&job->mu, NULL);
    pthread_cond_init(&job->cv, NULL);
    job->stopping = 0;
    if (pthread_create(&job->thread, NULL, job_main, job) != 0)
        return YX_EINTERNAL;
    job->running = 1;
    return 0;
}

void yx_db_job_stop(struct yx_db_job *job)
{
    if (!job->running)
        return;
    pthread_mutex_lock(&job->mu);
    job->stopping = 1;
    pthread_cond_signal(&job->cv);
    pthread_mutex_unlock(&job->mu);
    pthread_join(job->thread, NULL);
    job->running = 0;
}

/* SQLite's checkpoints, off the request path. By default the connection whose commit takes the
 * WAL past 1,000 pages copies it back into the database file and syncs that, inside its commit:
 * under load that was the audit writer, and every read waiting on it stalled for tens of ms (p99
 * of a patient read 78–234 ms against 16 ms without). Here a thread of its own copies the WAL back
 * four times a second without waiting for readers or writers (PASSIVE); the connections still
 * checkpoint by themselves past 16,384 pages, should this thread fall behind. */
static void checkpoint(struct yx_db *db, void *arg)
{
    (void)arg;
    if (db && yx_db_dialect(db) == YX_SQLITE)
        YX_DB_Q0(db, NULL, "PRAGMA wal_checkpoint(PASSIVE)");
}

static struct yx_db_job checkpointer;

int yx_db_checkpointer_start(void)
{
    const char *url = yx_db_url();
    if (!url || yx_db_url_is_postgres(url))
        return 0;
    checkpointer = (struct yx_db_job){.tick = checkpoint, .interval_ms = 250};
    return yx_db_job_start(&checkpointer);
}

void yx_db_checkpointer_stop(void)
{
    yx_db_job_stop(&checkpointer);
}
