/* Where attachments live: <data>/uploads/<id>.part while they arrive, then <data>/files/<ab>/<sha256>
 * (content-addressed: the same bytes are stored once, whoever sends them), outside any web root.
 * Files are served only through GET /api/v1/files/:id, to those who may see them. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files_internal.h"
#include "ytexa/auth.h"

/* How much of a file's start is kept for recognising it and reading its DICOM tags. */
#define HEAD_MAX (64 * 1024)
/* How far into an image its header is looked for: a JPEG's frame header comes after its
 * metadata segments (EXIF, ICC profile, XMP), which stay well under this in real photos. */
#define IMAGE_HEAD_MAX (1024 * 1024)

static struct {
    char uploads[560], files[560];
    int64_t quota;
} F;

int yx_files_configure(const char *data_dir, int64_t default_quota_bytes)
{
    if (yx_snprintf(F.uploads, sizeof F.uploads, "%s/uploads", data_dir) != 0 ||
        yx_snprintf(F.files, sizeof F.files, "%s/files", data_dir) != 0)
        return YX_EINVAL;
    F.quota = default_quota_bytes;
    if ((mkdir(F.uploads, 0750) != 0 && errno != EEXIST) || (mkdir(F.files, 0750) != 0 && errno != EEXIST))
        return YX_EINTERNAL;
    return 0;
}

void yx_files_part_path(const char *upload_id, char *out, size_t n)
{
    snprintf(out, n, "%s/%s.part", F.uploads, upload_id);
}

static void blob_path(const char *sha, char *out, size_t n, int make_dir)
{
    snprintf(out, n, "%s/%.2s", F.files, sha);
    if (make_dir)
        mkdir(out, 0750);
    snprintf(out, n, "%s/%.2s/%s", F.files, sha, sha);
}

int yx_files_uploader(struct yx_req *r)
{
    struct yx_resource file = {.kind = YX_RES_FILE, .facility_id = r->who.facility_id};
    if (yx_authorize(&r->who, YX_A_WRITE, &file) != 0)
        return yx_fail(r, YX_EFORBIDDEN,
                       "Chỉ nhân viên của một cơ sở gửi tệp / only staff of a facility upload files.");
    return 0;
}

int yx_files_quota(struct yx_req *r, int64_t more)
{
    struct yx_rows *rows = NULL;
    int rc = YX_DB_Q(
        r->db, &rows,
        "SELECT (SELECT COALESCE(SUM(size), 0) FROM files WHERE facility_id = ?), storage_quota_bytes "
        "FROM facilities WHERE id = ?",
        YX_PI(r->who.facility_id), YX_PI(r->who.facility_id));
    if (rc == 0 && rows->nrows == 1) {
        int64_t used = yx_rows_int(rows, 0, 0);
        int64_t quota = yx_rows_isnull(rows, 0, 1) ? F.quota : yx_rows_int(rows, 0, 1);
        if (used + more > quota)
            rc = yx_fail_code(r, YX_ETOOBIG, "quota_exceeded",
                              json_pack("{s:I,s:I}", "used", (json_int_t)used, "quota", (json_int_t)quota),
                              "Cơ sở đã dùng hết dung lượng lưu tệp (%lld trên %lld byte) / your facility's "
                              "file storage is full "
                              "(%lld of %lld bytes).",
                              (long long)used, (long long)quota, (long long)used, (long long)quota);
    }
    yx_rows_free(rows);
    return rc;
}

/* SHA-256 of the file at path (hex) and its first bytes. */
static int hash_file(const char *path, char sha[65], unsigned char *head, size_t *head_len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char buf[65536], md[32];
    ssize_t n = 0;
    int ok = fd >= 0 && ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
    *head_len = 0;
    while (ok && (n = read(fd, buf, sizeof buf)) > 0) {
        if (*head_len < HEAD_MAX) {
            size_t take = (size_t)n < HEAD_MAX - *head_len ? (size_t)n : HEAD_MAX - *head_len;
            memcpy(head + *head_len, buf, take);
            *head_len += take;
        }
        ok = EVP_DigestUpdate(ctx, buf, (size_t)n) == 1;
    }
    ok = ok && n == 0 && EVP_DigestFinal_ex(ctx, md, NULL) == 1;
    for (int i = 0; ok && i < 32; i++)
        snprintf(sha + 2 * i, 3, "%02x", md[i]);
    EVP_MD_CTX_free(ctx);
    if (fd >= 0)
        close(fd);
    return ok ? 0 : YX_EINTERNAL;
}

