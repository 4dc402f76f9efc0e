/* Unit tests of the one authorization decision (src/auth/policy.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ytexa/auth.h"

static struct yx_principal who(const char *role, int64_t facility, int64_t province)
{
    struct yx_principal p;
    memset(&p, 0, sizeof p);
    p.user_id = 1;
    snprintf(p.role, sizeof p.role, "%s", role);
    p.facility_id = facility;
    p.province_id = province;
    return p;
}

/* Facility 10 in province 1; facility 20 in province 2. */
/* Patients 7 and 8 belong to facility 10, patient 9 to facility 20. */
static const struct yx_resource fac10 = {YX_RES_FACILITY, 10, 1, 0, 0, 0},
                                user10 = {YX_RES_USER, 10, 1, 0, 0, 0},
                                user20 = {YX_RES_USER, 20, 2, 0, 0, 0},
                                pat10 = {YX_RES_PATIENT, 10, 1, 0, 7, 0},
                                pat20 = {YX_RES_PATIENT, 20, 2, 0, 9, 0},
                                pat20shared = {YX_RES_PATIENT, 20, 2, 1, 9, 0},
                                pat20party = {YX_RES_PATIENT, 20, 2, 0, 9, 1},
                                pat10other = {YX_RES_PATIENT, 10, 1, 0, 8, 0};

static void everyone_reads_the_network(void **state)
{
    const char *roles[] = {YX_ROLES};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        struct yx_principal p = who(roles[i], 20, 2);
        assert_int_equal(yx_authorize(&p, YX_A_READ, &fac10), 0);
    }
    struct yx_principal nobody;
    memset(&nobody, 0, sizeof nobody);
    assert_int_equal(yx_authorize(&nobody, YX_A_READ, &fac10), YX_EAUTH);
}

static void admins_act_within_their_scope(void **state)
{
    struct yx_principal m = who("ministry_admin", 0, 0), p1 = who("province_admin", 10, 1),
                        f10 = who("facility_admin", 10, 1), f20 = who("facility_admin", 20, 2);
    assert_int_equal(yx_authorize(&m, YX_A_ADMIN, &user20), 0);
    assert_int_equal(yx_authorize(&p1, YX_A_ADMIN, &user10), 0);
    assert_int_equal(yx_authorize(&p1, YX_A_ADMIN, &user20), YX_ENOTFOUND);
    assert_int_equal(yx_authorize(&f10, YX_A_ADMIN, &user10), 0);
    assert_int_equal(yx_authorize(&f20, YX_A_ADMIN, &user10), YX_ENOTFOUND);
    assert_int_equal(yx_authorize(&f10, YX_A_WRITE, &fac10), 0);
    assert_int_equal(yx_authorize(&f20, YX_A_WRITE, &fac10), YX_EFORBIDDEN);
    assert_int_equal(yx_authorize(&f10, YX_A_ADMIN, &fac10), YX_EFORBIDDEN);
}

static void clinicians_see_colleagues_but_not_administer(void **state)
{
    struct yx_principal d = who("doctor", 10, 1);
    assert_int_equal(yx_authorize(&d, YX_A_READ, &user10), 0);
    assert_int_equal(yx_authorize(&d, YX_A_ADMIN, &user10), YX_EFORBIDDEN);
    assert_int_equal(yx_authorize(&d, YX_A_READ, &user20), YX_ENOTFOUND);
    assert_int_equal(yx_authorize(&d, YX_A_WRITE, &fac10), YX_EFORBIDDEN);
}

static void patient_data_stays_at_its_facility_unless_shared(void **state)
{
    struct yx_principal hw = who("health_worker", 10, 1), sp = who("specialist", 20, 2),
                        m = who("ministry_admin", 0, 0), t = who("trainer", 10, 1),
                        fa = who("facility_admin", 10, 1);
    assert_int_equal(yx_authorize(&hw, YX_A_READ, &pat10), 0);
    assert_int_equal(yx_authorize(&hw, YX_A_READ, &pat20), YX_ENOTFOUND);
    assert_int_equal(yx_authorize(&sp, YX_A_READ, &pat10), YX_ENOTFOUND);
    assert_int_equal(yx_authorize(&hw, YX_A_READ, &pat20shared), 0);
    assert_int_equal(yx_authorize(&m, YX_A_READ, &pat10), YX_ENOTFOUND);
    assert_int_equal(yx_authorize(&t, YX_A_READ, &pat10), YX_ENOTFOUND);
    assert_int_equal(yx_authorize(&fa, YX_A_READ, &pat10), YX_ENOTFOUND);
}

