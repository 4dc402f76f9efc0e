/* ytexa core: error codes, string slices, size-capped buffers, arenas, time, ids, logging.
 * Every part of the program depends on this header and on nothing else of ytexa's. */
#ifndef YTEXA_CORE_H
#define YTEXA_CORE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Functions that can fail return 0 or one of these negative codes. The HTTP layer maps them to
 * statuses in exactly one place (src/http/response.c). */
enum {
    YX_OK = 0,
    YX_EINVAL = -1,      /* the input is malformed or breaks a rule: 400 */
    YX_EAUTH = -2,       /* not logged in, or the session expired: 401 */
    YX_EFORBIDDEN = -3,  /* logged in, but this role may not do this: 403 */
    YX_ENOTFOUND = -4,   /* no such thing, or not one the caller may see: 404 */
    YX_EMETHOD = -5,     /* the path exists, the method does not: 405 */
    YX_ECONFLICT = -6,   /* duplicate or out-of-state: 409 */
    YX_ETOOBIG = -7,     /* body over the limit: 413 */
    YX_EMEDIA = -8,      /* wrong Content-Type: 415 */
    YX_ERATELIMIT = -9,  /* too many attempts: 429 */
    YX_EUNAVAIL = -10,   /* overloaded or shutting down, try again: 503 */
    YX_ENOMEM = -11,     /* out of memory: 500 */
    YX_EDB = -12,        /* the database failed: 500 (never for bad input) */
    YX_EINTERNAL = -13,  /* a bug: 500 */
    YX_EPRECOND = -14,   /* a protocol precondition does not hold (Tus-Resumable): 412 */
    YX_ENOTACCEPT = -15, /* the answer cannot be in the format asked for (FHIR's _format=xml): 406 */
};

/* A short stable name for a code, used as error.code in API answers ("invalid_input" ...). */
const char *yx_err_name(int code);

/* A read-only slice of bytes; not NUL-terminated unless said so. */
typedef struct {
    const char *ptr;
    size_t len;
} yx_str;

#define YX_STR_LIT(s) ((yx_str){(s), sizeof(s) - 1})
yx_str yx_str_c(const char *s);
int yx_str_eq(yx_str a, const char *lit);
/* Is word one of the space-separated words of list (either may be NULL)? */
int yx_word_in(const char *list, const char *word);

/* A growable buffer with a size cap. Appending past `max` fails with YX_ETOOBIG and leaves the
 * buffer as it was. data is always NUL-terminated when len > 0. */
