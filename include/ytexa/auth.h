/* Accounts, sessions and the one authorization decision. */
#ifndef YTEXA_AUTH_H
#define YTEXA_AUTH_H

#include <stdint.h>

#include "ytexa/http.h"

/* The roles, as stored and as sent in the API. */
#define YX_ROLES                                                                                             \
    "health_worker", "doctor", "specialist", "trainer", "facility_admin", "province_admin",                  \
        "ministry_admin", "patient"
int yx_role_valid(const char *role);

/* Finds the session of r (bearer token or cookie), fills r->who and sets r->authed. A cookie
 * session also needs X-CSRF-Token on a request that writes. Fails with YX_EAUTH. */
int yx_auth_resolve(struct yx_req *r);
/* Forgets the sessions remembered by yx_auth_resolve() on every thread. The dispatcher calls it
 * after the commit of a request whose handler set r->auth_changed (it ended a session, or changed
 * an account or a facility in a way that changes who a session's principal is). */
void yx_auth_forget(void);

/* Registered systems (SMART Backend Services, docs/fhir.md "Access for systems"). A system's
 * access token is this prefix and 43 base64url characters (256 random bits): a session token is
 * 43 characters, so the two never take each other's shape. */
#define YX_SYSTEM_TOKEN_PREFIX "smart-"
/* The token endpoint's path. Its URL under the configured public URL — never one made from the
 * request's Host header, which the client chooses — is the audience an assertion must name. */
#define YX_SMART_TOKEN_PATH "/fhir/auth/token"
const char *yx_smart_token_url(struct yx_req *r);
int yx_system_token_shape(const char *token);
/* Resolves a system's access token into r->who (system_id, role "system", its places and granted
 * scopes in the arena) and sets r->authed. YX_EAUTH when the token is unknown, expired, or its
 * system revoked. yx_auth_resolve() calls it for a token of that shape on /fhir/. */
int yx_system_resolve(struct yx_req *r, const char *token);
/* May the system call the route (method, pattern)? Only FHIR reads its granted scopes name: GET
 * /fhir/<Type>/:id (r) and GET /fhir/<Type> (s); and Bulk Data's routes (a kick-off, which asks each
 * type it exports of the scopes itself, and its job's status, files and cancellation, which are
 * only its requester's). 0 or YX_EFORBIDDEN. */
int yx_system_permits(const struct yx_principal *who, const char *method, const char *pattern);
/* Is a record of facility (in province) among the system's places? */
int yx_system_in_places(const struct yx_principal *who, int64_t facility_id, int64_t province_id);
/* POST /fhir/auth/token answers RFC 6749's errors ({"error", "error_description"}), not the FHIR
 * dialect's OperationOutcome: the server is given this dialect for that path before FHIR's. */
extern const struct yx_api_dialect yx_oauth_dialect;
/* /fhir/.well-known/smart-configuration is plain JSON, not FHIR's. */
extern const struct yx_api_dialect yx_smart_discovery_dialect;

/* Argon2id via libsodium (19 MiB or more, 2 passes or more). Hashing is slow on purpose: call it
 * only from a route marked YX_R_HEAVY or from the command line. */
int yx_password_hash(const char *password, char out[128]);
int yx_password_verify(const char *hash, const char *password); /* 0 when it matches */
/* Checks a new password's length: 8 to 128 characters, any characters. */
int yx_password_acceptable(const char *password);
/* Loads the list of common passwords (one a line, "#!comment" lines and lines over 511 bytes
 * skipped, at most a million read; Debian's john-data ships one at /usr/share/john/password.lst),
 * replacing any loaded before. Its count; 0 for an empty path (none); -1, logged as a warning,
 * when the file cannot be read. Call before serving: the list is read without a lock. */
int yx_password_list_load(const char *path);
/* Why a new password is easily guessed, or 0: compared without case, diacritics or anything but
 * letters and digits, and without the digits it ends with — */
enum {
    YX_PW_PATTERN = 1, /* one character repeated, a run ("12345678", "abcdefgh"), a short unit again */
    YX_PW_COMMON,      /* in the common list, or a local word ("matkhau", "ytexa") */
    YX_PW_PERSONAL,    /* holds the username or the full name, or is a word of the name and digits */
};
int yx_password_guessable(const char *password, const char *username, const char *full_name);
/* yx_password_guessable()'s answer in English words ("one of the most common passwords"). */
const char *yx_password_weakness(int why);
/* The length and yx_password_guessable() for a request: 0, or 400 naming field ("weak_password"
 * when guessable). username and full_name may be NULL. */
