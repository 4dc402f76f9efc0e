/* Resumable uploads, tus 1.0 (https://tus.io/protocols/resumable-upload): creation, HEAD for the
 * offset, PATCH to append, termination. A chunk is on disk (fdatasync) before the offset moves,
 * and the offset is in the database, so a client cut off — or a server killed — goes on from the
 * last acknowledged byte. The chunk that brings the file's first bytes is checked before it is
 * written: type from the content against the allow list, the declared length against the type's
 * limit, an image's pixels; a refused upload's bytes are dropped at once. The last chunk turns
 * the upload into a file: SHA-256, the same checks over the whole file, the facility's quota.
 * Writing and hashing happen outside the database's write transaction, under a lock on the
 * upload's own file. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files_internal.h"
#include "ytexa/auth.h"

#define MAX_UPLOAD (500LL * 1024 * 1024)
#define UPLOAD_TTL_MS (7 * 24 * 3600 * 1000LL)

struct upload {
    char id[33];
    int64_t length, received, file_id;
    char name[201], purpose[16];
    char refused[32]; /* why the upload was refused, or "" */
};

int yx_files_tus_version_ok(const char *v)
{
    return v && strcmp(v, "1.0.0") == 0;
}

static int tus_version(struct yx_req *r)
{
    yx_reply_header(r, "tus-resumable", "1.0.0");
    if (!yx_files_tus_version_ok(yx_header(r, "tus-resumable")))
        return yx_fail(r, YX_EPRECOND,
                       "Cần tiêu đề Tus-Resumable: 1.0.0 (máy chủ dùng tus 1.0.0) / Send Tus-Resumable: "
                       "1.0.0 (this server speaks tus 1.0.0).");
    return 0;
}

int64_t yx_files_tus_number(const char *v)
{
    if (!v || !*v || strlen(v) > 15 || strspn(v, "0123456789") != strlen(v))
        return -1;
    return strtoll(v, NULL, 10);
}

int yx_files_tus_length(const char *v, int64_t *length)
{
    *length = yx_files_tus_number(v);
    if (*length <= 0)
        return YX_EINVAL;
    return *length > MAX_UPLOAD ? YX_ETOOBIG : 0;
}

int yx_files_tus_chunk(const char *type, const char *offset, int64_t length, int64_t received, int complete,
                       size_t n)
{
    if (!type || strcmp(type, "application/offset+octet-stream") != 0)
        return YX_EMEDIA;
    int64_t at = yx_files_tus_number(offset);
    if (at < 0)
        return YX_EINVAL;
    if (at != received || complete)
        return YX_ECONFLICT;
    return (int64_t)n > length - received ? YX_ETOOBIG : 0;
}

int yx_files_tus_metadata(const char *m, const char *key, char *out, size_t cap)
{
    size_t k = strlen(key);
    for (const char *p = m ? m : ""; *p; p += strspn(p, ", ")) {
        size_t n = strcspn(p, ",");
        if (n > k + 1 && strncmp(p, key, k) == 0 && p[k] == ' ') {
            size_t len = 0;
            if (n - k - 1 > 2 * cap ||
                sodium_base642bin((unsigned char *)out, cap - 1, p + k + 1, n - k - 1, NULL, &len, NULL,
                                  sodium_base64_VARIANT_ORIGINAL) != 0 ||
                memchr(out, '\0', len))
                return -1;
            out[len] = '\0';
            return 1;
        }
        p += n;
    }
    return 0;
}

/* The "filename" of Upload-Metadata, into name. */
static int metadata_name(struct yx_req *r, char name[201])
{
    int found = yx_files_tus_metadata(yx_header(r, "upload-metadata"), "filename", name, 201);
    if (found < 0 || (found > 0 && !yx_file_name_ok(name)))
        return yx_fail_field(r, YX_EINVAL, "filename",
                             "Tên tệp không hợp lệ (không chứa đường dẫn, tối đa 200 byte) / the file "
                             "name must be plain text without a path, at most 200 bytes.");
    if (found == 0)
        return yx_fail_field(r, YX_EINVAL, "filename",
                             "Upload-Metadata phải có tên tệp: filename <tên mã hoá base64> / "
                             "Upload-Metadata must carry the file name: filename <base64 of the name>.");
    return 0;
}

