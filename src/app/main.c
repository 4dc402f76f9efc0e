/* The ytexa command: serve, migrate, demo, user add, audit verify, reports check and rebuild,
 * backup and restore. */
#include <malloc.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "../reports/rollups.h"
#include "app.h"
#include "ytexa/audit.h"
#include "ytexa/auth.h"
#include "ytexa/config.h"
#include "ytexa/store.h"

static void usage(void)
{
    fprintf(
        stderr,
        "ytexa — telehealth server (y tế từ xa)\n\n"
        "Usage: ytexa <command> [options]\n\n"
        "Commands:\n"
        "  serve          migrate the database, then serve HTTP, WebSocket and the web app\n"
        "  migrate        apply the database migrations and exit\n"
        "  demo           load the demo network and demo accounts (on an empty database)\n"
        "  user add       create an account: user add USERNAME --name NAME --role ROLE [--facility CODE]\n"
        "                 [--licence NO]; the password is read from YTEXA_PASSWORD or one line of stdin\n"
        "  audit verify   check the audit trail's hash chain; exit 1 at the first broken link\n"
        "  reports check  recompute the report rollups from the events and print the keys that differ;\n"
        "                 exit 1 if any [--table NAME]\n"
        "  reports rebuild  replace the report rollups with the recomputed rows, a table a\n"
        "                 transaction [--table NAME]\n"
        "  backup --to FOLDER  copy the database (one snapshot, while serving) and the stored files\n"
        "                 into a new folder, each file checked against its SHA-256\n"
        "  restore --from FOLDER  restore a backup into a data folder without a database; checks\n"
        "                 every file, the counts and the audit chain, and leaves nothing on failure\n"
        "  routes --json  print every route: method, path, who may call it, the body's fields\n\n"
        "Run `ytexa <command> --help` for the options.\n");
}

static int open_db(const struct yx_config *cfg, struct yx_db **db)
{
    char err[512];
    if (strncmp(cfg->db_url, "postgres", 8) != 0)
        mkdir(cfg->data_dir, 0750);
    yx_db_set_url(cfg->db_url);
    if (yx_db_open(cfg->db_url, db, err, sizeof err) != 0) {
        fprintf(stderr, "ytexa: cannot open the database: %s\n", err);
        return 1;
    }
    int applied = 0;
    if (yx_db_migrate(*db, &applied) != 0) {
        fprintf(stderr, "ytexa: migrations failed: %s\n", yx_db_error(*db));
        yx_db_close(*db);
        return 1;
    }
    return 0;
}

static int cmd_serve(struct yx_config *cfg)
{
    struct yx_db *db;
    /* glibc gives freed memory at the top of the heap back to the kernel and asks for it again on
     * the next request: two brk calls per request, each a VM exit on virtual machines. Measured
     * here: /healthz went from ~22k to ~45k req/s without that churn (bench/README.md). */
    mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
    mallopt(M_TOP_PAD, 4 * 1024 * 1024);
    mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
    if (open_db(cfg, &db))
        return 1;
    yx_db_close(db);
    /* Each WebSocket is a descriptor: take all the system allows (20,000 idle sockets is a target). */
    struct rlimit nofile;
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
        nofile.rlim_cur = nofile.rlim_max;
        setrlimit(RLIMIT_NOFILE, &nofile);
    }
    int rc = yx_app_serve(cfg);
    yx_db_thread_close();
    return rc ? 1 : 0;
}

static int cmd_demo(struct yx_config *cfg)
{
    struct yx_db *db;
    if (open_db(cfg, &db))
        return 1;
    int rc = yx_demo_load(db, cfg->demo_password, stdout);
    yx_db_close(db);
    return rc ? 1 : 0;
}

