/* `ytexa backup` and `ytexa restore` (docs/operations.md, "Backup and restore").
 *
 * A backup is a folder: the database as one snapshot taken while the server keeps serving
 * (SQLite's online backup API), every stored file that snapshot names, each checked against its
 * SHA-256 as it is copied, and manifest.json with what is in it. A restore goes into a data folder
 * that holds no database yet: it copies the database under a temporary name, checks it (SQLite's
 * integrity check, the counts of the manifest), copies and checks every file, verifies the audit
 * chain, and only then gives the database its name; when a check fails it removes what it wrote.
 * On PostgreSQL the database goes through pg_dump and pg_restore, and these commands carry the
 * files and the manifest alone. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "ytexa/audit.h"
#include "ytexa/config.h"
#include "ytexa/store.h"

/* What the manifest counts: the tables a drill compares after a restore. */
static const char *const COUNTED[] = {"patients",      "consents",   "visits",           "vitals",
                                      "prescriptions", "consults",   "consult_opinions", "files",
                                      "chat_messages", "attendance", "audit_events",     NULL};

/* 1 when path does not exist or is an empty folder, 0 when it holds something, -1 when it is not
 * a folder or cannot be read. */
static int empty_dir(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return errno == ENOENT ? 1 : -1;
    int empty = 1;
    for (struct dirent *e; empty && (e = readdir(d));)
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    return empty;
}

/* A new name in a folder is durable only once the folder itself is synced. */
static int sync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int ok = fd >= 0 && fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    return ok ? 0 : YX_EINTERNAL;
}

static int valid_sha(const char *s)
{
    if (!s || strlen(s) != 64)
        return 0;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return 0;
    return 1;
}

/* Copies from into a new file to (never over an existing one), hashing the bytes on the way, and
 * syncs it: sha gets the hex SHA-256 of what was copied, *bytes grows by its size. */
static int copy_hashed(const char *from, const char *to, char sha[65], int64_t *bytes)
{
    int rc = YX_EINTERNAL, in = open(from, O_RDONLY | O_CLOEXEC);
    int out = in < 0 ? -1 : open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char buf[1 << 16], md[32];
    ssize_t n = -1;
    if (out < 0 || !ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
        goto out;
    while ((n = read(in, buf, sizeof buf)) > 0) {
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(out, buf + done, (size_t)(n - done));
            if (w <= 0)
                goto out;
            done += w;
        }
        if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1)
            goto out;
        *bytes += n;
    }
    if (n != 0 || fsync(out) != 0 || EVP_DigestFinal_ex(ctx, md, NULL) != 1)
        goto out;
    for (int i = 0; i < 32; i++)
        snprintf(sha + 2 * i, 3, "%02x", md[i]);
    rc = 0;
out:
    EVP_MD_CTX_free(ctx);
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) != 0)
        rc = YX_EINTERNAL;
    return rc;
}

/* <root>/files/<ab>/<sha>, as src/files/store.c lays the files out; make_dir creates the two
 * folders above it. */
static void blob_path(char *out, size_t n, const char *root, const char *sha, int make_dir)
{
    if (make_dir) {
        snprintf(out, n, "%s/files", root);
        mkdir(out, 0750);
        snprintf(out, n, "%s/files/%.2s", root, sha);
        mkdir(out, 0750);
    }
    snprintf(out, n, "%s/files/%.2s/%s", root, sha, sha);
}

/* Copies every stored file db names from one data folder to another, each checked against the hash
 * that is its name. *copied counts them; a file whose bytes do not match is said on stderr and
 * stops the copy with YX_ECONFLICT. wrote, when given, gets each path written (for removal). */