/* The "purpose" of Upload-Metadata: what the file is for, which decides who may read it
 * (src/files/README.md). "clinical" when absent. A course material is uploaded by those who may
 * make or teach a course (yx_authorize(), YX_RES_FILE) — not by a health worker. */
static int metadata_purpose(struct yx_req *r, char purpose[16])
{
    int found = yx_files_tus_metadata(yx_header(r, "upload-metadata"), "purpose", purpose, 16);
    if (found == 0)
        snprintf(purpose, 16, "clinical");
    if (found < 0 || (strcmp(purpose, "clinical") != 0 && strcmp(purpose, "course_material") != 0))
        return yx_fail_field(r, YX_EINVAL, "purpose",
                             "Mục đích của tệp là clinical hoặc course_material / purpose (base64 in "
                             "Upload-Metadata) is clinical or course_material.");
    struct yx_resource file = {.kind = YX_RES_FILE, .facility_id = r->who.facility_id, .state = purpose};
    if (yx_authorize(&r->who, YX_A_WRITE, &file) != 0)
        return yx_fail_field(r, YX_EFORBIDDEN, "purpose",
                             "Chỉ người soạn hoặc dạy khoá học gửi tài liệu khoá học / only those who make "
                             "or teach courses upload course materials.");
    return 0;
}

/* POST /api/v1/files — tus creation. */
static int upload_create(struct yx_req *r)
{
    char name[201], purpose[16], id[33], path[700];
    unsigned char raw[16];
    int rc;
    if ((rc = tus_version(r)) != 0 || (rc = yx_files_uploader(r)) != 0)
        return rc;
    if (r->body_len)
        return yx_fail(r, YX_EINVAL,
                       "Hãy tạo lượt tải lên trước, rồi gửi dữ liệu bằng PATCH / Create the upload first, "
                       "then send its bytes with PATCH.");
    int64_t length;
    if ((rc = yx_files_tus_length(yx_header(r, "upload-length"), &length)) == YX_EINVAL)
        return yx_fail_field(
            r, YX_EINVAL, "upload-length",
            "Upload-Length là kích thước tệp tính bằng byte (không hỗ trợ báo kích thước sau) / "
            "Upload-Length is the file's size in bytes (deferred length is not supported).");
    if (rc == YX_ETOOBIG)
        return yx_fail_field(r, YX_ETOOBIG, "upload-length",
                             "Mỗi tệp tối đa %lld MiB / A file is at most %lld MiB.",
                             MAX_UPLOAD / 1024 / 1024, MAX_UPLOAD / 1024 / 1024);
    if ((rc = metadata_name(r, name)) != 0 || (rc = metadata_purpose(r, purpose)) != 0 ||
        (rc = yx_files_quota(r, length)) != 0)
        return rc;
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(id, sizeof id, raw, sizeof raw);
    yx_files_part_path(id, path, sizeof path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0)
        return yx_fail(r, YX_EINTERNAL, "Không lưu được tệp tải lên / Cannot store the upload.");
    close(fd);
    int64_t now = yx_now_ms();
    rc = YX_DB_Q(
        r->db, NULL,
        "INSERT INTO uploads (id, facility_id, user_id, length, received, name, created_at, expires_at, "
        "purpose) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)",
        YX_PT(id), YX_PI(r->who.facility_id), YX_PI(r->who.user_id), YX_PI(length), YX_PT(name), YX_PI(now),
        YX_PI(now + UPLOAD_TTL_MS), YX_PT(purpose));
    if (rc) {
        unlink(path);
        return rc;
    }
    char location[80];
    snprintf(location, sizeof location, "/api/v1/files/uploads/%s", id);
    r->audit_resource_id = yx_arena_strdup(&r->arena, id);
    yx_reply_header(r, "location", location);
    return yx_reply(r, 201,
                    json_pack("{s:s,s:s,s:I,s:I,s:s}", "id", id, "location", location, "offset",
                              (json_int_t)0, "length", (json_int_t)length, "purpose", purpose));
}

