/* The one authorization decision of ytexa: role × facility × the resource's relation to the user.
 * A route's roles (struct yx_route.roles) say who may call it at all; everything left to decide on
 * the record itself is decided here, and the workflows answer with their own messages. Nothing
 * else decides who may see or change what. */
#include <stdatomic.h>
#include <string.h>

#include "ytexa/auth.h"

/* The roles, in the order of YX_ROLES and of the YX_ROLE_… bits: how far an administrator's scope
 * reaches (3 the country, 2 a province, 1 a facility, 0 none), whether the role works with patients,
 * and whether an account of it works at a facility. */
static const struct role {
    const char *name;
    unsigned bit;
    int rank, clinical, at_facility;
} roles[] = {
    {"health_worker", YX_ROLE_HEALTH_WORKER, 0, 1, 1},   {"doctor", YX_ROLE_DOCTOR, 0, 1, 1},
    {"specialist", YX_ROLE_SPECIALIST, 0, 1, 1},         {"trainer", YX_ROLE_TRAINER, 0, 0, 1},
    {"facility_admin", YX_ROLE_FACILITY_ADMIN, 1, 0, 1}, {"province_admin", YX_ROLE_PROVINCE_ADMIN, 2, 0, 1},
    {"ministry_admin", YX_ROLE_MINISTRY_ADMIN, 3, 0, 0}, {"patient", YX_ROLE_PATIENT, 0, 0, 0},
};
#define NROLES (sizeof roles / sizeof roles[0])
static const char *const role_names[] = {YX_ROLES};
_Static_assert(sizeof role_names / sizeof role_names[0] == NROLES,
               "the role table lists every role of YX_ROLES");
_Static_assert(YX_ANYONE == (1u << NROLES) - 1, "YX_ANYONE is every role's bit");

#ifndef NDEBUG
/* The table above, YX_ROLES and the YX_ROLE_… bits say the same: role i is YX_ROLES' i-th, with bit
 * 1 << i. A route's roles and the bit of a session's role are compared by that (yx_route_permits). */
static int roles_agree(void)
{
    for (size_t i = 0; i < NROLES; i++)
        if (strcmp(roles[i].name, role_names[i]) != 0 || roles[i].bit != 1u << i)
            return 0;
    return 1;
}
#endif

static const struct role *role_of(const char *name)
{
#ifndef NDEBUG
    static atomic_int checked;
    if (!atomic_exchange(&checked, 1))
        YX_ASSERT(roles_agree());
#endif
    for (size_t i = 0; name && i < NROLES; i++)
        if (strcmp(name, roles[i].name) == 0)
            return &roles[i];
    return NULL;
}

int yx_role_valid(const char *role)
{
    return role_of(role) != NULL;
}

unsigned yx_role_bit(const char *role)
{
    const struct role *r = role_of(role);
    return r ? r->bit : 0;
}

int yx_role_is_admin(const char *role)
{
    const struct role *r = role_of(role);
    return r && r->rank > 0;
}

int yx_role_needs_facility(const char *role)
{
    const struct role *r = role_of(role);
    return !r || r->at_facility;
}

/* How wide a role's administrative scope is: the country (3), a province, a facility, or nothing. */
static int rank(const char *role)
{
    const struct role *r = role_of(role);
    return r ? r->rank : 0;
}

static int is(const struct yx_principal *w, const char *role)
{
    return strcmp(w->role, role) == 0;
}

static int clinical(const struct yx_principal *w)
{
    const struct role *r = role_of(w->role);
    return r && r->clinical;
}

int yx_patient_self(const struct yx_principal *w, int64_t patient_id)
{
    return is(w, "patient") && w->patient_id && patient_id == w->patient_id;
}

/* The facility network (facilities and support links) is not secret: every signed-in user reads
 * it. Changing it belongs to the ministry everywhere, to a province inside its province, and to a
 * facility admin for its own facility's record. */
