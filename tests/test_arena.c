/* test_arena.c: the bump allocator (src/arena.c). */
#include "arena.h"

#include <setjmp.h>
#include <cmocka.h>

/* The arena's chunk size and alignment, as arena.c promises them (aligned for any type). */
#define CHUNK (64 * 1024)
#define ALIGN 16

static int setup(void **state)
{
    struct ms_arena *a = malloc(sizeof(*a));
    ms_arena_init(a);
    *state = a;
    return 0;
}

static int teardown(void **state)
{
    struct ms_arena *a = *state;
    ms_arena_release(a);
    free(a);
    return 0;
}

static bool is_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return false;
    return true;
}

static void test_arena__init_is_empty(void **state)
{
    struct ms_arena *a = *state;
    assert_null(a->head);
    assert_int_equal(a->used, 0);
    assert_int_equal(a->total, 0);
    struct ms_arena s = MS_ARENA_INIT;
    assert_null(s.head);
    char *p = ms_arena_strdup(&s, "static init works");
    assert_string_equal(p, "static init works");
    ms_arena_release(&s);
}

static void test_arena__alignment(void **state)
{
    struct ms_arena *a = *state;
    for (size_t size = 0; size < 300; size++) {
        void *p = ms_arena_alloc(a, size);
        assert_int_equal((uintptr_t)p % ALIGN, 0);
        assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
    }
    /* a block larger than a chunk is aligned too, wherever it is placed */
    void *big = ms_arena_alloc(a, CHUNK * 3 + 5);
    assert_int_equal((uintptr_t)big % ALIGN, 0);
    void *after = ms_arena_alloc(a, 3);
    assert_int_equal((uintptr_t)after % ALIGN, 0);
}

static void test_arena__sizes_round_up_to_alignment(void **state)
{
    struct ms_arena *a = *state;
    char *p1 = ms_arena_alloc(a, 1);
    char *p2 = ms_arena_alloc(a, 16);
    char *p3 = ms_arena_alloc(a, 17);
    char *p4 = ms_arena_alloc(a, 0);
    char *p5 = ms_arena_alloc(a, 1);
    /* consecutive in one chunk: each block takes its size rounded up to 16, 0 takes 16 */
    assert_ptr_equal(p2, p1 + 16);
    assert_ptr_equal(p3, p2 + 16);
    assert_ptr_equal(p4, p3 + 32);
    assert_ptr_equal(p5, p4 + 16);
    assert_int_equal(a->total, 16 + 16 + 32 + 16 + 16);
    assert_int_equal(a->used, 96);
}

static void test_arena__memory_is_zeroed(void **state)
{
    struct ms_arena *a = *state;
    unsigned char *p = ms_arena_alloc(a, 1000);
    assert_true(is_zero(p, 1000));
    memset(p, 0xAB, 1000);
    /* reused memory after a reset must come back zeroed */
    ms_arena_reset(a);
    unsigned char *q = ms_arena_alloc(a, 1000);
    assert_ptr_equal(q, p); /* the first chunk is kept and reused */
    assert_true(is_zero(q, 1000));
    /* fill the whole chunk, reset, and check every block handed out again */
    memset(q, 0xCD, 1000);
    for (int i = 0; i < 60; i++)
        memset(ms_arena_alloc(a, 1000), 0xEF, 1000);
    ms_arena_reset(a);
    for (int i = 0; i < 61; i++)
        assert_true(is_zero(ms_arena_alloc(a, 1000), 1000));
}

static void test_arena__large_allocation_behind_head_keeps_free_space(void **state)
{
    struct ms_arena *a = *state;
    char *small = ms_arena_alloc(a, 10);
    size_t size = CHUNK * 2 + 100;
    unsigned char *big = ms_arena_alloc(a, size);
    assert_true(is_zero(big, size));
    memset(big, 0x5A, size); /* all of it is writable (ASan checks the bounds) */
    /* the head chunk was barely used: the next small block continues right after the first */
    char *next = ms_arena_alloc(a, 10);
    assert_ptr_equal(next, small + 16);
    assert_true(big[0] == 0x5A && big[size - 1] == 0x5A);
    assert_int_equal(a->total, 16 + (size + 15) / 16 * 16 + 16);
}

static void test_arena__large_allocation_as_new_head(void **state)
{
    struct ms_arena *a = *state;
    /* more than half of the head used: the large block becomes the new head */
    char *first = ms_arena_alloc(a, CHUNK / 2 + 64);
    memset(first, 1, CHUNK / 2 + 64);
    size_t size = CHUNK + 1;
    unsigned char *big = ms_arena_alloc(a, size);
    assert_true(is_zero(big, size));
    memset(big, 2, size);
    char *after = ms_arena_alloc(a, 8);
    assert_true(is_zero(after, 8));
    /* nothing overlaps */
    assert_int_equal(first[CHUNK / 2 + 63], 1);
    assert_int_equal(big[0], 2);
    assert_int_equal(big[size - 1], 2);
}

static void test_arena__large_allocation_first(void **state)
{
    struct ms_arena *a = *state;
    size_t size = 5 * CHUNK;
    unsigned char *big = ms_arena_alloc(a, size);
    assert_true(is_zero(big, size));
    memset(big, 7, size);
    char *s = ms_arena_strdup(a, "after a large first block");
    assert_string_equal(s, "after a large first block");
    assert_int_equal(big[size - 1], 7);
    /* exactly one chunk's worth fits a fresh standard chunk */
    unsigned char *exact = ms_arena_alloc(a, CHUNK);
    memset(exact, 9, CHUNK);
    assert_int_equal(big[0], 7);
}

