/* pool.h: a fixed set of worker threads for parallel-for loops.
 *
 * libpg_query keeps a memory context per thread and frees it when the thread exits, so the
 * workers live for the whole run and parse many statements each. The calling thread takes part
 * in every loop. */
#ifndef MS_POOL_H
#define MS_POOL_H

#include "migsafe.h"

struct ms_pool;

/* Starts n_threads - 1 workers (n_threads <= 1: none; everything runs on the caller). */
struct ms_pool *ms_pool_new(int n_threads);
/* Number of threads that run a loop, the caller included. */
int ms_pool_size(const struct ms_pool *pool);
/* Calls fn(arg, i, thread) for every i in [0, n), spread over the threads, and returns when all
 * calls have returned. `thread` is in [0, ms_pool_size()) and identifies the executing thread,
 * so fn can use per-thread storage without locks. Not reentrant. */
void ms_pool_for(struct ms_pool *pool, size_t n, void (*fn)(void *arg, size_t i, int thread),
                 void *arg);
/* Joins the workers (which frees their parser memory) and frees the pool. NULL is fine. */
void ms_pool_free(struct ms_pool *pool);

#endif
