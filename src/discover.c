/* discover.c: walking folders for migrations (see discover.h). */
#include "discover.h"

#include <dirent.h>
#include <sys/stat.h>

static void add(struct ms_file_list *l, char *path)
{
    MS_GROW(l->paths, l->cap, l->n + 1);
    l->paths[l->n++] = path;
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir);
    bool slash = n > 0 && dir[n - 1] == '/';
    size_t len = n + !slash + strlen(name) + 1;
    char *p = ms_xmalloc(len);
    snprintf(p, len, "%s%s%s", dir, slash ? "" : "/", name);
    return p;
}

struct walk {
    int max_depth; /* folders below `dir` to read, at most */
    bool python;   /* Alembic revisions too, not only .sql files */
    bool quiet;    /* a folder that cannot be read is skipped without a message */
};

/* Returns the number of files added, or -1 when the folder cannot be read. */
static long walk(const char *dir, struct ms_file_list *l, int depth, const struct walk *w)
{
    if (depth > w->max_depth)
        return 0; /* a symlink loop, or a tree no migration folder has */
    DIR *d = opendir(dir);
    if (!d)
        return w->quiet ? -1 : ms_error("%s: cannot read folder: %s", dir, strerror(errno));
    long added = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "node_modules") == 0)
            continue;
        char *p = join(dir, e->d_name);
        struct stat st;
        if (stat(p, &st) != 0) {
            free(p);
            continue; /* a dangling link is not a migration */
        }
        if (S_ISDIR(st.st_mode)) {
            long k = walk(p, l, depth + 1, w);
            free(p);
            if (k > 0)
                added += k;
        } else if (S_ISREG(st.st_mode) &&
                   (has_suffix(e->d_name, ".sql") || (w->python && has_suffix(e->d_name, ".py") &&
                                                      strcmp(e->d_name, "env.py") != 0))) {
            add(l, p);
            added++;
        } else {
            free(p);
        }
    }
    closedir(d);
    return added;
}

int ms_discover(const char *path, struct ms_file_list *l)
{
    if (strcmp(path, "-") == 0) {
        add(l, ms_xstrdup(path));
        return 0;
    }
    struct stat st;
    if (stat(path, &st) != 0)
        return ms_error("%s: %s", path, strerror(errno));
    if (!S_ISDIR(st.st_mode)) {
        add(l, ms_xstrdup(path));
        return 0;
    }
    static const struct walk all = {.max_depth = 64, .python = true};
    long n = walk(path, l, 0, &all);
    if (n < 0)
        return -1;
    if (n == 0)
        return ms_error("%s: no migrations found (migsafe looks for .sql files and Alembic "
                        "revisions in folders)",
                        path);
    return 0;
}

void ms_discover_sql(const char *dir, int max_depth, struct ms_file_list *l)
{
    const struct walk sql = {.max_depth = max_depth, .quiet = true};
    walk(dir, l, 0, &sql);
}

static int compare_paths(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    bool sx = strcmp(x, "-") == 0, sy = strcmp(y, "-") == 0;
    if (sx != sy)
        return sx ? -1 : 1;
    return strcmp(x, y);
}

void ms_file_list_finish(struct ms_file_list *l)
{
    if (l->n == 0)
        return;
    qsort(l->paths, l->n, sizeof(char *), compare_paths);
    size_t k = 1;
    for (size_t i = 1; i < l->n; i++) {
        if (strcmp(l->paths[i], l->paths[k - 1]) == 0)
            free(l->paths[i]);
        else
            l->paths[k++] = l->paths[i];
    }
    l->n = k;
}

void ms_file_list_release(struct ms_file_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->paths[i]);
    free(l->paths);
    memset(l, 0, sizeof(*l));
}