/* The caller's own upload named in the path; anyone else's is 404, and so is one whose file the
 * caller may no longer read (attached since to a consultation they do not see): an upload is read
 * under its file's rule. */
static int load_upload(struct yx_req *r, struct upload *u)
{
    struct yx_rows *rows = NULL;
    struct yx_file_ref f;
    const char *id = r->params[0];
    if (strlen(id) != 32 || strspn(id, "0123456789abcdef") != 32)
        return yx_fail(r, YX_ENOTFOUND, "Không tìm thấy / no such upload.");
    int rc = YX_DB_Q(r->db, &rows,
                     "SELECT length, received, name, file_id, purpose, refused FROM uploads WHERE id = ? AND "
                     "user_id = ? AND expires_at > ?",
                     YX_PT(id), YX_PI(r->who.user_id), YX_PI(yx_now_ms()));
    if (rc == 0 && rows->nrows != 1)
        rc = YX_ENOTFOUND;
    if (rc == 0) {
        snprintf(u->id, sizeof u->id, "%s", id);
        u->length = yx_rows_i64(rows, 0, "length");
        u->received = yx_rows_i64(rows, 0, "received");
        snprintf(u->name, sizeof u->name, "%s", yx_rows_str(rows, 0, "name"));
        u->file_id = yx_rows_null(rows, 0, "file_id") ? 0 : yx_rows_i64(rows, 0, "file_id");
        snprintf(u->purpose, sizeof u->purpose, "%s", yx_rows_str(rows, 0, "purpose"));
        snprintf(u->refused, sizeof u->refused, "%s",
                 yx_rows_null(rows, 0, "refused") ? "" : yx_rows_str(rows, 0, "refused"));
    }
    yx_rows_free(rows);
    if (rc == 0 && u->file_id)
        rc = yx_file_readable(r, u->file_id, &f);
    if (rc == YX_ENOTFOUND)
        return yx_fail(r, YX_ENOTFOUND, "Không tìm thấy / no such upload.");
    if (rc == 0)
        r->audit_resource_id = yx_arena_strdup(&r->arena, id);
    return rc;
}

/* 409 upload_refused for an upload whose first bytes were refused (its bytes are gone). */
static int not_refused(struct yx_req *r, const struct upload *u)
{
    if (!u->refused[0])
        return 0;
    return yx_fail_code(r, YX_ECONFLICT, "upload_refused", json_pack("{s:s}", "reason", u->refused),
                        "Tệp này đã bị từ chối (%s) và đã xoá; hãy gửi một tệp khác / this upload was "
                        "refused (%s) and its bytes deleted; start a new upload.",
                        u->refused, u->refused);
}

static void offset_headers(struct yx_req *r, const struct upload *u)
{
    char n[24];
    snprintf(n, sizeof n, "%lld", (long long)u->received);
    yx_reply_header(r, "upload-offset", n);
    snprintf(n, sizeof n, "%lld", (long long)u->length);
    yx_reply_header(r, "upload-length", n);
}

static int empty_reply(struct yx_req *r, int status)
{
    char *none = malloc(1);
    return none ? yx_reply_raw(r, status, "text/plain", none, 0) : YX_ENOMEM;
}

/* HEAD /api/v1/files/uploads/:id — how much the server has. */
static int upload_head(struct yx_req *r)
{
    struct upload u;
    int rc;
    if ((rc = tus_version(r)) != 0 || (rc = load_upload(r, &u)) != 0 || (rc = not_refused(r, &u)) != 0)
        return rc;
    offset_headers(r, &u);
    return empty_reply(r, 200);
}

/* The part file, open for writing and locked, so an upload takes one PATCH at a time (also
 * across instances sharing the folder); another one meanwhile gets 409 upload_busy. Closing the
 * descriptor releases the lock. */