static int cmd_audit_verify(struct yx_config *cfg)
{
    struct yx_db *db;
    struct yx_audit_verdict v;
    if (open_db(cfg, &db))
        return 1;
    int rc = yx_audit_verify(db, &v);
    yx_db_close(db);
    if (rc == 0) {
        printf("audit chain whole: %lld events checked", (long long)v.checked);
        if (v.unsealed)
            printf(", %lld recorded in the last minute still to be sealed", (long long)v.unsealed);
        printf("\n");
        return 0;
    }
    if (rc == YX_ECONFLICT)
        printf("audit chain BROKEN at event %lld: %s (%lld events before it are whole)\n",
               (long long)v.bad_id, v.why, (long long)v.checked);
    else
        fprintf(stderr, "ytexa: cannot read the audit trail: %s\n", yx_err_name(rc));
    return rc == YX_ECONFLICT ? 1 : 2;
}

/* `ytexa reports check` and `ytexa reports rebuild` (docs/operations.md, "Report rollups"): 0 when
 * every table checked agrees or was rebuilt, 1 when a check found a difference or the database
 * failed, 2 for a table that is not a rollup. The check only reads: it runs no migration, so that a
 * newer binary may check the database of an older server still serving it. A rebuild writes the
 * rollups as this binary's triggers keep them, so it first brings the schema to the newest. */
static int cmd_reports(struct yx_config *cfg, int rebuild, const char *table)
{
    struct yx_db *db;
    char err[512];
    long differ = 0;
    if (rebuild && open_db(cfg, &db))
        return 1;
    if (!rebuild) {
        yx_db_set_url(cfg->db_url);
        if (yx_db_open(cfg->db_url, &db, err, sizeof err) != 0) {
            fprintf(stderr, "ytexa: cannot open the database: %s\n", err);
            return 1;
        }
    }
    int rc = rebuild ? yx_report_rollups_rebuild(db, table, stdout)
                     : yx_report_rollups_check(db, table, stdout, &differ);
    if (rc == YX_EDB)
        fprintf(stderr, "ytexa: the rollups could not be %s: %s (%s)\n", rebuild ? "rebuilt" : "checked",
                yx_err_name(rc), yx_db_error(db));
    else if (rc != 0 && rc != YX_ENOTFOUND)
        fprintf(stderr, "ytexa: the rollups could not be %s: %s\n", rebuild ? "rebuilt" : "checked",
                yx_err_name(rc));
    yx_db_close(db);
    return rc == YX_ENOTFOUND ? 2 : rc != 0 || differ > 0 ? 1 : 0;
}

/* Takes `NAME VALUE` (or `NAME=VALUE`) out of a command's options, wherever it stands among them
 * (`--table` of `ytexa reports check|rebuild`, `--to` of backup, `--from` of restore), so that the
 * rest are the usual options; *value stays NULL without it. 0, or -1 (said on stderr) when it has
 * no value or comes twice. */
static int take_option(int *argc, char **argv, int from, const char *name, const char **value)
{
    size_t len = strlen(name);
    for (int i = from; i < *argc;) {
        int eq = strncmp(argv[i], name, len) == 0 && argv[i][len] == '=', n = eq ? 1 : 2;
        if (!eq && strcmp(argv[i], name) != 0) {
            i++;
            continue;
        }
        if (*value || (!eq && i + 1 >= *argc)) {
            fprintf(stderr, "ytexa: %s %s\n", name, *value ? "given twice" : "needs a value");
            return -1;
        }
        *value = eq ? argv[i] + len + 1 : argv[i + 1];
        memmove(argv + i, argv + i + n, (size_t)(*argc - i - n + 1) * sizeof *argv);
        *argc -= n;
    }
    return 0;
}

