/* Unit tests of src/auth: the one authorization decision (policy.c) and its role table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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
static const struct yx_resource
    fac10 = {.kind = YX_RES_FACILITY, .facility_id = 10, .province_id = 1},
    user10 = {.kind = YX_RES_USER, .facility_id = 10, .province_id = 1},
    user20 = {.kind = YX_RES_USER, .facility_id = 20, .province_id = 2},
    pat10 = {.kind = YX_RES_PATIENT, .facility_id = 10, .province_id = 1, .patient_id = 7},
    pat20 = {.kind = YX_RES_PATIENT, .facility_id = 20, .province_id = 2, .patient_id = 9},
    pat20shared = {.kind = YX_RES_PATIENT, .facility_id = 20, .province_id = 2, .shared = 1, .patient_id = 9},
    pat20party = {.kind = YX_RES_PATIENT, .facility_id = 20, .province_id = 2, .patient_id = 9, .party = 1},
    pat10other = {.kind = YX_RES_PATIENT, .facility_id = 10, .province_id = 1, .patient_id = 8};

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

/* Patient data of a kind with rules of its own: the patient's own account joins its visit's call,
 * gives its consent and books its visits, though it only reads its record. */
static void a_patient_acts_on_its_own_visits_consents_and_bookings(void **state)
{
    struct yx_principal pt = who("patient", 0, 0), hw = who("health_worker", 10, 1),
                        d20 = who("doctor", 20, 2);
    pt.patient_id = 7;
    struct yx_resource
        visit = {.kind = YX_RES_VISIT, .facility_id = 10, .province_id = 1, .patient_id = 7},
        consent = {.kind = YX_RES_CONSENT, .facility_id = 10, .province_id = 1, .patient_id = 7},
        booking = {.kind = YX_RES_APPOINTMENT, .facility_id = 10, .province_id = 1, .patient_id = 7},
        other = {.kind = YX_RES_APPOINTMENT, .facility_id = 10, .province_id = 1, .patient_id = 8};
    assert_int_equal(yx_authorize(&pt, YX_A_JOIN, &visit), 0);
    assert_int_equal(yx_authorize(&pt, YX_A_WRITE, &visit), YX_EFORBIDDEN);
    assert_int_equal(yx_authorize(&pt, YX_A_WRITE, &consent), 0);
    assert_int_equal(yx_authorize(&pt, YX_A_WRITE, &booking), 0);
    assert_int_equal(yx_authorize(&pt, YX_A_WRITE, &other), YX_ENOTFOUND);
    /* For everyone else joining the call is acting on the visit: a share reads, a party acts. */
    assert_int_equal(yx_authorize(&hw, YX_A_JOIN, &visit), 0);
    visit.shared = 1;
    assert_int_equal(yx_authorize(&d20, YX_A_JOIN, &visit), YX_EFORBIDDEN);
    visit.party = 1;
    assert_int_equal(yx_authorize(&d20, YX_A_JOIN, &visit), 0);
    assert_true(yx_patient_self(&pt, 7));
    assert_false(yx_patient_self(&pt, 8));
    assert_false(yx_patient_self(&hw, 7));
}

static void a_visit_record_is_its_doctors_and_a_draft_prescription_not_its_patients(void **state)
{
    struct yx_principal doc = who("doctor", 20, 2), hw = who("health_worker", 10, 1),
                        pt = who("patient", 0, 0);
    pt.patient_id = 7;
    struct yx_resource notes = {.kind = YX_RES_VISIT_RECORD, .party = 1},
                       vitals = {.kind = YX_RES_VISIT_RECORD, .facility_id = 10};
    assert_int_equal(yx_authorize(&doc, YX_A_WRITE, &notes), 0);
    notes.party = 0;
    assert_int_equal(yx_authorize(&hw, YX_A_WRITE, &notes), YX_EFORBIDDEN);
    assert_int_equal(yx_authorize(&hw, YX_A_WRITE, &vitals), 0);
    assert_int_equal(yx_authorize(&doc, YX_A_WRITE, &vitals), YX_EFORBIDDEN);
    struct yx_resource draft = {.kind = YX_RES_PRESCRIPTION, .state = "draft"},
                       signed_rx = {.kind = YX_RES_PRESCRIPTION, .state = "signed"};
    assert_int_equal(yx_authorize(&pt, YX_A_READ, &draft), YX_ENOTFOUND);
    assert_int_equal(yx_authorize(&pt, YX_A_READ, &signed_rx), 0);
    assert_int_equal(yx_authorize(&doc, YX_A_READ, &draft), 0);
}

