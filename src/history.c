/* history.c: run order and revision-graph facts (see history.h). */
#include "history.h"
#include "alembic.h"
#include "source.h"

#include <dirent.h>
#include <sys/stat.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

bool ms_history_is_python(const char *path)
{
    size_t n = strlen(path);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    return n > 3 && strcmp(path + n - 3, ".py") == 0 && strcmp(base, "env.py") != 0;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? ms_xstrndup(path, (size_t)(slash - path)) : ms_xstrdup(".");
}

/* The history a revision belongs to, first guess: the versions/ folder above it (revisions in
 * folders below versions/ belong to its history when Alembic's version_locations point
 * there, as with per-release folders; split_archives() takes out the folders that are not
 * linked to the rest), else the revision's own folder. */
static char *history_group(const char *path)
{
    char *dir = dir_of(path);
    char *v = ms_xstrdup(dir);
    for (int level = 0; level < 6; level++) {
        const char *base = strrchr(v, '/');
        if (strcmp(base ? base + 1 : v, "versions") == 0) {
            free(dir);
            return v;
        }
        char *slash = strrchr(v, '/');
        if (!slash || slash == v)
            break;
        *slash = '\0';
    }
    free(v);
    return dir;
}

/* env.py of the script folder (beside versions/, a level or two up) asks for one transaction
 * per revision. */
static bool transaction_per_migration(const char *group)
{
    static const char *const places[] = {"/env.py", "/../env.py", "/../../env.py"};
    char path[4096];
    size_t len = 0;
    char *text = NULL;
    for (size_t i = 0; i < MS_ARRAY_LEN(places) && !text; i++) {
        snprintf(path, sizeof(path), "%s%s", group, places[i]);
        text = ms_read_file(path, &len);
    }
    if (!text)
        return false;
    int code;
    PCRE2_SIZE at;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR) "^[^#\\n]*\\btransaction_per_migration\\s*=\\s*True\\b",
                      PCRE2_ZERO_TERMINATED, PCRE2_MULTILINE, &code, &at, NULL);
    if (!re)
        ms_die("history: cannot compile a pattern (%d)", code);
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    bool found = pcre2_match(re, (PCRE2_SPTR)text, len, 0, 0, md, NULL) >= 0;
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    free(text);
    return found;
}

/* One revision of a folder while the graph is built. */
struct rev {
    size_t entry; /* index in the output */
    struct ms_alembic_header h;
    size_t *parents; /* indexes of known parents (down_revision only) */
    size_t n_parents;
    size_t n_children;
    size_t component;
    bool placed;
    bool broken;        /* a down_revision names a revision that is not there */
    const char *labels; /* the branch labels on its chain, joined (heads only) */
};

static size_t find_root(size_t *up, size_t i)
{
    while (up[i] != i)
        i = up[i] = up[up[i]];
    return i;
}

struct id_index {
    const char *id;
    size_t rev;
};

static int compare_ids(const void *a, const void *b)
{
    const struct id_index *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->rev < y->rev ? -1 : x->rev > y->rev);
}

