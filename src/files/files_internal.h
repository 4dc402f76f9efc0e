/* Shared by src/files: where bytes live, who may upload, the quota, turning an upload into a file. */
#ifndef YTEXA_FILES_INTERNAL_H
#define YTEXA_FILES_INTERNAL_H

#include "ytexa/files.h"
#include "ytexa/http.h"

void yx_files_part_path(const char *upload_id, char *out, size_t n);
/* Clinicians and administrators of a facility upload; patients and facility-less roles do not. */
int yx_files_uploader(struct yx_req *r);
/* 413 quota_exceeded when the caller's facility cannot store `more` bytes more. */
int yx_files_quota(struct yx_req *r, int64_t more);
/* What a complete upload's bytes are: SHA-256, type from the content, DICOM tags. */
struct yx_blob {
    char sha[65];
    const char *mime, *kind, *meta; /* meta: JSON text or NULL */
    int64_t size;
};
/* Reads the complete upload back and checks it against the allow list and the type's size limit
 * (4xx otherwise). No database: it runs before the upload's transaction. */
int yx_files_examine(struct yx_req *r, const char *upload_id, int64_t size, struct yx_blob *b);
/* Inside the upload's transaction: the quota, the blob's name in the store, the files row. */
int yx_files_store(struct yx_req *r, const char *upload_id, const struct yx_blob *b, const char *name,
                   int64_t *file_id);

/* A whole file read into a malloc'd buffer, or NULL. */
char *yx_files_read_all(const char *path, size_t *len);
/* A JPEG copy of the image blob at most px pixels on its longer side (quality q), made once and
 * kept in derived_dir by sha; *out is malloc'd. */
int yx_files_scaled(const char *blob, const char *derived_dir, const char *sha, int px, int q, char **out,
                    size_t *len);

#endif
