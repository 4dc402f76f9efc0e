/* Unit tests of the audit trail (src/audit/audit.c) on a real database (tests/unit/testdb.h):
 * events appended one by one and in a batch form one chain, which yx_audit_verify() walks; an
 * edited event and an event cut from the end are named. The writer thread and the trail the API
 * writes are tested in tests/api/audit.test.mjs and durability.test.mjs. */
#include <pthread.h>
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
    struct yx_audit_verdict v;
    struct yx_audit_event a = event(1, "patient.read", "7"), b = event(2, "patient.update", "7"),
                          c = event(3, "patient.read", NULL);
    assert_int_equal(yx_audit_verify(db, &v), 0);
    assert_int_equal(v.checked, 0);
    assert_int_equal(yx_audit_append(db, &a), 0);
    const struct yx_audit_event *batch[] = {&b, &c};
    assert_int_equal(yx_audit_append_many(db, batch, 2), 0);
    int sealed = 0;
    /* Appended in transactions of their own, they are sealed at once on both engines. */
    assert_int_equal(yx_audit_seal(db, 1000, &sealed), 0);
    assert_int_equal(sealed, 0);
    /* In a caller's transaction PostgreSQL leaves the event to the sealer; SQLite seals it. */
    struct yx_audit_event d = event(4, "patient.update", "7");
    assert_int_equal(yx_db_begin(db), 0);
    assert_int_equal(yx_audit_append(db, &d), 0);
    assert_int_equal(yx_db_commit(db), 0);
    assert_int_equal(yx_audit_seal(db, 1000, &sealed), 0);
    assert_int_equal(sealed, yx_db_dialect(db) == YX_POSTGRES ? 1 : 0);
    assert_int_equal(yx_audit_verify(db, &v), 0);
    assert_int_equal(v.checked, 4);
    assert_int_equal(testdb_int(db, "SELECT last_seq FROM audit_head WHERE one = 1"), 4);
}

static void an_edited_event_is_named(void **state)
{
    struct yx_audit_verdict v;
    assert_int_equal(YX_DB_Q0(db, NULL, "UPDATE audit_events SET outcome = 'denied' WHERE id = 2"), 0);
    assert_int_equal(yx_audit_verify(db, &v), YX_ECONFLICT);
    assert_int_equal(v.bad_id, 2);
    assert_non_null(strstr(v.why, "edited"));
    assert_int_equal(YX_DB_Q0(db, NULL, "UPDATE audit_events SET outcome = 'ok' WHERE id = 2"), 0);
    assert_int_equal(yx_audit_verify(db, &v), 0);
}

static void an_event_cut_from_the_end_is_noticed(void **state)
{
    struct yx_audit_verdict v;
    assert_int_equal(YX_DB_Q0(db, NULL, "DELETE FROM audit_events WHERE seq = 4"), 0);
    assert_int_equal(yx_audit_verify(db, &v), YX_ECONFLICT);
    assert_int_equal(v.bad_id, 4);
    assert_non_null(strstr(v.why, "removed"));
}

/* Starts the next tests on an empty trail. */
static void fresh(void)
{
    assert_int_equal(YX_DB_Q0(db, NULL, "DELETE FROM audit_events"), 0);
    assert_int_equal(YX_DB_Q0(db, NULL, "DELETE FROM audit_head"), 0);
}

static void record(struct yx_db *on, int n, int64_t at)
{
    for (int i = 0; i < n; i++) {
        struct yx_audit_event e = event(i + 1, "patient.read", "7");
        const struct yx_audit_event *one = &e;
        if (at)
            e.at = at;
        assert_int_equal(yx_audit_record(on, &one, 1), 0);
    }
}

