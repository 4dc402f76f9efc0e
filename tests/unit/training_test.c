/* Unit tests of the attendance arithmetic (src/training/attendance.c): a person's time in a
 * session is the union of their stays within the session's actual start and end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "training/training.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
/* The session of these tests: from 1000 to 2000 (ms). */
#define START 1000
#define END 2000

static void one_stay_inside(void **state)
{
    struct yx_span s[] = {{1200, 1500}};
    assert_int_equal(yx_attendance_ms(s, N(s), START, END), 300);
}

static void overlapping_sockets_count_once(void **state)
{
    /* Two tabs open at once: [1100, 1600) and [1400, 1900) cover [1100, 1900). */
    struct yx_span s[] = {{1400, 1900}, {1100, 1600}};
    assert_int_equal(yx_attendance_ms(s, N(s), START, END), 800);
    /* One stay inside another. */
    struct yx_span t[] = {{1100, 1900}, {1300, 1400}};
    assert_int_equal(yx_attendance_ms(t, N(t), START, END), 800);
    /* Stays that touch. */
    struct yx_span u[] = {{1100, 1300}, {1300, 1500}};
    assert_int_equal(yx_attendance_ms(u, N(u), START, END), 400);
}

static void several_joins_and_leaves(void **state)
{
    /* A bad link: in and out four times, in no particular order. */
    struct yx_span s[] = {{1700, 1800}, {1000, 1100}, {1250, 1300}, {1400, 1450}};
    assert_int_equal(yx_attendance_ms(s, N(s), START, END), 100 + 50 + 50 + 100);
}

static void stays_outside_the_session_are_cut(void **state)
{
    /* Joined before the start, left after the end: the whole session. */
    struct yx_span a[] = {{500, 2500}};
    assert_int_equal(yx_attendance_ms(a, N(a), START, END), 1000);
    /* Wholly before, wholly after: nothing. */
    struct yx_span b[] = {{100, 900}, {2100, 2200}, {0, 1000}, {2000, 3000}};
    assert_int_equal(yx_attendance_ms(b, N(b), START, END), 0);
    /* Half in at each end. */
    struct yx_span c[] = {{800, 1100}, {1900, 2300}};
    assert_int_equal(yx_attendance_ms(c, N(c), START, END), 200);
}

static void an_open_stay_counts_to_the_end(void **state)
{
    struct yx_span s[] = {{1500, -1}};
    assert_int_equal(yx_attendance_ms(s, N(s), START, END), 500);
    /* Open, and overlapping a closed stay of another socket. */
    struct yx_span t[] = {{1200, 1700}, {1600, -1}};
    assert_int_equal(yx_attendance_ms(t, N(t), START, END), 800);
    /* An open stay that began before the start. */
    struct yx_span u[] = {{0, -1}};
    assert_int_equal(yx_attendance_ms(u, N(u), START, END), 1000);
}

static void odd_input(void **state)
{
    /* No stays; a leave before its join; a session of no length. */
    assert_int_equal(yx_attendance_ms(NULL, 0, START, END), 0);
    struct yx_span s[] = {{1500, 1400}};
    assert_int_equal(yx_attendance_ms(s, N(s), START, END), 0);
    struct yx_span t[] = {{1000, 2000}};
    assert_int_equal(yx_attendance_ms(t, N(t), START, START), 0);
}

static void pct_is_rounded_down(void **state)
{
    assert_int_equal(yx_attendance_pct(0, 1000), 0);
    assert_int_equal(yx_attendance_pct(500, 1000), 50);
    assert_int_equal(yx_attendance_pct(799, 1000), 79);
    assert_int_equal(yx_attendance_pct(2, 3), 66);
    assert_int_equal(yx_attendance_pct(1000, 1000), 100);
    assert_int_equal(yx_attendance_pct(1500, 1000), 100);
    assert_int_equal(yx_attendance_pct(10, 0), 0);
    /* An hour's lecture in ms: no overflow. */
    assert_int_equal(yx_attendance_pct(3599999, 3600000), 99);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_stay_inside),
        cmocka_unit_test(overlapping_sockets_count_once),
        cmocka_unit_test(several_joins_and_leaves),
        cmocka_unit_test(stays_outside_the_session_are_cut),
        cmocka_unit_test(an_open_stay_counts_to_the_end),
        cmocka_unit_test(odd_input),
        cmocka_unit_test(pct_is_rounded_down),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