static int wants_help(int argc, char **argv, int from)
{
    for (int i = from; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    return 0;
}

#if defined(__SANITIZE_ADDRESS__)
/* fontconfig (under pango, for PDFs) keeps its configuration and font patterns for the life of the
 * process and frees them only in FcFini(), which a threaded server cannot call safely; they are
 * reachable caches, not leaks of ours. Every other allocation is still checked. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}
#endif

int main(int argc, char **argv)
{
    struct yx_config cfg;
    char err[512];
    if (sodium_init() < 0) {
        fprintf(stderr, "ytexa: libsodium failed to start\n");
        return 2;
    }
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage();
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1], *table = NULL, *folder = NULL;
    int argi = 2, rebuild = 0;
    if (strcmp(cmd, "routes") == 0)
        return argc == 3 && strcmp(argv[2], "--json") == 0 && yx_app_routes_print(stdout) == 0 ? 0 : 2;
    if ((strcmp(cmd, "user") == 0 && argc > 2 && strcmp(argv[2], "add") == 0) ||
        (strcmp(cmd, "audit") == 0 && argc > 2 && strcmp(argv[2], "verify") == 0))
        argi = 3;
    else if (strcmp(cmd, "reports") == 0 && argc > 2 &&
             (strcmp(argv[2], "check") == 0 || (rebuild = strcmp(argv[2], "rebuild") == 0) != 0)) {
        argi = 3;
        if (take_option(&argc, argv, argi, "--table", &table) != 0)
            return 2;
    } else if (strcmp(cmd, "backup") == 0 || strcmp(cmd, "restore") == 0) {
        const char *name = cmd[0] == 'b' ? "--to" : "--from";
        if (take_option(&argc, argv, argi, name, &folder) != 0)
            return 2;
        if (!folder && !wants_help(argc, argv, argi)) {
            fprintf(stderr, "ytexa: %s needs %s FOLDER\n", cmd, name);
            return 2;
        }
    } else if (strcmp(cmd, "serve") && strcmp(cmd, "migrate") && strcmp(cmd, "demo")) {
        fprintf(stderr, "ytexa: unknown command '%s'\n\n", cmd);
        usage();
        return 2;
    }
    if (wants_help(argc, argv, argi)) {
        usage();
        fprintf(stderr, "\n");
        yx_config_usage();
        return 0;
    }
    if (strcmp(cmd, "user") == 0) {
        /* user add takes its own flags first; the rest are the usual options. */
        int used = yx_user_add_cli(NULL, argc - argi, argv + argi);
        if (used < 0)
            return 2;
        int cfgi = argi + used;
        if (yx_config_load(&cfg, argc, argv, &cfgi, err, sizeof err) != 0 || cfgi != argc) {
            fprintf(stderr, "ytexa: %s\n", cfgi != argc ? "unexpected argument" : err);
            return 2;
        }
        struct yx_db *db;
        yx_password_list_load(cfg.password_list);
        if (open_db(&cfg, &db))
            return 1;
        int rc = yx_user_add_cli(db, argc - argi, argv + argi);
        yx_db_close(db);
        return rc < 0 ? 1 : 0;
    }
    if (yx_config_load(&cfg, argc, argv, &argi, err, sizeof err) != 0) {
        fprintf(stderr, "ytexa: %s\n", err);
        return 2;
    }
    if (argi != argc) {
        fprintf(stderr, "ytexa: unexpected argument '%s'\n", argv[argi]);
        return 2;
    }
    if (strcmp(cfg.log_level, "debug") == 0)
        yx_log_set_level(YX_LOG_DEBUG);
    else if (strcmp(cfg.log_level, "warn") == 0)
        yx_log_set_level(YX_LOG_WARN);
    else if (strcmp(cfg.log_level, "error") == 0)
        yx_log_set_level(YX_LOG_ERROR);
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(&cfg);
    if (strcmp(cmd, "demo") == 0)
        return cmd_demo(&cfg);
    if (strcmp(cmd, "audit") == 0)
        return cmd_audit_verify(&cfg);
    if (strcmp(cmd, "reports") == 0)
        return cmd_reports(&cfg, rebuild, table);
    if (strcmp(cmd, "backup") == 0)
        return yx_backup_cli(&cfg, folder);
    if (strcmp(cmd, "restore") == 0)
        return yx_restore_cli(&cfg, folder);
    struct yx_db *db;
    if (open_db(&cfg, &db))
        return 1;
    yx_db_close(db);
    printf("database is at the newest schema\n");
    return 0;
}
