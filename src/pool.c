/* pool.c: parallel-for over a fixed set of pthreads (see pool.h). */
#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>

struct ms_pool {
    int n_threads;
    pthread_t *threads;
    pthread_mutex_t mu;
    pthread_cond_t work_cv, done_cv;
    unsigned long generation; /* bumped for every loop */
    bool stopping;
    /* the current loop */
    void (*fn)(void *, size_t, int);
    void *arg;
    size_t n;
    atomic_size_t next;
    int active; /* workers still inside the current loop */
};

struct worker_arg {
    struct ms_pool *pool;
    int index;
};

static void run_items(struct ms_pool *p, int thread)
{
    for (;;) {
        size_t i = atomic_fetch_add(&p->next, 1);
        if (i >= p->n)
            return;
        p->fn(p->arg, i, thread);
    }
}

static void *worker_main(void *varg)
{
    struct worker_arg *wa = varg;
    struct ms_pool *p = wa->pool;
    int index = wa->index;
    free(wa);
    unsigned long seen = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stopping && p->generation == seen)
            pthread_cond_wait(&p->work_cv, &p->mu);
        if (p->stopping)
            break;
        seen = p->generation;
        pthread_mutex_unlock(&p->mu);
        run_items(p, index);
        pthread_mutex_lock(&p->mu);
        if (--p->active == 0)
            pthread_cond_signal(&p->done_cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

struct ms_pool *ms_pool_new(int n_threads)
{
    struct ms_pool *p = ms_xcalloc(1, sizeof(*p));
    p->n_threads = n_threads < 1 ? 1 : n_threads;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work_cv, NULL);
    pthread_cond_init(&p->done_cv, NULL);
    atomic_init(&p->next, 0);
    p->threads = ms_xcalloc((size_t)p->n_threads, sizeof(pthread_t));
    for (int i = 1; i < p->n_threads; i++) {
        struct worker_arg *wa = ms_xmalloc(sizeof(*wa));
        wa->pool = p;
        wa->index = i;
        if (pthread_create(&p->threads[i], NULL, worker_main, wa) != 0)
            ms_die("cannot start a worker thread: %s", strerror(errno));
    }
    return p;
}

int ms_pool_size(const struct ms_pool *pool)
{
    return pool->n_threads;
}

void ms_pool_for(struct ms_pool *p, size_t n, void (*fn)(void *, size_t, int), void *arg)
{
    if (n == 0)
        return;
    if (p->n_threads == 1 || n == 1) {
        for (size_t i = 0; i < n; i++)
            fn(arg, i, 0);
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->fn = fn;
    p->arg = arg;
    p->n = n;
    atomic_store(&p->next, 0);
    p->active = p->n_threads - 1;
    p->generation++;
    pthread_cond_broadcast(&p->work_cv);
    pthread_mutex_unlock(&p->mu);
    run_items(p, 0);
    pthread_mutex_lock(&p->mu);
    while (p->active > 0)
        pthread_cond_wait(&p->done_cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

void ms_pool_free(struct ms_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stopping = true;
    pthread_cond_broadcast(&p->work_cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 1; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->work_cv);
    pthread_cond_destroy(&p->done_cv);
    free(p->threads);
    free(p);
}