static int lock_part(struct yx_req *r, struct upload *u, int *fd)
{
    char path[700];
    yx_files_part_path(u->id, path, sizeof path);
    *fd = open(path, O_RDWR | O_CLOEXEC);
    if (*fd < 0) {
        /* Gone since load_upload(): refused, or dropped, by a request that just ended? */
        int gone = errno == ENOENT, rc = 0;
        if (gone && (rc = load_upload(r, u)) == 0)
            rc = not_refused(r, u);
        return rc ? rc
                  : yx_fail(r, YX_EINTERNAL,
                            "Dữ liệu tệp tải lên không còn trên máy chủ / The upload's bytes are missing on "
                            "the server.");
    }
    if (flock(*fd, LOCK_EX | LOCK_NB) == 0)
        return 0;
    close(*fd);
    *fd = -1;
    return yx_fail_code(
        r, YX_ECONFLICT, "upload_busy", NULL,
        "Một yêu cầu khác đang ghi tệp này; hỏi HEAD vị trí hiện tại rồi gửi tiếp từ đó / Another request is "
        "writing this upload; ask HEAD for the offset and go on from there.");
}

/* The protocol's rules for a chunk: its type, that it starts at the server's offset, that it
 * does not go past Upload-Length. */
static int check_chunk(struct yx_req *r, const struct upload *u)
{
    int rc = yx_files_tus_chunk(r->content_type, yx_header(r, "upload-offset"), u->length, u->received,
                                u->file_id != 0, r->body_len);
    if (rc == YX_EMEDIA)
        return yx_fail(r, YX_EMEDIA,
                       "Gửi dữ liệu dạng application/offset+octet-stream / Send the bytes as "
                       "application/offset+octet-stream.");
    if (rc == YX_EINVAL)
        return yx_fail_field(r, YX_EINVAL, "upload-offset",
                             "Upload-Offset là một số byte / Upload-Offset is a number of bytes.");
    if (rc == YX_ECONFLICT) {
        offset_headers(r, u);
        return yx_fail_code(r, YX_ECONFLICT, "offset_mismatch",
                            json_pack("{s:I}", "offset", (json_int_t)u->received),
                            "Máy chủ đã có %lld byte của tệp này; gửi tiếp từ đó (HEAD cho biết) / The "
                            "server has %lld bytes of this upload; send from there (HEAD tells).",
                            (long long)u->received, (long long)u->received);
    }
    if (rc == YX_ETOOBIG)
        return yx_fail(r, YX_ETOOBIG,
                       "Phần dữ liệu gửi vượt quá Upload-Length / The chunk goes past Upload-Length.");
    return rc;
}