static void availability_is_the_doctors_or_their_facility_admins(void **state)
{
    struct yx_principal doc = who("doctor", 10, 1), other = who("doctor", 10, 1),
                        fa10 = who("facility_admin", 10, 1), fa20 = who("facility_admin", 20, 2);
    struct yx_resource mine = {.kind = YX_RES_SCHEDULE, .facility_id = 10, .party = 1},
                       theirs = {.kind = YX_RES_SCHEDULE, .facility_id = 10};
    assert_int_equal(yx_authorize(&doc, YX_A_WRITE, &mine), 0);
    assert_int_equal(yx_authorize(&other, YX_A_WRITE, &theirs), YX_EFORBIDDEN);
    assert_int_equal(yx_authorize(&fa10, YX_A_WRITE, &theirs), 0);
    assert_int_equal(yx_authorize(&fa20, YX_A_WRITE, &theirs), YX_EFORBIDDEN);
}

static void course_materials_are_uploaded_by_those_who_make_courses(void **state)
{
    struct yx_principal hw = who("health_worker", 10, 1), doc = who("doctor", 10, 1),
                        t = who("trainer", 10, 1), m = who("ministry_admin", 0, 0);
    struct yx_resource clinical = {.kind = YX_RES_FILE, .facility_id = 10, .state = "clinical"},
                       material = {.kind = YX_RES_FILE, .facility_id = 10, .state = "course_material"},
                       nowhere = {.kind = YX_RES_FILE};
    assert_int_equal(yx_authorize(&hw, YX_A_WRITE, &clinical), 0);
    assert_int_equal(yx_authorize(&hw, YX_A_WRITE, &material), YX_EFORBIDDEN);
    assert_int_equal(yx_authorize(&doc, YX_A_WRITE, &material), 0);
    assert_int_equal(yx_authorize(&t, YX_A_WRITE, &material), 0);
    /* Files are kept by a facility: staff without one upload nothing. */
    assert_int_equal(yx_authorize(&m, YX_A_WRITE, &nowhere), YX_EFORBIDDEN);
}

/* A published course of facility 10 (province 1) for doctors of district hospitals. */
static struct yx_course_facts course10(void)
{
    return (struct yx_course_facts){.facility_id = 10,
                                    .province_id = 1,
                                    .state = "published",
                                    .target_roles = "[\"doctor\"]",
                                    .target_levels = "[\"district\"]",
                                    .level = "district"};
}

static void the_relation_to_a_course_comes_from_role_facility_and_enrolment(void **state)
{
    struct yx_principal t10 = who("trainer", 10, 1), t20 = who("trainer", 20, 2),
                        fa10 = who("facility_admin", 10, 1), fa20 = who("facility_admin", 20, 2),
                        p1 = who("province_admin", 11, 1), m = who("ministry_admin", 0, 0),
                        d20 = who("doctor", 20, 2), hw20 = who("health_worker", 20, 2),
                        pt = who("patient", 0, 0);
    struct yx_course_facts c = course10();
    assert_int_equal(yx_course_relation(&t10, &c), YX_COURSE_TRAINER);
    assert_int_equal(yx_course_relation(&t20, &c), 0);
    c.named_trainer = 1;
    assert_int_equal(yx_course_relation(&t20, &c), YX_COURSE_TRAINER);
    c.named_trainer = 0;
    assert_int_equal(yx_course_relation(&fa10, &c), YX_COURSE_ADMIN);
    assert_int_equal(yx_course_relation(&p1, &c), YX_COURSE_ADMIN);
    assert_int_equal(yx_course_relation(&m, &c), YX_COURSE_ADMIN);
    assert_int_equal(yx_course_relation(&d20, &c), YX_COURSE_ELIGIBLE);
    assert_int_equal(yx_course_relation(&hw20, &c), 0);
    assert_int_equal(yx_course_relation(&fa20, &c), YX_COURSE_SITE_ADMIN);
    assert_int_equal(yx_course_relation(&pt, &c), 0);
    /* Facility 20 enrolled as a whole: its doctors are enrolled, all of its people are the site. */
    c.site_enrolled = 1;
    assert_int_equal(yx_course_relation(&d20, &c), YX_COURSE_ENROLLED | YX_COURSE_ELIGIBLE | YX_COURSE_SITE);
    assert_int_equal(yx_course_relation(&hw20, &c), YX_COURSE_SITE);
    /* A draft is for nobody to enrol in. */
    c = course10();
    c.state = "draft";
    assert_int_equal(yx_course_relation(&d20, &c), 0);
    assert_int_equal(yx_course_relation(&fa20, &c), 0);
    assert_true(yx_runs_facility_courses(&t10) && yx_runs_facility_courses(&fa10));
    assert_false(yx_runs_facility_courses(&p1) || yx_runs_facility_courses(&d20));
    assert_true(yx_enrols_facility(&fa20));
    assert_false(yx_enrols_facility(&p1));
}

