/* util.c: allocation helpers and the operational-error channel declared in migsafe.h. */
#include "migsafe.h"

static MS_NORETURN void out_of_memory(size_t size)
{
    fprintf(stderr, "migsafe: out of memory (allocating %zu bytes)\n", size);
    exit(2);
}

void *ms_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        out_of_memory(size);
    return p;
}

void *ms_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        out_of_memory(n * size);
    return p;
}

void *ms_xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p)
        out_of_memory(size);
    return p;
}

char *ms_xstrdup(const char *s)
{
    return ms_xstrndup(s, strlen(s));
}

char *ms_xstrndup(const char *s, size_t n)
{
    char *p = ms_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void ms_grow(void **items, size_t *cap, size_t need, size_t elem_size)
{
    if (need <= *cap)
        return;
    size_t n = *cap ? *cap : 8;
    while (n < need)
        n *= 2;
    if (n > SIZE_MAX / elem_size)
        out_of_memory(SIZE_MAX);
    *items = ms_xrealloc(*items, n * elem_size);
    *cap = n;
}

int ms_error(const char *fmt, ...)
{
    va_list ap;
    fputs("migsafe: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return -1;
}

void ms_die(const char *fmt, ...)
{
    va_list ap;
    fputs("migsafe: fatal: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}