static int copy_files(struct yx_db *db, const char *from, const char *to, long *copied, int64_t *bytes,
                      void (*wrote)(const char *path))
{
    struct yx_rows *rows = NULL;
    char src[700], dst[700], dir[700], sha[65];
    int rc = YX_DB_Q0(db, &rows, "SELECT DISTINCT sha256 FROM files ORDER BY sha256");
    for (int i = 0; rc == 0 && i < rows->nrows; i++) {
        const char *want = yx_rows_get(rows, i, 0);
        if (!valid_sha(want)) {
            fprintf(stderr, "ytexa: a stored file has no valid hash in the database: '%s'\n",
                    want ? want : "");
            rc = YX_ECONFLICT;
            break;
        }
        blob_path(src, sizeof src, from, want, 0);
        blob_path(dst, sizeof dst, to, want, 1);
        if ((rc = copy_hashed(src, dst, sha, bytes)) != 0) {
            fprintf(stderr, "ytexa: cannot copy %s to %s: %s\n", src, dst, strerror(errno));
            break;
        }
        if (wrote)
            wrote(dst);
        if (strcmp(sha, want) != 0) {
            fprintf(stderr, "ytexa: %s does not match its hash (its bytes hash to %s)\n", src, sha);
            rc = YX_ECONFLICT;
            break;
        }
        snprintf(dir, sizeof dir, "%s/files/%.2s", to, want);
        rc = sync_dir(dir);
        (*copied)++;
    }
    yx_rows_free(rows);
    if (rc == 0) {
        snprintf(dir, sizeof dir, "%s/files", to);
        mkdir(dir, 0750);
        rc = sync_dir(dir);
    }
    return rc;
}

/* The rows of each counted table, as a JSON object. */
static json_t *count_rows(struct yx_db *db)
{
    json_t *counts = json_object();
    char sql[80];
    for (int i = 0; counts && COUNTED[i]; i++) {
        struct yx_rows *rows = NULL;
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", COUNTED[i]);
        if (YX_DB_Q0(db, &rows, sql) != 0 || rows->nrows != 1) {
            yx_rows_free(rows);
            json_decref(counts);
            return NULL;
        }
        json_object_set_new(counts, COUNTED[i], json_integer(yx_rows_int(rows, 0, 0)));
        yx_rows_free(rows);
    }
    return counts;
}

static int open_quiet(const char *url, struct yx_db **db)
{
    char err[512];
    if (yx_db_open(url, db, err, sizeof err) == 0)
        return 0;
    fprintf(stderr, "ytexa: cannot open the database %s: %s\n", url, err);
    return YX_EDB;
}

static void print_counts(const json_t *counts)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)counts, k, v) printf(" %s %lld", k, (long long)json_integer_value(v));
    printf("\n");
}

