/* Unit tests of src/visit: the shape of an ICD-10 code, a Vietnamese calendar day as a span of
 * time, and the remote-care value set on a real database (tests/unit/testdb.h). The workflow over
 * the API is tests/api/visit.test.mjs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "testdb.h"
#include "visit/visit.h"

static void icd10_codes_have_their_shape(void **state)
{
    char out[8];
    const char *good[][2] = {{"I10", "I10"}, {"e11.9", "E11.9"}, {"Z39.2", "Z39.2"}, {"M54.16", "M54.16"}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_true(yx_icd10_wellformed(good[i][0], out));
        assert_string_equal(out, good[i][1]);
    }
    const char *bad[] = {NULL, "", "I1", "110", "IA0", "I10.", "I109", "I10.123", "I10-1", "I10.ä"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(yx_icd10_wellformed(bad[i], out));
}

/* Vietnam keeps UTC+7 all year: a day runs from 17:00 UTC the evening before, for 24 hours. */
static void a_day_is_vietnams(void **state)
{
    int64_t from, to;
    assert_int_equal(yx_vn_day("2026-01-01", &from, &to), 0);
    assert_int_equal(from, 1767225600000LL - 7 * 3600000LL);
    assert_int_equal(to - from, 86400000LL);
    assert_int_equal(yx_vn_day("2026-1-1", &from, &to), YX_EINVAL);
    assert_int_equal(yx_vn_day("2026-02-30", &from, &to), YX_EINVAL);
    assert_int_equal(yx_vn_day(NULL, &from, &to), YX_EINVAL);
}

/* A code is treatable remotely when it or its category is on the list (Circular 30/2023/TT-BYT). */
static void the_remote_care_list_covers_subdivisions(void **state)
{
    struct yx_db *db = NULL;
    int yes = -1;
    assert_int_equal(testdb_open("visit_test", &db), 0);
    assert_int_equal(yx_remote_treatable(db, "I10", &yes), 0);
    assert_true(yes);
    assert_int_equal(yx_remote_treatable(db, "E11.9", &yes), 0);
    assert_true(yes);
    assert_int_equal(yx_remote_treatable(db, "E79.0", &yes), 0);
    assert_true(yes);
    assert_int_equal(yx_remote_treatable(db, "E79.1", &yes), 0);
    assert_false(yes);
    assert_int_equal(yx_remote_treatable(db, "A15", &yes), 0);
    assert_false(yes);
    assert_int_equal(testdb_close(db), 0);
}

int main(void)
{
    yx_log_set_level(YX_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(icd10_codes_have_their_shape),
        cmocka_unit_test(a_day_is_vietnams),
        cmocka_unit_test(the_remote_care_list_covers_subdivisions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
