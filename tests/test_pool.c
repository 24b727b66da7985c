/* test_pool.c: the parallel-for thread pool (src/pool.c). Assertions run on the calling
 * thread only: workers record what they saw, the test checks it afterwards. */
#include "pool.h"

#include <stdatomic.h>

#include <setjmp.h>
#include <cmocka.h>

struct visits {
    size_t n;
    atomic_int *count;     /* times each index was visited */
    atomic_int *thread;    /* the thread id that visited it */
    atomic_int bad_thread; /* ids seen outside [0, size) */
    int size;
    atomic_int per_thread[64];
};

static void visit(void *arg, size_t i, int thread)
{
    struct visits *v = arg;
    if (i >= v->n || thread < 0 || thread >= v->size) {
        atomic_fetch_add(&v->bad_thread, 1);
        return;
    }
    atomic_fetch_add(&v->count[i], 1);
    atomic_store(&v->thread[i], thread);
    atomic_fetch_add(&v->per_thread[thread], 1);
}

static void run_and_check(struct ms_pool *pool, size_t n)
{
    struct visits v = {.n = n, .size = ms_pool_size(pool)};
    v.count = calloc(n ? n : 1, sizeof(atomic_int));
    v.thread = calloc(n ? n : 1, sizeof(atomic_int));
    ms_pool_for(pool, n, visit, &v);
    assert_int_equal(atomic_load(&v.bad_thread), 0);
    long total = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(atomic_load(&v.count[i]), 1);
        assert_in_range(atomic_load(&v.thread[i]), 0, v.size - 1);
    }
    for (int t = 0; t < v.size; t++)
        total += atomic_load(&v.per_thread[t]);
    assert_int_equal(total, (long)n);
    free(v.count);
    free(v.thread);
}

static void test_pool__size(void **state)
{
    (void)state;
    int sizes[][2] = {{-5, 1}, {0, 1}, {1, 1}, {2, 2}, {8, 8}};
    for (size_t k = 0; k < MS_ARRAY_LEN(sizes); k++) {
        struct ms_pool *p = ms_pool_new(sizes[k][0]);
        assert_non_null(p);
        assert_int_equal(ms_pool_size(p), sizes[k][1]);
        ms_pool_free(p);
    }
    ms_pool_free(NULL);
}

static void check_threads(int n_threads)
{
    struct ms_pool *p = ms_pool_new(n_threads);
    size_t ns[] = {0, 1, 2, 3, 7, 8, 9, 1000};
    for (size_t k = 0; k < MS_ARRAY_LEN(ns); k++)
        run_and_check(p, ns[k]);
    ms_pool_free(p);
}

static void test_pool__every_index_once_1_thread(void **state)
{
    (void)state;
    check_threads(1);
}

static void test_pool__every_index_once_2_threads(void **state)
{
    (void)state;
    check_threads(2);
}

static void test_pool__every_index_once_8_threads(void **state)
{
    (void)state;
    check_threads(8);
}

static void test_pool__one_thread_runs_on_the_caller_in_order(void **state)
{
    (void)state;
    struct ms_pool *p = ms_pool_new(1);
    struct visits v = {.n = 100, .size = 1};
    v.count = calloc(100, sizeof(atomic_int));
    v.thread = calloc(100, sizeof(atomic_int));
    ms_pool_for(p, 100, visit, &v);
    assert_int_equal(atomic_load(&v.per_thread[0]), 100);
    free(v.count);
    free(v.thread);
    ms_pool_free(p);
}

struct order {
    size_t next;
    bool in_order;
};

static void record_order(void *arg, size_t i, int thread)
{
    struct order *o = arg;
    if (thread != 0 || i != o->next)
        o->in_order = false;
    o->next++;
}

static void test_pool__single_item_and_single_thread_are_sequential(void **state)
{
    (void)state;
    /* one thread: indexes in order on thread 0 */
    struct ms_pool *p = ms_pool_new(1);
    struct order o = {0, true};
    ms_pool_for(p, 500, record_order, &o);
    assert_true(o.in_order);
    assert_int_equal(o.next, 500);
    ms_pool_free(p);
    /* one item with many threads: on the caller */
    p = ms_pool_new(8);
    o = (struct order){0, true};
    ms_pool_for(p, 1, record_order, &o);
    assert_true(o.in_order);
    assert_int_equal(o.next, 1);
    ms_pool_free(p);
}

static void test_pool__many_successive_loops(void **state)
{
    (void)state;
    int threads[] = {2, 8};
    for (size_t k = 0; k < MS_ARRAY_LEN(threads); k++) {
        struct ms_pool *p = ms_pool_new(threads[k]);
        for (size_t loop = 0; loop < 2000; loop++)
            run_and_check(p, loop % 37);
        ms_pool_free(p);
    }
}

struct sum {
    atomic_long total;
    long per_thread[8]; /* each thread writes only its own slot */
};

static void add_index(void *arg, size_t i, int thread)
{
    struct sum *s = arg;
    atomic_fetch_add(&s->total, (long)i);
    s->per_thread[thread] += (long)i;
}

static void test_pool__per_thread_storage_without_locks(void **state)
{
    (void)state;
    struct ms_pool *p = ms_pool_new(8);
    for (int round = 0; round < 50; round++) {
        struct sum s = {0};
        size_t n = 10000;
        ms_pool_for(p, n, add_index, &s);
        long expect = (long)(n * (n - 1) / 2), sum = 0;
        assert_int_equal(atomic_load(&s.total), expect);
        for (int t = 0; t < 8; t++)
            sum += s.per_thread[t];
        assert_int_equal(sum, expect);
    }
    ms_pool_free(p);
}

static void test_pool__create_and_free_repeatedly(void **state)
{
    (void)state;
    for (int i = 0; i < 100; i++) {
        struct ms_pool *p = ms_pool_new(1 + i % 8);
        if (i % 2)
            run_and_check(p, 50);
        ms_pool_free(p); /* also right after creation, with workers maybe not yet waiting */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool__size),
        cmocka_unit_test(test_pool__every_index_once_1_thread),
        cmocka_unit_test(test_pool__every_index_once_2_threads),
        cmocka_unit_test(test_pool__every_index_once_8_threads),
        cmocka_unit_test(test_pool__one_thread_runs_on_the_caller_in_order),
        cmocka_unit_test(test_pool__single_item_and_single_thread_are_sequential),
        cmocka_unit_test(test_pool__many_successive_loops),
        cmocka_unit_test(test_pool__per_thread_storage_without_locks),
        cmocka_unit_test(test_pool__create_and_free_repeatedly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
