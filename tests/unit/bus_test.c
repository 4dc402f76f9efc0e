/* Unit tests of the hub's bus (src/store/bus.c) without a database: it does nothing for SQLite;
 * with a PostgreSQL that cannot be reached, what is published is bounded (the oldest dropped and
 * counted) and stopping does not wait for the connection. The messages themselves crossing
 * between instances are tested in tests/api/realtime_cluster.test.mjs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "ytexa/bus.h"
#include "ytexa/core.h"

static int received;

static void on_message(const char *channel, int64_t to_user, const char *text, void *arg)
{
    (void)channel, (void)to_user, (void)text, (void)arg;
    received++;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_sqlite_has_no_bus(void **state)
{
    (void)state;
    assert_int_equal(yx_bus_start("/tmp/ytexa-test.db", on_message, NULL), 0);
    assert_false(yx_bus_active());
    yx_bus_publish("visit:1", 0, "{\"type\":\"chat\"}");
    assert_int_equal(yx_bus_dropped(), 0);
    yx_bus_stop();
    yx_bus_stop();
}

static void test_unreachable_database_bounds_the_queue(void **state)
{
    (void)state;
    /* Port 1 on loopback refuses at once: the bus keeps trying, and meanwhile the queue fills. */
    assert_int_equal(yx_bus_start("postgres://ytexa@127.0.0.1:1/ytexa?connect_timeout=1", on_message, NULL),
                     0);
    assert_true(yx_bus_active());
    for (int i = 0; i < 5000; i++)
        yx_bus_publish("visit:1", i % 3, "{\"type\":\"presence\",\"status\":\"online\"}");
    assert_int_equal(yx_bus_dropped(), 5000 - 4096);
    int64_t t0 = mono_ms();
    yx_bus_stop();
    assert_true(mono_ms() - t0 < 2000);
    assert_false(yx_bus_active());
    assert_int_equal(yx_bus_dropped(), 5000);
    yx_bus_publish("visit:1", 0, "{}");
    assert_int_equal(yx_bus_dropped(), 5000);
    assert_int_equal(received, 0);
}

int main(void)
{
    yx_log_set_level(YX_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqlite_has_no_bus),
        cmocka_unit_test(test_unreachable_database_bounds_the_queue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