static void a_course_is_seen_by_its_people_and_run_by_its_trainers(void **state)
{
    struct yx_principal d = who("doctor", 20, 2), t10 = who("trainer", 10, 1), t20 = who("trainer", 20, 2);
    struct yx_resource learner = {.kind = YX_RES_COURSE,
                                  .facility_id = 10,
                                  .state = "published",
                                  .relation = YX_COURSE_ENROLLED},
                       stranger = {.kind = YX_RES_COURSE, .facility_id = 10, .state = "published"},
                       trainer = {.kind = YX_RES_COURSE,
                                  .facility_id = 10,
                                  .state = "draft",
                                  .relation = YX_COURSE_TRAINER};
    assert_int_equal(yx_authorize(&d, YX_A_READ, &learner), 0);
    assert_int_equal(yx_authorize(&d, YX_A_WRITE, &learner), YX_EFORBIDDEN);
    learner.need = YX_COURSE_ENROLLED;
    assert_int_equal(yx_authorize(&d, YX_A_WRITE, &learner), 0);
    assert_int_equal(yx_authorize(&d, YX_A_READ, &stranger), YX_ENOTFOUND);
    assert_int_equal(yx_authorize(&t10, YX_A_WRITE, &trainer), 0);
    /* A draft is its makers' business. */
    learner.state = "draft";
    assert_int_equal(yx_authorize(&d, YX_A_READ, &learner), YX_ENOTFOUND);
    /* A course is made at one's own facility. */
    struct yx_resource at10 = {.kind = YX_RES_COURSE, .facility_id = 10};
    assert_int_equal(yx_authorize(&t10, YX_A_ADMIN, &at10), 0);
    assert_int_equal(yx_authorize(&t20, YX_A_ADMIN, &at10), YX_EFORBIDDEN);
}

static void enrolment_site_attendance_credits_and_certificates(void **state)
{
    struct yx_principal fa20 = who("facility_admin", 20, 2), d20 = who("doctor", 20, 2),
                        t10 = who("trainer", 10, 1), p2 = who("province_admin", 20, 2),
                        d30 = who("doctor", 30, 3);
    struct yx_resource site = {
        .kind = YX_RES_ENROLMENT, .state = "published", .relation = YX_COURSE_SITE_ADMIN, .facility_id = 20};
    assert_int_equal(yx_authorize(&fa20, YX_A_WRITE, &site), 0);
    site.facility_id = 30;
    assert_int_equal(yx_authorize(&fa20, YX_A_WRITE, &site), YX_EFORBIDDEN);
    struct yx_resource self = {
        .kind = YX_RES_ENROLMENT, .state = "published", .relation = YX_COURSE_ENROLLED, .party = 1};
    assert_int_equal(yx_authorize(&d20, YX_A_WRITE, &self), 0);
    struct yx_resource att = {
        .kind = YX_RES_SITE_ATTENDANCE, .state = "published", .relation = YX_COURSE_SITE};
    assert_int_equal(yx_authorize(&d20, YX_A_WRITE, &att), 0);
    assert_int_equal(yx_authorize(&d20, YX_A_ADMIN, &att), 0);
    att.party = 1; /* whoever recorded it does not confirm it */
    assert_int_equal(yx_authorize(&d20, YX_A_ADMIN, &att), YX_EFORBIDDEN);
    att.relation = YX_COURSE_ELIGIBLE;
    assert_int_equal(yx_authorize(&d20, YX_A_WRITE, &att), YX_EFORBIDDEN);
    /* A credit's holder who may not see the course is told it is not theirs to issue; others it is
     * not there. */
    struct yx_resource credit = {.kind = YX_RES_CREDIT, .party = 1};
    assert_int_equal(yx_authorize(&d20, YX_A_WRITE, &credit), YX_EFORBIDDEN);
    credit.party = 0;
    assert_int_equal(yx_authorize(&d20, YX_A_WRITE, &credit), YX_ENOTFOUND);
    credit.relation = YX_COURSE_TRAINER;
    assert_int_equal(yx_authorize(&t10, YX_A_WRITE, &credit), 0);
    /* A certificate is read by the administrators over its holder, revoked by the course's people. */
    struct yx_resource cert = {.kind = YX_RES_CERTIFICATE, .facility_id = 20, .province_id = 2};
    assert_int_equal(yx_authorize(&p2, YX_A_READ, &cert), 0);
    assert_int_equal(yx_authorize(&p2, YX_A_WRITE, &cert), YX_EFORBIDDEN);
    assert_int_equal(yx_authorize(&d30, YX_A_READ, &cert), YX_ENOTFOUND);
    cert.relation = YX_COURSE_ADMIN;
    assert_int_equal(yx_authorize(&p2, YX_A_WRITE, &cert), 0);
}