int yx_backup_cli(const struct yx_config *cfg, const char *to)
{
    char path[700], part[700];
    struct yx_db *live = NULL, *copy = NULL;
    json_t *manifest = NULL, *counts = NULL;
    long files = 0;
    int64_t bytes = 0, started = yx_now_ms();
    int pg = yx_db_url_is_postgres(cfg->db_url), rc = 2;
    int empty = empty_dir(to);
    if (empty != 1) {
        fprintf(stderr, "ytexa: %s %s\n", to,
                empty == 0 ? "is not empty: a backup goes into a new folder"
                           : "is not a folder that can be read");
        return 2;
    }
    if (mkdir(to, 0750) != 0 && errno != EEXIST) {
        fprintf(stderr, "ytexa: cannot create %s: %s\n", to, strerror(errno));
        return 2;
    }
    rc = 1;
    if (open_quiet(cfg->db_url, &live) != 0)
        goto out;
    if (!pg) {
        snprintf(part, sizeof part, "%s/ytexa.db.part", to);
        snprintf(path, sizeof path, "%s/ytexa.db", to);
        if (yx_db_backup(live, part) != 0 || rename(part, path) != 0 || sync_dir(to) != 0) {
            fprintf(stderr, "ytexa: the database could not be copied into %s\n", to);
            goto out;
        }
        if (open_quiet(path, &copy) != 0)
            goto out;
    }
    /* The files the snapshot names: a file stored after it is not in the backup, and none it names
     * can be missing, since a file's bytes are on disk before its row commits and never removed. */
    struct yx_db *named = pg ? live : copy;
    if (!(counts = count_rows(named)) || copy_files(named, cfg->data_dir, to, &files, &bytes, NULL) != 0)
        goto out;
    manifest = json_pack("{s:i,s:s,s:I,s:O,s:{s:I,s:I}}", "format", 1, "engine", pg ? "postgresql" : "sqlite",
                         "created_at", (json_int_t)started, "counts", counts, "files", "count",
                         (json_int_t)files, "bytes", (json_int_t)bytes);
    snprintf(path, sizeof path, "%s/manifest.json", to);
    int fd = manifest ? open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640) : -1;
    int ok = fd >= 0 && json_dumpfd(manifest, fd, JSON_INDENT(2) | JSON_SORT_KEYS) == 0 && fsync(fd) == 0;
    if (fd >= 0 && close(fd) != 0)
        ok = 0;
    if (!ok || sync_dir(to) != 0) {
        fprintf(stderr, "ytexa: cannot write %s\n", path);
        goto out;
    }
    printf("backup written to %s in %.1f s:", to, (double)(yx_now_ms() - started) / 1000);
    print_counts(counts);
    printf("  %ld stored files, %lld bytes, each checked against its SHA-256\n", files, (long long)bytes);
    if (pg)
        printf("  PostgreSQL: the database itself is not in this folder; dump it with pg_dump -Fc "
               "(docs/operations.md, \"Backup and restore\")\n");
    rc = 0;
out:
    json_decref(manifest);
    json_decref(counts);
    if (copy)
        yx_db_close(copy);
    if (live)
        yx_db_close(live);
    return rc;
}

/* What a failed restore wrote, removed on the way out (the folders it made stay, empty). */
static struct {
    char paths[4096][160];
    int n, overflow;
} written;

static void remember(const char *path)
{
    if (written.n < (int)(sizeof written.paths / sizeof written.paths[0]) &&
        strlen(path) < sizeof written.paths[0])
        snprintf(written.paths[written.n++], sizeof written.paths[0], "%s", path);
    else
        written.overflow = 1;
}

#define MANIFEST_MAX (64 * 1024)

/* Reads and checks the backup's manifest; *counts gets its counts (a new reference). */
static int read_manifest(const char *from, json_t **counts, int *pg)
{
    char path[700];
    json_error_t jerr;
    snprintf(path, sizeof path, "%s/manifest.json", from);
    /* A manifest is a few hundred bytes; a folder that holds a huge one is not a backup, and it is
     * refused before it is read. */
    struct stat st;
    if (stat(path, &st) == 0 && st.st_size > MANIFEST_MAX) {
        fprintf(stderr, "ytexa: %s is not a ytexa backup's manifest (%lld bytes, at most %d)\n", path,
                (long long)st.st_size, MANIFEST_MAX);
        return YX_EINVAL;
    }
    json_t *m = json_load_file(path, 0, &jerr);
    json_t *c = m ? json_object_get(m, "counts") : NULL;
    const char *engine = m ? json_string_value(json_object_get(m, "engine")) : NULL;
    if (!m || json_integer_value(json_object_get(m, "format")) != 1 || !json_is_object(c) || !engine) {
        fprintf(stderr, "ytexa: %s is not a ytexa backup's manifest (%s)\n", path,
                m ? "unknown format" : jerr.text);
        json_decref(m);
        return YX_EINVAL;
    }
    *pg = strcmp(engine, "postgresql") == 0;
    *counts = json_incref(c);
    json_decref(m);
    return 0;
}

