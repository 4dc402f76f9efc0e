/* `ytexa serve`: the one place where the parts of the program are put together. The HTTP server
 * is given its routes and the request pipeline's hooks (sessions and permissions from src/auth,
 * events from src/audit); the figures of /metrics and the workflows' seams are registered; every
 * background job starts before serving and stops after. */
#include <stdio.h>

#include "app.h"
#include "ytexa/audit.h"
#include "ytexa/auth.h"
#include "ytexa/config.h"
#include "ytexa/consult.h"
#include "ytexa/fhir.h"
#include "ytexa/files.h"
#include "ytexa/media.h"
#include "ytexa/notify.h"
#include "ytexa/realtime.h"
#include "ytexa/server.h"
#include "ytexa/training.h"
#include "ytexa/visit.h"

/* The workflows that attach stored files and say who reads them (include/ytexa/files.h):
 * consultations take clinical files, courses take course materials. */
static const struct yx_file_owner *const file_owners[] = {&yx_consult_file_owner, &yx_course_file_owner,
                                                          NULL};
/* The channels of the real-time hub (include/ytexa/realtime.h): a visit's and a case's chat and
 * calls, a live lecture's room, a facility's own (its inbox and queue changing; src/facility).
 * Their order is the one the hub names them in. */
extern const struct yx_channel_kind yx_facility_channel;
static const struct yx_channel_kind *const channel_kinds[] = {
    &yx_visit_channel, &yx_consult_channel, &yx_training_channel, &yx_facility_channel, NULL};

/* What lives exactly as long as the server's loop, started on the loop's thread. The bus posts
 * the other instances' messages to the loop: it starts once posts are taken, and stops when the
 * loop has, before posts are refused. The audit writer takes the events of audited reads; the
 * sealer places recorded events in the chain, and on stopping seals what the writer wrote last. */
static int serving_start(const struct yx_config *cfg)
{
    if (yx_hub_attach(cfg->db_url) != 0) {
        yx_log(YX_LOG_ERROR, "cannot start the hub's bus");
        return YX_EINTERNAL;
    }
    if (yx_audit_writer_start() != 0 || yx_audit_sealer_start() != 0) {
        yx_log(YX_LOG_ERROR, "cannot start the audit writer and sealer");
        yx_audit_writer_stop();
        yx_audit_sealer_stop();
        yx_hub_detach();
        return YX_EINTERNAL;
    }
    return 0;
}

static void serving_stop(void)
{
    yx_hub_detach();
    yx_audit_writer_stop();
    yx_audit_sealer_stop();
}

static int configure(const struct yx_config *cfg)
{
    struct yx_auth_settings s = {cfg->session_idle_s,  cfg->session_max_s,   cfg->cookie_secure,
                                 cfg->login_fail_user, cfg->login_fail_addr, ""};
    int tls = cfg->tls_cert[0] && cfg->tls_key[0];
    if (cfg->public_url[0])
        yx_snprintf(s.public_url, sizeof s.public_url, "%s", cfg->public_url);
    else
        yx_snprintf(s.public_url, sizeof s.public_url, "%s://%s:%d", tls ? "https" : "http", cfg->host,
                    cfg->port);
    for (size_t n = strlen(s.public_url); n && s.public_url[n - 1] == '/'; n--)
        s.public_url[n - 1] = 0;
    yx_auth_configure(&s);
    yx_password_list_load(cfg->password_list); /* a missing file is logged, not fatal */
    if (yx_files_configure(cfg->data_dir, (int64_t)cfg->file_quota_mb * 1024 * 1024) != 0) {
        fprintf(stderr, "ytexa: cannot create the file folders in %s\n", cfg->data_dir);
        return YX_EINTERNAL;
    }
    yx_janus_configure(cfg);
    yx_files_owners(file_owners);
    yx_hub_kinds(channel_kinds);
    /* What a commit announces (yx_live_changed) goes to the hub once the commit is done. */
    yx_db_set_publisher(yx_hub_publish_text);
    yx_metrics_register(yx_hub_metrics());
    yx_metrics_register(yx_audit_metrics());
    yx_metrics_register(yx_files_metrics());
    yx_metrics_register(yx_files_storage_metrics());
    yx_metrics_register(yx_gate_metrics());
    return 0;
}

/* Every answer under /fhir/ is FHIR's JSON, its errors OperationOutcomes (src/fhir/outcome.c), but
 * for the SMART token endpoint's, which are OAuth's, and SMART's discovery (src/auth/smart.c): the first
 * prefix that matches is the request's dialect. */
static const struct yx_api_dialect *const dialects[] = {&yx_oauth_dialect, &yx_smart_discovery_dialect,
                                                        &yx_fhir_dialect, NULL};

/* Stops every background job, in the reverse order of their start; each stop is harmless for a
 * job that never started (a start that failed midway). */
static void stop_jobs(void)
{
    yx_files_storage_watch_stop();
    yx_fhir_exporter_stop();
    yx_files_previews_stop();
    yx_db_checkpointer_stop();
    yx_hub_stop();
    yx_files_sweeper_stop();
    yx_consult_escalator_stop();
    yx_notify_sender_stop();
}

int yx_app_serve(const struct yx_config *cfg)
{
    static struct yx_server_setup setup = {
        .pipeline =
            {
                .authenticate = yx_auth_resolve,
                .permit = yx_route_permits,
                .sessions_changed = yx_auth_forget,
                .audit = yx_audit_request,
                .deferrable = yx_audit_writer_running,
                .defer = yx_audit_defer,
            },
        .start = serving_start,
        .stop = serving_stop,
        .dialects = dialects,
    };
    setup.routes = yx_app_routes();
    if (configure(cfg) != 0)
        return YX_EINTERNAL;
    if (yx_notify_sender_start(cfg) != 0) {
        fprintf(stderr, "ytexa: cannot start the notification sender\n");
        return YX_EINTERNAL;
    }
    if (yx_consult_escalator_start() != 0 || yx_files_sweeper_start() != 0 || yx_hub_start(cfg) != 0 ||
        yx_db_checkpointer_start() != 0 || yx_fhir_exporter_start(cfg->data_dir) != 0 ||
        yx_files_storage_watch_start(cfg->data_dir, (int64_t)cfg->min_free_mb << 20) != 0) {
        fprintf(stderr, "ytexa: cannot start the background jobs\n");
        stop_jobs();
        return YX_EINTERNAL;
    }
    int rc = yx_server_run(cfg, &setup);
    stop_jobs();
    return rc;
}
