/* Attachments: resumable uploads (tus 1.0) into a store addressed by SHA-256, with the type found
 * from the content. What other workflows (consultations, courses) use of them, and the seam through
 * which they say who reads the files they attach. */
#ifndef YTEXA_FILES_H
#define YTEXA_FILES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct yx_db;
struct yx_req;
struct yx_metric;

/* Where files live (<data_dir>/files, <data_dir>/uploads) and how much a facility may store when
 * facilities.storage_quota_bytes is not set. Creates the folders. Called once before serving. */
int yx_files_configure(const char *data_dir, int64_t default_quota_bytes);

/* What a file's first bytes say it is, against the allow list: sets *mime and *kind ("image",
 * "pdf", "dicom", "video") and *max (the largest size allowed for it). YX_EMEDIA when it is none
 * of the allowed types. */
int yx_file_sniff(const unsigned char *head, size_t n, const char **mime, const char **kind, int64_t *max);
/* The first bytes yx_file_sniff() needs to decide (DICOM's "DICM" ends at byte 132): with fewer, a
 * file that is none of the types may still become one, unless those are all its bytes. */
#define YX_SNIFF_BYTES 132

/* The most pixels (width × height) an image may have: it is refused at upload and never scaled
 * beyond this (a 50-megapixel phone photo passes; a 30000 × 30000 "image bomb" does not). */
#define YX_IMAGE_MAX_PIXELS (64LL * 1000 * 1000)
/* yx_image_size() ran out of bytes before the header did: more bytes may tell. */
#define YX_IMAGE_NEED_MORE 1
/* The width and height a PNG (IHDR) or JPEG (SOFn frame header) declares, read from its first n
 * bytes without decoding anything: 0 with *w and *h set; YX_IMAGE_NEED_MORE when the bytes end
 * before the header does; YX_EMEDIA when p is neither, or its header is malformed (a zero size, a
 * JPEG's scan before any frame). Never reads past p + n, whatever the lengths in it say. */
int yx_image_size(const unsigned char *p, size_t n, uint32_t *w, uint32_t *h);

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
/* Watches the free space of the data folder's file system once a second and holds writes back
 * (yx_storage_low_set) while it is under min_free_bytes (src/files/storage.c); its figures for
 * /metrics. */
int yx_files_storage_watch_start(const char *data_dir, int64_t min_free_bytes);
void yx_files_storage_watch_stop(void);
const struct yx_metric *yx_files_storage_metrics(void);
/* Ends the image library's threads if it was loaded (at the server's stop). */
void yx_files_previews_stop(void);

/* A file as the API shows it (id, sha256, size, mime, kind, purpose, name, url, dicom tags …), or
 * NULL. */
json_t *yx_files_json(struct yx_db *db, int64_t id);

/* The owners of stored files: a workflow that attaches files to its records, and so decides who
 * reads them (consultations take clinical files, courses take course materials). Files never names
 * an owner: each workflow defines one, src/app hands the list to yx_files_owners() before serving,
 * and the files workflow asks every owner of a file's purpose. */
struct yx_file_owner {
    const char *purpose; /* the files it takes: "clinical" or "course_material" */
    /* May r's principal read file_id through one of the owner's records? Sets *attached (1 when
     * the file is attached to any record of this owner, whoever asks) and *yes. 0, or a negative
     * YX_E… code when the database fails (r's answer not set). */
    int (*readable)(struct yx_req *r, int64_t file_id, int *attached, int *yes);
};
/* The owners (a NULL-terminated list, not copied: static). Called once before serving. */
void yx_files_owners(const struct yx_file_owner *const *owners);

/* A stored file as a workflow that attaches it needs to know it. */
struct yx_file_ref {
    int64_t id, facility_id, uploaded_by;
    char purpose[16]; /* "clinical" or "course_material" */
};
/* May r's principal read file id (the rule of src/files/README.md)? 0 with *f filled; YX_ENOTFOUND
 * when there is no such file or the caller may not read it — the same answer for both, and r's
 * answer is not set; another negative code when the database fails. */
int yx_file_readable(struct yx_req *r, int64_t id, struct yx_file_ref *f);

/* The files workflow's figures for /metrics, for yx_metrics_register(): images scaled so far. */
const struct yx_metric *yx_files_metrics(void);

#endif