static void recorded_events_wait_for_the_sealer(void **state)
{
    struct yx_audit_verdict v;
    struct yx_audit_chain head;
    int sealed = 0;
    fresh();
    record(db, 3, 0);
    assert_int_equal(yx_audit_verify(db, &v), 0);
    assert_int_equal(v.checked, 0);
    assert_int_equal(v.unsealed, 3);
    assert_int_equal(yx_audit_seal(db, 2, &sealed), 0);
    assert_int_equal(sealed, 2);
    assert_int_equal(yx_audit_seal(db, 1000, &sealed), 0);
    assert_int_equal(sealed, 1);
    assert_int_equal(yx_audit_verify(db, &v), 0);
    assert_int_equal(v.checked, 3);
    assert_int_equal(v.unsealed, 0);
    assert_int_equal(yx_audit_head(db, &head), 0);
    assert_int_equal(head.seq, 3);
    /* Oldest id first. */
    assert_int_equal(
        testdb_int(db, "SELECT seq FROM audit_events WHERE id = (SELECT MIN(id) FROM audit_events)"), 1);
    /* Nothing left: a seal changes nothing, the head included. */
    assert_int_equal(yx_audit_seal(db, 1000, &sealed), 0);
    assert_int_equal(sealed, 0);
    assert_int_equal(yx_audit_verify(db, &v), 0);
    assert_int_equal(v.checked, 3);
}

static void an_event_never_sealed_is_named(void **state)
{
    struct yx_audit_verdict v;
    int sealed = 0;
    record(db, 1, yx_now_ms() - 2 * 3600 * 1000);
    int64_t id = testdb_int(db, "SELECT MAX(id) FROM audit_events");
    assert_int_equal(yx_audit_verify(db, &v), YX_ECONFLICT);
    assert_int_equal(v.bad_id, id);
    assert_non_null(strstr(v.why, "never sealed"));
    assert_int_equal(v.checked, 3);
    assert_int_equal(yx_audit_seal(db, 1000, &sealed), 0);
    assert_int_equal(yx_audit_verify(db, &v), 0);
    assert_int_equal(v.checked, 4);
}

static void a_gap_in_the_sequence_is_named(void **state)
{
    struct yx_audit_verdict v;
    assert_int_equal(YX_DB_Q0(db, NULL, "CREATE TABLE saved AS SELECT * FROM audit_events WHERE seq = 2"), 0);
    assert_int_equal(YX_DB_Q0(db, NULL, "DELETE FROM audit_events WHERE seq = 2"), 0);
    assert_int_equal(yx_audit_verify(db, &v), YX_ECONFLICT);
    assert_int_equal(v.bad_id, 2);
    assert_non_null(strstr(v.why, "missing"));
    assert_int_equal(v.checked, 1);
    assert_int_equal(YX_DB_Q0(db, NULL, "INSERT INTO audit_events SELECT * FROM saved"), 0);
    assert_int_equal(YX_DB_Q0(db, NULL, "DROP TABLE saved"), 0);
    assert_int_equal(yx_audit_verify(db, &v), 0);
}

static void events_swapped_in_the_sequence_are_named(void **state)
{
    struct yx_audit_verdict v;
    int64_t second = testdb_int(db, "SELECT id FROM audit_events WHERE seq = 2");
    assert_int_equal(
        YX_DB_Q0(db, NULL,
                 "UPDATE audit_events SET seq = CASE seq WHEN 2 THEN -3 ELSE -2 END WHERE seq IN (2, 3)"),
        0);
    assert_int_equal(YX_DB_Q0(db, NULL, "UPDATE audit_events SET seq = -seq WHERE seq < 0"), 0);
    assert_int_equal(yx_audit_verify(db, &v), YX_ECONFLICT);
    assert_int_not_equal(v.bad_id, second);
    assert_non_null(strstr(v.why, "reordered"));
    assert_int_equal(
        YX_DB_Q0(db, NULL,
                 "UPDATE audit_events SET seq = CASE seq WHEN 2 THEN -3 ELSE -2 END WHERE seq IN (2, 3)"),
        0);
    assert_int_equal(YX_DB_Q0(db, NULL, "UPDATE audit_events SET seq = -seq WHERE seq < 0"), 0);
    assert_int_equal(yx_audit_verify(db, &v), 0);
}

