/* Unit tests of src/consult on a real database with the demo network (tests/unit/testdb.h): where
 * a case goes along the support network (yx_consult_route) — the nearest level of care that
 * supports the site for the case's specialty, no inactive hub, nowhere when none does. The whole
 * workflow over the API is tests/api/consult.test.mjs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "consult/consult.h"
#include "testdb.h"

int yx_network_demo(struct yx_db *db, FILE *report);

static struct yx_db *db;

static int setup(void **state)
{
    yx_log_set_level(YX_LOG_ERROR);
    FILE *quiet = fopen("/dev/null", "w");
    int rc = testdb_open("consult_test", &db) == 0 && quiet && yx_network_demo(db, quiet) == 0 ? 0 : -1;
    if (quiet)
        fclose(quiet);
    return rc;
}

static int teardown(void **state)
{
    return testdb_close(db);
}

static int64_t facility(const char *code)
{
    char sql[128];
    yx_snprintf(sql, sizeof sql, "SELECT id FROM facilities WHERE code = '%s'", code);
    return testdb_int(db, sql);
}

/* The hub a new case (no hub had it yet) of the specialty, asked by site, goes to. */
static int64_t route(const char *site, const char *specialty)
{
    struct yx_consult c = {.requester = facility(site)};
    int64_t hub = -1;
    yx_snprintf(c.specialty, sizeof c.specialty, "%s", specialty);
    assert_int_equal(yx_consult_route(db, &c, c.requester, &hub), 0);
    return hub;
}

static void a_case_goes_to_the_nearest_level_that_supports_it(void **state)
{
    /* Lũng Cú's station: its district centre for internal medicine, the province for imaging. */
    assert_int_equal(route("TYT-LUNGCU", "internal"), facility("TTYT-DONGVAN"));
    assert_int_equal(route("TYT-LUNGCU", "imaging"), facility("BVDK-HAGIANG"));
    /* The district centre itself: the provincial hospital before the central one. */
    assert_int_equal(route("TTYT-DONGVAN", "internal"), facility("BVDK-HAGIANG"));
}

static void no_hub_no_route(void **state)
{
    assert_int_equal(route("TYT-LUNGCU", "cardiology"), 0);
    assert_int_equal(YX_DB_Q0(db, NULL, "UPDATE facilities SET active = 0 WHERE code = 'TTYT-DONGVAN'"), 0);
    assert_int_equal(route("TYT-LUNGCU", "internal"), 0);
    assert_int_equal(YX_DB_Q0(db, NULL, "UPDATE facilities SET active = 1 WHERE code = 'TTYT-DONGVAN'"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_case_goes_to_the_nearest_level_that_supports_it),
        cmocka_unit_test(no_hub_no_route),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
