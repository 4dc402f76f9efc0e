/* Unit tests of src/facility's shared helpers: the folded LIKE pattern, query ids, paging. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "facility/facility.h"

static struct yx_req req(const char *query)
{
    struct yx_req r;
    memset(&r, 0, sizeof r);
    r.query = query;
    return r;
}

static void search_text_is_folded_and_wildcards_are_plain(void **state)
{
    (void)state;
    struct yx_req r = req("");
    assert_string_equal(yx_like_folded(&r, "Lũng Cú"), "%lung cu%");
    assert_string_equal(yx_like_folded(&r, "LU\xcc\x83NG CU\xcc\x81"), "%lung cu%"); /* NFD input */
    assert_string_equal(yx_like_folded(&r, "Đồng Văn"), "%dong van%");
    assert_string_equal(yx_like_folded(&r, "50%_a\\b"), "%50\\%\\_a\\\\b%");
    assert_string_equal(yx_like_folded(&r, ""), "%%");
    yx_arena_release(&r.arena);
}

static void query_ids_are_positive_whole_numbers(void **state)
{
    (void)state;
    const char *bad[] = {"parent_id=0",  "parent_id=-1", "parent_id=x",
                         "parent_id=5x", "parent_id=",   "parent_id=9999999999999999999",
                         "parent_id"};
    int64_t v = -1;
    struct yx_req r = req("a=1&parent_id=42");
    assert_int_equal(yx_query_id(&r, "parent_id", &v), 0);
    assert_int_equal(v, 42);
    yx_arena_release(&r.arena);
    r = req("a=1");
    assert_int_equal(yx_query_id(&r, "parent_id", &v), 0);
    assert_int_equal(v, 0);
    yx_arena_release(&r.arena);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = req(bad[i]);
        assert_int_equal(yx_query_id(&r, "parent_id", &v), YX_EINVAL);
        assert_string_equal(r.err_field, "parent_id");
        yx_arena_release(&r.arena);
    }
}

static void paging_defaults_and_bounds(void **state)
{
    (void)state;
    int64_t after, limit;
    struct yx_req r = req("");
    assert_int_equal(yx_page(&r, &after, &limit), 0);
    assert_int_equal(after, 0);
    assert_int_equal(limit, 50);
    r = req("cursor=17&limit=200");
    assert_int_equal(yx_page(&r, &after, &limit), 0);
    assert_int_equal(after, 17);
    assert_int_equal(limit, 200);
    yx_arena_release(&r.arena);
    const char *bad[] = {"limit=0", "limit=201", "limit=", "cursor=-1", "cursor=1.5", "cursor="};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = req(bad[i]);
        assert_int_equal(yx_page(&r, &after, &limit), YX_EINVAL);
        yx_arena_release(&r.arena);
    }
}

static void next_cursor_only_when_there_is_more(void **state)
{
    (void)state;
    json_t *a = yx_page_json(json_array(), 1, 99), *b = yx_page_json(json_array(), 0, 0);
    assert_string_equal(json_string_value(json_object_get(a, "next_cursor")), "99");
    assert_true(json_is_null(json_object_get(b, "next_cursor")));
    json_decref(a);
    json_decref(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(search_text_is_folded_and_wildcards_are_plain),
        cmocka_unit_test(query_ids_are_positive_whole_numbers),
        cmocka_unit_test(paging_defaults_and_bounds),
        cmocka_unit_test(next_cursor_only_when_there_is_more),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