/* While another instance holds the chain's lock (PostgreSQL), a sealer seals nothing and leaves
 * the round to it; once the lock is let go, the same call seals. */
static void a_sealer_leaves_a_held_chain_alone(void **state)
{
    struct yx_db *other = NULL;
    struct yx_rows *r = NULL;
    struct yx_audit_verdict v;
    char err[256];
    int sealed = -1;
    if (yx_db_dialect(db) != YX_POSTGRES)
        skip(); /* SQLite's one writer seals every event as it is written */
    fresh();
    record(db, 2, 0);
    assert_int_equal(yx_db_open(testdb.url, &other, err, sizeof err), 0);
    assert_int_equal(yx_db_begin(other), 0);
    assert_int_equal(YX_DB_Q0(other, &r, "SELECT pg_try_advisory_xact_lock(" YX_AUDIT_CHAIN_LOCK ")::int"),
                     0);
    assert_int_equal(yx_rows_int(r, 0, 0), 1);
    yx_rows_free(r);
    /* Checked after the lock is let go, so that a failure does not leave the next test waiting. */
    int rc = yx_audit_seal(db, 1000, &sealed), vrc = yx_audit_verify(db, &v);
    yx_db_rollback(other);
    yx_db_close(other);
    assert_int_equal(rc, 0);
    assert_int_equal(sealed, 0);
    assert_int_equal(vrc, 0);
    assert_int_equal(v.unsealed, 2);
    assert_int_equal(yx_audit_seal(db, 1000, &sealed), 0);
    assert_int_equal(sealed, 2);
    assert_int_equal(yx_audit_verify(db, &v), 0);
    assert_int_equal(v.unsealed, 0);
    assert_int_equal(v.checked, 2);
}

/* Two writers, each with its connection, record and seal at once (two instances on one
 * database): every event gets exactly one place and the chain stays one line. */
#define WRITES 150
static void *writer(void *unused)
{
    (void)unused;
    struct yx_db *mine = NULL;
    char err[256];
    intptr_t bad = 0;
    if (yx_db_open(testdb.url, &mine, err, sizeof err) != 0)
        return (void *)1;
    for (int i = 0; i < WRITES && !bad; i++) {
        struct yx_audit_event e = event(i, "patient.update", "7");
        int sealed;
        bad = yx_audit_append(mine, &e) != 0 || (i % 10 == 9 && yx_audit_seal(mine, 7, &sealed) != 0);
    }
    yx_db_close(mine);
    return (void *)bad;
}

static void two_writers_and_sealers_at_once_keep_one_chain(void **state)
{
    struct yx_audit_verdict v;
    pthread_t t[2];
    void *bad[2];
    int sealed;
    fresh();
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, writer, NULL), 0);
    for (int i = 0; i < 2; i++) {
        pthread_join(t[i], &bad[i]);
        assert_null(bad[i]);
    }
    do
        assert_int_equal(yx_audit_seal(db, 1000, &sealed), 0);
    while (sealed);
    assert_int_equal(yx_audit_verify(db, &v), 0);
    assert_int_equal(v.checked, 2 * WRITES);
    assert_int_equal(v.unsealed, 0);
    assert_int_equal(testdb_int(db, "SELECT COUNT(DISTINCT seq) FROM audit_events"), 2 * WRITES);
}

int main(void)
{
    /* In order: each test continues the chain the one before left. */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(events_form_one_chain),
        cmocka_unit_test(an_edited_event_is_named),
        cmocka_unit_test(an_event_cut_from_the_end_is_noticed),
        cmocka_unit_test(recorded_events_wait_for_the_sealer),
        cmocka_unit_test(an_event_never_sealed_is_named),
        cmocka_unit_test(a_gap_in_the_sequence_is_named),
        cmocka_unit_test(events_swapped_in_the_sequence_are_named),
        cmocka_unit_test(a_sealer_leaves_a_held_chain_alone),
        cmocka_unit_test(two_writers_and_sealers_at_once_keep_one_chain),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
