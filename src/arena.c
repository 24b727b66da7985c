/* arena.c: chunked bump allocator (see arena.h). */
#include "arena.h"

#define CHUNK_SIZE (64 * 1024)
#define ALIGN      16

struct ms_arena_chunk {
    struct ms_arena_chunk *next;
    size_t size;
    _Alignas(ALIGN) unsigned char data[];
};

void ms_arena_init(struct ms_arena *a)
{
    a->head = NULL;
    a->used = 0;
    a->total = 0;
}

static void add_chunk(struct ms_arena *a, size_t need)
{
    size_t size = need > CHUNK_SIZE ? need : CHUNK_SIZE;
    struct ms_arena_chunk *c = ms_xmalloc(sizeof(*c) + size);
    c->size = size;
    if (a->head && need > CHUNK_SIZE && a->used < a->head->size / 2) {
        /* a large block goes behind the current chunk so its free space stays usable */
        c->next = a->head->next;
        a->head->next = c;
        memset(c->data, 0, size);
        return;
    }
    c->next = a->head;
    a->head = c;
    a->used = 0;
}

void *ms_arena_alloc(struct ms_arena *a, size_t size)
{
    size = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (size == 0)
        size = ALIGN;
    a->total += size;
    if (!a->head || a->head->size - a->used < size) {
        struct ms_arena_chunk *old = a->head;
        add_chunk(a, size);
        if (a->head == old) /* the block was placed behind the head chunk */
            return old->next->data;
    }
    void *p = a->head->data + a->used;
    a->used += size;
    memset(p, 0, size);
    return p;
}

char *ms_arena_strndup(struct ms_arena *a, const char *s, size_t n)
{
    char *p = ms_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *ms_arena_strdup(struct ms_arena *a, const char *s)
{
    return ms_arena_strndup(a, s, strlen(s));
}

char *ms_arena_vprintf(struct ms_arena *a, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        ms_die("invalid format string \"%s\"", fmt);
    char *p = ms_arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *ms_arena_printf(struct ms_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = ms_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

void ms_arena_reset(struct ms_arena *a)
{
    if (!a->head)
        return;
    /* keep one standard-size chunk for reuse */
    struct ms_arena_chunk *keep = NULL;
    for (struct ms_arena_chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        if (!keep && c->size == CHUNK_SIZE)
            keep = c;
        else
            free(c);
    }
    a->head = keep;
    if (keep)
        keep->next = NULL;
    a->used = 0;
    a->total = 0;
}

void ms_arena_release(struct ms_arena *a)
{
    for (struct ms_arena_chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    ms_arena_init(a);
}