/* Gives the part a second name in the store, under its hash (nothing to do if those bytes are
 * already there), and makes that name durable. The part keeps its own name until the upload's
 * transaction has committed, so a failed commit leaves the upload resumable. */
static int store_blob(const char *part, const char *sha)
{
    char dest[700], dir[700];
    blob_path(sha, dest, sizeof dest, 1);
    if (link(part, dest) != 0 && errno != EEXIST)
        return YX_EINTERNAL;
    snprintf(dir, sizeof dir, "%s/%.2s", F.files, sha);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int ok = fd >= 0 && fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    return ok ? 0 : YX_EINTERNAL;
}

/* The DICOM key tags as the JSON text of files.meta, in the arena; NULL for other kinds. */
static const char *meta_of(struct yx_req *r, const char *kind, const unsigned char *head, size_t n)
{
    struct yx_dicom d;
    if (strcmp(kind, "dicom") != 0 || yx_dicom_tags(head, n, &d) != 0)
        return NULL;
    json_t *j = json_pack("{s:s,s:s,s:s}", "modality", d.modality, "study_date", d.study_date, "body_part",
                          d.body_part);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    const char *out = text ? yx_arena_strdup(&r->arena, text) : NULL;
    free(text);
    json_decref(j);
    return out;
}

int yx_files_pixels_ok(struct yx_req *r, int code, uint32_t w, uint32_t h)
{
    if ((uint64_t)w * h <= (uint64_t)YX_IMAGE_MAX_PIXELS)
        return 0;
    long long mp = YX_IMAGE_MAX_PIXELS / 1000000;
    return yx_fail_code(
        r, code, "image_too_large",
        json_pack("{s:I,s:I,s:I}", "width", (json_int_t)w, "height", (json_int_t)h, "max_pixels",
                  (json_int_t)YX_IMAGE_MAX_PIXELS),
        "Ảnh %u × %u điểm ảnh quá lớn, tối đa %lld triệu điểm ảnh; hãy gửi bản nhỏ hơn / this "
        "image is %u × %u pixels, more than the %lld megapixels accepted; send a smaller copy.",
        w, h, mp, w, h, mp);
}

int yx_files_check_head(struct yx_req *r, const unsigned char *head, size_t n, int64_t size,
                        const char **mime, const char **kind, int *sized)
{
    int64_t max;
    uint32_t w, h;
    *sized = 0;
    if (yx_file_sniff(head, n, mime, kind, &max) != 0)
        return yx_fail_code(
            r, YX_EMEDIA, "type_not_allowed", NULL,
            "Chỉ nhận ảnh JPEG/PNG, PDF, DICOM và video MP4/WebM; nội dung tệp này không phải "
            "loại nào trong đó / only JPEG or PNG images, PDFs, DICOM files and MP4 or WebM "
            "videos are accepted, and this file's content is none of them, whatever its name.");
    if (size > max)
        return yx_fail_code(r, YX_ETOOBIG, "file_too_large", json_pack("{s:I}", "max", (json_int_t)max),
                            "Tệp loại %s tối đa %lld MiB / a %s file is at most %lld MiB.", *kind,
                            (long long)(max / 1024 / 1024), *kind, (long long)(max / 1024 / 1024));
    if (strcmp(*kind, "image") != 0 || yx_image_size(head, n, &w, &h) != 0)
        return 0;
    *sized = 1;
    return yx_files_pixels_ok(r, YX_ETOOBIG, w, h);
}

