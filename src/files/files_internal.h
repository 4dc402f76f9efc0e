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
/* The complete upload becomes a file (hash, type, limits, quota, store): sets *file_id. */
int yx_files_finish(struct yx_req *r, const char *upload_id, const char *name, int64_t size, int64_t *file_id);
/* The file as the API shows it, or NULL. */
json_t *yx_files_json(struct yx_req *r, int64_t id);

#endif