int yx_password_check(struct yx_req *r, const char *field, const char *password, const char *username,
                      const char *full_name);
int yx_password_store(struct yx_req *r, int64_t user_id, const char *hash, int64_t keep_session);

/* Session settings, set once at start from the configuration. */
struct yx_auth_settings {
    int idle_s, max_s, cookie_secure, fail_user, fail_addr;
    char public_url[256]; /* scheme://name[:port] clients reach the server at, no trailing '/' */
};
void yx_auth_configure(const struct yx_auth_settings *s);
const struct yx_auth_settings *yx_auth_settings(void);

/* What a principal wants to do, to what. */
enum yx_action {
    YX_A_READ,
    YX_A_WRITE,
    YX_A_ADMIN, /* create or change accounts, facilities, the network; make a course; confirm what
                   another recorded */
    YX_A_JOIN,  /* take part in its live channel: a visit's chat and call; a facility's own channel
                   (its inbox and queue changing: its people only) */
};
enum yx_resource_kind {
    YX_RES_FACILITY, /* a facility record itself */
    YX_RES_NETWORK,  /* support links */
    YX_RES_USER,     /* an account */
    YX_RES_AUDIT,    /* the audit trail */
    YX_RES_PATIENT,  /* patient data (owned by facility_id, or shared through a case) */
    YX_RES_CONSULT,  /* a consultation case (facility_id: the requester; shared: the caller's
                        facility is the hub that has it or takes part; relation: the caller's sides
                        of it, the workflow's bits, and need for an act other than a read) */
    /* Patient data of a particular kind: the patient rule, with what the kind adds. */
    YX_RES_VISIT,        /* a visit (party: the caller is its own doctor); YX_A_JOIN: its chat and
                            call, which its patient's own account joins too */
    YX_RES_VISIT_RECORD, /* what is written into a visit's record, asked after the visit (party: the
                            caller is its doctor; facility_id: a facility whose clinicians also write
                            it, as vitals measured at the station, or 0) */
    YX_RES_PRESCRIPTION, /* a prescription, asked after its visit (state: its status) */
    YX_RES_CONSENT,      /* a patient's consent, which the patient's own account also gives */
    YX_RES_APPOINTMENT,  /* a booking, which the patient's own account also makes for itself */
    YX_RES_SCHEDULE,     /* a doctor's availability (party: the caller is the doctor; facility_id: the
                            doctor's facility) */
    YX_RES_FILE,         /* an upload (facility_id: where it is kept; state: its purpose, "clinical"
                            or "course_material") */
    /* Training: relation is the caller's relation to the course (yx_course_relation()). */
    YX_RES_COURSE,          /* a course with its sessions, materials and quiz (state: its state; need:
                               for an act other than a read, the relations that may do it — 0: those
                               who run it; YX_A_ADMIN: make a course of facility_id) */
    YX_RES_ENROLMENT,       /* an enrolment (facility_id: the facility enrolled, or the person's;
                               party: the person is the caller) */
    YX_RES_SITE_ATTENDANCE, /* a site's attendance of a session (party: the caller recorded it) */
    YX_RES_CREDIT,          /* a credit, to issue its certificate (party: the caller holds it;
                               relation 0: the caller may not see the course) */
    YX_RES_CERTIFICATE,     /* a certificate (party: the caller holds it; facility_id, province_id:
                               the holder's facility and province) */
    YX_RES_REPORT,
    /* a report's place: one facility (facility_id and its province_id), one
       province (province_id, facility_id 0) or the country (both 0) */
    YX_RES_EXPORT, /* a FHIR bulk export of a place's records ($export): one facility
(facility_id and its province_id), one province (province_id,
facility_id 0), or everything the principal reads (both 0) */
    YX_RES_IMPORT, /* a FHIR bulk import into a facility's registry ($import): written by the
                      administrators over the facility (yx_authorize() with YX_A_WRITE) */
};
struct yx_resource {
    enum yx_resource_kind kind;
    int64_t facility_id; /* the facility the resource belongs to (0: none) */
    int64_t province_id; /* that facility's province */
    int shared;          /* a live share (visit, consultation, referral) lets the principal's facility
                            read it: read only, never write, never widen */
    int64_t patient_id;  /* the patient the data is about (patient data) */
    int party;           /* the principal takes part in what is acted on (the visit's own doctor): acts
                            on it like its home facility, whether or not a share is live */
    const char *state;   /* the record's state where the rule depends on it (NULL: none) */
    int relation;        /* the principal's relation to it: YX_COURSE_… bits, or a workflow's own */
    int need;            /* the relations that may do the act (see the kind) */
};