static int lookup(const struct id_index *idx, size_t n, const char *id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(idx[mid].id, id);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && strcmp(idx[lo].id, id) == 0 ? (int)idx[lo].rev : -1;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The branch labels on the chain below (and at) a head, sorted and joined: heads with the same
 * labels belong to one line of history. NULL for a chain that is broken (a parent is missing):
 * unknown-down-revision says so, and where it really starts cannot be known. */
static const char *chain_labels(struct rev *revs, size_t n, size_t head, struct ms_arena *arena)
{
    bool *seen = ms_xcalloc(n, 1);
    size_t *stack = ms_xmalloc(n * sizeof(size_t));
    size_t top = 0, n_labels = 0, cap = 0;
    const char **labels = NULL;
    stack[top++] = head;
    seen[head] = true;
    bool broken = false;
    while (top) {
        struct rev *r = &revs[stack[--top]];
        broken |= r->broken;
        for (size_t i = 0; i < r->h.n_branch_labels; i++) {
            MS_GROW(labels, cap, n_labels + 1);
            labels[n_labels++] = r->h.branch_labels[i].name;
        }
        for (size_t i = 0; i < r->n_parents; i++)
            if (!seen[r->parents[i]]) {
                seen[r->parents[i]] = true;
                stack[top++] = r->parents[i];
            }
    }
    if (broken) {
        free(labels);
        free(stack);
        free(seen);
        return NULL;
    }
    if (n_labels)
        qsort(labels, n_labels, sizeof(*labels), compare_strings);
    size_t len = 1;
    for (size_t i = 0; i < n_labels; i++)
        len += strlen(labels[i]) + 1;
    char *out = ms_arena_alloc(arena, len);
    for (size_t i = 0, k = 0; i < n_labels; i++) {
        size_t l = strlen(labels[i]);
        memcpy(out + k, labels[i], l);
        k += l;
        out[k++] = ',';
    }
    free(labels);
    free(stack);
    free(seen);
    return out;
}

/* Builds the graph of one folder's revisions (entries[first, first + n), in path order), then
 * rewrites those entries in chain order with their facts. */
static void analyse_folder(struct ms_history *h, size_t first, size_t n, bool per_migration)
{
    struct ms_arena *arena = &h->arena;
    struct rev *revs = ms_xcalloc(n, sizeof(*revs));
    struct id_index *idx = ms_xcalloc(n ? n : 1, sizeof(*idx));
    size_t n_idx = 0;
    for (size_t i = 0; i < n; i++) {
        revs[i].entry = first + i;
        if (h->entries[first + i].header)
            revs[i].h = *h->entries[first + i].header;
        if (revs[i].h.revision)
            idx[n_idx++] = (struct id_index){revs[i].h.revision, i};
    }
    qsort(idx, n_idx, sizeof(*idx), compare_ids);

    size_t *up = ms_xmalloc((n ? n : 1) * sizeof(size_t));
    for (size_t i = 0; i < n; i++)
        up[i] = i;
    for (size_t i = 0; i < n; i++) {
        struct rev *r = &revs[i];
        struct ms_migration *m = &h->entries[r->entry].migration;
        m->tool = MS_TOOL_ALEMBIC;
        m->name = r->h.revision;
        m->revision_offset = r->h.revision_offset;
        m->parent_offset = r->h.down_offset;
        m->is_merge = r->h.n_down > 1;
        r->parents = ms_arena_alloc(arena, (r->h.n_down + 1) * sizeof(size_t));
        size_t most = r->h.n_down + r->h.n_depends + 1;
        const char **unknown = ms_arena_alloc(arena, most * sizeof(char *));
        size_t *unknown_at = ms_arena_alloc(arena, most * sizeof(size_t));
        bool *unknown_dep = ms_arena_alloc(arena, most * sizeof(bool));
        for (size_t k = 0; k < r->h.n_down + r->h.n_depends; k++) {
            bool is_down = k < r->h.n_down;
            const char *id = is_down ? r->h.down[k].name : r->h.depends[k - r->h.n_down].name;
            int p = lookup(idx, n_idx, id);
            if (p < 0) {
                /* depends_on may name a branch label instead of an id */
                bool label = false;
                for (size_t j = 0; !is_down && j < n && !label; j++)
                    for (size_t b = 0; b < revs[j].h.n_branch_labels && !label; b++)
                        label = strcmp(revs[j].h.branch_labels[b].name, id) == 0;
                if (!label) {
                    r->broken |= is_down;
                    unknown_at[m->n_unknown_parents] =
                        is_down ? r->h.down_offset : r->h.depends[k - r->h.n_down].offset;
                    unknown_dep[m->n_unknown_parents] = !is_down;
                    unknown[m->n_unknown_parents++] = id;
                }
            } else if (is_down) {
                r->parents[r->n_parents++] = (size_t)p;
                revs[p].n_children++;
                up[find_root(up, i)] = find_root(up, (size_t)p);
            }
        }
        m->unknown_parents = unknown;
        m->unknown_offsets = unknown_at;
        m->unknown_is_dependency = unknown_dep;
    }
    /* duplicates: neighbours in the sorted index */
    for (size_t k = 1; k < n_idx; k++)
        if (strcmp(idx[k].id, idx[k - 1].id) == 0) {
            h->entries[revs[idx[k].rev].entry].migration.duplicate_of =
                h->entries[revs[idx[k - 1].rev].entry].path;
            if (!h->entries[revs[idx[k - 1].rev].entry].migration.duplicate_of)
                h->entries[revs[idx[k - 1].rev].entry].migration.duplicate_of =
                    h->entries[revs[idx[k].rev].entry].path;
        }
    /* heads: no child; several heads on one line of branch labels conflict, wherever they
     * start (two unlabelled bases fail `alembic upgrade head` too); a duplicated id counts once */
    for (size_t i = 0; i < n; i++) {
        revs[i].component = find_root(up, i);
        bool first_of_id = revs[i].h.revision && lookup(idx, n_idx, revs[i].h.revision) == (int)i;
        if (revs[i].n_children == 0 && first_of_id)
            revs[i].labels = chain_labels(revs, n, i, arena);
    }
    for (size_t i = 0; i < n; i++) {
        if (!revs[i].labels)
            continue;
        size_t count = 0;
        for (size_t j = 0; j < n; j++)
            count += revs[j].labels && strcmp(revs[j].labels, revs[i].labels) == 0;
        struct ms_migration *m = &h->entries[revs[i].entry].migration;
        m->is_head = true;
        if (count < 2)
            continue;
        const char **heads = ms_arena_alloc(arena, count * sizeof(char *));
        size_t k = 0;
        for (size_t j = 0; j < n; j++)
            if (revs[j].labels && strcmp(revs[j].labels, revs[i].labels) == 0)
                heads[k++] = revs[j].h.revision;
        qsort(heads, count, sizeof(*heads), compare_strings);
        m->n_heads = count;
        m->heads = heads;
    }
    /* run order: parents before children (Kahn), ties by path */
    struct ms_history_entry *sorted = ms_xcalloc(n ? n : 1, sizeof(*sorted));
    size_t *pending = ms_xcalloc(n ? n : 1, sizeof(size_t));
    for (size_t i = 0; i < n; i++)
        pending[i] = revs[i].n_parents;
    size_t done = 0;
    bool linted_before = false;
    while (done < n) {
        size_t pick = n;
        for (size_t i = 0; i < n && pick == n; i++)
            if (!revs[i].placed && pending[i] == 0)
                pick = i;
        if (pick == n) /* a cycle: place the rest by path */
            for (size_t i = 0; i < n && pick == n; i++)
                if (!revs[i].placed)
                    pick = i;
        revs[pick].placed = true;
        sorted[done] = h->entries[revs[pick].entry];
        sorted[done].shares_transaction = linted_before && !per_migration;
        linted_before |= !sorted[done].context_only;
        done++;
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < revs[i].n_parents; k++)
                if (revs[i].parents[k] == pick && pending[i] > 0)
                    pending[i]--;
    }
    memcpy(&h->entries[first], sorted, n * sizeof(*sorted));
    free(sorted);
    free(pending);
    free(up);
    free(idx);
    free(revs);
}

