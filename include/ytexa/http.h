/* What a workflow's handlers see of an HTTP request: no h2o here, so the server library could be
 * replaced without touching src/<domain>/.
 *
 * A handler runs on a worker thread (never on the event loop unless its route says YX_R_LOOP),
 * with its own database connection in r->db. It reads the request fields, and either sets the
 * answer with yx_reply() and returns 0, or returns yx_fail(r, YX_E…, "message"). For routes that
 * write, the dispatcher wraps the handler in one transaction together with its audit event and
 * its Idempotency-Key record: a failure rolls everything back, so bad input writes nothing. */
#ifndef YTEXA_HTTP_H
#define YTEXA_HTTP_H

#include <jansson.h>
#include <stdint.h>

#include "ytexa/core.h"
#include "ytexa/store.h"

/* A place a registered system may read (docs/fhir.md, "Access for systems"): a facility, or a
 * province (facility_id 0). */
struct yx_place {
    int64_t facility_id, province_id;
};

/* The logged-in user a request acts for. province_id is the province of the user's facility. A
 * registered system (SMART Backend Services) is a principal of its own kind: system_id set,
 * user_id 0, role "system", its places and granted scopes instead of a facility. */
struct yx_principal {
    int64_t user_id;
    int64_t session_id;
    int64_t facility_id; /* 0 when the role has none (ministry admin, patient) */
    int64_t province_id;
    int64_t patient_id; /* a patient's own account: the record it reads (0 otherwise) */
    char username[64];
    char role[24];
    char full_name[160];
    char csrf[48];
    int64_t system_id;             /* a registered system's id (systems.id), 0 for a user */
    const struct yx_place *places; /* a system's places, in the request's arena (nplaces of them) */
    int nplaces;
    const char *scope; /* a system's granted scopes ("system/Patient.rs …"), in the arena */
};

#define YX_MAX_PARAMS 4
#define YX_MAX_COOKIES 3

struct yx_ws_handler;
struct yx_req;

/* How the answers under a path prefix are written when they are not the API's own JSON: FHIR's
 * routes answer application/fhir+json and their errors as an OperationOutcome. The server is given
 * the dialects (struct yx_server_setup) and picks one by the request's path, also for a path no
 * route matches, so every answer under the prefix speaks it; the error's code, message and field
 * are still set by yx_fail…, in the one place they are (yx_render_answer). */
struct yx_api_dialect {
    const char *prefix; /* "/fhir/" */
    const char *type;   /* the content type of its JSON answers, errors included */
    /* The error of r (r->err, r->err_msg, r->err_field, r->err_code, r->err_detail) as the body
     * to send with status; a new reference, or NULL for the API's own shape. */
    json_t *(*error)(const struct yx_req *r, int status);
};

struct yx_req {
    struct yx_arena arena;
    const char *method;                /* "GET", "POST" … */
    const char *path;                  /* without the query */
    const char *query;                 /* raw, without '?'; "" when none */
    const char *params[YX_MAX_PARAMS]; /* values of :name segments, in order */
    int nparams;
    const char *body;
    size_t body_len;
    json_t *json; /* the parsed body (an object), or NULL when there was none */
    const char *content_type;
    const char *bearer;       /* Authorization: Bearer … */
    const char *cookie_token; /* the session cookie */
    const char *csrf_header;  /* X-CSRF-Token */
    const char *idempotency_key;
    const char *origin; /* the Origin header, or NULL */
    const char *host;   /* the Host header (HTTP/2: :authority), or NULL when the client sent none */
    /* "https" or "http": the scheme the client used to reach the site — TLS here, or the
     * X-Forwarded-Proto of a proxy trusted with --trust-proxy (nginx ending TLS in front). */
    const char *scheme;
    const char *ws_protocol; /* Sec-WebSocket-Protocol, for /ws */
    /* Accept and Accept-Language, for the few answers that come in more than one type or
     * language (reports as CSV); NULL when absent. */
    const char *accept, *accept_language;
    /* The request's "Tus-*" and "Upload-*" headers (resumable uploads), and "Prefer" and
     * "If-Match" (FHIR's writes), names in lower case. */
    const char *xhdr[8][2];
    int nxhdr;
    char addr[64];
    int proxied; /* it came with X-Forwarded-For: through a proxy, whatever addr says */
    char id[24]; /* the request id, in the X-Request-Id header and the access log */
    struct yx_db *db;
    struct yx_principal who;
    int authed;
    int no_touch;     /* resolve the session without counting it as activity (a check nobody asked for,
                       * a request the page made by itself: X-Ytexa-Background: 1) */
    int auth_changed; /* the handler ended a session or changed an account: see yx_auth_forget() */
    const struct yx_route *route;
    const struct yx_api_dialect *dialect; /* the dialect of r->path, or NULL: the API's JSON */