struct yx_buf {
    char *data;
    size_t len, cap, max;
};
void yx_buf_init(struct yx_buf *b, size_t max);
int yx_buf_append(struct yx_buf *b, const void *p, size_t n);
int yx_buf_puts(struct yx_buf *b, const char *s);
int yx_buf_printf(struct yx_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int yx_buf_vprintf(struct yx_buf *b, const char *fmt, va_list ap);
/* JSON text written by hand, where building jansson objects only to print them costs more than
 * the rest of the request (a page of patients): a string literal quoted and escaped, or null for
 * NULL (s must be valid UTF-8); an integer. */
int yx_buf_json_str(struct yx_buf *b, const char *s);
int yx_buf_json_int(struct yx_buf *b, int64_t v);
/* Hands the bytes to the caller (free() them) and resets the buffer. */
char *yx_buf_detach(struct yx_buf *b, size_t *len);
void yx_buf_release(struct yx_buf *b);

/* An arena: many small allocations freed together (one per request). */
struct yx_arena_chunk;
struct yx_arena {
    struct yx_arena_chunk *head;
};
void *yx_arena_alloc(struct yx_arena *a, size_t n);
char *yx_arena_strndup(struct yx_arena *a, const char *s, size_t n);
char *yx_arena_strdup(struct yx_arena *a, const char *s);
void yx_arena_release(struct yx_arena *a);

/* Bounded string formatting into a fixed array; returns YX_ETOOBIG when it did not fit. */
int yx_snprintf(char *dst, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Wall-clock milliseconds since the epoch. Tests may move the clock with YTEXA_CLOCK_OFFSET_MS. */
int64_t yx_now_ms(void);
/* Writes an RFC 3339 UTC time ("2026-11-22T11:03:00.123Z") for ms since the epoch. */
void yx_time_format(int64_t ms, char out[32]);
/* Parses an ISO 8601 time with its offset ("2026-11-23T09:00:00+07:00", "...Z"; seconds and
 * milliseconds optional) into ms since the epoch. YX_EINVAL for anything else. */
int yx_time_parse(const char *s, int64_t *ms);
/* Today's date (UTC, after YTEXA_CLOCK_OFFSET_MS) as YYYY-MM-DD. */
void yx_today(char out[11]);
/* ms since the epoch as Vietnam's clock shows it (UTC+7 all year), in strftime's fmt
 * ("%H:%M ngày %d/%m"): what notifications and printed documents say. */
void yx_time_vn(int64_t ms, const char *fmt, char *out, size_t outlen);
/* Today in Vietnam (UTC+7), YYYY-MM-DD: the day of a station's queue. */
void yx_today_vn(char out[11]);
/* Days since 1970-01-01 of a civil date of the proleptic Gregorian calendar, and back (Howard
 * Hinnant's days_from_civil and civil_from_days): calendar arithmetic without a time zone database
 * or timegm(), the same on every machine — the reports' periods, FHIR's date searches. A day past
 * the month's end runs on into the next month (29 February of a common year is 1 March): reach's
 * birthdays rely on it. */
int64_t yx_days_from_civil(int y, int m, int d);
void yx_civil_from_days(int64_t z, int *y, int *m, int *d);

/* Random bytes from libsodium; hex and base64url encoders. */
void yx_random(void *p, size_t n);
void yx_hex(const uint8_t *p, size_t n, char *out /* 2n+1 */);
void yx_sha256_hex(const void *p, size_t n, char out[65]);
/* base64(SHA-1(p)), as FHIR's Attachment.hash is given (28 characters and a NUL). */
void yx_sha1_base64(const void *p, size_t n, char out[29]);
/* p as base64 (with padding), malloc'd and NUL-terminated; NULL when out of memory. */
char *yx_base64(const void *p, size_t n);
/* Is given (may be NULL) the secret want? In time that does not depend on where they differ. */
int yx_secret_eq(const char *given, const char *want);
/* A random id for requests and tokens: `bytes` random bytes, base64url, no padding. */
void yx_random_token(char *out, size_t outsize, size_t bytes);
/* base64(HMAC-SHA1(key, data)), as coturn and Janus check their time-limited credentials. 0, or
 * YX_EINTERNAL when out (28 bytes and a NUL at least) is too small. */
int yx_hmac_sha1_base64(const char *key, const char *data, char *out, size_t outlen);
/* A verification code for a paper document (signed minutes, a certificate): ten random characters
 * of Crockford's base32 (no I, L, O, U), printed as XXXXX-XXXXX. */
void yx_verify_code(char out[12]);
/* A code as someone typed it, whatever the case and dashes ("ab3k9-x2m7q"), as printed
 * ("AB3K9-X2M7Q"): 0, or -1 when it is not ten letters and digits. */
int yx_verify_code_parse(const char *in, char out[12]);

/* Logging: one JSON object a line on stderr. */
enum { YX_LOG_DEBUG, YX_LOG_INFO, YX_LOG_WARN, YX_LOG_ERROR };
void yx_log_set_level(int level);
void yx_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes a preformatted JSON line (the access log), or several lines each ending in '\n'. */
void yx_log_json_line(const char *line, size_t len);
void yx_log_lines(const char *lines, size_t len);

/* An invariant the code relies on (a table that agrees with another, an arena that stays in its
 * block): checked in debug builds, where a broken one logs the condition and where it is, then
 * aborts; compiled out, condition and all, in release builds (NDEBUG, as CMake's Release and
 * RelWithDebInfo set). Not for input from outside, which is validated and refused. */
#ifdef NDEBUG
#define YX_ASSERT(cond) ((void)0)
#else
#define YX_ASSERT(cond) ((cond) ? (void)0 : yx_assert_fail(#cond, __FILE__, __LINE__, __func__))
#endif
_Noreturn void yx_assert_fail(const char *cond, const char *file, int line, const char *func);

/* Unicode helpers (utf8proc): is the slice valid UTF-8; NFC-normalise and fold case and
 * diacritics (đ → d as well) into a newly malloc'd string. */
int yx_utf8_valid(const char *s, size_t n);
/* A person's or a place's name: two or more characters that are not spaces, no control characters. */
int yx_name_ok(const char *s);
char *yx_fold(const char *s, size_t n);

#endif