/* By group (an Alembic script folder, or the file's folder); Alembic revisions first; then by
 * path. */
static int compare_entries(const void *pa, const void *pb)
{
    const struct ms_history_entry *a = pa, *b = pb;
    int c = strcmp(a->group, b->group);
    if (c)
        return c;
    bool ra = a->migration.tool == MS_TOOL_ALEMBIC, rb = b->migration.tool == MS_TOOL_ALEMBIC;
    if (ra != rb)
        return ra ? -1 : 1;
    return strcmp(a->path, b->path);
}

/* A folder below versions/ whose revisions name no revision outside it, and that no revision
 * outside it names, is not part of the versions/ history (Alembic does not read folders below
 * versions/ unless told to): an archive of squashed revisions, say. Gives each such folder a
 * history of its own. Returns whether any group changed. Entries are sorted by group. */
static bool split_archives(struct ms_history *h)
{
    bool changed = false;
    for (size_t i = 0, j; i < h->n; i = j) {
        const char *group = h->entries[i].group;
        for (j = i; j < h->n && strcmp(h->entries[j].group, group) == 0; j++)
            ;
        if (h->entries[i].migration.tool != MS_TOOL_ALEMBIC)
            continue;
        size_t n = j - i, n_idx = 0;
        struct id_index *idx = ms_xcalloc(n, sizeof(*idx));
        char **dirs = ms_xcalloc(n, sizeof(char *));
        bool *linked = ms_xcalloc(n, sizeof(bool));
        for (size_t k = 0; k < n; k++) {
            struct ms_history_entry *e = &h->entries[i + k];
            dirs[k] = dir_of(e->path);
            if (e->header && e->header->revision)
                idx[n_idx++] = (struct id_index){e->header->revision, k};
        }
        qsort(idx, n_idx, sizeof(*idx), compare_ids);
        for (size_t k = 0; k < n; k++) {
            const struct ms_alembic_header *hd = h->entries[i + k].header;
            for (size_t d = 0; hd && d < hd->n_down + hd->n_depends; d++) {
                const char *id =
                    d < hd->n_down ? hd->down[d].name : hd->depends[d - hd->n_down].name;
                int p = lookup(idx, n_idx, id);
                if (p >= 0 && strcmp(dirs[p], dirs[k]) != 0)
                    linked[k] = linked[p] = true;
            }
        }
        for (size_t k = 0; k < n; k++) {
            if (strcmp(dirs[k], group) == 0)
                continue;
            bool any = false;
            for (size_t m = 0; m < n && !any; m++)
                any = linked[m] && strcmp(dirs[m], dirs[k]) == 0;
            if (!any) {
                h->entries[i + k].group = ms_arena_strdup(&h->arena, dirs[k]);
                changed = true;
            }
        }
        for (size_t k = 0; k < n; k++)
            free(dirs[k]);
        free(dirs);
        free(linked);
        free(idx);
    }
    return changed;
}