static void test_arena__many_allocations_do_not_overlap(void **state)
{
    struct ms_arena *a = *state;
    enum { N = 20000 };
    unsigned char **blocks = malloc(N * sizeof(*blocks));
    size_t *sizes = malloc(N * sizeof(*sizes));
    size_t expect_total = 0;
    for (size_t i = 0; i < N; i++) {
        /* mostly small, every 997th larger than a chunk */
        sizes[i] = i % 997 == 0 ? CHUNK + i : 1 + (i * 37) % 700;
        blocks[i] = ms_arena_alloc(a, sizes[i]);
        assert_true(is_zero(blocks[i], sizes[i]));
        memset(blocks[i], (int)(i & 0xFF), sizes[i]);
        expect_total += (sizes[i] + 15) / 16 * 16;
    }
    for (size_t i = 0; i < N; i++) {
        assert_int_equal(blocks[i][0], i & 0xFF);
        assert_int_equal(blocks[i][sizes[i] - 1], i & 0xFF);
    }
    assert_int_equal(a->total, expect_total);
    free(blocks);
    free(sizes);
}

static void test_arena__strndup_and_strdup(void **state)
{
    struct ms_arena *a = *state;
    char *p = ms_arena_strndup(a, "hello world", 5);
    assert_string_equal(p, "hello");
    char *e = ms_arena_strndup(a, "ignored", 0);
    assert_string_equal(e, "");
    char *d = ms_arena_strdup(a, "ünïcödé");
    assert_string_equal(d, "ünïcödé");
    /* bytes after a NUL are copied as given: strndup copies n bytes */
    char *z = ms_arena_strndup(a, "a\0b", 3);
    assert_memory_equal(z, "a\0b", 4);
}

static void test_arena__printf(void **state)
{
    struct ms_arena *a = *state;
    assert_string_equal(ms_arena_printf(a, "%s-%d-%05.1f-%zu", "x", 42, 3.14159, (size_t)7),
                        "x-42-003.1-7");
    assert_string_equal(ms_arena_printf(a, "%s", ""), "");
    assert_string_equal(ms_arena_printf(a, "\"%s\".\"%s\"", "public", "users"),
                        "\"public\".\"users\"");
    /* a result larger than a chunk */
    size_t n = 3 * CHUNK;
    char *big = malloc(n + 1);
    memset(big, 'q', n);
    big[n] = '\0';
    char *p = ms_arena_printf(a, "<%s>", big);
    assert_int_equal(strlen(p), n + 2);
    assert_int_equal(p[0], '<');
    assert_int_equal(p[n + 1], '>');
    assert_int_equal(p[n], 'q');
    free(big);
}

static char *call_vprintf(struct ms_arena *a, const char *fmt, ...) MS_PRINTF(2, 3);
static char *call_vprintf(struct ms_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = ms_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

static void test_arena__vprintf(void **state)
{
    struct ms_arena *a = *state;
    assert_string_equal(call_vprintf(a, "%d rows in \"%s\"", 3, "t"), "3 rows in \"t\"");
}

static void test_arena__reset_keeps_working(void **state)
{
    struct ms_arena *a = *state;
    for (int round = 0; round < 200; round++) {
        for (int i = 0; i < 50; i++) {
            char *s = ms_arena_printf(a, "round %d item %d", round, i);
            assert_true(strncmp(s, "round ", 6) == 0);
        }
        unsigned char *big = ms_arena_alloc(a, CHUNK * 2);
        assert_true(is_zero(big, CHUNK * 2));
        memset(big, 0xFF, CHUNK * 2);
        ms_arena_reset(a);
        assert_int_equal(a->total, 0);
        assert_int_equal(a->used, 0);
        /* one standard chunk survives the reset and nothing else */
        assert_non_null(a->head);
    }
    char *s = ms_arena_strdup(a, "still fine");
    assert_string_equal(s, "still fine");
}

static void test_arena__reset_of_empty_arena(void **state)
{
    struct ms_arena *a = *state;
    ms_arena_reset(a);
    assert_null(a->head);
    assert_int_equal(a->total, 0);
    assert_string_equal(ms_arena_strdup(a, "x"), "x");
}

static void test_arena__reset_with_only_a_large_chunk(void **state)
{
    struct ms_arena *a = *state;
    ms_arena_alloc(a, CHUNK * 4);
    ms_arena_reset(a);
    /* no standard chunk to keep: the arena is empty again */
    assert_null(a->head);
    unsigned char *p = ms_arena_alloc(a, 100);
    assert_true(is_zero(p, 100));
}

static void test_arena__release(void **state)
{
    struct ms_arena *a = *state;
    for (int i = 0; i < 100; i++)
        ms_arena_alloc(a, 4000);
    ms_arena_alloc(a, CHUNK * 3);
    ms_arena_release(a);
    assert_null(a->head);
    assert_int_equal(a->used, 0);
    assert_int_equal(a->total, 0);
    /* released arenas can be used again (and released twice) */
    assert_string_equal(ms_arena_printf(a, "%d", 12), "12");
    ms_arena_release(a);
    ms_arena_release(a);
    assert_null(a->head);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_arena__init_is_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arena__alignment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arena__sizes_round_up_to_alignment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arena__memory_is_zeroed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arena__large_allocation_behind_head_keeps_free_space,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_arena__large_allocation_as_new_head, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arena__large_allocation_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arena__many_allocations_do_not_overlap, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_arena__strndup_and_strdup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arena__printf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arena__vprintf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arena__reset_keeps_working, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arena__reset_of_empty_arena, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arena__reset_with_only_a_large_chunk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arena__release, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
