/* A file as the body of an answer (yx_reply_file), read as the client takes it: 64 KiB at a time
 * from the file, never the whole file in memory; one byte range when the client asks for it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server_internal.h"

struct file_gen {
    h2o_generator_t super;
    int fd;
    off_t off, end;
    char buf[64 * 1024];
};

/* The descriptor is closed with the request's pool. */
static void file_gen_dispose(void *p)
{
    struct file_gen *g = p;
    if (g->fd >= 0)
        close(g->fd);
}

static void file_gen_stop(h2o_generator_t *self, h2o_req_t *req)
{
    (void)self; /* the client went away: the pool's disposal closes the file */
    (void)req;
}

static void file_gen_proceed(h2o_generator_t *self, h2o_req_t *req)
{
    struct file_gen *g = (struct file_gen *)self;
    size_t want = (size_t)(g->end - g->off) < sizeof g->buf ? (size_t)(g->end - g->off) : sizeof g->buf;
    ssize_t n = want ? pread(g->fd, g->buf, want, g->off) : 0;
    if (n < 0)
        n = 0; /* a read error ends the body short; the client sees the length mismatch */
    g->off += n;
    h2o_iovec_t v = h2o_iovec_init(g->buf, (size_t)n);
    h2o_send(req, &v, 1, g->off >= g->end || n == 0 ? H2O_SEND_STATE_FINAL : H2O_SEND_STATE_IN_PROGRESS);
}

/* One "bytes=N-" or "bytes=N-M" range of a file of size bytes: 1 and [*from, *to) when it is
 * one, 0 when there is no range header or it is not one we serve (the whole file then), -1 when
 * it starts past the end (416). */
static int byte_range(h2o_req_t *req, off_t size, off_t *from, off_t *to)
{
    ssize_t i = h2o_find_header(&req->headers, H2O_TOKEN_RANGE, -1);
    if (i < 0)
        return 0;
    h2o_iovec_t v = req->headers.entries[i].value;
    char spec[64];
    if (v.len < 7 || v.len >= sizeof spec || strncmp(v.base, "bytes=", 6) != 0)
        return 0;
    memcpy(spec, v.base + 6, v.len - 6);
    spec[v.len - 6] = '\0';
    char *end;
    long long a = strtoll(spec, &end, 10), b = size - 1;
    if (end == spec || *end != '-' || a < 0)
        return 0;
    if (end[1]) {
        char *end2;
        b = strtoll(end + 1, &end2, 10);
        if (*end2 || b < a)
            return 0;
    }
    if (a >= size)
        return -1;
    *from = a;
    *to = (b >= size ? size - 1 : b) + 1;
    return 1;
}

static void add_header(h2o_req_t *req, const h2o_token_t *token, const char *v, size_t len)
{
    h2o_add_header(&req->pool, &req->res.headers, token, NULL, h2o_strdup(&req->pool, v, len).base, len);
}

void yx_send_file(h2o_req_t *req, struct yx_file_body *f, const char *type)
{
    int fd = f->fd;
    off_t size = (off_t)f->size;
    free(f);
    off_t from = 0, to = size;
    int ranged = byte_range(req, size, &from, &to);
    char cr[80];
    add_header(req, H2O_TOKEN_ACCEPT_RANGES, H2O_STRLIT("bytes"));
    if (ranged < 0) {
        close(fd);
        snprintf(cr, sizeof cr, "bytes */%lld", (long long)size);
        req->res.status = 416;
        req->res.reason = "Range Not Satisfiable";
        add_header(req, H2O_TOKEN_CONTENT_RANGE, h2o_strdup(&req->pool, cr, SIZE_MAX).base, strlen(cr));
        h2o_send_inline(req, NULL, 0);
        return;
    }
    if (ranged) {
        snprintf(cr, sizeof cr, "bytes %lld-%lld/%lld", (long long)from, (long long)to - 1, (long long)size);
        req->res.status = 206;
        req->res.reason = "Partial Content";
        add_header(req, H2O_TOKEN_CONTENT_RANGE, h2o_strdup(&req->pool, cr, SIZE_MAX).base, strlen(cr));
    }
    add_header(req, H2O_TOKEN_CONTENT_TYPE, type, strlen(type));
    struct file_gen *g = h2o_mem_alloc_shared(&req->pool, sizeof *g, file_gen_dispose);
    g->super = (h2o_generator_t){file_gen_proceed, file_gen_stop};
    g->fd = fd;
    g->off = from;
    g->end = to;
    req->res.content_length = (size_t)(to - from);
    h2o_start_response(req, &g->super);
    file_gen_proceed(&g->super, req);
}