static void a_list_shows_the_scope_of_its_reader(void **state)
{
    struct yx_principal m = who("ministry_admin", 0, 0), p1 = who("province_admin", 10, 1),
                        f10 = who("facility_admin", 10, 1), d10 = who("doctor", 10, 1),
                        t10 = who("trainer", 10, 1), pt = who("patient", 0, 0), nobody;
    memset(&nobody, 0, sizeof nobody);
    pt.patient_id = 7;
    struct yx_scope s;
    assert_int_equal(yx_scope(&m, YX_RES_USER, &s), 0);
    assert_int_equal(s.kind, YX_SCOPE_ALL);
    assert_int_equal(yx_scope(&p1, YX_RES_AUDIT, &s), 0);
    assert_int_equal(s.kind, YX_SCOPE_PROVINCE);
    assert_int_equal(s.id, 1);
    assert_int_equal(yx_scope(&f10, YX_RES_CREDIT, &s), 0);
    assert_int_equal(s.kind, YX_SCOPE_FACILITY);
    assert_int_equal(s.id, 10);
    assert_int_equal(yx_scope(&d10, YX_RES_USER, &s), 0);
    assert_int_equal(s.kind, YX_SCOPE_FACILITY);
    assert_int_equal(yx_scope(&d10, YX_RES_AUDIT, &s), YX_EFORBIDDEN);
    assert_int_equal(yx_scope(&pt, YX_RES_USER, &s), YX_EFORBIDDEN);
    assert_int_equal(yx_scope(&pt, YX_RES_VISIT, &s), 0);
    assert_int_equal(s.kind, YX_SCOPE_PATIENT);
    assert_int_equal(s.id, 7);
    assert_int_equal(yx_scope(&pt, YX_RES_CONSULT, &s), YX_EFORBIDDEN);
    assert_int_equal(yx_scope(&d10, YX_RES_PATIENT, &s), 0);
    assert_int_equal(s.kind, YX_SCOPE_FACILITY);
    assert_int_equal(yx_scope(&t10, YX_RES_PATIENT, &s), YX_EFORBIDDEN);
    assert_int_equal(yx_scope(&nobody, YX_RES_USER, &s), YX_EAUTH);
}

/* A registered system (SMART Backend Services): its places — facility 10, and province 2 — decide
 * which patient data exists for it; it reads and never writes; its token's scopes say which FHIR
 * routes it calls; its lists are of its places. */
