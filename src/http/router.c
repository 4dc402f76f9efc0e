/* Route matching: a method and a path pattern with :name segments. */
#include <string.h>

#include "dispatch.h"

/* Matches one pattern; on success the path parameters are copied into r's arena. */
static int match(const char *pat, const char *path, struct yx_req *r)
{
    const char *vals[YX_MAX_PARAMS];
    size_t lens[YX_MAX_PARAMS];
    int n = 0;
    while (*pat && *path) {
        if (*pat == ':') {
            const char *end = strchr(path, '/');
            size_t len = end ? (size_t)(end - path) : strlen(path);
            if (len == 0 || n == YX_MAX_PARAMS)
                return 0;
            vals[n] = path;
            lens[n++] = len;
            path += len;
            pat = strchr(pat, '/');
            if (!pat)
                pat = "";
            continue;
        }
        if (*pat != *path)
            return 0;
        pat++;
        path++;
    }
    if (*pat || *path)
        return 0;
    r->nparams = n;
    for (int i = 0; i < n; i++)
        r->params[i] = yx_arena_strndup(&r->arena, vals[i], lens[i]);
    return 1;
}

/* Do two patterns have one shape: the same segments, a parameter where the other has a parameter,
 * whatever either is called? Then the first of two routes of one method would always be matched. */
static int same_shape(const char *a, const char *b)
{
    while (*a && *b) {
        if (*a == ':' && *b == ':') {
            a += strcspn(a, "/");
            b += strcspn(b, "/");
            continue;
        }
        if (*a != *b)
            return 0;
        a++;
        b++;
    }
    return !*a && !*b;
}

int yx_routes_valid(const struct yx_route *routes, const struct yx_route **bad)
{
    for (const struct yx_route *rt = routes; rt->pattern; rt++) {
        int ok = rt->method && rt->fn && rt->pattern[0] == '/' && ((rt->flags & YX_R_PUBLIC) || rt->roles);
        for (const struct yx_route *o = rt + 1; ok && o->pattern; o++)
            ok = strcmp(rt->method, o->method) != 0 || !same_shape(rt->pattern, o->pattern);
        if (!ok) {
            if (bad)
                *bad = rt;
            return 0;
        }
    }
    return 1;
}

const struct yx_route *yx_route_match(const struct yx_route *routes, struct yx_req *r, int *code)
{
    int path_found = 0;
    for (const struct yx_route *rt = routes; rt->pattern; rt++) {
        if (!match(rt->pattern, r->path, r))
            continue;
        if (strcmp(rt->method, r->method) == 0 ||
            (strcmp(r->method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0))
            return rt;
        path_found = 1;
    }
    *code = path_found ? YX_EMETHOD : YX_ENOTFOUND;
    r->nparams = 0;
    return NULL;
}
