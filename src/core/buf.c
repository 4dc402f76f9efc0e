/* Size-capped growable buffers and string slices. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ytexa/core.h"

yx_str yx_str_c(const char *s)
{
    return (yx_str){s, s ? strlen(s) : 0};
}

int yx_str_eq(yx_str a, const char *lit)
{
    size_t n = strlen(lit);
    return a.len == n && memcmp(a.ptr, lit, n) == 0;
}

int yx_word_in(const char *list, const char *word)
{
    size_t n = word ? strlen(word) : 0;
    for (const char *p = list ? list : ""; n && *p; p += strspn(p, " ")) {
        size_t len = strcspn(p, " ");
        if (len == n && memcmp(p, word, n) == 0)
            return 1;
        p += len;
    }
    return 0;
}

void yx_buf_init(struct yx_buf *b, size_t max)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max;
}

static int buf_reserve(struct yx_buf *b, size_t extra)
{
    if (extra > b->max || b->len + extra > b->max)
        return YX_ETOOBIG;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p)
        return YX_ENOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

int yx_buf_append(struct yx_buf *b, const void *p, size_t n)
{
    int rc = buf_reserve(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int yx_buf_puts(struct yx_buf *b, const char *s)
{
    return yx_buf_append(b, s, strlen(s));
}

int yx_buf_vprintf(struct yx_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return YX_EINVAL;
    int rc = buf_reserve(b, (size_t)n);
    if (rc)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int yx_buf_printf(struct yx_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = yx_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

char *yx_buf_detach(struct yx_buf *b, size_t *len)
{
    char *p = b->data;
    if (len)
        *len = b->len;
    if (!p)
        p = calloc(1, 1);
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

void yx_buf_release(struct yx_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int yx_snprintf(char *dst, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(dst, size, fmt, ap);
    va_end(ap);
    return (n < 0 || (size_t)n >= size) ? YX_ETOOBIG : 0;
}

int yx_buf_json_str(struct yx_buf *b, const char *s)
{
    if (!s)
        return yx_buf_append(b, "null", 4);
    int rc = yx_buf_append(b, "\"", 1);
    const char *run = s;
    for (; rc == 0 && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        char esc[8];
        int n = c == '"' || c == '\\' ? snprintf(esc, sizeof esc, "\\%c", c)
                                      : snprintf(esc, sizeof esc, "\\u%04x", c);
        rc = yx_buf_append(b, run, (size_t)(s - run));
        if (rc == 0)
            rc = yx_buf_append(b, esc, (size_t)n);
        run = s + 1;
    }
    if (rc == 0)
        rc = yx_buf_append(b, run, (size_t)(s - run));
    return rc ? rc : yx_buf_append(b, "\"", 1);
}

int yx_buf_json_int(struct yx_buf *b, int64_t v)
{
    char d[24];
    int n = snprintf(d, sizeof d, "%lld", (long long)v);
    return yx_buf_append(b, d, (size_t)n);
}