static void a_system_reads_the_patient_data_of_its_places(void **state)
{
    static const struct yx_place places[] = {{10, 0}, {0, 2}};
    struct yx_principal sys;
    memset(&sys, 0, sizeof sys);
    sys.system_id = 3;
    snprintf(sys.role, sizeof sys.role, "system");
    sys.places = places;
    sys.nplaces = 2;
    sys.scope = "system/Patient.rs system/Organization.r";
    const struct yx_resource
        pat30 = {.kind = YX_RES_PATIENT, .facility_id = 30, .province_id = 3, .patient_id = 5},
        pat30shared = {.kind = YX_RES_PATIENT, .facility_id = 30, .province_id = 3, .shared = 1},
        draft = {.kind = YX_RES_PRESCRIPTION, .facility_id = 10, .province_id = 1, .state = "draft"},
        signed_ = {.kind = YX_RES_PRESCRIPTION, .facility_id = 10, .province_id = 1, .state = "signed"},
        report = {.kind = YX_RES_REPORT, .facility_id = 10, .province_id = 1};
    assert_int_equal(yx_authorize(&sys, YX_A_READ, &pat10), 0);
    assert_int_equal(yx_authorize(&sys, YX_A_READ, &pat20), 0); /* facility 20 is in province 2 */
    assert_int_equal(yx_authorize(&sys, YX_A_READ, &pat30), YX_ENOTFOUND);
    assert_int_equal(yx_authorize(&sys, YX_A_READ, &pat30shared), YX_ENOTFOUND);
    assert_int_equal(yx_authorize(&sys, YX_A_WRITE, &pat10), YX_EFORBIDDEN);
    assert_int_equal(yx_authorize(&sys, YX_A_WRITE, &pat30), YX_ENOTFOUND);
    assert_int_equal(yx_authorize(&sys, YX_A_READ, &draft), YX_ENOTFOUND);
    assert_int_equal(yx_authorize(&sys, YX_A_READ, &signed_), 0);
    assert_int_equal(yx_authorize(&sys, YX_A_READ, &fac10), 0);
    assert_int_equal(yx_authorize(&sys, YX_A_WRITE, &fac10), YX_EFORBIDDEN);
    assert_int_equal(yx_authorize(&sys, YX_A_READ, &user10), YX_ENOTFOUND);
    assert_int_equal(yx_authorize(&sys, YX_A_READ, &report), YX_ENOTFOUND);
    struct yx_scope s;
    assert_int_equal(yx_scope(&sys, YX_RES_PATIENT, &s), 0);
    assert_int_equal(s.kind, YX_SCOPE_SYSTEM);
    assert_int_equal(s.id, 3);
    assert_int_equal(yx_scope(&sys, YX_RES_USER, &s), YX_EFORBIDDEN);
    assert_int_equal(yx_system_permits(&sys, "GET", "/fhir/Patient/:id"), 0);
    assert_int_equal(yx_system_permits(&sys, "GET", "/fhir/Patient"), 0);
    assert_int_equal(yx_system_permits(&sys, "GET", "/fhir/Organization/:id"), 0);
    assert_int_equal(yx_system_permits(&sys, "GET", "/fhir/Organization"), YX_EFORBIDDEN); /* .r only */
    assert_int_equal(yx_system_permits(&sys, "GET", "/fhir/Encounter/:id"), YX_EFORBIDDEN);
    assert_int_equal(yx_system_permits(&sys, "GET", "/fhir/Patient/:id/_history"), YX_EFORBIDDEN);
    assert_int_equal(yx_system_permits(&sys, "POST", "/fhir/Patient"), YX_EFORBIDDEN);
    assert_int_equal(yx_system_permits(&sys, "PUT", "/fhir/Patient/:id"), YX_EFORBIDDEN);
    assert_int_equal(yx_system_permits(&sys, "GET", "/api/v1/patients/:id"), YX_EFORBIDDEN);
    sys.scope = "system/*.rs";
    assert_int_equal(yx_system_permits(&sys, "GET", "/fhir/Encounter"), 0);
    assert_true(yx_system_token_shape("smart-0123456789012345678901234567890123456789abc"));
    assert_false(yx_system_token_shape("smart-0123456789"));
    assert_false(yx_system_token_shape("0123456789012345678901234567890123456789abc"));
}

/* The YX_ROLE_… bits a route declares and the roles a session has are the same list. */
/* Guessable passwords: a list loaded from a file (its comments, entries under 4 letters or digits
 * and lines longer than any password left out whole), compared by the folded letters and digits
 * and without trailing digits; runs and repeats; the username and the name. A password with no
 * Latin letter or digit is only checked for repeats, and the empty list refuses nothing of its own. */
