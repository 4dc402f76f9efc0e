/* Unit tests of src/facility on a real database (tests/unit/testdb.h): the demo network loads
 * whole — provinces before and after the 2025 reform, facilities, support links that point up the
 * levels of care — and a facility reads back as the API shows it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "facility/facility.h"
#include "testdb.h"

int yx_network_demo(struct yx_db *db, FILE *report);

static struct yx_db *db;

static int setup(void **state)
{
    yx_log_set_level(YX_LOG_ERROR);
    FILE *quiet = fopen("/dev/null", "w");
    int rc = testdb_open("facility_test", &db) == 0 && quiet && yx_network_demo(db, quiet) == 0 ? 0 : -1;
    if (quiet)
        fclose(quiet);
    return rc;
}

static int teardown(void **state)
{
    return testdb_close(db);
}

static void the_demo_network_loads_whole(void **state)
{
    assert_int_equal(
        testdb_int(db,
                   "SELECT COUNT(*) FROM admin_units WHERE level = 'province' AND valid_from < '2025-07-01'"),
        63);
    assert_int_equal(
        testdb_int(db, "SELECT COUNT(*) FROM admin_units WHERE level = 'province' AND valid_to IS NULL"), 34);
    assert_true(testdb_int(db, "SELECT COUNT(*) FROM admin_units WHERE level = 'commune'") > 1000);
    assert_true(testdb_int(db, "SELECT COUNT(*) FROM facilities") >= 20);
    assert_true(testdb_int(db, "SELECT COUNT(*) FROM support_links") > 0);
    /* Every facility is in a province of today's map. */
    assert_int_equal(testdb_int(db, "SELECT COUNT(*) FROM facilities f LEFT JOIN admin_units p ON p.id = "
                                    "f.province_id WHERE p.id IS NULL OR p.valid_to IS NOT NULL"),
                     0);
}

/* Support goes up the levels of care: a commune station is supported by a district centre or a
 * hospital, never the other way round. */
static void support_links_point_up(void **state)
{
    assert_int_equal(
        testdb_int(
            db, "SELECT COUNT(*) FROM support_links l JOIN facilities h ON h.id = l.hub_id JOIN facilities s "
                "ON s.id = l.site_id WHERE (CASE h.level WHEN 'commune' THEN 0 WHEN 'district' THEN 1 WHEN "
                "'provincial' THEN 2 ELSE 3 END) <= (CASE s.level WHEN 'commune' THEN 0 WHEN 'district' "
                "THEN 1 WHEN 'provincial' THEN 2 ELSE 3 END)"),
        0);
}

static void a_facility_reads_back_as_the_api_shows_it(void **state)
{
    int64_t id = testdb_int(db, "SELECT id FROM facilities WHERE code = 'TYT-LUNGCU'");
    assert_true(id > 0);
    json_t *f = yx_facility_json(db, id);
    assert_non_null(f);
    assert_string_equal(json_string_value(json_object_get(f, "name")), "Trạm Y tế xã Lũng Cú");
    assert_string_equal(json_string_value(json_object_get(f, "level")), "commune");
    json_decref(f);
    assert_null(yx_facility_json(db, 999999));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_demo_network_loads_whole),
        cmocka_unit_test(support_links_point_up),
        cmocka_unit_test(a_facility_reads_back_as_the_api_shows_it),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