    /* The answer. */
    int status;
    json_t *out;
    char *out_raw; /* a body that is not JSON (a PDF), malloc'd, with its type */
    size_t out_raw_len;
    const char *out_type;
    struct yx_file_body *out_file; /* a file sent as the body, read as it is sent; owned */
    const char *cookies[YX_MAX_COOKIES];
    int ncookies;
    int err;
    /* The message, "Vietnamese / English" when it has both: err_msg[0..err_split) is the
     * Vietnamese, err_msg + err_split + 3 the English; err_split is -1 for a message of one
     * language (yx_error_text picks the half the client's Accept-Language asks for). */
    char err_msg[640]; /* both halves, with the values written into each */
    int err_split;
    const char *err_field;
    const char *err_code; /* a precise code ("consent_required") instead of the status's name */
    json_t *err_detail;   /* more members of the error object ({"candidates": […]}), owned */
    /* Set by yx_ws_accept(): the socket is upgraded and handed to this owner. */
    const struct yx_ws_handler *upgrade_ws;
    /* More response headers (Location, Upload-Offset, Content-Disposition …), in the arena. */
    const char *out_hdr[8][2];
    int nout_hdr;

    /* What the audit event of this request names, when its route is audited. */
    const char *audit_resource_id;
    int64_t audit_patient_id;
    /* Set by the dispatcher for an audited read: the server queues the event for the audit writer
     * (group commit) and answers once it is durable. */
    int audit_deferred;
    const char *audit_outcome;
    /* A record the request keeps although it fails (yx_keep_on_failure): written after the
     * request's own writes are rolled back, in a transaction of its own. */
    int (*kept)(struct yx_req *r, void *arg);
    void *kept_arg;
};

typedef int (*yx_handler)(struct yx_req *r);
struct yx_field;

enum {
    YX_R_PUBLIC = 1, /* no session needed */
    YX_R_HEAVY = 2,  /* CPU-bound (password hashing): limited how many run at once */
    YX_R_LOOP = 4,   /* cheap, no database: runs on the event loop */
    YX_R_NOTX = 8,   /* a write route that manages its own transactions (login) */
    YX_R_RAW = 16,   /* the body is bytes, not JSON (an upload chunk), up to YX_RAW_BODY_MAX */
    /* A quick audited read (a few indexed queries, a small answer): run in batches by the reads
     * thread, whose events are committed together, instead of one worker hop each. */
    YX_R_BATCH = 32,
    /* Image work (thumbnails, previews): like YX_R_HEAVY but counted apart, --image-concurrency
     * at once, so images never wait on password hashes nor hold the workers. */
    YX_R_IMAGE = 64,
    /* A report over a period's events (src/reports): seconds of work at province scale, so like
     * YX_R_HEAVY counted apart, --report-concurrency at once, so that administrators' dashboards
     * never hold the workers the clinical writes and reads need. */
    YX_R_REPORT = 128,
    /* A GET that records something (a bulk export's job): run as a write — in a transaction
     * together with its audit event, on the writes' path — so that what it recorded and the
     * event that it was asked commit together or not at all. */
    YX_R_WRITES = 256,
    /* A write that opens or ends a session (login, logout): taken while storage is low
     * (yx_storage_low), a few hundred bytes, so that people can still sign in to read. */
    YX_R_SESSION = 512,
};

/* Is the data folder's free space under its floor (src/files/storage.c)? Then every write route
 * but YX_R_SESSION's is refused with 503 storage_full before it runs; reads go on. */
int yx_storage_low(void);
void yx_storage_low_set(int low);