/* Writes the chunk at the upload's offset and makes it durable before the offset moves. */
static int write_chunk(struct yx_req *r, int fd, const struct upload *u)
{
    size_t done = 0;
    while (done < r->body_len) {
        ssize_t n = pwrite(fd, r->body + done, r->body_len - done, (off_t)(u->received + (int64_t)done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    return done == r->body_len && fdatasync(fd) == 0
               ? 0
               : yx_fail(r, YX_EUNAVAIL,
                         "Máy chủ không lưu được phần dữ liệu này; hãy gửi lại / The server could not store "
                         "the chunk; send it again.");
}

/* The checks the file's first bytes allow (yx_files_check_head), made by the chunk that brings the
 * first YX_SNIFF_BYTES of them (or all of them, for a smaller file) before it is written: a chunk
 * smaller than that waits for the next. The bytes looked at are those already written and the
 * chunk's, up to 64 KiB. */
static int check_first_bytes(struct yx_req *r, int fd, const struct upload *u)
{
    int64_t need = u->length < YX_SNIFF_BYTES ? u->length : YX_SNIFF_BYTES;
    if (u->received >= need || u->received + (int64_t)r->body_len < need)
        return 0;
    size_t have = (size_t)u->received, cap = 64 * 1024;
    size_t take = r->body_len < cap - have ? r->body_len : cap - have;
    unsigned char *head = yx_arena_alloc(&r->arena, cap);
    const char *mime, *kind;
    int sized;
    if (!head)
        return YX_ENOMEM;
    if (have && pread(fd, head, have, 0) != (ssize_t)have)
        return yx_fail(r, YX_EINTERNAL,
                       "Không đọc lại được dữ liệu tệp đã tải lên / The upload's bytes cannot be read back.");
    memcpy(head + have, r->body, take);
    return yx_files_check_head(r, head, have + take, u->length, &mime, &kind, &sized);
}

/* An upload whose content was refused (r's answer says why) takes no more bytes: it is marked
 * refused, then its bytes are deleted at once rather than after UPLOAD_TTL_MS. Outside any
 * transaction (PATCH has none of its own), so it holds although the request fails. */
static void refuse_upload(struct yx_req *r, const struct upload *u)
{
    char part[700];
    if (YX_DB_Q(r->db, NULL, "UPDATE uploads SET refused = ?, received = 0 WHERE id = ?",
                YX_PT(r->err_code ? r->err_code : "refused"), YX_PT(u->id)) != 0)
        yx_log(YX_LOG_ERROR, "files: upload %s refused, but not marked so", u->id);
    yx_files_part_path(u->id, part, sizeof part);
    unlink(part);
}

/* The new offset and, after the last chunk, the file (b), in one short transaction: the chunk's
 * write and fdatasync and the hashing of the whole file happen before it, so they never hold up
 * other writers. */
static int record_chunk(struct yx_req *r, const struct upload *u, const struct yx_blob *b, int64_t *file_id)
{
    int rc = yx_db_begin(r->db);
    if (rc == 0 && b)
        rc = yx_files_store(r, u->id, b, u->name, u->purpose, file_id);
    if (rc == 0)
        rc = YX_DB_Q(r->db, NULL, "UPDATE uploads SET received = ?, file_id = ? WHERE id = ?",
                     YX_PI(u->received), *file_id ? YX_PI(*file_id) : YX_PN, YX_PT(u->id));
    if (rc == 0)
        rc = yx_db_commit(r->db);
    else
        yx_db_rollback(r->db);
    if (rc == 0 && b) {
        char part[700];
        yx_files_part_path(u->id, part, sizeof part);
        unlink(part); /* its bytes now live under their hash */
    }
    return rc;
}

/* PATCH /api/v1/files/uploads/:id — the next bytes, at Upload-Offset. */
static int upload_patch(struct yx_req *r)
{
    struct upload u;
    struct yx_blob b;
    int64_t file_id = 0;
    int fd = -1, rc;
    if ((rc = tus_version(r)) != 0 || (rc = load_upload(r, &u)) != 0 || (rc = not_refused(r, &u)) != 0 ||
        (rc = lock_part(r, &u, &fd)) != 0)
        return rc;
    /* Read again under the lock: a PATCH that just ended may have moved the offset, or refused it. */
    if ((rc = load_upload(r, &u)) == 0 && (rc = not_refused(r, &u)) == 0 && (rc = check_chunk(r, &u)) == 0) {
        int last = u.received + (int64_t)r->body_len == u.length;
        rc = check_first_bytes(r, fd, &u);
        if (rc == 0 && (rc = write_chunk(r, fd, &u)) == 0) {
            u.received += (int64_t)r->body_len;
            if (last)
                rc = yx_files_examine(r, u.id, u.length, &b);
        }
        /* The content refused (its type, its size for the type, its pixels): the upload can never
         * succeed, so its bytes go at once. A full quota is not the content's fault: it stays. */
        if (rc == YX_EMEDIA || rc == YX_ETOOBIG)
            refuse_upload(r, &u);
        else if (rc == 0)
            rc = record_chunk(r, &u, last ? &b : NULL, &file_id);
    }
    close(fd);
    if (rc)
        return rc;
    offset_headers(r, &u);
    if (file_id) {
        char n[24];
        snprintf(n, sizeof n, "%lld", (long long)file_id);
        yx_reply_header(r, "ytexa-file-id", n);
    }
    return empty_reply(r, 204);
}

/* DELETE /api/v1/files/uploads/:id — tus termination: an unfinished upload is dropped. */
static int upload_delete(struct yx_req *r)
{
    struct upload u;
    char path[700];
    int rc;
    if ((rc = tus_version(r)) != 0 || (rc = load_upload(r, &u)) != 0)
        return rc;
    /* A refused upload may be dropped too (its bytes are already gone). */
    if (u.file_id)
        return yx_fail_code(r, YX_ECONFLICT, "complete", NULL,
                            "Tệp đã tải lên xong và được lưu giữ (hồ sơ không bao giờ bị xoá) / This upload "
                            "is complete: the file is kept (records are never deleted).");
    if ((rc = YX_DB_Q(r->db, NULL, "DELETE FROM uploads WHERE id = ?", YX_PT(u.id))) != 0)
        return rc;
    yx_files_part_path(u.id, path, sizeof path);
    unlink(path);
    return empty_reply(r, 204);
}

/* GET /api/v1/files/uploads/:id — the upload as JSON, with its file once complete. */
static int upload_get(struct yx_req *r)
{
    struct upload u;
    int rc;
    if ((rc = load_upload(r, &u)) != 0)
        return rc;
    json_t *file = u.file_id ? yx_files_json(r->db, u.file_id) : json_null();
    return yx_reply(r, 200,
                    json_pack("{s:s,s:s,s:s,s:I,s:I,s:o,s:o}", "id", u.id, "name", u.name, "purpose",
                              u.purpose, "offset", (json_int_t)u.received, "length", (json_int_t)u.length,
                              "file", file ? file : json_null(), "refused",
                              u.refused[0] ? json_string(u.refused) : json_null()));
}

/* OPTIONS /api/v1/files — what this tus server supports. */
static int tus_options(struct yx_req *r)
{
    char max[24];
    snprintf(max, sizeof max, "%lld", MAX_UPLOAD);
    yx_reply_header(r, "tus-resumable", "1.0.0");
    yx_reply_header(r, "tus-version", "1.0.0");
    yx_reply_header(r, "tus-extension", "creation,termination");
    yx_reply_header(r, "tus-max-size", max);
    return empty_reply(r, 204);
}

const struct yx_route yx_upload_routes[] = {
    {"OPTIONS", "/api/v1/files", tus_options, YX_R_PUBLIC | YX_R_LOOP, NULL, NULL, 0, NULL},
    {"POST", "/api/v1/files", upload_create, YX_R_RAW, "upload.create", "upload", YX_STAFF, NULL},
    {"HEAD", "/api/v1/files/uploads/:id", upload_head, 0, NULL, NULL, YX_STAFF, NULL},
    /* Its own transaction (record_chunk): the disk work stays outside the database's write lock. */
    {"PATCH", "/api/v1/files/uploads/:id", upload_patch, YX_R_RAW | YX_R_NOTX, "upload.append", "upload",
     YX_STAFF, NULL},
    {"DELETE", "/api/v1/files/uploads/:id", upload_delete, 0, "upload.delete", "upload", YX_STAFF, NULL},
    {"GET", "/api/v1/files/uploads/:id", upload_get, 0, NULL, NULL, YX_STAFF, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};

/* Uploads that were never finished are given up after UPLOAD_TTL_MS: the sweeper removes their
 * bytes, then their rows (in that order, so a crash between leaves a row the next pass removes,
 * never bytes nobody knows of). Finished uploads lose only their row; the file stays. */
static void sweep(struct yx_db *db, void *unused)
{
    struct yx_rows *rows = NULL;
    (void)unused;
    if (!db ||
        YX_DB_Q(db, &rows, "SELECT id FROM uploads WHERE expires_at <= ? ORDER BY expires_at LIMIT 500",
                YX_PI(yx_now_ms())) != 0)
        return;
    int n = 0;
    for (int i = 0; i < rows->nrows; i++) {
        char path[600];
        yx_files_part_path(yx_rows_get(rows, i, 0), path, sizeof path);
        if ((unlink(path) == 0 || errno == ENOENT) &&
            YX_DB_Q(db, NULL, "DELETE FROM uploads WHERE id = ?", YX_PT(yx_rows_get(rows, i, 0))) == 0)
            n++;
    }
    yx_rows_free(rows);
    if (n)
        yx_log(YX_LOG_INFO, "files: %d expired upload(s) removed", n);
}

static struct yx_db_job sweeper;

int yx_files_sweeper_start(void)
{
    sweeper = (struct yx_db_job){.tick = sweep, .interval_ms = 10 * 60 * 1000};
    return yx_db_job_start(&sweeper);
}

void yx_files_sweeper_stop(void)
{
    yx_db_job_stop(&sweeper);
}