/* The restored database against the manifest: whole, the same counts, the audit chain intact. */
static int check_restored(struct yx_db *db, const json_t *want)
{
    struct yx_rows *rows = NULL;
    struct yx_audit_verdict v;
    int rc = YX_DB_Q0(db, &rows, "PRAGMA integrity_check");
    if (rc != 0 || rows->nrows != 1 || strcmp(yx_rows_get(rows, 0, 0), "ok") != 0) {
        fprintf(stderr, "ytexa: the backup's database is damaged (integrity check: %s)\n",
                rc == 0 && rows->nrows ? yx_rows_get(rows, 0, 0) : "failed");
        yx_rows_free(rows);
        return YX_ECONFLICT;
    }
    yx_rows_free(rows);
    json_t *got = count_rows(db);
    if (!got || !json_equal(got, (json_t *)want)) {
        fprintf(stderr, "ytexa: the backup's database does not hold what its manifest counts\n");
        json_decref(got);
        return YX_ECONFLICT;
    }
    json_decref(got);
    if ((rc = yx_audit_verify(db, &v)) != 0) {
        fprintf(stderr, "ytexa: the backup's audit chain is broken at event %lld: %s\n", (long long)v.bad_id,
                v.why);
        return YX_ECONFLICT;
    }
    printf("  audit chain whole: %lld events checked\n", (long long)v.checked);
    return 0;
}

int yx_restore_cli(const struct yx_config *cfg, const char *from)
{
    char src[700], part[700];
    struct yx_db *db = NULL;
    json_t *counts = NULL;
    long files = 0;
    int64_t bytes = 0, started = yx_now_ms();
    int pg = 0, rc = 2, db_pg = yx_db_url_is_postgres(cfg->db_url);
    written.n = written.overflow = 0;
    if (read_manifest(from, &counts, &pg) != 0)
        return 2;
    if (pg != db_pg) {
        fprintf(stderr, "ytexa: the backup is of a %s database; this server is set for %s\n",
                pg ? "PostgreSQL" : "SQLite", db_pg ? "PostgreSQL" : "SQLite");
        goto out;
    }
    if (!pg && access(cfg->db_url, F_OK) == 0) {
        fprintf(stderr, "ytexa: %s exists: a restore goes into a data folder without a database\n",
                cfg->db_url);
        goto out;
    }
    mkdir(cfg->data_dir, 0750);
    rc = 1;
    if (!pg) {
        snprintf(src, sizeof src, "%s/ytexa.db", from);
        snprintf(part, sizeof part, "%s.restoring", cfg->db_url);
        if (copy_hashed(src, part, (char[65]){0}, &bytes) != 0) {
            fprintf(stderr, "ytexa: cannot copy %s to %s: %s\n", src, part, strerror(errno));
            goto out;
        }
        remember(part);
        bytes = 0;
        if (open_quiet(part, &db) != 0 || check_restored(db, counts) != 0)
            goto out;
    } else if (open_quiet(cfg->db_url, &db) != 0) {
        goto out;
    }
    if (copy_files(db, from, cfg->data_dir, &files, &bytes, remember) != 0)
        goto out;
    yx_db_close(db);
    db = NULL;
    if (!pg && (rename(part, cfg->db_url) != 0 || sync_dir(cfg->data_dir) != 0)) {
        fprintf(stderr, "ytexa: cannot put the database in place at %s\n", cfg->db_url);
        goto out;
    }
    written.n = 0;
    printf("restored into %s in %.1f s:", cfg->data_dir, (double)(yx_now_ms() - started) / 1000);
    print_counts(counts);
    printf("  %ld stored files, %lld bytes, each checked against its SHA-256\n", files, (long long)bytes);
    rc = 0;
out:
    if (db)
        yx_db_close(db);
    for (int i = 0; i < written.n; i++)
        unlink(written.paths[i]);
    if (rc == 1 && written.overflow)
        fprintf(stderr, "ytexa: some of the files written before the failure are still in %s/files\n",
                cfg->data_dir);
    json_decref(counts);
    return rc;
}