/* The principal's relation to a course (bits), decided by yx_course_relation(). */
enum {
    YX_COURSE_TRAINER = 1,  /* named among its trainers, or a trainer of its facility */
    YX_COURSE_ADMIN = 2,    /* an administrator over its facility (facility, province, ministry) */
    YX_COURSE_ENROLLED = 4, /* enrolled: by name, or with their whole facility (and of a target role) */
    YX_COURSE_ELIGIBLE = 8, /* may enrol themselves: published, of a target role and facility level */
    YX_COURSE_SITE = 16,    /* works at a facility enrolled as a whole (any role): records site attendance */
    YX_COURSE_SITE_ADMIN = 32, /* administrator of another facility, course not a draft, their facility of a
                                  target level or enrolled: enrols their facility or its staff */
};
/* The relations that run a course: its trainers and the administrators over its facility. */
#define YX_COURSE_RUNS (YX_COURSE_TRAINER | YX_COURSE_ADMIN)
/* What the training workflow found of a course and the principal; the strings are not owned. */
struct yx_course_facts {
    int64_t facility_id, province_id;         /* the course's facility and its province */
    const char *state;                        /* draft, published, archived */
    const char *target_roles, *target_levels; /* JSON arrays (text); an empty one means any */
    const char *level;                        /* the principal's facility's level ("" when none) */
    int named_trainer;                        /* the principal is named among its trainers */
    int named_enrolled;                       /* the principal is enrolled by name */
    int site_enrolled;                        /* the principal's facility is enrolled as a whole */
};
/* What the principal is to the course: YX_COURSE_… bits, 0 for nothing. A draft is seen only by
 * those who run it; yx_authorize() with YX_RES_COURSE says so. */
int yx_course_relation(const struct yx_principal *who, const struct yx_course_facts *c);
/* Does the principal run every course of its own facility by its role (a trainer, or the
 * facility's administrator)? What a person's training record shows it of courses it is not named
 * on. */
int yx_runs_facility_courses(const struct yx_principal *who);
/* Does the principal enrol its facility as a whole in courses of other facilities (its
 * administrator: YX_COURSE_SITE_ADMIN)? What a list of courses open to it looks among. */
int yx_enrols_facility(const struct yx_principal *who);

/* Which records of a kind a list shows the principal, and where it makes new ones. */
enum yx_scope_kind {
    YX_SCOPE_ALL,      /* every one (the ministry) */
    YX_SCOPE_PROVINCE, /* those of the facilities of province id */
    YX_SCOPE_FACILITY, /* those of facility id */
    YX_SCOPE_PATIENT,  /* those of patient id: a patient's own account (id 0: no record yet) */
    YX_SCOPE_SYSTEM,   /* those of the places a registered system is registered for (the principal's
                          places; id: the system) */
};
struct yx_scope {
    enum yx_scope_kind kind;
    int64_t id;
};
/* The principal's scope for records of kind: YX_RES_USER and YX_RES_AUDIT (an administrator's
 * scope; a user's own facility for accounts), YX_RES_CREDIT and YX_RES_COURSE (the people and the
 * courses an administrator oversees), patient data (YX_RES_PATIENT, YX_RES_VISIT, YX_RES_APPOINTMENT: a
 * clinician's facility, a patient's own record), YX_RES_CONSULT (a clinician's facility), YX_RES_REPORT
 * (the place an administrator's reports cover when none is asked), YX_RES_EXPORT (the place an
 * administrator's bulk export covers, as its reports; a system's places). Returns 0, or
 * YX_EFORBIDDEN when it has none (its role works with none of them, or it has no facility), or
 * YX_EAUTH. */
int yx_scope(const struct yx_principal *who, enum yx_resource_kind kind, struct yx_scope *s);
/* The condition a list's query adds for a YX_SCOPE_SYSTEM scope: "(<facility_col> IN (…) OR
 * <province_col> IN (…))" over the principal's places (ids written as numbers: they come from the
 * database, never from the request), or "1 = 0" when it has none. In the arena; NULL when out of
 * memory. */
