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
        cmocka_unit_test(roles_are_a_closed_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
