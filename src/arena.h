/* arena.h: bump allocation for memory that dies together.
 *
 * migsafe keeps two lifetimes: the run (options, rule table) and the file (source text, parse
 * trees, rule scratch, diagnostics). Everything of one lifetime comes from one arena and is
 * released at once, so no code path frees individual objects. An arena is not thread-safe: a
 * thread allocates only from arenas it owns. */
#ifndef MS_ARENA_H
#define MS_ARENA_H

#include "migsafe.h"

struct ms_arena_chunk;

struct ms_arena {
    struct ms_arena_chunk *head; /* newest chunk first */
    size_t used;                 /* bytes used in head */
    size_t total;                /* bytes handed out since init or the last reset */
};

#define MS_ARENA_INIT                                                                              \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

void ms_arena_init(struct ms_arena *a);
/* Zeroed memory, aligned for any type, valid until the arena is reset or released. */
void *ms_arena_alloc(struct ms_arena *a, size_t size);
char *ms_arena_strndup(struct ms_arena *a, const char *s, size_t n);
char *ms_arena_strdup(struct ms_arena *a, const char *s);
char *ms_arena_printf(struct ms_arena *a, const char *fmt, ...) MS_PRINTF(2, 3);
char *ms_arena_vprintf(struct ms_arena *a, const char *fmt, va_list ap) MS_PRINTF(2, 0);
/* Frees every chunk but the first, which is kept for reuse; all memory handed out is invalid. */
void ms_arena_reset(struct ms_arena *a);
/* Frees everything; the arena may be initialised again. */
void ms_arena_release(struct ms_arena *a);

#endif