/* Adds the revision files below `dir` (recursively) that are not among the entries. */
static void walk_revisions(struct ms_history *h, const char *dir, char **known, size_t n_known,
                           size_t *cap, int depth)
{
    DIR *d = depth < 8 ? opendir(dir) : NULL;
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "__pycache__") == 0)
            continue;
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        char *path = ms_xmalloc(len);
        snprintf(path, len, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0) {
            free(path);
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            walk_revisions(h, path, known, n_known, cap, depth + 1);
            free(path);
            continue;
        }
        if (!S_ISREG(st.st_mode) || !ms_history_is_python(path) ||
            bsearch(&path, known, n_known, sizeof(char *), compare_strings)) {
            free(path);
            continue;
        }
        size_t tlen;
        char *text = ms_read_file(path, &tlen);
        struct ms_alembic_header *header = ms_arena_alloc(&h->arena, sizeof(*header));
        if (text && ms_alembic_is_revision(text, tlen) &&
            ms_alembic_read_header(text, tlen, &h->arena, header) == 0) {
            MS_GROW(h->entries, *cap, h->n + 1);
            struct ms_history_entry *x = &h->entries[h->n++];
            memset(x, 0, sizeof(*x));
            x->path = ms_arena_strdup(&h->arena, path);
            x->header = header;
            x->migration.tool = MS_TOOL_ALEMBIC;
            x->context_only = true;
            char *g = history_group(x->path);
            x->group = ms_arena_strdup(&h->arena, g);
            free(g);
        }
        free(text);
        free(path);
    }
    closedir(d);
}

/* Linting some revisions of a versions/ folder (the ones a change touches) still needs the
 * others for the history: their parent links, heads and ids. Reads them as context-only
 * entries. */
static void add_context(struct ms_history *h)
{
    size_t cap = h->n, n_linted = h->n;
    char **known = ms_xmalloc((n_linted ? n_linted : 1) * sizeof(char *));
    const char **groups = ms_xmalloc((n_linted ? n_linted : 1) * sizeof(char *));
    size_t n_groups = 0;
    for (size_t i = 0; i < n_linted; i++) {
        known[i] = (char *)h->entries[i].path;
        if (h->entries[i].migration.tool != MS_TOOL_ALEMBIC)
            continue;
        bool seen = false;
        for (size_t g = 0; g < n_groups && !seen; g++)
            seen = strcmp(groups[g], h->entries[i].group) == 0;
        if (!seen)
            groups[n_groups++] = h->entries[i].group;
    }
    qsort(known, n_linted, sizeof(char *), compare_strings);
    /* only in an Alembic layout (a versions/ folder): loose revision files elsewhere, such as
     * examples side by side, are not one history */
    for (size_t g = 0; g < n_groups; g++) {
        const char *base = strrchr(groups[g], '/');
        if (strcmp(base ? base + 1 : groups[g], "versions") == 0)
            walk_revisions(h, groups[g], known, n_linted, &cap, 0);
    }
    free(groups);
    free(known);
}

/* ---- SQL files: their tools (tools.h) ---- */