const char *yx_scope_places_sql(struct yx_req *r, const char *facility_col, const char *province_col);
/* Is the principal the patient's own account (it reads its own record, gives its consent in the
 * app, books its own visits)? */
int yx_patient_self(const struct yx_principal *who, int64_t patient_id);

/* The one authorization decision of the program: may the principal do act to the record res
 * describes? Every decision that depends on a record is made here (a route's roles have already
 * said whether the principal's role may call the route at all); handlers fill res with what they
 * found and answer a refusal with their own message. Returns 0 when allowed; YX_ENOTFOUND when the
 * principal may not even know the resource exists (another facility's data), YX_EFORBIDDEN when
 * it may see it but may not do this (its role, its part in it, or a share that lets it read
 * only); YX_EAUTH without a principal. */
int yx_authorize(const struct yx_principal *who, enum yx_action act, const struct yx_resource *res);
/* The role's YX_ROLE_… bit (include/ytexa/http.h), or 0 for an unknown role. YX_ROLES lists the
 * roles in the order of the bits. */
unsigned yx_role_bit(const char *role);
/* May r's principal call r's route at all, by the roles the route declares? 0, or 403 "your role
 * may not do this": the same for every record, so it tells nothing of any. The dispatcher asks
 * before every handler; yx_authorize() then decides on the record itself. */
int yx_route_permits(struct yx_req *r);
/* Answers a refusal of yx_authorize() (or a forced YX_EFORBIDDEN) with the message that fits:
 * 404 "not found" (yx_not_found) or 403 "your role may not do this". Returns the code. */
int yx_deny(struct yx_req *r, int rc);
/* An account as the account rule sees it. The strings are not owned. */
struct yx_account {
    int64_t user_id;     /* 0: an account being created */
    const char *role;    /* its role (after the change, for a change of role) */
    int64_t facility_id; /* where it works (0: nowhere, as ministry administrators and patients) */
    int64_t province_id; /* that facility's province */
};
/* The account rule, asked by every route that reads, creates or changes an account (docs/api.md,
 * "Who may act on an account"). A read: one's own account always, others as yx_authorize() says.
 * Any other act (create, change, deactivate, set the password): never one's own account; the
 * account must be in the caller's administrative scope (yx_authorize(), YX_A_ADMIN), and the
 * caller's role must rank above the account's role (ministry > province > facility administrator
 * > everyone else), except that a ministry administrator acts on another, having nobody above.
 * A change of role or facility asks twice: for the account as it is, then as it will be.
 * Returns 0; YX_ENOTFOUND when the account is outside what the caller may know of (answer it
 * like an absent one); YX_EFORBIDDEN when the caller may know of it but not do this; YX_EAUTH. */
int yx_authorize_account(const struct yx_principal *who, enum yx_action act, const struct yx_account *acct);
/* Is the role an administrator of some scope (facility, province, ministry)? */
int yx_role_is_admin(const char *role);
/* Does an account of the role work at a facility (every role but the ministry's and a patient's)? */
int yx_role_needs_facility(const char *role);
/* Is the principal an administrator whose scope holds a person (or a course) of facility, in
 * province: the facility's administrator, the province's, or the ministry's? yx_authorize()
 * decides it, as for an account of that facility. */
int yx_admin_over(const struct yx_principal *w, int64_t facility, int64_t province);

/* A new account; the strings are not owned. */
struct yx_new_user {
    const char *username, *full_name, *password, *role;
    int64_t facility_id; /* 0: none */
    const char *licence_no, *scope_of_practice;
    const char *practice_scope; /* specialty codes the licence covers, space-separated, or NULL */
    const char *phone, *email;
    int64_t patient_id; /* a patient's own account: the record it reads (0: none) */
};
/* A username: a-z, 0-9, '.', '-', '_', 3 to 64 characters. */
int yx_username_ok(const char *u);
/* Hashes the password and inserts the account (one statement: atomic by itself). Returns
 * YX_ECONFLICT when the username is taken. Slow (Argon2id): not for the event loop. */
int yx_user_insert(struct yx_db *db, const struct yx_new_user *u, int64_t *id);
/* The account as the API shows it, or NULL. */
json_t *yx_user_json(struct yx_db *db, int64_t user_id);

#endif