/* A share lets a facility read, never write (it may not widen the share or rewrite the owner's
 * record); the one who takes part in what is acted on (the visit's doctor) acts on it. */
static void a_share_reads_and_a_party_acts(void **state)
{
    struct yx_principal hw = who("health_worker", 10, 1), doc = who("doctor", 10, 1),
                        t = who("trainer", 10, 1);
    assert_int_equal(yx_authorize(&hw, YX_A_READ, &pat20shared), 0);
    assert_int_equal(yx_authorize(&hw, YX_A_WRITE, &pat20shared), YX_EFORBIDDEN);
    assert_int_equal(yx_authorize(&hw, YX_A_WRITE, &pat20), YX_ENOTFOUND);
    assert_int_equal(yx_authorize(&doc, YX_A_WRITE, &pat20party), 0);
    assert_int_equal(yx_authorize(&doc, YX_A_READ, &pat20party), 0);
    assert_int_equal(yx_authorize(&hw, YX_A_WRITE, &pat10), 0);
    /* Taking part makes no trainer a clinician. */
    assert_int_equal(yx_authorize(&t, YX_A_READ, &pat20party), YX_ENOTFOUND);
}

static void a_patient_reads_only_their_own_record(void **state)
{
    struct yx_principal pt = who("patient", 0, 0), unlinked = who("patient", 0, 0);
    pt.patient_id = 7;
    assert_int_equal(yx_authorize(&pt, YX_A_READ, &pat10), 0);
    assert_int_equal(yx_authorize(&pt, YX_A_WRITE, &pat10), YX_EFORBIDDEN);
    assert_int_equal(yx_authorize(&pt, YX_A_READ, &pat10other), YX_ENOTFOUND);
    assert_int_equal(yx_authorize(&pt, YX_A_READ, &pat20shared), YX_ENOTFOUND);
    assert_int_equal(yx_authorize(&unlinked, YX_A_READ, &pat10), YX_ENOTFOUND);
}

/* An account of role at facility (0: none) in province; id 0: one being created. */
static struct yx_account acct(int64_t id, const char *role, int64_t facility, int64_t province)
{
    return (struct yx_account){id, role, facility, province};
}

static void an_account_is_acted_on_only_from_above(void **state)
{
    /* Facility 10 (the province's health department) and 11 are in province 1, 20 in province 2. */
    struct yx_principal m = who("ministry_admin", 0, 0), p1 = who("province_admin", 10, 1),
                        f10 = who("facility_admin", 10, 1), d10 = who("doctor", 10, 1);
    struct yx_account doc10 = acct(50, "doctor", 10, 1), fa10 = acct(51, "facility_admin", 10, 1),
                      pa10 = acct(52, "province_admin", 10, 1), fa11 = acct(53, "facility_admin", 11, 1),
                      doc20 = acct(54, "doctor", 20, 2), peer = acct(55, "ministry_admin", 0, 0),
                      pat = acct(56, "patient", 0, 0);
    /* The takeover of issue 16: the province administrator works at the facility admin's facility. */
    assert_int_equal(yx_authorize_account(&f10, YX_A_READ, &pa10), 0);
    assert_int_equal(yx_authorize_account(&f10, YX_A_ADMIN, &pa10), YX_EFORBIDDEN);
    assert_int_equal(yx_authorize_account(&f10, YX_A_WRITE, &pa10), YX_EFORBIDDEN);
    /* Equal rank is not above: no facility admin acts on another, no province admin on another. */
    assert_int_equal(yx_authorize_account(&f10, YX_A_ADMIN, &fa10), YX_EFORBIDDEN);
    assert_int_equal(yx_authorize_account(&f10, YX_A_ADMIN, &doc10), 0);
    assert_int_equal(yx_authorize_account(&f10, YX_A_ADMIN, &fa11), YX_ENOTFOUND);
    assert_int_equal(yx_authorize_account(&f10, YX_A_ADMIN, &doc20), YX_ENOTFOUND);
    assert_int_equal(yx_authorize_account(&p1, YX_A_ADMIN, &fa11), 0);
    assert_int_equal(yx_authorize_account(&p1, YX_A_ADMIN, &pa10), YX_EFORBIDDEN);
    assert_int_equal(yx_authorize_account(&p1, YX_A_ADMIN, &doc20), YX_ENOTFOUND);
    assert_int_equal(yx_authorize_account(&p1, YX_A_ADMIN, &peer), YX_ENOTFOUND);
    assert_int_equal(yx_authorize_account(&p1, YX_A_ADMIN, &pat), YX_ENOTFOUND);
    /* The ministry, with nobody above it, acts on everyone, other ministry administrators included. */
    assert_int_equal(yx_authorize_account(&m, YX_A_ADMIN, &peer), 0);
    assert_int_equal(yx_authorize_account(&m, YX_A_ADMIN, &pa10), 0);
    assert_int_equal(yx_authorize_account(&m, YX_A_ADMIN, &pat), 0);
    /* Colleagues read each other and act on nobody. */
    assert_int_equal(yx_authorize_account(&d10, YX_A_READ, &fa10), 0);
    assert_int_equal(yx_authorize_account(&d10, YX_A_ADMIN, &doc10), YX_EFORBIDDEN);
    assert_int_equal(yx_authorize_account(&d10, YX_A_READ, &doc20), YX_ENOTFOUND);
    /* Creating is acting on the account to be: a grant of one's own rank is refused below the top. */
    struct yx_account new_fa10 = acct(0, "facility_admin", 10, 1),
                      new_pa10 = acct(0, "province_admin", 10, 1), new_m = acct(0, "ministry_admin", 0, 0);
    assert_int_equal(yx_authorize_account(&f10, YX_A_ADMIN, &new_fa10), YX_EFORBIDDEN);
    assert_int_equal(yx_authorize_account(&p1, YX_A_ADMIN, &new_fa10), 0);
    assert_int_equal(yx_authorize_account(&p1, YX_A_ADMIN, &new_pa10), YX_EFORBIDDEN);
    assert_int_equal(yx_authorize_account(&m, YX_A_ADMIN, &new_m), 0);
}

