/* Attachments: resumable uploads (tus 1.0) into a store addressed by SHA-256, with the type found
 * from the content. What other workflows (consultations) use of them. */
#ifndef YTEXA_FILES_H
#define YTEXA_FILES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct yx_db;

/* Where files live (<data_dir>/files, <data_dir>/uploads) and how much a facility may store when
 * facilities.storage_quota_bytes is not set. Creates the folders. Called once before serving. */
int yx_files_configure(const char *data_dir, int64_t default_quota_bytes);

/* What a file's first bytes say it is, against the allow list: sets *mime and *kind ("image",
 * "pdf", "dicom", "video") and *max (the largest size allowed for it). YX_EMEDIA when it is none
 * of the allowed types. */
int yx_file_sniff(const unsigned char *head, size_t n, const char **mime, const char **kind, int64_t *max);

/* A file name as shown and sent on download: valid UTF-8, 1–200 bytes, no path (no '/', '\\'),
 * no control characters, not "." or "..". */
int yx_file_name_ok(const char *name);

/* The key tags of a DICOM Part 10 file, from its first n bytes (strings, empty when absent). */
struct yx_dicom {
    char modality[17];  /* (0008,0060): CR, DX, CT, MR, US … */
    char study_date[9]; /* (0008,0020): YYYYMMDD */
    char body_part[65]; /* (0018,0015): CHEST, HEAD … */
};
/* 0 when at least one of them was found; -1 when p is not DICOM or none could be read. Never reads
 * past p + n, whatever the bytes say. */
int yx_dicom_tags(const unsigned char *p, size_t n, struct yx_dicom *d);

/* The sweeper: a background job that removes uploads unfinished after 7 days, bytes and row (at
 * start, then every 10 minutes). */
int yx_files_sweeper_start(void);
void yx_files_sweeper_stop(void);
/* Ends the image library's threads if it was loaded (at the server's stop). */
void yx_files_previews_stop(void);

/* A file as the API shows it (id, sha256, size, mime, kind, name, url, dicom tags …), or NULL. */
json_t *yx_files_json(struct yx_db *db, int64_t id);

#endif