/* Up to len bytes of fd from off (fewer at the end of the file). */
static size_t read_at(int fd, unsigned char *p, size_t len, size_t off)
{
    size_t got = 0;
    while (got < len) {
        ssize_t k = pread(fd, p + got, len - got, (off_t)(off + got));
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    return got;
}

int yx_files_image_size(const char *path, uint32_t *w, uint32_t *h)
{
    int rc = YX_IMAGE_NEED_MORE;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    unsigned char *buf = fd >= 0 ? malloc(IMAGE_HEAD_MAX) : NULL;
    size_t n = 0, want = HEAD_MAX;
    /* The first 64 KiB hold almost every image's header; the rest of the first MiB is read only
     * for a JPEG whose metadata is larger. */
    while (buf && rc == YX_IMAGE_NEED_MORE) {
        n += read_at(fd, buf + n, want - n, n);
        rc = yx_image_size(buf, n, w, h);
        if (n < want || want == IMAGE_HEAD_MAX)
            break;
        want = IMAGE_HEAD_MAX;
    }
    free(buf);
    if (fd >= 0)
        close(fd);
    return rc;
}

int yx_files_examine(struct yx_req *r, const char *upload_id, int64_t size, struct yx_blob *b)
{
    char part[700];
    unsigned char *head = yx_arena_alloc(&r->arena, HEAD_MAX);
    size_t head_len;
    uint32_t w, h;
    int sized, rc;
    yx_files_part_path(upload_id, part, sizeof part);
    if (!head)
        return YX_ENOMEM;
    if (hash_file(part, b->sha, head, &head_len) != 0)
        return yx_fail(r, YX_EINTERNAL,
                       "Không đọc lại được dữ liệu tệp đã tải lên / The upload's bytes cannot be read back.");
    if ((rc = yx_files_check_head(r, head, head_len, size, &b->mime, &b->kind, &sized)) != 0)
        return rc;
    /* A JPEG whose frame header lies past the first 64 KiB. One whose header cannot be read at
     * all is stored (it may be a photo this reader does not understand) but never scaled. */
    if (strcmp(b->kind, "image") == 0 && !sized && yx_files_image_size(part, &w, &h) == 0 &&
        (rc = yx_files_pixels_ok(r, YX_ETOOBIG, w, h)) != 0)
        return rc;
    b->size = size;
    b->meta = meta_of(r, b->kind, head, head_len);
    return 0;
}

int yx_files_store(struct yx_req *r, const char *upload_id, const struct yx_blob *b, const char *name,
                   const char *purpose, int64_t *file_id)
{
    char part[700];
    struct yx_rows *rows = NULL;
    yx_files_part_path(upload_id, part, sizeof part);
    int rc = yx_files_quota(r, b->size);
    if (rc == 0 && store_blob(part, b->sha) != 0)
        rc = yx_fail(r, YX_EINTERNAL, "Không lưu được tệp / The file could not be stored.");
    if (rc == 0)
        rc = YX_DB_Q(
            r->db, &rows,
            "INSERT INTO files (sha256, size, mime, kind, name, facility_id, uploaded_by, created_at, "
            "meta, purpose) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            YX_PT(b->sha), YX_PI(b->size), YX_PT(b->mime), YX_PT(b->kind), YX_PT(name),
            YX_PI(r->who.facility_id), YX_PI(r->who.user_id), YX_PI(yx_now_ms()), YX_PT(b->meta),
            YX_PT(purpose));
    if (rc == 0)
        *file_id = yx_rows_int(rows, 0, 0);
    yx_rows_free(rows);
    return rc;
}

json_t *yx_files_json(struct yx_db *db, int64_t id)
{
    struct yx_rows *rows = NULL;
    json_t *out = NULL;
    char t[32];
    if (YX_DB_Q(db, &rows,
                "SELECT f.id, f.sha256, f.size, f.mime, f.kind, f.name, f.facility_id, u.full_name, "
                "f.created_at, f.meta, f.purpose FROM files f JOIN users u ON u.id = f.uploaded_by WHERE "
                "f.id = ?",
                YX_PI(id)) == 0 &&
        rows->nrows == 1) {
        yx_time_format(yx_rows_i64(rows, 0, "created_at"), t);
        out = json_pack(
            "{s:I,s:s,s:I,s:s,s:s,s:s,s:I,s:s,s:s,s:s}", "id", (json_int_t)yx_rows_i64(rows, 0, "id"),
            "sha256", yx_rows_str(rows, 0, "sha256"), "size", (json_int_t)yx_rows_i64(rows, 0, "size"),
            "mime", yx_rows_str(rows, 0, "mime"), "kind", yx_rows_str(rows, 0, "kind"), "name",
            yx_rows_str(rows, 0, "name"), "facility_id", (json_int_t)yx_rows_i64(rows, 0, "facility_id"),
            "uploaded_by", yx_rows_str(rows, 0, "full_name"), "created_at", t, "url", "");
        char url[64];
        snprintf(url, sizeof url, "/api/v1/files/%lld", (long long)yx_rows_i64(rows, 0, "id"));
        json_object_set_new(out, "url", json_string(url));
        json_object_set_new(out, "purpose", json_string(yx_rows_str(rows, 0, "purpose")));
        json_t *meta =
            yx_rows_str(rows, 0, "meta") ? json_loads(yx_rows_str(rows, 0, "meta"), 0, NULL) : NULL;
        json_object_set_new(out, "dicom", meta ? meta : json_null());
    }
    yx_rows_free(rows);
    return out;
}

/* A stored file's row. */
struct stored {
    int64_t id, facility_id, uploaded_by;
    char sha[65], mime[48], kind[8], name[201], purpose[16];
};

static int load_file(struct yx_db *db, int64_t id, struct stored *f)
{
    struct yx_rows *rows = NULL;
    int rc =
        YX_DB_Q(db, &rows,
                "SELECT sha256, mime, name, facility_id, kind, uploaded_by, purpose FROM files WHERE id = ?",
                YX_PI(id));
    if (rc == 0 && rows->nrows != 1)
        rc = YX_ENOTFOUND;
    if (rc == 0) {
        f->id = id;
        f->facility_id = yx_rows_i64(rows, 0, "facility_id");
        f->uploaded_by = yx_rows_i64(rows, 0, "uploaded_by");
        snprintf(f->sha, sizeof f->sha, "%s", yx_rows_str(rows, 0, "sha256"));
        snprintf(f->mime, sizeof f->mime, "%s", yx_rows_str(rows, 0, "mime"));
        snprintf(f->name, sizeof f->name, "%s", yx_rows_str(rows, 0, "name"));
        snprintf(f->kind, sizeof f->kind, "%s", yx_rows_str(rows, 0, "kind"));
        snprintf(f->purpose, sizeof f->purpose, "%s", yx_rows_str(rows, 0, "purpose"));
    }
    yx_rows_free(rows);
    return rc;
}

static const struct yx_file_owner *const *owners;

void yx_files_owners(const struct yx_file_owner *const *list)
{
    owners = list;
}

/* Who reads a file (src/files/README.md). The owners of its purpose say who reads it through
 * their records: once a clinical file is attached to a consultation, exactly the consultation's
 * readers do, and a course material is read by the course's people. Besides: a course material's
 * uploader, always; a clinical file attached to nothing yet, its uploader and the clinicians of
 * the facility that stored it (who read that facility's charts anyway). Nobody else — not the
 * storing facility's administrators or trainers, who do not read charts. */
static int may_read(struct yx_req *r, const struct stored *f, int *yes)
{
    int attached = 0;
    *yes = 0;
    for (const struct yx_file_owner *const *o = owners; o && *o && !*yes; o++) {
        int att = 0, rc;
        if (strcmp((*o)->purpose, f->purpose) != 0)
            continue;
        if ((rc = (*o)->readable(r, f->id, &att, yes)) != 0)
            return rc;
        attached |= att;
    }
    if (*yes)
        return 0;
    int uploader = r->who.user_id && r->who.user_id == f->uploaded_by;
    if (strcmp(f->purpose, "course_material") == 0) {
        *yes = uploader;
    } else if (!attached) {
        struct yx_resource chart = {.kind = YX_RES_PATIENT, .facility_id = f->facility_id};
        *yes = uploader || yx_authorize(&r->who, YX_A_READ, &chart) == 0;
    }
    return 0;
}

int yx_file_readable(struct yx_req *r, int64_t id, struct yx_file_ref *ref)
{
    struct stored f;
    int yes = 0;
    int rc = load_file(r->db, id, &f);
    if (rc == 0)
        rc = may_read(r, &f, &yes);
    if (rc == 0 && !yes)
        rc = YX_ENOTFOUND;
    if (rc == 0) {
        *ref = (struct yx_file_ref){.id = f.id, .facility_id = f.facility_id, .uploaded_by = f.uploaded_by};
        snprintf(ref->purpose, sizeof ref->purpose, "%s", f.purpose);
    }
    return rc;
}

/* The file of the path if the caller may read it; 404 otherwise, the same for a file that does
 * not exist and one the caller may not read. */
static int readable_file(struct yx_req *r, struct stored *f)
{
    int yes = 0;
    int rc = yx_param_id(r, 0, &f->id);
    if (rc == 0)
        rc = load_file(r->db, f->id, f);
    if (rc == 0)
        rc = may_read(r, f, &yes);
    if ((rc == 0 && !yes) || rc == YX_ENOTFOUND)
        return yx_fail(r, YX_ENOTFOUND, "Không tìm thấy tệp / no such file.");
    if (rc == 0)
        yx_audit_target(r, f->id);
    return rc;
}

char *yx_files_read_all(const char *path, size_t *len)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    char *buf = fd >= 0 && fstat(fd, &st) == 0 ? malloc((size_t)st.st_size + 1) : NULL;
    size_t got = 0;
    while (buf && got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (fd >= 0)
        close(fd);
    if (buf && got != (size_t)st.st_size) {
        free(buf);
        buf = NULL;
    }
    *len = got;
    return buf;
}

/* Content-Disposition with the name as RFC 5987 UTF-8 (and a plain ASCII fallback). */
static void disposition(struct yx_req *r, const char *name)
{
    char out[1024], ascii[210];
    size_t a = 0, o;
    for (const unsigned char *p = (const unsigned char *)name; *p && a < sizeof ascii - 1; p++)
        ascii[a++] = *p < 0x80 && *p != '"' && *p != ';' ? (char)*p : '_';
    ascii[a] = '\0';
    o = (size_t)snprintf(out, sizeof out, "attachment; filename=\"%s\"; filename*=UTF-8''", ascii);
    for (const unsigned char *p = (const unsigned char *)name; *p && o + 4 < sizeof out; p++)
        o += (size_t)(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~", *p)
                          ? snprintf(out + o, sizeof out - o, "%c", *p)
                          : snprintf(out + o, sizeof out - o, "%%%02X", *p));
    yx_reply_header(r, "content-disposition", out);
    yx_reply_header(r, "x-content-type-options", "nosniff");
}

/* GET /api/v1/files/:id — the bytes. */
static int file_get(struct yx_req *r)
{
    struct stored f;
    char path[700];
    int rc;
    if ((rc = readable_file(r, &f)) != 0)
        return rc;
    blob_path(f.sha, path, sizeof path, 0);
    disposition(r, f.name);
    return yx_reply_file(r, 200, yx_arena_strdup(&r->arena, f.mime), path);
}

static int unreadable(struct yx_req *r)
{
    return yx_fail_code(r, YX_ECONFLICT, "unreadable_image", NULL,
                        "Ảnh này không đọc được để thu nhỏ / this image cannot be decoded; download the "
                        "original.");
}

/* GET /api/v1/files/:id/thumbnail (320 px) and /preview (1280 px): JPEG copies of an image for
 * slow links, shown inline. Nothing is decoded before the image's header has said how many pixels
 * it has (files stored before uploads were checked may have too many), and the routes go through
 * the server's image gate (YX_R_IMAGE), so image work never holds the workers other requests
 * need. */
static int scaled(struct yx_req *r, int px, int quality)
{
    struct stored f;
    char blob[700], derived[600];
    char *data = NULL;
    size_t len = 0;
    uint32_t w, h;
    int rc;
    if ((rc = readable_file(r, &f)) != 0)
        return rc;
    if (strcmp(f.kind, "image") != 0)
        return yx_fail_code(r, YX_ECONFLICT, "not_an_image", NULL,
                            "Chỉ ảnh mới có ảnh thu nhỏ / only images have a thumbnail or preview; download "
                            "the file itself.");
    blob_path(f.sha, blob, sizeof blob, 0);
    if (yx_files_image_size(blob, &w, &h) != 0)
        return unreadable(r);
    if ((rc = yx_files_pixels_ok(r, YX_ECONFLICT, w, h)) != 0)
        return rc;
    snprintf(derived, sizeof derived, "%s/derived", F.files);
    if (yx_files_scaled(blob, derived, f.sha, px, quality, &data, &len) != 0)
        return unreadable(r);
    yx_reply_header(r, "content-disposition", "inline");
    return yx_reply_raw(r, 200, "image/jpeg", data, len);
}

static int file_thumbnail(struct yx_req *r)
{
    return scaled(r, 320, 70);
}
static int file_preview(struct yx_req *r)
{
    return scaled(r, 1280, 75);
}

/* GET /api/v1/files/:id/meta */
static int file_meta(struct yx_req *r)
{
    struct stored f;
    int rc;
    if ((rc = readable_file(r, &f)) != 0)
        return rc;
    json_t *j = yx_files_json(r->db, f.id);
    return j ? yx_reply(r, 200, j) : YX_EDB;
}

const struct yx_route yx_file_routes[] = {
    {"GET", "/api/v1/files/:id", file_get, 0, "file.read", "file", YX_STAFF, NULL},
    {"GET", "/api/v1/files/:id/meta", file_meta, 0, "file.read", "file", YX_STAFF, NULL},
    {"GET", "/api/v1/files/:id/thumbnail", file_thumbnail, YX_R_IMAGE, "file.read", "file", YX_STAFF, NULL},
    {"GET", "/api/v1/files/:id/preview", file_preview, YX_R_IMAGE, "file.read", "file", YX_STAFF, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};