static void a_guessable_password_is_named_as_such(void **state)
{
    (void)state;
    char path[] = "/tmp/ytexa-pwlist-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("#!comment: a list\nsunshine\nabc\nDragon-Fly\n\n", f);
    for (int i = 0; i < 511; i++) /* a line longer than any password: left out whole */
        fputc('x', f);
    fputs("uniquetail\n", f);
    fclose(f);
    assert_int_equal(yx_password_guessable("Sunshine2026!", NULL, NULL), 0); /* no list yet */
    assert_int_equal(yx_password_list_load(path), 2);
    remove(path);
    assert_int_equal(yx_password_guessable("Sunshine2026!", NULL, NULL), YX_PW_COMMON);
    assert_int_equal(yx_password_guessable("dragonfly", NULL, NULL), YX_PW_COMMON);
    assert_int_equal(yx_password_guessable("sunshine on the pass", NULL, NULL), 0);
    assert_int_equal(yx_password_guessable("uniquetail", NULL, NULL), 0);
    assert_int_equal(yx_password_guessable("2026sunshine", NULL, NULL), 0); /* digits before: another */
    assert_int_equal(yx_password_guessable("Mật-khẩu 2026", NULL, NULL), YX_PW_COMMON);
    assert_int_equal(yx_password_guessable("13579135", NULL, NULL), 0);
    assert_int_equal(yx_password_guessable("23456789", NULL, NULL), YX_PW_PATTERN);
    assert_int_equal(yx_password_guessable("ZYXWVUTS", NULL, NULL), YX_PW_PATTERN);
    assert_int_equal(yx_password_guessable("xyxyxyxy", NULL, NULL), YX_PW_PATTERN);
    assert_int_equal(yx_password_guessable("abcd-1234", NULL, NULL), YX_PW_PATTERN); /* a run, then digits */
    assert_int_equal(yx_password_guessable("abqd-1234", NULL, NULL), 0);
    assert_int_equal(yx_password_guessable("khong-co-gi-9", "lo.mai", "Lò Thị Mai"), 0);
    assert_int_equal(yx_password_guessable("LO.MAI.2026", "lo.mai", "Lò Thị Mai"), YX_PW_PERSONAL);
    assert_int_equal(yx_password_guessable("lothimai!!", "x", "Lò Thị Mai"), YX_PW_PERSONAL);
    assert_int_equal(yx_password_guessable("Thị1990", "x", "Lò Thị Mai"), YX_PW_PERSONAL);
    assert_int_equal(yx_password_guessable("密码密码密码密码", "x", "Lò Thị Mai"), 0);
    assert_int_equal(yx_password_guessable("密密密密密密密密", "x", "Lò Thị Mai"), YX_PW_PATTERN);
    assert_int_equal(yx_password_guessable("!!!!!!!!", NULL, NULL), YX_PW_PATTERN);
    assert_int_equal(yx_password_guessable("!@#!@#!@#", NULL, NULL), YX_PW_PATTERN);
    assert_int_equal(yx_password_list_load("/nonexistent/list"), -1);
    assert_int_equal(yx_password_guessable("dragonfly", NULL, NULL), YX_PW_COMMON); /* kept */
}

static void role_bits_follow_the_list_of_roles(void **state)
{
    const char *roles[] = {YX_ROLES};
    unsigned all = 0;
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        assert_int_equal(yx_role_bit(roles[i]), 1u << i);
        all |= yx_role_bit(roles[i]);
    }
    assert_int_equal(all, YX_ANYONE);
    assert_int_equal(yx_role_bit("root"), 0);
    assert_int_equal(yx_role_bit("doctor"), YX_ROLE_DOCTOR);
    assert_int_equal(yx_role_bit("patient"), YX_ROLE_PATIENT);
    assert_true(yx_role_is_admin("province_admin"));
    assert_false(yx_role_is_admin("trainer"));
    assert_true(yx_role_needs_facility("trainer"));
    assert_false(yx_role_needs_facility("ministry_admin"));
    assert_false(yx_role_needs_facility("patient"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(everyone_reads_the_network),
        cmocka_unit_test(a_guessable_password_is_named_as_such),
        cmocka_unit_test(admins_act_within_their_scope),
        cmocka_unit_test(clinicians_see_colleagues_but_not_administer),
        cmocka_unit_test(patient_data_stays_at_its_facility_unless_shared),
        cmocka_unit_test(a_share_reads_and_a_party_acts),
        cmocka_unit_test(a_patient_reads_only_their_own_record),
        cmocka_unit_test(an_account_is_acted_on_only_from_above),
        cmocka_unit_test(ones_own_account_is_read_and_never_changed),
        cmocka_unit_test(nothing_matches_nothing),
        cmocka_unit_test(roles_are_a_closed_list),
        cmocka_unit_test(a_patient_acts_on_its_own_visits_consents_and_bookings),
        cmocka_unit_test(a_visit_record_is_its_doctors_and_a_draft_prescription_not_its_patients),
        cmocka_unit_test(availability_is_the_doctors_or_their_facility_admins),
        cmocka_unit_test(course_materials_are_uploaded_by_those_who_make_courses),
        cmocka_unit_test(the_relation_to_a_course_comes_from_role_facility_and_enrolment),
        cmocka_unit_test(a_course_is_seen_by_its_people_and_run_by_its_trainers),
        cmocka_unit_test(enrolment_site_attendance_credits_and_certificates),
        cmocka_unit_test(a_list_shows_the_scope_of_its_reader),
        cmocka_unit_test(role_bits_follow_the_list_of_roles),
        cmocka_unit_test(a_system_reads_the_patient_data_of_its_places),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
