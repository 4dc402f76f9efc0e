/* Internal to src/http: the worker-side request pipeline. */
#ifndef YTEXA_HTTP_DISPATCH_H
#define YTEXA_HTTP_DISPATCH_H

#include "ytexa/http.h"
#include "ytexa/server.h"

/* Runs r through body parsing, authentication, transaction, handler and audit, asking p for the
 * session, the permission and the audit event (include/ytexa/server.h). */
void yx_dispatch(struct yx_req *r, const struct yx_pipeline *p, size_t max_body);
/* Parses r's body into r->json (a JSON object, at most max bytes, no duplicate keys, no NUL in a
 * string or a key); 0, or the refusal already answered in r. No body is no JSON and no error. */
int yx_parse_body(struct yx_req *r, size_t max);
/* Serialises the answer of r (error or body); the caller frees the string. */
char *yx_render_answer(struct yx_req *r, int *status, size_t *len);
/* GET, HEAD and OPTIONS: methods that change nothing (no transaction of their own, no body
 * checked, never a write group). */
int yx_safe_method(const char *m);
/* Does the request write: a method other than GET, HEAD and OPTIONS, or a route that says so
 * (YX_R_WRITES)? */
int yx_route_writes(const struct yx_req *r, const struct yx_route *rt);

/* r fails 503 because the database cannot be reached now (PostgreSQL restarting, a lock held too
 * long), telling the client when to try again. Returns YX_EUNAVAIL. */
int yx_fail_unavailable(struct yx_req *r);
/* Matches method and path against the routes. Returns the route, or NULL with *code set to
 * YX_ENOTFOUND or YX_EMETHOD. Path parameters go to r->params. */
const struct yx_route *yx_route_match(const struct yx_route *routes, struct yx_req *r, int *code);

#endif