/* The roles, as bits: who may call a route. The names are those of include/ytexa/auth.h. */
enum {
    YX_ROLE_HEALTH_WORKER = 1 << 0,
    YX_ROLE_DOCTOR = 1 << 1,
    YX_ROLE_SPECIALIST = 1 << 2,
    YX_ROLE_TRAINER = 1 << 3,
    YX_ROLE_FACILITY_ADMIN = 1 << 4,
    YX_ROLE_PROVINCE_ADMIN = 1 << 5,
    YX_ROLE_MINISTRY_ADMIN = 1 << 6,
    YX_ROLE_PATIENT = 1 << 7,
    /* Not a role of an account: a registered system's token (SMART Backend Services). A route
     * that carries it may be called by a system, and then only within its token's scopes
     * (yx_route_permits); a route without it refuses every system, whatever its scopes name. */
    YX_ROLE_SYSTEM = 1 << 8,
};
#define YX_DOCTORS (YX_ROLE_DOCTOR | YX_ROLE_SPECIALIST)
#define YX_CLINICIANS (YX_ROLE_HEALTH_WORKER | YX_DOCTORS)
#define YX_ADMINS (YX_ROLE_FACILITY_ADMIN | YX_ROLE_PROVINCE_ADMIN | YX_ROLE_MINISTRY_ADMIN)
#define YX_STAFF (YX_CLINICIANS | YX_ROLE_TRAINER | YX_ADMINS)
#define YX_ANYONE (YX_STAFF | YX_ROLE_PATIENT)
/* Who may make and run a course: its trainers (trainers, doctors and specialists named on it) and
 * the administrators over its facility. */
#define YX_COURSE_MAKERS (YX_DOCTORS | YX_ROLE_TRAINER | YX_ADMINS)

/* A route, as a workflow declares it. roles says who may call it at all: the dispatcher refuses
 * every other role with 403 before the handler runs (the handler then decides, with
 * yx_authorize(), on the record itself). fields is the JSON body it takes, the table yx_body()
 * checks (NULL: no JSON body). `ytexa routes --json` prints the whole table, and the route matrix
 * test (tests/api/matrix.test.mjs) calls every route from it. */
struct yx_route {
    const char *method;
    const char *pattern; /* "/api/v1/facilities/:id" */
    yx_handler fn;
    int flags;
    const char *audit; /* the audit action ("user.create"), or NULL when not audited */
    const char *resource_type;
    unsigned roles;                /* YX_ROLE_… bits; ignored (anyone) for YX_R_PUBLIC */
    const struct yx_field *fields; /* the body's fields, or NULL */
};

/* Does the route table (ended by a NULL pattern) hold what matching relies on: every route has a
 * method, a handler and a path, and roles unless it is public; no two routes of one method have
 * patterns of one shape ("/x/:id" and "/x/:sid"), of which the second could never be matched?
 * 1, or 0 with *bad (may be NULL) the first route at fault. */
int yx_routes_valid(const struct yx_route *routes, const struct yx_route **bad);

/* The largest raw body a YX_R_RAW route takes (a chunk of a resumable upload). */
#define YX_RAW_BODY_MAX (8 * 1024 * 1024)

/* Is origin (an Origin header) exactly the site's own origin, scheme://host (a Host header) as
 * reached over scheme? Compares the scheme, the host without regard to case and the port, a
 * missing port being the scheme's default (http://h = http://h:80, https://h = https://h:443).
 * "null", a path, user info, a scheme other than http(s) or anything that does not parse is 0;
 * so is a missing origin or host. */
int yx_same_origin(const char *origin, const char *scheme, const char *host);

/* A request header of the Tus-* / Upload-* family by its lower-case name, or NULL. */
const char *yx_header(const struct yx_req *r, const char *name);
/* Adds a response header (both strings are copied into the request's arena). */
int yx_reply_header(struct yx_req *r, const char *name, const char *value);
/* The first value of the answer header name set with yx_reply_header (compared without case), or
 * NULL. */
const char *yx_reply_header_get(const struct yx_req *r, const char *name);

/* Forgets r's error (code, message, field, error code, detail): a request that goes on after a
 * refusal it has answered in its own way (a refused line of a bulk import). */
void yx_clear_error(struct yx_req *r);
/* Sets the error of the answer and returns code, so handlers write `return yx_fail(…)`. A message
 * in both languages is written "Vietnamese / English": the answer carries the half the client's
 * Accept-Language asks for, split where fmt has " / " (or, for fmt "%s", where the text has it). */