static int network_decision(const struct yx_principal *w, enum yx_action act, const struct yx_resource *res)
{
    /* A facility's live channel (its inbox and its queue changing) is its own people's, as the
     * inbox and the queue in the API are: for anyone else it does not exist. */
    if (act == YX_A_JOIN)
        return res->kind == YX_RES_FACILITY && w->facility_id && res->facility_id == w->facility_id
                   ? 0
                   : YX_ENOTFOUND;
    if (act == YX_A_READ || is(w, "ministry_admin"))
        return 0;
    if (is(w, "province_admin"))
        return res->province_id == w->province_id ? 0 : YX_EFORBIDDEN;
    if (is(w, "facility_admin") && res->kind == YX_RES_FACILITY && act == YX_A_WRITE)
        return res->facility_id == w->facility_id ? 0 : YX_EFORBIDDEN;
    return YX_EFORBIDDEN;
}

/* Accounts and the audit trail are seen only inside the administrator's scope; outside it they
 * do not exist for the caller. Clinicians see their own facility's colleagues. Acting on an
 * account also needs the rank of yx_authorize_account(), which asks here for the scope. */
static int scoped_decision(const struct yx_principal *w, enum yx_action act, const struct yx_resource *res)
{
    if (is(w, "ministry_admin"))
        return 0;
    int in_province = res->province_id && res->province_id == w->province_id;
    int in_facility = res->facility_id && res->facility_id == w->facility_id;
    if (is(w, "province_admin"))
        return in_province ? 0 : YX_ENOTFOUND;
    if (is(w, "facility_admin"))
        return in_facility ? 0 : YX_ENOTFOUND;
    if (res->kind == YX_RES_USER && act == YX_A_READ && in_facility && w->facility_id)
        return 0;
    return (res->kind == YX_RES_USER && in_facility) ? YX_EFORBIDDEN : YX_ENOTFOUND;
}

/* What a patient's own account does to its own data besides reading it: takes part in its visit's
 * chat and call, gives and withdraws its consent in the app, books and moves its appointments. */
static int patients_own_act(enum yx_action act, const struct yx_resource *res)
{
    return (res->kind == YX_RES_VISIT && act == YX_A_JOIN) || res->kind == YX_RES_CONSENT ||
           res->kind == YX_RES_APPOINTMENT;
}

/* Patient data belongs to the facility that holds it. Another facility reads it while a live share
 * (a visit with one of its doctors, a consultation it has, a referral to it) says so, and only
 * reads: writing the record, recording consent, planning visits or queueing the patient stay with
 * the home facility, so a share never widens itself. Whoever takes part in the thing acted on (the
 * visit's own doctor) acts on it as the home facility does. Administrators and trainers do not
 * read charts. A patient reads their own record, and does to it only what patients_own_act() says.
 * Joining a visit's call is, for everyone else, acting on the visit. */
static int patient_decision(const struct yx_principal *w, enum yx_action act, const struct yx_resource *res)
{
    if (is(w, "patient"))
        return !yx_patient_self(w, res->patient_id)             ? YX_ENOTFOUND
               : act == YX_A_READ || patients_own_act(act, res) ? 0
                                                                : YX_EFORBIDDEN;
    if (!clinical(w))
        return YX_ENOTFOUND;
    if ((res->facility_id && res->facility_id == w->facility_id) || res->party)
        return 0;
    if (res->shared)
        return act == YX_A_READ ? 0 : YX_EFORBIDDEN;
    return YX_ENOTFOUND;
}

/* Written into a visit's record (asked once the visit's decision let the caller write the visit):
 * its doctor writes it, and what a station measures (vitals) also the clinicians of that station. */
static int visit_record_decision(const struct yx_principal *w, const struct yx_resource *res)
{
    return res->party || (res->facility_id && res->facility_id == w->facility_id) ? 0 : YX_EFORBIDDEN;
}

/* A prescription (asked once the visit's decision let the caller see the visit): its patient sees
 * it once it is signed; until then it does not exist for them. */
static int prescription_decision(const struct yx_principal *w, const struct yx_resource *res)
{
    return is(w, "patient") && (!res->state || strcmp(res->state, "signed") != 0) ? YX_ENOTFOUND : 0;
}

/* A consultation case is seen by the clinicians of the facility that asked, of the hub that has
 * it and of the sites taking part; for everyone else it does not exist. What they may do to it
 * then depends on their side of it (res->relation, the workflow's bits): one of res->need. */