static bool sorted_has(char *const *sorted, size_t n, const char *path)
{
    return bsearch(&path, sorted, n, sizeof(char *), compare_strings) != NULL;
}

static void detect(struct ms_history *h, char **paths, size_t n, ms_framework_fn framework,
                   void *arg)
{
    const char **fw = ms_xcalloc(n ? n : 1, sizeof(char *));
    for (size_t i = 0; framework && i < n; i++)
        fw[i] = framework(arg, paths[i]);
    struct ms_tools_options opts = {.frameworks = fw};
    ms_tools_detect((const char *const *)paths, n, &opts, &h->tools);
    free(fw);
}

/* The other migrations of the tools' folders, which the files given do not name: how deep a
 * tool keeps its files below the folder of its history. */
static void find_context(const struct ms_tools_result *r, char **given, size_t n_given,
                         struct ms_file_list *extra)
{
    const char **seen = ms_xcalloc(r->n_migrations + 1, sizeof(char *));
    size_t n_seen = 0;
    for (size_t k = 0; k < r->n_migrations; k++) {
        const struct ms_tools_migration *m = &r->migrations[k];
        if (m->tool == MS_KIND_SQL || !m->group)
            continue;
        bool done = false;
        for (size_t i = 0; i < n_seen && !done; i++)
            done = strcmp(seen[i], m->group) == 0;
        if (done)
            continue;
        seen[n_seen++] = m->group;
        ms_discover_sql(m->group, m->tool == MS_KIND_SQITCH ? 4 : 1, extra);
    }
    free(seen);
    ms_file_list_finish(extra);
    size_t kept = 0;
    for (size_t i = 0; i < extra->n; i++) {
        if (sorted_has(given, n_given, extra->paths[i]))
            free(extra->paths[i]);
        else
            extra->paths[kept++] = extra->paths[i];
    }
    extra->n = kept;
}

/* The part of a file that is one side of a migration. */
static void add_part(struct ms_arena *a, struct ms_migration *m, const struct ms_tools_section *s,
                     bool down)
{
    if (!s->present)
        return;
    struct ms_part *parts = ms_arena_alloc(a, (m->n_parts + 1) * sizeof(*parts));
    if (m->n_parts)
        memcpy(parts, m->parts, m->n_parts * sizeof(*parts));
    parts[m->n_parts++] =
        (struct ms_part){.start = s->start, .end = s->end, .down = down, .tx = s->tx};
    m->parts = parts;
    if (!m->tx_hint)
        m->tx_hint = s->hint;
}

/* Adds the SQL files, as entries in their tools' order, with the other migrations of their
 * folders as context. */
