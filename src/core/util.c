/* Error names, time, randomness, hashing, logging and Unicode folding. */
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <utf8proc.h>

#include "ytexa/core.h"

const char *yx_err_name(int code)
{
    switch (code) {
    case YX_OK:
        return "ok";
    case YX_EINVAL:
        return "invalid_input";
    case YX_EAUTH:
        return "unauthenticated";
    case YX_EFORBIDDEN:
        return "forbidden";
    case YX_ENOTFOUND:
        return "not_found";
    case YX_EMETHOD:
        return "method_not_allowed";
    case YX_ECONFLICT:
        return "conflict";
    case YX_ETOOBIG:
        return "too_large";
    case YX_EMEDIA:
        return "unsupported_media_type";
    case YX_ERATELIMIT:
        return "rate_limited";
    case YX_EUNAVAIL:
        return "unavailable";
    case YX_ENOMEM:
        return "out_of_memory";
    case YX_EDB:
        return "database_error";
    case YX_EPRECOND:
        return "precondition_failed";
    case YX_ENOTACCEPT:
        return "not_acceptable";
    default:
        return "internal_error";
    }
}

static int64_t clock_offset;

/* The offset lets tests move time forward (session expiry, rate-limit windows). */
static void clock_offset_read(void)
{
    const char *o = getenv("YTEXA_CLOCK_OFFSET_MS");
    int64_t v = o ? strtoll(o, NULL, 10) : 0;
    clock_offset = v > 0 ? v : 0;
}

int64_t yx_now_ms(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, clock_offset_read);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + clock_offset;
}

/* Writes v as exactly n decimal digits. */
static char *digits(char *p, unsigned v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
    return p + n;
}

/* The civil date of a day count from 1970-01-01, by the era arithmetic of the proleptic Gregorian
 * calendar (400-year eras of 146,097 days). Every JSON time goes through here, 40 a search page:
 * gmtime_r, strftime and snprintf were 3 % of a search's CPU. */
void yx_time_format(int64_t ms, char out[32])
{
    int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    unsigned sod = (unsigned)(secs - days * 86400), msec = (unsigned)(ms - secs * 1000);
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    unsigned day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
    int64_t year = (int64_t)yoe + era * 400 + (month <= 2);
    if (year < 0 || year > 9999) {
        time_t s = (time_t)secs;
        struct tm tm;
        gmtime_r(&s, &tm);
        size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(out + n, 32 - n, ".%03uZ", msec);
        return;
    }
    char *p = digits(out, (unsigned)year, 4);
    *p++ = '-';
    p = digits(p, month, 2);
    *p++ = '-';
    p = digits(p, day, 2);
    *p++ = 'T';
    p = digits(p, sod / 3600, 2);
    *p++ = ':';
    p = digits(p, sod / 60 % 60, 2);
    *p++ = ':';
    p = digits(p, sod % 60, 2);
    *p++ = '.';
    p = digits(p, msec, 3);
    *p++ = 'Z';
    *p = '\0';
}

void yx_random(void *p, size_t n)
{
    randombytes_buf(p, n);
}

void yx_hex(const uint8_t *p, size_t n, char *out)
{
    sodium_bin2hex(out, 2 * n + 1, p, n);
}

int yx_secret_eq(const char *given, const char *want)
{
    size_t n = strlen(want);
    return given && strlen(given) == n && sodium_memcmp(given, want, n) == 0;
}

void yx_sha256_hex(const void *p, size_t n, char out[65])
{
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, p, n);
    yx_hex(h, sizeof h, out);
}

void yx_random_token(char *out, size_t outsize, size_t bytes)
{
    uint8_t raw[64];
    if (bytes > sizeof raw)
        bytes = sizeof raw;
    randombytes_buf(raw, bytes);
    sodium_bin2base64(out, outsize, raw, bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void yx_sha1_base64(const void *p, size_t n, char out[29])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!EVP_Digest(p, n, md, &mdlen, EVP_sha1(), NULL) || mdlen != 20) {
        out[0] = '\0';
        return;
    }
    sodium_bin2base64(out, 29, md, mdlen, sodium_base64_VARIANT_ORIGINAL);
}

char *yx_base64(const void *p, size_t n)
{
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *out = malloc(cap);
    if (out)
        sodium_bin2base64(out, cap, p, n, sodium_base64_VARIANT_ORIGINAL);
    return out;
}

int yx_hmac_sha1_base64(const char *key, const char *data, char *out, size_t outlen)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    if (!HMAC(EVP_sha1(), key, (int)strlen(key), (const unsigned char *)data, strlen(data), mac, &maclen) ||
        outlen < sodium_base64_ENCODED_LEN(maclen, sodium_base64_VARIANT_ORIGINAL))
        return YX_EINTERNAL;
    sodium_bin2base64(out, outlen, mac, maclen, sodium_base64_VARIANT_ORIGINAL);
    return 0;
}

static int log_level = YX_LOG_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void yx_log_set_level(int level)
{
    log_level = level;
}

/* stderr is unbuffered: through stdio a line cost two system calls, and each one is dear on a
 * virtual machine. One writev a call instead, whole lines only, so threads never interleave. */
static void log_writev(struct iovec *iov, int n)
{
    pthread_mutex_lock(&log_lock);
    while (n > 0) {
        ssize_t k = writev(STDERR_FILENO, iov, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        for (; n > 0 && (size_t)k >= iov->iov_len; iov++, n--)
            k -= (ssize_t)iov->iov_len;
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + k;
            iov->iov_len -= (size_t)k;
        }
    }
    pthread_mutex_unlock(&log_lock);
}