static int consult_decision(const struct yx_principal *w, enum yx_action act, const struct yx_resource *res)
{
    if (!clinical(w) || !((res->facility_id && res->facility_id == w->facility_id) || res->shared))
        return YX_ENOTFOUND;
    return act == YX_A_READ || (res->relation & res->need) ? 0 : YX_EFORBIDDEN;
}

/* A doctor's availability is published and withdrawn by the doctor, or by the administrator of
 * the doctor's facility. */
static int schedule_decision(const struct yx_principal *w, const struct yx_resource *res)
{
    return res->party || (is(w, "facility_admin") && w->facility_id == res->facility_id) ? 0 : YX_EFORBIDDEN;
}

/* Files are uploaded by the staff of a facility, into its storage; course materials by those who
 * make or teach courses (YX_COURSE_MAKERS), not by a health worker. */
static int file_decision(const struct yx_principal *w, const struct yx_resource *res)
{
    if (!w->facility_id || res->facility_id != w->facility_id)
        return YX_EFORBIDDEN;
    if (res->state && strcmp(res->state, "course_material") == 0 &&
        !(yx_role_bit(w->role) & YX_COURSE_MAKERS))
        return YX_EFORBIDDEN;
    return 0;
}

/* Is s one of the strings of the JSON array text (an empty array means any)? */
static int listed(const char *array_text, const char *s)
{
    json_t *a = json_loads(array_text ? array_text : "[]", 0, NULL);
    size_t i;
    json_t *v;
    int yes = json_array_size(a) == 0;
    json_array_foreach(a, i, v) yes |= s && json_is_string(v) && strcmp(json_string_value(v), s) == 0;
    json_decref(a);
    return yes;
}

int yx_course_relation(const struct yx_principal *w, const struct yx_course_facts *c)
{
    const char *state = c->state ? c->state : "";
    int site = w->facility_id && c->site_enrolled;
    /* The enrolment rule (ENROLLED_PEOPLE in src/training/enrol.c says it in SQL): by name, or with
     * the whole facility when the course is for the person's role. */
    int enrolled = c->named_enrolled || (site && listed(c->target_roles, w->role));
    int trainer = c->named_trainer || (is(w, "trainer") && w->facility_id == c->facility_id);
    int admin = yx_admin_over(w, c->facility_id, c->province_id);
    int eligible = strcmp(state, "published") == 0 && w->facility_id && listed(c->target_roles, w->role) &&
                   listed(c->target_levels, c->level ? c->level : "") && !is(w, "patient");
    /* Another facility's administrator enrols their facility in a course made for its level. */
    int site_admin = is(w, "facility_admin") && w->facility_id && w->facility_id != c->facility_id &&
                     strcmp(state, "draft") != 0 &&
                     (site || listed(c->target_levels, c->level ? c->level : ""));
    return (trainer ? YX_COURSE_TRAINER : 0) | (admin ? YX_COURSE_ADMIN : 0) |
           (enrolled ? YX_COURSE_ENROLLED : 0) | (eligible ? YX_COURSE_ELIGIBLE : 0) |
           (site ? YX_COURSE_SITE : 0) | (site_admin ? YX_COURSE_SITE_ADMIN : 0);
}

int yx_runs_facility_courses(const struct yx_principal *w)
{
    return is(w, "trainer") || is(w, "facility_admin");
}

int yx_enrols_facility(const struct yx_principal *w)
{
    return is(w, "facility_admin");
}

/* A course is seen by whoever has a relation to it; a draft only by those who run it. An archived
 * course stays visible to those related to it. */
static int course_visible(const struct yx_resource *res)
{
    return res->relation &&
           (!res->state || strcmp(res->state, "draft") != 0 || (res->relation & YX_COURSE_RUNS));
}

/* What is done to a course is done by those with one of the relations the act needs (by default
 * those who run it). A course is made by a trainer or administrator (the route's roles) of the
 * facility it will belong to. */