static void add_sql(struct ms_history *h, char **paths, size_t n, bool verbose,
                    ms_framework_fn framework, void *arg, size_t *cap)
{
    if (n == 0)
        return;
    char **given = ms_xmalloc(n * sizeof(char *));
    memcpy(given, paths, n * sizeof(char *));
    qsort(given, n, sizeof(char *), compare_strings);
    detect(h, paths, n, framework, arg);
    struct ms_file_list extra = {0};
    find_context(&h->tools, given, n, &extra);
    char **all = paths;
    if (extra.n) {
        all = ms_xmalloc((n + extra.n) * sizeof(char *));
        memcpy(all, paths, n * sizeof(char *));
        for (size_t i = 0; i < extra.n; i++)
            all[n + i] = ms_arena_strdup(&h->arena, extra.paths[i]);
        ms_tools_release(&h->tools);
        detect(h, all, n + extra.n, framework, arg);
    }
    const struct ms_tools_result *r = &h->tools;
    for (size_t k = 0, j; verbose && k < r->n_migrations; k = j) {
        for (j = k; j < r->n_migrations && r->migrations[j].group == r->migrations[k].group; j++)
            ;
        fprintf(stderr, "migsafe: %s: %s, %zu migrations\n",
                r->migrations[k].group ? r->migrations[k].group : ".",
                ms_tools_kind_name(r->migrations[k].tool), j - k);
    }
    bool *placed = ms_xcalloc(r->n_files + 1, sizeof(bool));
    for (size_t k = 0; k < r->n_migrations; k++) {
        const struct ms_tools_migration *tm = &r->migrations[k];
        size_t files[] = {tm->up_file, tm->down_file == tm->up_file ? MS_TOOLS_NONE : tm->down_file,
                          tm->verify_file};
        for (size_t j = 0; j < MS_ARRAY_LEN(files); j++) {
            if (files[j] == MS_TOOLS_NONE || placed[files[j]])
                continue;
            placed[files[j]] = true;
            const struct ms_tools_file *f = &r->files[files[j]];
            MS_GROW(h->entries, *cap, h->n + 1);
            struct ms_history_entry *e = &h->entries[h->n++];
            memset(e, 0, sizeof(*e));
            e->path = f->path;
            e->group = tm->group ? tm->group : ".";
            e->context_only = files[j] >= n;
            e->tool_migration = tm;
            e->tool_file = f;
            struct ms_migration *m = &e->migration;
            m->tool = (enum ms_tool)tm->tool;
            m->context_only = e->context_only;
            if (tm->tool == MS_KIND_SQL)
                continue; /* a plain file: assume_in_transaction says how it runs */
            m->name = tm->id;
            /* goose sends a StatementBegin/End block as one Exec: several statements in a
             * block of a NO TRANSACTION section run as one implicit transaction */
            for (size_t b = 0; b < f->n_blocks; b++) {
                const struct ms_tools_section *in = f->blocks[b].in_down ? &f->down : &f->up;
                if (in->tx != MS_TX_NONE || j != 0)
                    continue;
                struct ms_tools_section block = *in;
                block.start = f->blocks[b].start;
                block.end = f->blocks[b].end;
                block.tx = MS_TX_IMPLICIT_IF_MULTI;
                add_part(&h->arena, m, &block, f->blocks[b].in_down);
            }
            if (j == 0) {
                m->down = tm->down;
                m->down_offset = tm->down_offset;
                m->up_empty = tm->up_empty;
                e->tool_section = &f->up;
                add_part(&h->arena, m, &f->up, false);
                if (f->role == MS_ROLE_UP_DOWN)
                    add_part(&h->arena, m, &f->down, true);
            } else {
                /* the way back, or a sqitch verify script: only what would make it fail */
                m->is_down = true;
                if (f->role == MS_ROLE_VERIFY)
                    m->name = NULL; /* not the up's way back: nothing to compare it with */
                const struct ms_tools_section *s = f->role == MS_ROLE_DOWN ? &f->down : &f->up;
                e->tool_section = s;
                add_part(&h->arena, m, s, true);
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        const struct ms_tools_file *f = &r->files[i];
        if (!placed[i] && f->tool != MS_KIND_ALEMBIC)
            fprintf(stderr, "migsafe: %s: note: not linted: %s does not run it%s%s\n", f->path,
                    ms_tools_kind_name(f->tool), f->note ? ": " : "", f->note ? f->note : "");
        else if (verbose && placed[i] && f->note)
            fprintf(stderr, "migsafe: %s: note: %s\n", f->path, f->note);
    }
    free(placed);
    if (all != paths)
        free(all);
    ms_file_list_release(&extra);
    free(given);
}

struct ordered {
    const struct ms_history_entry *e;
    size_t seq;
};

/* By group, then in the order the entries were made (each group's run order). */
static int compare_ordered(const void *pa, const void *pb)
{
    const struct ordered *a = pa, *b = pb;
    int c = strcmp(a->e->group, b->e->group);
    if (c)
        return c;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Does this entry's migration have the version, revision or name `v`? */
static bool names_version(const struct ms_history_entry *e, const char *v)
{
    const struct ms_tools_migration *tm = e->tool_migration;
    if (e->migration.name && strcmp(e->migration.name, v) == 0)
        return true;
    if (tm && ((tm->version && strcmp(tm->version, v) == 0) || (tm->id && strcmp(tm->id, v) == 0)))
        return true;
    return e->header && e->header->revision && strcmp(e->header->revision, v) == 0;
}

/* Both all digits: is a after b as a number? */
static bool numerically_after(const char *a, const char *b)
{
    size_t la = strspn(a, "0123456789"), lb = strspn(b, "0123456789");
    return la && lb && !a[la] && !b[lb] && ms_tools_compare_numbers(a, la, b, lb) > 0;
}

/* Marks, in each history, the migrations after the one new_since names. A number that names
 * none still splits a history of numbered versions. */
static void mark_change_sets(struct ms_history *h, ms_framework_fn new_since, void *arg)
{
    for (size_t i = 0, j; i < h->n; i = j) {
        for (j = i; j < h->n && strcmp(h->entries[j].group, h->entries[i].group) == 0; j++)
            ;
        const char *v = new_since(arg, h->entries[i].path);
        if (!v || !*v)
            continue;
        size_t k = i;
        while (k < j && !names_version(&h->entries[k], v))
            k++;
        bool found = k < j;
        if (found) {
            while (k + 1 < j && names_version(&h->entries[k + 1], v))
                k++; /* the down file of the same migration */
            for (size_t m = k + 1; m < j; m++)
                h->entries[m].migration.in_change_set = true;
            continue;
        }
        for (size_t m = i; m < j; m++) {
            const struct ms_tools_migration *tm = h->entries[m].tool_migration;
            if (tm && tm->version && numerically_after(tm->version, v)) {
                h->entries[m].migration.in_change_set = true;
                found = true;
            }
        }
        if (!found)
            fprintf(stderr, "migsafe: %s: note: new_since \"%s\" names no migration here\n",
                    h->entries[i].group, v);
    }
}

void ms_history_build(struct ms_file_list *list, bool verbose, ms_framework_fn framework,
                      ms_framework_fn new_since, void *framework_arg, struct ms_history *out)
{
    memset(out, 0, sizeof(*out));
    ms_arena_init(&out->arena);
    out->entries = ms_xcalloc(list->n ? list->n : 1, sizeof(*out->entries));
    char **sql = ms_xcalloc(list->n ? list->n : 1, sizeof(char *));
    size_t n_sql = 0;
    /* Alembic revisions here; SQL files after, by their tools */
    for (size_t i = 0; i < list->n; i++) {
        const char *p = list->paths[i];
        if (!ms_history_is_python(p)) {
            sql[n_sql++] = list->paths[i];
            continue;
        }
        size_t len;
        char *text = ms_read_file(p, &len);
        struct ms_alembic_header *header = ms_arena_alloc(&out->arena, sizeof(*header));
        /* a revision whose header cannot be read (not valid Python) is still linted, so
         * loading it reports the error instead of skipping it quietly */
        bool rev = text && ms_alembic_is_revision(text, len);
        if (rev && ms_alembic_read_header(text, len, &out->arena, header) != 0)
            memset(header, 0, sizeof(*header));
        free(text);
        if (!rev) {
            if (verbose)
                fprintf(stderr, "migsafe: %s: skipped (not an Alembic revision)\n", p);
            continue;
        }
        out->entries[out->n].migration.tool = MS_TOOL_ALEMBIC;
        out->entries[out->n].header = header;
        char *g = history_group(p);
        out->entries[out->n].group = ms_arena_strdup(&out->arena, g);
        free(g);
        out->entries[out->n++].path = p;
    }
    add_context(out);
    qsort(out->entries, out->n, sizeof(*out->entries), compare_entries);
    if (split_archives(out))
        qsort(out->entries, out->n, sizeof(*out->entries), compare_entries);
    /* each folder's revisions, reordered by their chain */
    for (size_t i = 0; i < out->n;) {
        const char *group = out->entries[i].group;
        size_t j = i;
        while (j < out->n && strcmp(out->entries[j].group, group) == 0)
            j++;
        analyse_folder(out, i, j - i, transaction_per_migration(group));
        i = j;
    }
    size_t cap = out->n;
    add_sql(out, sql, n_sql, verbose, framework, framework_arg, &cap);
    free(sql);
    /* groups in path order, each in its run order */
    struct ordered *o = ms_xcalloc(out->n ? out->n : 1, sizeof(*o));
    for (size_t i = 0; i < out->n; i++)
        o[i] = (struct ordered){&out->entries[i], i};
    qsort(o, out->n, sizeof(*o), compare_ordered);
    struct ms_history_entry *sorted = ms_xcalloc(out->n ? out->n : 1, sizeof(*sorted));
    for (size_t i = 0; i < out->n; i++)
        sorted[i] = *o[i].e;
    free(o);
    free(out->entries);
    out->entries = sorted;
    if (new_since)
        mark_change_sets(out, new_since, framework_arg);
}

void ms_history_release(struct ms_history *h)
{
    free(h->entries);
    ms_tools_release(&h->tools);
    ms_arena_release(&h->arena);
    memset(h, 0, sizeof(*h));
}
