/* libFuzzer harness for what the server parses from the network before any handler runs: the
 * path (router), the query string, the Cookie header and a JSON body checked against a field
 * table. Input layout: four parts separated by 0x00 bytes: path, query, cookie, body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/dispatch.h"
#include "http/server_internal.h"

static int ok(struct yx_req *r)
{
    return 0;
}

static const struct yx_route routes[] = {
    {"GET", "/api/v1/users", ok, 0, NULL, NULL, 0, NULL},
    {"GET", "/api/v1/users/:id", ok, 0, NULL, NULL, 0, NULL},
    {"POST", "/api/v1/users/:id/password", ok, 0, NULL, NULL, 0, NULL},
    {"GET", "/api/v1/a/:x/b/:y/c/:z/d/:w", ok, 0, NULL, NULL, 0, NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, 0, NULL},
};

static const struct yx_field fields[] = {
    {"username", YX_F_STRING, 1, 3, 64}, {"age", YX_F_INT, 0, 0, 150},  {"active", YX_F_BOOL, 0, 0, 0},
    {"list", YX_F_ARRAY, 0, 0, 0},       {"obj", YX_F_OBJECT, 0, 0, 0}, {NULL, 0, 0, 0, 0},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *parts[4] = {NULL, NULL, NULL, NULL};
    size_t lens[4] = {0, 0, 0, 0};
    size_t start = 0;
    int n = 0;
    for (size_t i = 0; i <= size && n < 4; i++) {
        if (i == size || data[i] == 0) {
            lens[n] = i - start;
            parts[n] = malloc(lens[n] + 1);
            memcpy(parts[n], data + start, lens[n]);
            parts[n][lens[n]] = '\0';
            n++;
            start = i + 1;
        }
    }
    for (; n < 4; n++)
        parts[n] = calloc(1, 1);

    struct yx_req r;
    memset(&r, 0, sizeof r);
    r.method = "GET";
    r.path = parts[0];
    r.query = parts[1];
    int code;
    const struct yx_route *rt = yx_route_match(routes, &r, &code);
    if (rt) {
        int64_t id;
        yx_param_id(&r, 0, &id);
    }
    yx_query(&r, "q");
    yx_query(&r, "cursor");
    yx_cookie_value(&r.arena, parts[2], "ytexa_session");
    json_t *j = json_loadb(parts[3], lens[3], JSON_REJECT_DUPLICATES, NULL);
    if (j) {
        r.json = j;
        yx_body(&r, fields);
        yx_json_str(j, "username");
        yx_json_int(j, "age", 0);
    }
    int status;
    size_t len;
    free(yx_render_answer(&r, &status, &len));
    json_decref(j);
    json_decref(r.err_detail); /* a range's limits (yx_fail_check) */
    yx_arena_release(&r.arena);
    for (int i = 0; i < 4; i++)
        free(parts[i]);
    return 0;
}