static int course_decision(const struct yx_principal *w, enum yx_action act, const struct yx_resource *res)
{
    if (act == YX_A_ADMIN)
        return w->facility_id && res->facility_id == w->facility_id ? 0 : YX_EFORBIDDEN;
    if (!course_visible(res))
        return YX_ENOTFOUND;
    if (act == YX_A_READ)
        return 0;
    return res->relation & (res->need ? res->need : YX_COURSE_RUNS) ? 0 : YX_EFORBIDDEN;
}

/* People are enrolled, and withdrawn, by those who run the course, by themselves, and by the
 * administrator of a site for the site and its own staff. */
static int enrolment_decision(const struct yx_principal *w, const struct yx_resource *res)
{
    if (!course_visible(res))
        return YX_ENOTFOUND;
    int site = (res->relation & YX_COURSE_SITE_ADMIN) && res->facility_id == w->facility_id;
    return (res->relation & YX_COURSE_RUNS) || res->party || site ? 0 : YX_EFORBIDDEN;
}

/* A site's attendance of a session is kept by the people of a site enrolled in the course, and
 * confirmed (YX_A_ADMIN) by someone other than whoever recorded it. */
static int site_attendance_decision(const struct yx_principal *w, enum yx_action act,
                                    const struct yx_resource *res)
{
    if (!course_visible(res))
        return YX_ENOTFOUND;
    if (!w->facility_id || !(res->relation & (YX_COURSE_SITE | YX_COURSE_ENROLLED)))
        return YX_EFORBIDDEN;
    return act == YX_A_ADMIN && res->party ? YX_EFORBIDDEN : 0;
}

/* A credit is seen by its holder and whoever sees its course; its certificate is issued by those
 * who run the course. */
static int credit_decision(const struct yx_principal *w, enum yx_action act, const struct yx_resource *res)
{
    if (!res->party && !res->relation)
        return YX_ENOTFOUND;
    return act == YX_A_READ || (res->relation & YX_COURSE_RUNS) ? 0 : YX_EFORBIDDEN;
}

/* A certificate is read by its holder, by those who run its course and by the administrators over
 * the holder; it is revoked by those who run the course. */
static int certificate_decision(const struct yx_principal *w, enum yx_action act,
                                const struct yx_resource *res)
{
    int runs = (res->relation & YX_COURSE_RUNS) != 0;
    if (!res->party && !runs && !yx_admin_over(w, res->facility_id, res->province_id))
        return YX_ENOTFOUND;
    return act == YX_A_READ || runs ? 0 : YX_EFORBIDDEN;
}

/* The administrators over a place act on what covers it — a report read, a bulk export read, a
 * bulk import written (`act`, the one action the kind takes): the ministry everywhere, a province
 * administrator their province and the facilities in it, a facility administrator their facility.
 * Another place does not exist for them (404, as an absent one), so that ids cannot be probed; every
 * other role may not (403). Reports are counts, never a patient. */
static int admin_place_decision(const struct yx_principal *w, enum yx_action act, enum yx_action only,
                                const struct yx_resource *res)
{
    if (act != only)
        return YX_EFORBIDDEN;
    if (is(w, "ministry_admin"))
        return 0;
    if (is(w, "province_admin"))
        return w->province_id && res->province_id == w->province_id ? 0 : YX_ENOTFOUND;
    if (is(w, "facility_admin"))
        return w->facility_id && res->facility_id == w->facility_id ? 0 : YX_ENOTFOUND;
    return YX_EFORBIDDEN;
}

/* A registered system reads the patient data of the places it is registered for (facilities,
 * provinces) and the facility network; it writes nothing. Patient data elsewhere does not exist
 * for it (404, as an absent record), and a share never widens it: shares are between facilities.
 * A prescription is read once signed, as its patient reads it. Nothing else is a system's. */
