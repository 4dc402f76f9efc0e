/* Request arenas: many small allocations released together when the request ends. */
#include <stdlib.h>
#include <string.h>

#include "ytexa/core.h"

struct yx_arena_chunk {
    struct yx_arena_chunk *next;
    size_t used, size;
    _Alignas(16) unsigned char mem[];
};

#define CHUNK_SIZE 4096

void *yx_arena_alloc(struct yx_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    struct yx_arena_chunk *c = a->head;
    if (!c || c->size - c->used < n) {
        /* Large allocations get a chunk of their own so a small chunk is not wasted. */
        size_t size = n > CHUNK_SIZE / 2 ? n : CHUNK_SIZE;
        c = malloc(sizeof(*c) + size);
        if (!c)
            return NULL;
        c->size = size;
        c->used = 0;
        if (n > CHUNK_SIZE / 2 && a->head) {
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = a->head;
            a->head = c;
        }
    }
    void *p = c->mem + c->used;
    c->used += n;
    /* The chunk chosen has room for n: what is handed out never runs past its block. */
    YX_ASSERT(c->used <= c->size);
    return p;
}

char *yx_arena_strndup(struct yx_arena *a, const char *s, size_t n)
{
    char *p = yx_arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *yx_arena_strdup(struct yx_arena *a, const char *s)
{
    return s ? yx_arena_strndup(a, s, strlen(s)) : NULL;
}

void yx_arena_release(struct yx_arena *a)
{
    struct yx_arena_chunk *c = a->head;
    while (c) {
        struct yx_arena_chunk *n = c->next;
        free(c);
        c = n;
    }
    a->head = NULL;
}
