/* Unit tests of the audit trail (src/audit/audit.c) on a real database (tests/unit/testdb.h):
 * events appended one by one and in a batch form one chain, which yx_audit_verify() walks; an
 * edited event and an event cut from the end are named. The writer thread and the trail the API
 * writes are tested in tests/api/audit.test.mjs and durability.test.mjs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "testdb.h"
#include "ytexa/audit.h"

static struct yx_db *db;

static int setup(void **state)
{
    yx_log_set_level(YX_LOG_ERROR);
    return testdb_open("audit_test", &db);
}

static int teardown(void **state)
{
    return testdb_close(db);
}

static struct yx_audit_event event(int64_t actor, const char *action, const char *resource_id)
{
    return (struct yx_audit_event){.at = yx_now_ms(),
                                   .request_id = "req-1",
                                   .actor_id = actor,
                                   .actor_role = "doctor",
                                   .actor_facility_id = 10,
                                   .action = action,
                                   .resource_type = "patient",
                                   .resource_id = resource_id,
                                   .patient_id = 7,
                                   .addr = "127.0.0.1",
                                   .outcome = "ok"};
}

static void events_form_one_chain(void **state)
{
    int64_t checked, bad;
    char why[200] = "";
    struct yx_audit_event a = event(1, "patient.read", "7"), b = event(2, "patient.update", "7"),
                          c = event(3, "patient.read", NULL);
    assert_int_equal(yx_audit_verify(db, &checked, &bad, why, sizeof why), 0);
    assert_int_equal(checked, 0);
    assert_int_equal(yx_audit_append(db, &a), 0);
    const struct yx_audit_event *batch[] = {&b, &c};
    assert_int_equal(yx_audit_append_many(db, batch, 2), 0);
    assert_int_equal(yx_audit_verify(db, &checked, &bad, why, sizeof why), 0);
    assert_int_equal(checked, 3);
    assert_int_equal(testdb_int(db, "SELECT last_id FROM audit_head WHERE one = 1"), 3);
}

static void an_edited_event_is_named(void **state)
{
    int64_t checked, bad;
    char why[200] = "";
    assert_int_equal(YX_DB_Q0(db, NULL, "UPDATE audit_events SET outcome = 'denied' WHERE id = 2"), 0);
    assert_int_equal(yx_audit_verify(db, &checked, &bad, why, sizeof why), YX_ECONFLICT);
    assert_int_equal(bad, 2);
    assert_non_null(strstr(why, "edited"));
    assert_int_equal(YX_DB_Q0(db, NULL, "UPDATE audit_events SET outcome = 'ok' WHERE id = 2"), 0);
    assert_int_equal(yx_audit_verify(db, &checked, &bad, why, sizeof why), 0);
}

static void an_event_cut_from_the_end_is_noticed(void **state)
{
    int64_t checked, bad;
    char why[200] = "";
    assert_int_equal(YX_DB_Q0(db, NULL, "DELETE FROM audit_events WHERE id = 3"), 0);
    assert_int_equal(yx_audit_verify(db, &checked, &bad, why, sizeof why), YX_ECONFLICT);
    assert_int_equal(bad, 3);
    assert_non_null(strstr(why, "removed"));
}

int main(void)
{
    /* In order: each test continues the chain the one before left. */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(events_form_one_chain),
        cmocka_unit_test(an_edited_event_is_named),
        cmocka_unit_test(an_event_cut_from_the_end_is_noticed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
