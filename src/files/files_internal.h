/* Shared by src/files: where bytes live, who may upload, the quota, turning an upload into a file. */
#ifndef YTEXA_FILES_INTERNAL_H
#define YTEXA_FILES_INTERNAL_H

#include "ytexa/files.h"
#include "ytexa/http.h"

void yx_files_part_path(const char *upload_id, char *out, size_t n);

/* The tus 1.0 headers as the upload routes read them (uploads.c), without a request, so that
 * fuzz/fuzz_tus.c reads them the same way. Each value may be NULL (the header is absent). */
/* Is Tus-Resumable the version this server speaks, 1.0.0? */
int yx_files_tus_version_ok(const char *v);
/* A non-negative decimal header value (Upload-Length, Upload-Offset: at most 15 digits, nothing
 * else), or -1. */
int64_t yx_files_tus_number(const char *v);
/* Upload-Length into *length: 0, YX_EINVAL when it is no number or 0 (a deferred length is not
 * supported), YX_ETOOBIG past the largest upload. */
int yx_files_tus_length(const char *v, int64_t *length);
/* The protocol's rules for a chunk of n bytes, given its Content-Type and Upload-Offset, to an
 * upload of length bytes of which the server has received (complete: its file is made): 0, or
 * YX_EMEDIA (not application/offset+octet-stream), YX_EINVAL (the offset is no number),
 * YX_ECONFLICT (it is not the server's offset, or the upload is complete), YX_ETOOBIG (the chunk
 * goes past the length). */
int yx_files_tus_chunk(const char *type, const char *offset, int64_t length, int64_t received, int complete,
                       size_t n);
/* The value of key in an Upload-Metadata header m ("key base64,key base64"), decoded into out (at
 * most cap - 1 bytes, NUL-terminated): 1 when found, 0 when the key is absent, -1 when its value
 * is not base64, is too long or holds a NUL (which would end the name early: "scan.png\0.exe" read
 * as "scan.png"). */
int yx_files_tus_metadata(const char *m, const char *key, char *out, size_t cap);
/* Staff of a facility upload (yx_authorize(), YX_RES_FILE); patients (the route's roles) and the
 * roles without a facility do not. */
int yx_files_uploader(struct yx_req *r);
/* 413 quota_exceeded when the caller's facility cannot store `more` bytes more. */
int yx_files_quota(struct yx_req *r, int64_t more);
/* What a complete upload's bytes are: SHA-256, type from the content, DICOM tags. */
struct yx_blob {
    char sha[65];
    const char *mime, *kind, *meta; /* meta: JSON text or NULL */
    int64_t size;
};
/* The checks a file's first n bytes allow, for a file of size bytes: its type against the allow
 * list (415 type_not_allowed), its size against the type's limit (413 file_too_large) and, for an
 * image whose header is among them, its pixels (413 image_too_large; *sized says the header was
 * there). Sets *mime and *kind. The refusals are YX_EMEDIA and YX_ETOOBIG, with r's answer set. */
int yx_files_check_head(struct yx_req *r, const unsigned char *head, size_t n, int64_t size,
                        const char **mime, const char **kind, int *sized);
/* 0 when an image of w × h pixels may be stored and scaled; otherwise image_too_large, answered
 * with code (YX_ETOOBIG for an upload, YX_ECONFLICT for a stored file). */
int yx_files_pixels_ok(struct yx_req *r, int code, uint32_t w, uint32_t h);
/* The size the image file at path declares (yx_image_size() over its first MiB at most). */
int yx_files_image_size(const char *path, uint32_t *w, uint32_t *h);
/* Reads the complete upload back and checks it as yx_files_check_head() does, the image's header
 * looked for further when it was not in the first bytes (4xx otherwise). No database: it runs
 * before the upload's transaction. */
int yx_files_examine(struct yx_req *r, const char *upload_id, int64_t size, struct yx_blob *b);
/* Inside the upload's transaction: the quota, the blob's name in the store, the files row (with
 * the purpose the upload was created for). */
int yx_files_store(struct yx_req *r, const char *upload_id, const struct yx_blob *b, const char *name,
                   const char *purpose, int64_t *file_id);

/* A whole file read into a malloc'd buffer, or NULL. */
char *yx_files_read_all(const char *path, size_t *len);
/* A JPEG copy of the image blob at most px pixels on its longer side (quality q), made once and
 * kept in derived_dir by sha — once even when asked for by several requests at a time, on this
 * instance or another sharing the folder; *out is malloc'd. The caller has checked the image's
 * pixels. */
int yx_files_scaled(const char *blob, const char *derived_dir, const char *sha, int px, int q, char **out,
                    size_t *len);

#endif