static int system_decision(const struct yx_principal *w, enum yx_action act, const struct yx_resource *res)
{
    switch (res->kind) {
    case YX_RES_FACILITY:
    case YX_RES_NETWORK:
        return act == YX_A_READ ? 0 : YX_EFORBIDDEN;
    case YX_RES_PATIENT:
    case YX_RES_VISIT:
    case YX_RES_VISIT_RECORD:
    case YX_RES_PRESCRIPTION:
    case YX_RES_CONSENT:
    case YX_RES_APPOINTMENT:
        if (!yx_system_in_places(w, res->facility_id, res->province_id))
            return YX_ENOTFOUND;
        if (res->kind == YX_RES_PRESCRIPTION && (!res->state || strcmp(res->state, "signed") != 0))
            return YX_ENOTFOUND;
        return act == YX_A_READ ? 0 : YX_EFORBIDDEN;
    case YX_RES_EXPORT:
        /* Its bulk export covers its places: all of them (no place named), or one of them. */
        if (act != YX_A_READ)
            return YX_EFORBIDDEN;
        if (!res->facility_id && !res->province_id)
            return 0;
        return yx_system_in_places(w, res->facility_id, res->province_id) ? 0 : YX_ENOTFOUND;
    default:
        return YX_ENOTFOUND;
    }
}

int yx_authorize(const struct yx_principal *who, enum yx_action act, const struct yx_resource *res)
{
    if (!who || (!who->user_id && !who->system_id))
        return YX_EAUTH;
    if (who->system_id)
        return system_decision(who, act, res);
    switch (res->kind) {
    case YX_RES_FACILITY:
    case YX_RES_NETWORK:
        return network_decision(who, act, res);
    case YX_RES_USER:
    case YX_RES_AUDIT:
        return scoped_decision(who, act, res);
    case YX_RES_PATIENT:
    case YX_RES_VISIT:
    case YX_RES_CONSENT:
    case YX_RES_APPOINTMENT:
        return patient_decision(who, act, res);
    case YX_RES_VISIT_RECORD:
        return visit_record_decision(who, res);
    case YX_RES_PRESCRIPTION:
        return prescription_decision(who, res);
    case YX_RES_CONSULT:
        return consult_decision(who, act, res);
    case YX_RES_SCHEDULE:
        return schedule_decision(who, res);
    case YX_RES_FILE:
        return file_decision(who, res);
    case YX_RES_COURSE:
        return course_decision(who, act, res);
    case YX_RES_ENROLMENT:
        return enrolment_decision(who, res);
    case YX_RES_SITE_ATTENDANCE:
        return site_attendance_decision(who, act, res);
    case YX_RES_CREDIT:
        return credit_decision(who, act, res);
    case YX_RES_CERTIFICATE:
        return certificate_decision(who, act, res);
    case YX_RES_REPORT:
    case YX_RES_EXPORT:
        return admin_place_decision(who, act, YX_A_READ, res);
    case YX_RES_IMPORT:
        /* Written into a facility's registry (docs/fhir.md, "Bulk import"). */
        return admin_place_decision(who, act, YX_A_WRITE, res);
    }
    return YX_EFORBIDDEN;
}

static int scope_is(struct yx_scope *s, enum yx_scope_kind kind, int64_t id)
{
    *s = (struct yx_scope){kind, id};
    return 0;
}

int yx_scope(const struct yx_principal *w, enum yx_resource_kind kind, struct yx_scope *s)
{
    if (!w || (!w->user_id && !w->system_id))
        return YX_EAUTH;
    /* A system's lists show the patient data of its places (system_decision()). */
    if (w->system_id)
        return kind == YX_RES_PATIENT || kind == YX_RES_VISIT || kind == YX_RES_APPOINTMENT ||
                       kind == YX_RES_EXPORT
                   ? scope_is(s, YX_SCOPE_SYSTEM, w->system_id)
                   : YX_EFORBIDDEN;
    int r = rank(w->role);
    switch (kind) {
    case YX_RES_USER:
        /* Every signed-in member of staff lists their own facility's colleagues. */
        if (r == 3)
            return scope_is(s, YX_SCOPE_ALL, 0);
        if (r == 2)
            return scope_is(s, YX_SCOPE_PROVINCE, w->province_id);
        return w->facility_id ? scope_is(s, YX_SCOPE_FACILITY, w->facility_id) : YX_EFORBIDDEN;
    case YX_RES_AUDIT:
    case YX_RES_CREDIT:
    case YX_RES_COURSE:
    case YX_RES_REPORT:
    case YX_RES_EXPORT:
        if (r == 3)
            return scope_is(s, YX_SCOPE_ALL, 0);
        if (r == 2 && w->province_id)
            return scope_is(s, YX_SCOPE_PROVINCE, w->province_id);
        if (r == 1 && w->facility_id)
            return scope_is(s, YX_SCOPE_FACILITY, w->facility_id);
        return YX_EFORBIDDEN;
    case YX_RES_PATIENT:
    case YX_RES_VISIT:
    case YX_RES_APPOINTMENT:
    case YX_RES_CONSULT:
        /* Clinicians work in their facility's registry; a patient's own account with its own
         * record (consultations are no business of a patient's). */
        if (is(w, "patient") && kind != YX_RES_CONSULT)
            return scope_is(s, YX_SCOPE_PATIENT, w->patient_id);
        return clinical(w) && w->facility_id ? scope_is(s, YX_SCOPE_FACILITY, w->facility_id) : YX_EFORBIDDEN;
    default:
        return YX_EFORBIDDEN;
    }
}

