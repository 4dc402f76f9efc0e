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
        job->tick(yx_db_thread(), job->arg);
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