int yx_fail(struct yx_req *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Same, naming the field of the input that was wrong. */
int yx_fail_field(struct yx_req *r, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Same, with a precise error code a client can act on (a literal, not copied) and, when detail is
 * an object, its members added to the error object (the reference is taken). */
int yx_fail_code(struct yx_req *r, int code, const char *err_code, json_t *detail, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* A field's value is wrong: a 400 naming field (the body's JSON path, "guardian.phone") with check,
 * one of the codes docs/api.md lists ("required", "too_short", "too_long", "out_of_range",
 * "bad_format", "not_allowed", "unknown_field", "bad_type"), as its code, and min and max in the
 * error object when has_range is set (the limits the sentence names). field and check are not
 * copied. */
int yx_fail_check(struct yx_req *r, const char *field, const char *check, int has_range, double min,
                  double max, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* The error of a member object (its fields validated alone) named by its path in the body: field
 * "phone" of "guardian" becomes "guardian.phone", of "items[2]" "items[2].phone" (copied into the
 * arena). Returns rc. */
int yx_error_within(struct yx_req *r, int rc, const char *path);
/* Does the client prefer English to Vietnamese (Accept-Language, q-values honoured; Vietnamese
 * when it names neither or has no header)? */
int yx_wants_english(const struct yx_req *r);
/* The error message of r in one language: the Vietnamese or the English half of a "Vietnamese /
 * English" message, chosen by english, copied into out (n bytes); a message of one language as it
 * is. Returns out. */
const char *yx_error_text(const struct yx_req *r, int english, char *out, size_t n);
/* Asks that fn(r, arg) run once the request has failed and its writes are rolled back, in a
 * transaction of its own (on SQLite a savepoint of the group commit, durable with it): a refusal
 * the law asks to count (Circular 30) is kept although the request writes nothing else. arg lives
 * in the request's arena; fn's failure is logged, never the answer. The last call wins. */
void yx_keep_on_failure(struct yx_req *r, int (*fn)(struct yx_req *r, void *arg), void *arg);
/* Runs method url (a path under this server, with its query: "/fhir/Patient?name=x") as a request
 * of its own inside parent — an entry of a FHIR transaction or batch Bundle — through the steps a
 * request of its own takes: the route table, the route's permission (the principal is parent's),
 * its declared body fields (body, borrowed, is the entry's resource), the handler, which asks
 * yx_authorize() as always, and its own audit event; all in a savepoint of parent's transaction,
 * rolled back alone when it fails. The answer is in sub (status, out, out_raw, out_hdr; err …):
 * 0 or the sub-request's failure. Routes with a transaction, body, thread or queue of their own
 * (login, uploads, reports) and parent's own route are refused 400. if_match (may be NULL) is its
 * If-Match; parent's Prefer holds for it. A failure's audit event (and any record its handler
 * keeps on failure) is written at once in parent's transaction, or — all_or_nothing, when parent
 * is to fail with it — after parent's rollback; then sub, which must live until parent ends (in
 * its arena), is released by the pipeline and not by the caller. Otherwise the caller releases
 * it with yx_subrequest_release(). */
int yx_subrequest(struct yx_req *parent, struct yx_req *sub, const char *method, const char *url,
                  json_t *body, const char *if_match, int all_or_nothing);
void yx_subrequest_release(struct yx_req *sub);
/* 404 with the one message every record that is absent — or that the caller may not know of —
 * answers with, byte for byte, so that ids cannot be probed. Returns YX_ENOTFOUND. */
int yx_not_found(struct yx_req *r);
/* Sets a body that is not JSON (data malloc'd, taken; type a literal such as "application/pdf"). */
int yx_reply_raw(struct yx_req *r, int status, const char *type, char *data, size_t len);

/* GET /metrics (src/http/metrics.c): the bearer token that may read it (empty: clients on this
 * machine only), set before serving; and one answered request, counted from the loop. */
void yx_metrics_configure(const char *token);
void yx_metrics_observe(int status, uint64_t ns);
/* A figure a workflow keeps and /metrics shows (Prometheus's text format): its name, "counter" or
 * "gauge", a help line, and how to read it (called on the loop at each scrape: it must not block). */
struct yx_metric {
    const char *name, *type, *help;
    double (*value)(void);
};
/* Adds the figures of table (ended by a NULL name; not copied, so static) to /metrics. Called by
 * src/app before serving; at most 8 tables. */
void yx_metrics_register(const struct yx_metric *table);
/* The gates' figures for /metrics (src/http/gate.c): reports waiting now and the most that ran at
 * once since the server started. */
const struct yx_metric *yx_gate_metrics(void);
/* The type of every JSON answer. */
#define YX_JSON_TYPE "application/json; charset=utf-8"
/* Answers with JSON text a handler wrote itself (where building jansson objects only to print
 * them would cost more than the request); takes b's bytes. */
int yx_reply_text(struct yx_req *r, int status, struct yx_buf *b);
/* An open file to send as an answer's body. */
struct yx_file_body {
    int fd;
    int64_t size;
};
/* Opens the file at path (on the handler's thread) and sends it as the body, type a literal or in
 * the arena: the server reads it while sending, so a 500 MiB DICOM does not sit in memory.
 * YX_EINTERNAL when the file cannot be opened. */
int yx_reply_file(struct yx_req *r, int status, const char *type, const char *path);
/* Sets the answer; takes the reference to body. Returns 0. */
int yx_reply(struct yx_req *r, int status, json_t *body);
/* Adds a Set-Cookie header (the string is copied into the request's arena). */
int yx_set_cookie(struct yx_req *r, const char *cookie);
/* A decoded query parameter, or NULL. The value lives in the request's arena. */
const char *yx_query(struct yx_req *r, const char *name);
/* This site's URL of path ("/fhir") as the client reached it — scheme://Host (localhost without a
 * Host) — in the request's arena; NULL when out of memory. What the FHIR links and the SMART token
 * endpoint's audience are made of, so the two agree. */
const char *yx_req_url(struct yx_req *r, const char *path);
/* Names record id (its decimal text, in the arena) as what the request's audit event is about
 * (r->audit_resource_id). Without it the event names the first path parameter. The event itself
 * is written by the request pipeline, not here. */
void yx_audit_target(struct yx_req *r, int64_t id);
/* Parses path parameter i as a positive id; fails with 404 (an id that cannot exist). */
int yx_param_id(struct yx_req *r, int i, int64_t *out);

/* The HTTP status for a YX_E code: the one place codes become statuses. */
int yx_http_status(int code);

/* Validation of a JSON object against a table of expected fields. Unknown fields, a missing
 * required field, a wrong type, a string out of its length bounds (counted in characters) or an
 * integer out of its bounds fail with YX_EINVAL and a message naming the field. */
enum yx_ftype { YX_F_STRING, YX_F_INT, YX_F_BOOL, YX_F_ARRAY, YX_F_OBJECT, YX_F_ANY, YX_F_NUMBER };
struct yx_field {
    const char *name;
    enum yx_ftype type;
    int required;
    int64_t min, max; /* string length in characters, or integer value; 0,0 means no bound */
};
int yx_validate(struct yx_req *r, const json_t *obj, const struct yx_field *fields);
/* The body as an object validated against fields (fails when there is no body). fields must be the
 * table the route declares (struct yx_route.fields): a handler that checks another is a bug, and
 * the request fails with 500. */
int yx_body(struct yx_req *r, const struct yx_field *fields);
/* For routes that take no input: refuses a body with any field. */
int yx_no_body(struct yx_req *r);
/* Field accessors after validation: NULL / dflt when the field is absent or null. */
const char *yx_json_str(const json_t *obj, const char *name);
int64_t yx_json_int(const json_t *obj, const char *name, int64_t dflt);

/* A LIKE pattern "%folded text%" for a search query, with % _ \ escaped; NULL if q is not text.
 * The string lives in the request's arena. */
char *yx_like_folded(struct yx_req *r, const char *q);
/* The query's "q" (at most 100 bytes) as a LIKE pattern by yx_like_folded, or NULL when there is
 * none; 400 naming "q" when it is too long or not text. */
int yx_query_like(struct yx_req *r, const char **like);
/* The i-th parameter of the query (from 0), its name and value decoded into the arena: 1, or 0
 * when there are fewer; YX_EINVAL (400 naming it) when one is not valid percent-encoded UTF-8. For
 * searches that take a parameter more than once (FHIR's birthdate=ge…&birthdate=le…). */
int yx_query_at(struct yx_req *r, int i, const char **name, const char **value);
/* Reads query parameter name as a positive id into *out (0 when absent); 400 naming it otherwise. */
int yx_query_id(struct yx_req *r, const char *name, int64_t *out);
/* Reads limit (1..200, default 50) from the query. */
int yx_page_limit(struct yx_req *r, int64_t *limit);
/* Reads limit and cursor (an id) from the query. */
int yx_page(struct yx_req *r, int64_t *after, int64_t *limit);
/* {"items": items, "next_cursor": …} from the id of the last item shown (takes items). */
json_t *yx_page_json(json_t *items, int more, int64_t last_id);

/* A JSON string, or null for NULL (a new reference). */
json_t *yx_json_str_or_null(const char *s);
/* Row i's column called col (yx_rows_col) as an integer (an id), or null. */
json_t *yx_json_id_or_null(const struct yx_rows *r, int i, const char *col);
/* Row i's column called col as an ISO time (it holds ms since the epoch), or null. */
json_t *yx_json_time_or_null(const struct yx_rows *r, int i, const char *col);
/* The rows of sql (one ? for id: a visit's vitals, a case's opinions …) as an array of what
 * fill() makes of each; an empty array when the query fails. */
json_t *yx_json_rows(struct yx_db *db, const char *sql, int64_t id,
                     json_t *(*fill)(const struct yx_rows *, int));
/* Answers {"items": [{"code", "name_vi", "name_en"}]} from sql, which selects those three columns
 * of a small reference list (specialties, ethnic groups). */
int yx_reply_code_list(struct yx_req *r, const char *sql);
/* Is v one of the strings of the NULL-terminated list (v may be NULL)? */
int yx_one_of(const char *v, const char *const *list);

/* WebSockets (src/http/websocket.c). A struct yx_ws is one open socket. It lives on the event
 * loop: call these functions from the loop's thread only (include/ytexa/loop.h has the way there).
 * The server owns it; whoever keeps the pointer past the current callback (a worker job) holds a
 * reference (yx_ws_hold) and gives it back (yx_ws_release), and checks yx_ws_alive() before using
 * it again. What the socket says goes to the owner its route handed it to (yx_ws_accept), as
 * h2o_upgrade_to_websocket() hands a socket to a callback with its user data. */
struct yx_ws;
/* The owner of the sockets a route accepts: its callbacks, on the loop, each given data back.
 * opened: the handshake is done and the socket may be sent to. received: a text message within
 * the socket's limits (size, rate), not NUL-terminated. closed: the socket ended (the peer left,
 * an error, a close or the keepalive gave up); let go of it: it is freed once nobody holds it. */
struct yx_ws_handler {
    void (*opened)(struct yx_ws *ws, void *data);
    void (*received)(struct yx_ws *ws, const char *text, size_t len, void *data);
    void (*closed)(struct yx_ws *ws, void *data);
    void *data;
};
/* From a handler of a GET route: when it returns 0 and the request is a WebSocket handshake, the
 * socket is opened and handed to h (not copied: static), with the session the request resolved
 * (yx_ws_who); otherwise the answer the handler set is sent as usual. */
void yx_ws_accept(struct yx_req *r, const struct yx_ws_handler *h);
/* Who opened the socket, as their session resolved at the handshake. */
const struct yx_principal *yx_ws_who(const struct yx_ws *ws);
/* The session token the socket was opened with, to resolve the session again on a worker. */
const char *yx_ws_token(const struct yx_ws *ws);
/* Where its upgrade request came from (the peer's address, or with --trust-proxy the address the
 * proxy appended), as the API's audit records it. */
const char *yx_ws_addr(const struct yx_ws *ws);
/* The owner's state of this socket. */
void *yx_ws_data(const struct yx_ws *ws);
void yx_ws_set_data(struct yx_ws *ws, void *data);
/* Is the socket still open (not closed, not closing)? */
int yx_ws_alive(const struct yx_ws *ws);
/* Queues a text message (copied). A client that does not read what it is sent is closed with 1008
 * once 1 MiB waits for it: YX_EUNAVAIL then, and when the socket is no longer open. */
int yx_ws_send(struct yx_ws *ws, const char *text, size_t len);
/* The same for a JSON value, which it takes. */
int yx_ws_send_json(struct yx_ws *ws, json_t *msg);
/* Closes the socket with a status code (RFC 6455 section 7.4) and a short reason. */
void yx_ws_close(struct yx_ws *ws, int code, const char *reason);
void yx_ws_hold(struct yx_ws *ws);
void yx_ws_release(struct yx_ws *ws);

#endif