static void ones_own_account_is_read_and_never_changed(void **state)
{
    const char *roles[] = {YX_ROLES};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        struct yx_principal p = who(roles[i], 10, 1);
        struct yx_account self = acct(p.user_id, roles[i], 10, 1);
        assert_int_equal(yx_authorize_account(&p, YX_A_READ, &self), 0);
        assert_int_equal(yx_authorize_account(&p, YX_A_ADMIN, &self), YX_EFORBIDDEN);
    }
    struct yx_principal nobody;
    memset(&nobody, 0, sizeof nobody);
    struct yx_account doc10 = acct(50, "doctor", 10, 1);
    assert_int_equal(yx_authorize_account(&nobody, YX_A_READ, &doc10), YX_EAUTH);
    assert_int_equal(yx_authorize_account(&nobody, YX_A_ADMIN, &doc10), YX_EAUTH);
}

/* The empty cases: no facility is not the same facility, and no role ranks below anyone. */
static void nothing_matches_nothing(void **state)
{
    struct yx_principal f0 = who("facility_admin", 0, 0), p0 = who("province_admin", 0, 0),
                        m = who("ministry_admin", 0, 0), pt = who("patient", 0, 0);
    struct yx_account none = acct(60, "doctor", 0, 0), pat = acct(61, "patient", 0, 0);
    assert_int_equal(yx_authorize_account(&f0, YX_A_ADMIN, &none), YX_ENOTFOUND);
    assert_int_equal(yx_authorize_account(&p0, YX_A_ADMIN, &none), YX_ENOTFOUND);
    assert_int_equal(yx_authorize_account(&pt, YX_A_READ, &pat), YX_ENOTFOUND);
    struct yx_account nameless = acct(62, "", 10, 1), unknown = acct(63, "root", 10, 1);
    assert_int_equal(yx_authorize_account(&m, YX_A_ADMIN, &nameless), YX_EFORBIDDEN);
    assert_int_equal(yx_authorize_account(&m, YX_A_ADMIN, &unknown), YX_EFORBIDDEN);
}

static void roles_are_a_closed_list(void **state)
{
    assert_true(yx_role_valid("doctor"));
    assert_false(yx_role_valid("Doctor"));
    assert_false(yx_role_valid("root"));
    assert_false(yx_role_valid(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(everyone_reads_the_network),
        cmocka_unit_test(admins_act_within_their_scope),
        cmocka_unit_test(clinicians_see_colleagues_but_not_administer),
        cmocka_unit_test(patient_data_stays_at_its_facility_unless_shared),
        cmocka_unit_test(a_share_reads_and_a_party_acts),
        cmocka_unit_test(a_patient_reads_only_their_own_record),
        cmocka_unit_test(an_account_is_acted_on_only_from_above),
        cmocka_unit_test(ones_own_account_is_read_and_never_changed),
        cmocka_unit_test(nothing_matches_nothing),
        cmocka_unit_test(roles_are_a_closed_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