int yx_route_permits(struct yx_req *r)
{
    const struct yx_route *rt = r->route;
    if (!rt || (rt->flags & YX_R_PUBLIC))
        return 0;
    /* A system has no role: the route says whether systems may call it at all, and the scopes
     * its token was granted which of those FHIR interactions it may (SMART's system/<Type>.rs). */
    if (r->who.system_id)
        return (rt->roles & YX_ROLE_SYSTEM) && yx_system_permits(&r->who, rt->method, rt->pattern) == 0
                   ? 0
                   : yx_fail_code(r, YX_EFORBIDDEN, "insufficient_scope", NULL,
                                  "Phạm vi của mã truy cập không gồm việc này / the token's scopes do not "
                                  "grant this interaction.");
    if (rt->roles & yx_role_bit(r->who.role))
        return 0;
    /* The refusal depends on no record, so it tells nothing of any: the role may not do this. */
    return yx_deny(r, YX_EFORBIDDEN);
}

/* Acting on an account is acting as its holder (a new password lets one sign in as them), so it
 * takes a rank above the account's: a facility administrator does not act on another facility
 * administrator, nor on the province administrator who works at the same facility. Ministry
 * administrators, with nobody above them, act on each other. */
static int outranks(const struct yx_principal *w, const char *role)
{
    return rank(w->role) > rank(role) || (is(w, "ministry_admin") && strcmp(role, "ministry_admin") == 0);
}

int yx_authorize_account(const struct yx_principal *who, enum yx_action act, const struct yx_account *acct)
{
    if (!who || !who->user_id)
        return YX_EAUTH;
    /* One's own account is read always and changed only from above: a stolen session cannot set a
     * new password and keep the account, nor an administrator raise, move or deactivate itself. */
    if (acct->user_id && acct->user_id == who->user_id)
        return act == YX_A_READ ? 0 : YX_EFORBIDDEN;
    struct yx_resource res = {
        .kind = YX_RES_USER, .facility_id = acct->facility_id, .province_id = acct->province_id};
    int rc = yx_authorize(who, act == YX_A_READ ? YX_A_READ : YX_A_ADMIN, &res);
    if (rc || act == YX_A_READ)
        return rc;
    return yx_role_valid(acct->role) && outranks(who, acct->role) ? 0 : YX_EFORBIDDEN;
}

int yx_admin_over(const struct yx_principal *w, int64_t facility, int64_t province)
{
    struct yx_resource person = {.kind = YX_RES_USER, .facility_id = facility, .province_id = province};
    return yx_role_is_admin(w->role) && yx_authorize(w, YX_A_READ, &person) == 0;
}

int yx_deny(struct yx_req *r, int rc)
{
    if (rc == YX_ENOTFOUND)
        return yx_not_found(r);
    if (rc == YX_EAUTH)
        return yx_fail(r, rc, "Bạn chưa đăng nhập / please log in.");
    return yx_fail(r, YX_EFORBIDDEN, "Vai trò của bạn không được làm việc này / your role may not do this.");
}
