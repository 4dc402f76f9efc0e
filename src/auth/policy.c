/* The one authorization decision of ytexa: role × facility × the resource's relation to the user.
 * Every route asks here; nothing else decides who may see or change what. */
#include <string.h>

#include "ytexa/auth.h"

static const char *const roles[] = {YX_ROLES, NULL};

int yx_role_valid(const char *role)
{
    for (int i = 0; role && roles[i]; i++)
        if (strcmp(role, roles[i]) == 0)
            return 1;
    return 0;
}

static int is(const struct yx_principal *w, const char *role)
{
    return strcmp(w->role, role) == 0;
}

int yx_role_is_admin(const char *role)
{
    return strcmp(role, "facility_admin") == 0 || strcmp(role, "province_admin") == 0 ||
           strcmp(role, "ministry_admin") == 0;
}

static int clinical(const struct yx_principal *w)
{
    return is(w, "health_worker") || is(w, "doctor") || is(w, "specialist");
}

/* The facility network (facilities and support links) is not secret: every signed-in user reads
 * it. Changing it belongs to the ministry everywhere, to a province inside its province, and to a
 * facility admin for its own facility's record. */
static int network_decision(const struct yx_principal *w, enum yx_action act, const struct yx_resource *res)
{
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

/* Patient data belongs to the facility that holds it. Another facility reads it while a live share
 * (a visit with one of its doctors, a consultation it has, a referral to it) says so, and only
 * reads: writing the record, recording consent, planning visits or queueing the patient stay with
 * the home facility, so a share never widens itself. Whoever takes part in the thing acted on (the
 * visit's own doctor) acts on it as the home facility does. Administrators and trainers do not
 * read charts. A patient reads their own record (and writes only what a route lets a patient
 * write, such as their own consent). */
static int patient_decision(const struct yx_principal *w, enum yx_action act, const struct yx_resource *res)
{
    if (is(w, "patient"))
        return w->patient_id && res->patient_id == w->patient_id ? (act == YX_A_READ ? 0 : YX_EFORBIDDEN)
                                                                 : YX_ENOTFOUND;
    if (!clinical(w))
        return YX_ENOTFOUND;
    if ((res->facility_id && res->facility_id == w->facility_id) || res->party)
        return 0;
    if (res->shared)
        return act == YX_A_READ ? 0 : YX_EFORBIDDEN;
    return YX_ENOTFOUND;
}

/* A consultation case is seen by the clinicians of the facility that asked, of the hub that has
 * it and of the sites taking part; for everyone else it does not exist. */
static int consult_decision(const struct yx_principal *w, const struct yx_resource *res)
{
    if (!clinical(w))
        return YX_ENOTFOUND;
    return (res->facility_id && res->facility_id == w->facility_id) || res->shared ? 0 : YX_ENOTFOUND;
}

int yx_authorize(const struct yx_principal *who, enum yx_action act, const struct yx_resource *res)
{
    if (!who || !who->user_id)
        return YX_EAUTH;
    switch (res->kind) {
    case YX_RES_FACILITY:
    case YX_RES_NETWORK:
        return network_decision(who, act, res);
    case YX_RES_USER:
    case YX_RES_AUDIT:
        return scoped_decision(who, act, res);
    case YX_RES_PATIENT:
        return patient_decision(who, act, res);
    case YX_RES_CONSULT:
        return consult_decision(who, res);
    }
    return YX_EFORBIDDEN;
}

unsigned yx_role_bit(const char *role)
{
    for (int i = 0; role && roles[i]; i++)
        if (strcmp(role, roles[i]) == 0)
            return 1u << i;
    return 0;
}

int yx_route_permits(struct yx_req *r)
{
    const struct yx_route *rt = r->route;
    if (!rt || (rt->flags & YX_R_PUBLIC) || (rt->roles & yx_role_bit(r->who.role)))
        return 0;
    /* The refusal depends on no record, so it tells nothing of any: the role may not do this. */
    return yx_deny(r, YX_EFORBIDDEN);
}

/* How wide a role's administrative scope is: the country, a province, a facility, or nothing. */
static int rank(const char *role)
{
    if (strcmp(role, "ministry_admin") == 0)
        return 3;
    if (strcmp(role, "province_admin") == 0)
        return 2;
    return strcmp(role, "facility_admin") == 0 ? 1 : 0;
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
    struct yx_resource res = {YX_RES_USER, acct->facility_id, acct->province_id, 0, 0, 0};
    int rc = yx_authorize(who, act == YX_A_READ ? YX_A_READ : YX_A_ADMIN, &res);
    if (rc || act == YX_A_READ)
        return rc;
    return yx_role_valid(acct->role) && outranks(who, acct->role) ? 0 : YX_EFORBIDDEN;
}

int yx_admin_over(const struct yx_principal *w, int64_t facility, int64_t province)
{
    struct yx_resource person = {YX_RES_USER, facility, province, 0, 0, 0};
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