void yx_log_json_line(const char *line, size_t len)
{
    struct iovec iov[2] = {{(void *)line, len}, {"\n", 1}};
    log_writev(iov, 2);
}

void yx_log_lines(const char *lines, size_t len)
{
    struct iovec iov[1] = {{(void *)lines, len}};
    if (len)
        log_writev(iov, 1);
}

void yx_log(int level, const char *fmt, ...)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    if (level < log_level)
        return;
    char msg[1024], ts[32], esc[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* Escape the message by hand: quotes, backslashes and control bytes. */
    size_t j = 0;
    for (size_t i = 0; msg[i] && j + 7 < sizeof esc; i++) {
        unsigned char c = (unsigned char)msg[i];
        if (c == '"' || c == '\\') {
            esc[j++] = '\\';
            esc[j++] = (char)c;
        } else if (c < 0x20) {
            j += (size_t)snprintf(esc + j, sizeof esc - j, "\\u%04x", c);
        } else {
            esc[j++] = (char)c;
        }
    }
    esc[j] = '\0';
    yx_time_format(yx_now_ms(), ts);
    char line[2200];
    int n =
        snprintf(line, sizeof line, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"%s\"}", ts, names[level], esc);
    if (n > 0)
        yx_log_json_line(line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

void yx_assert_fail(const char *cond, const char *file, int line, const char *func)
{
    /* Logged at the level nothing filters out, before the core dump that abort() may leave. */
    yx_log(YX_LOG_ERROR, "invariant broken: %s (%s:%d, %s)", cond, file, line, func);
    abort();
}

int yx_utf8_valid(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0 || cp == 0)
            return 0;
        i += (size_t)k;
    }
    return 1;
}

char *yx_fold(const char *s, size_t n)
{
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t k = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &out,
                                      UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK |
                                          UTF8PROC_CASEFOLD | UTF8PROC_COMPAT);
    if (k < 0)
        return NULL;
    /* đ (U+0111) has no decomposition, so folding it to d is done here; whitespace runs become
     * one space so "Nguyễn  Văn" and "nguyen van" match. */
    char *r = (char *)out;
    size_t j = 0;
    int space = 1;
    for (utf8proc_ssize_t i = 0; i < k; i++) {
        unsigned char c = out[i];
        if (c == 0xC4 && i + 1 < k && out[i + 1] == 0x91) {
            r[j++] = 'd';
            i++;
            space = 0;
        } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            if (!space)
                r[j++] = ' ';
            space = 1;
        } else {
            r[j++] = (char)c;
            space = 0;
        }
    }
    while (j > 0 && r[j - 1] == ' ')
        j--;
    r[j] = '\0';
    return r;
}

static void day_of(int64_t ms, char out[11])
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

void yx_today(char out[11])
{
    day_of(yx_now_ms(), out);
}

void yx_time_vn(int64_t ms, const char *fmt, char *out, size_t outlen)
{
    time_t t = (time_t)(ms / 1000 + 7 * 3600);
    struct tm tm;
    gmtime_r(&t, &tm);
    if (strftime(out, outlen, fmt, &tm) == 0 && outlen)
        out[0] = '\0';
}

void yx_today_vn(char out[11])
{
    day_of(yx_now_ms() + 7 * 3600 * 1000LL, out); /* Vietnam keeps UTC+7 all year */
}

int yx_name_ok(const char *s)
{
    int visible = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return 0;
        visible += *p != ' ';
    }
    return visible >= 2;
}

int yx_time_parse(const char *s, int64_t *ms)
{
    int y, mo, d, h, mi, sec = 0, n = 0, frac = 0;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5 || n != 16)
        return YX_EINVAL;
    const char *p = s + n;
    if (*p == ':') {
        if (p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9')
            return YX_EINVAL;
        sec = (p[1] - '0') * 10 + (p[2] - '0');
        p += 3;
        if (*p == '.') {
            int digits = 0;
            for (p++; *p >= '0' && *p <= '9'; p++, digits++)
                if (digits < 3)
                    frac = frac * 10 + (*p - '0');
            if (!digits)
                return YX_EINVAL;
            for (; digits < 3; digits++)
                frac *= 10;
        }
    }
    int offset = 0;
    if (*p == 'Z') {
        p++;
    } else if ((*p == '+' || *p == '-') && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9' &&
               p[3] == ':' && p[4] >= '0' && p[4] <= '9' && p[5] >= '0' && p[5] <= '9') {
        offset = ((p[1] - '0') * 10 + (p[2] - '0')) * 60 + (p[4] - '0') * 10 + (p[5] - '0');
        if (*p == '-')
            offset = -offset;
        p += 6;
    } else {
        return YX_EINVAL; /* a time without its offset is ambiguous across the country's users */
    }
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (*p || y < 1900 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 ||
        sec > 59 || offset < -14 * 60 || offset > 14 * 60)
        return YX_EINVAL;
    if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return YX_EINVAL;
    struct tm tm = {
        .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = sec};
    *ms = ((int64_t)timegm(&tm) - (int64_t)offset * 60) * 1000 + frac;
    return 0;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
int64_t yx_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The civil date of a day number (the inverse of yx_days_from_civil). */
void yx_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}
