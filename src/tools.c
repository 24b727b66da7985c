/* tools.c: migration tool detection, grouping, ordering and transaction modes (see tools.h and
 * docs/frameworks.md, which says for each tool where its rules come from). */
#include "tools.h"
#include "source.h"

#include <sys/stat.h>

_Static_assert((int)MS_KIND_SQL == (int)MS_TOOL_SQL, "MS_KIND_SQL must equal MS_TOOL_SQL");
_Static_assert((int)MS_KIND_ALEMBIC == (int)MS_TOOL_ALEMBIC,
               "MS_KIND_ALEMBIC must equal MS_TOOL_ALEMBIC");

/* ---- names ---- */

static const char *const kind_names[] = {
#define MS_TOOL_KIND_NAME(id, name) name,
    MS_TOOL_KINDS(MS_TOOL_KIND_NAME)
#undef MS_TOOL_KIND_NAME
};

const char *ms_tools_kind_name(enum ms_tool_kind kind)
{
    return (unsigned)kind < MS_KIND_COUNT ? kind_names[kind] : "?";
}

const char *ms_tool_name(enum ms_tool tool)
{
    return ms_tools_kind_name((enum ms_tool_kind)tool);
}

int ms_tools_kind_parse(const char *name, enum ms_tool_kind *out)
{
    static const struct {
        const char *alias;
        enum ms_tool_kind kind;
    } aliases[] = {
        {"sql", MS_KIND_SQL}, {"migrate", MS_KIND_GOLANG_MIGRATE}, {"popx", MS_KIND_POP}};
    if (!name)
        return -1;
    for (size_t i = 0; i < MS_KIND_COUNT; i++)
        if (strcasecmp(name, kind_names[i]) == 0) {
            *out = (enum ms_tool_kind)i;
            return 0;
        }
    for (size_t i = 0; i < MS_ARRAY_LEN(aliases); i++)
        if (strcasecmp(name, aliases[i].alias) == 0) {
            *out = aliases[i].kind;
            return 0;
        }
    return -1;
}

/* ---- hints: how each tool lets a statement run outside a transaction ---- */

static const char hint_plain[] = "run it outside BEGIN ... COMMIT";
static const char hint_golang_migrate[] =
    "put it alone in a migration file of its own: golang-migrate sends each file as one Exec";
static const char hint_pop[] =
    "move it to a migration of its own named <version>_<name>.autocommit.up.sql, which popx "
    "runs outside a transaction (gobuffalo/pop always uses one)";
static const char hint_pop_autocommit[] =
    "keep it alone in its .autocommit. file: popx sends the file as one Exec";
static const char hint_goose[] = "add -- +goose NO TRANSACTION to the file (goose then runs each "
                                 "statement on its own)";
static const char hint_goose_notx[] =
    "goose runs each statement of this file on its own: remove the BEGIN ... COMMIT around it "
    "and keep it out of a StatementBegin/StatementEnd block that holds other statements";
static const char hint_dbmate_up[] = "add transaction:false to the -- migrate:up marker and keep "
                                     "the statement alone in its section";
static const char hint_dbmate_down[] = "add transaction:false to the -- migrate:down marker and "
                                       "keep the statement alone in its section";
static const char hint_dbmate_notx[] =
    "keep it alone in its section: with transaction:false dbmate sends the section as one Exec";
static const char hint_flyway[] =
    "Flyway runs a file outside a transaction only when it recognises one of its statements "
    "(CREATE/DROP INDEX CONCURRENTLY, VACUUM, ...): for the others, put "
    "executeInTransaction=false in <file>.sql.conf, with the statement alone in its file";
static const char hint_flyway_notx[] =
    "Flyway runs this file statement by statement: remove the BEGIN ... COMMIT around it";
static const char hint_sqlx[] =
    "start the file with the line -- no-transaction and keep the statement alone in it";
static const char hint_sqlx_notx[] =
    "keep it alone in the file: with -- no-transaction sqlx sends the file as one Exec";
static const char hint_diesel[] = "set run_in_transaction = false in the migration's "
                                  "metadata.toml and keep the statement alone in the file";
static const char hint_diesel_notx[] =
    "keep it alone in the file: with run_in_transaction = false diesel sends it as one batch";
static const char hint_sqitch[] = "sqitch adds no transaction of its own: take it out of the "
                                  "script's BEGIN ... COMMIT, into a change of its own";
static const char hint_prisma[] =
    "put it alone in a migration of its own: Prisma sends migration.sql as one batch";
static const char hint_sourcegraph[] =
    "set createIndexConcurrently: true in metadata.yaml, with the index alone in up.sql";
static const char hint_sourcegraph_ci[] = "keep the index alone in up.sql";
static const char hint_pgm[] = "add -- postgres-migrations disable-transaction to the file and "
                               "keep the statement alone in it";
static const char hint_pgm_notx[] = "keep it alone in the file: with disable-transaction "
                                    "postgres-migrations sends the file as one query";

/* ---- small helpers ---- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

static const char *base_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The folder of a path ("." for a bare name, "/" for a file at the root). */
static char *dir_of(struct ms_arena *a, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return ms_arena_strdup(a, ".");
    if (slash == path)
        return ms_arena_strdup(a, "/");
    return ms_arena_strndup(a, path, (size_t)(slash - path));
}

static char *join(struct ms_arena *a, const char *dir, const char *name)
{
    size_t n = strlen(dir);
    return ms_arena_printf(a, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static size_t leading_digits(const char *s)
{
    size_t n = 0;
    while (isdigit((unsigned char)s[n]))
        n++;
    return n;
}

int ms_tools_compare_numbers(const char *a, size_t la, const char *b, size_t lb)
{
    while (la > 1 && *a == '0')
        a++, la--;
    while (lb > 1 && *b == '0')
        b++, lb--;
    if (la != lb)
        return la < lb ? -1 : 1;
    int c = memcmp(a, b, la);
    return c < 0 ? -1 : c > 0;
}

/* The offset of the first byte in [i, end) that is neither white space nor inside an SQL
 * comment (-- to the end of the line, nested block comments); `end` when there is none. */
static size_t first_token(const char *t, size_t i, size_t end)
{
    while (i < end) {
        unsigned char c = (unsigned char)t[i];
        if (isspace(c)) {
            i++;
        } else if (c == '-' && i + 1 < end && t[i + 1] == '-') {
            while (i < end && t[i] != '\n')
                i++;
        } else if (c == '/' && i + 1 < end && t[i + 1] == '*') {
            int depth = 0;
            while (i < end) {
                if (t[i] == '/' && i + 1 < end && t[i + 1] == '*') {
                    depth++;
                    i += 2;
                } else if (t[i] == '*' && i + 1 < end && t[i + 1] == '/') {
                    i += 2;
                    if (--depth == 0)
                        break;
                } else {
                    i++;
                }
            }
        } else {
            return i;
        }
    }
    return end;
}

/* ---- reading one file: markers and sections ---- */

/* A goose or dbmate section marker. */
struct marker {
    bool present;
    size_t line;  /* start of the marker line */
    size_t start; /* the section: after the marker line ... */
    size_t end;   /* ... up to the next marker or the end */
    size_t token; /* its first token (end when there is none) */
    bool empty;   /* only white space and comments in between */
    bool notx;    /* dbmate: transaction:false on the marker */
};

struct scan {
    bool read; /* the file could be read */
    size_t len;
    size_t token; /* the first token (len when there is none) */
    bool blank;
    bool go_template;   /* {{ .Field }} and the like: pop renders files as Go templates */
    bool sqlx_notx;     /* starts with exactly "-- no-transaction" */
    bool sqlx_template; /* the comment `sqlx migrate add` writes */
    bool pgm_marker;    /* a "-- postgres-migrations ..." comment */
    bool pgm_disable;   /* "-- postgres-migrations disable-transaction" */
    bool goose, goose_notx, goose_unclosed;
    int goose_odd; /* ODD_ flags */
    struct marker goose_up, goose_down;
    size_t n_blocks;
    struct ms_tools_block *blocks;
    bool dbmate, dbmate_odd;
    struct marker dbmate_up, dbmate_down;
};

enum goose_directive { G_NONE, G_UP, G_DOWN, G_BEGIN, G_END, G_NOTX, G_ENVSUB };

static bool is_blank_char(char c)
{
    return c == ' ' || c == '\t';
}

/* How an annotation or marker differs from the spelling every release of its tool reads. */
enum { ODD_SPELLING = 1, ODD_INDENTED = 2 };

/* The goose annotation on line [s, e), if any. goose takes a line that starts with "--" and
 * reads "+goose <directive>" after it; recent releases compare the directive without regard to
 * case and refuse an annotation with white space before the "--", older ones want the exact
 * spelling ("-- +goose Up") and skip an indented one as a comment. migsafe reads every
 * spelling and sets *odd (ODD_ flags) for one some release would not take. */
static enum goose_directive goose_directive(const char *s, const char *e, int *odd)
{
    static const struct {
        const char *words[2];
        const char *canonical;
        enum goose_directive dir;
    } table[] = {
        {{"up", NULL}, "Up", G_UP},
        {{"down", NULL}, "Down", G_DOWN},
        {{"statementbegin", NULL}, "StatementBegin", G_BEGIN},
        {{"statementend", NULL}, "StatementEnd", G_END},
        {{"no", "transaction"}, "NO TRANSACTION", G_NOTX},
        {{"envsub", "on"}, "ENVSUB ON", G_ENVSUB},
        {{"envsub", "off"}, "ENVSUB OFF", G_ENVSUB},
        {{"envsubst", "on"}, "ENVSUBST ON", G_ENVSUB},
        {{"envsubst", "off"}, "ENVSUBST OFF", G_ENVSUB},
    };
    const char *p = s;
    bool unusual = false;
    while (p < e && is_blank_char(*p))
        p++;
    int indented = p > s ? ODD_INDENTED : 0;
    if (e - p < 2 || p[0] != '-' || p[1] != '-')
        return G_NONE;
    const char *dashes = p;
    while (p < e && *p == '-')
        p++;
    unusual |= p - dashes != 2;
    while (p < e && is_blank_char(*p))
        p++;
    if (e - p < 6 || strncasecmp(p, "+goose", 6) != 0)
        return G_NONE;
    unusual |= memcmp(p, "+goose", 6) != 0;
    p += 6;
    if (p < e && !is_blank_char(*p))
        return G_NONE;
    const char *q = e;
    while (q > p && isspace((unsigned char)q[-1]))
        q--;
    int spaces = 0;
    while (p < q && is_blank_char(*p))
        p++, spaces++;
    const char *text = p;
    for (size_t i = 0; i < MS_ARRAY_LEN(table); i++) {
        const char *w = text;
        bool match = true, extra_space = spaces != 1;
        for (int k = 0; k < 2 && table[i].words[k] && match; k++) {
            size_t n = strlen(table[i].words[k]);
            if (k == 1) {
                int gap = 0;
                while (w < q && is_blank_char(*w))
                    w++, gap++;
                extra_space |= gap != 1;
                match = gap > 0;
            }
            match = match && (size_t)(q - w) >= n && strncasecmp(w, table[i].words[k], n) == 0;
            w += n;
        }
        if (!match || w != q)
            continue;
        /* the canonical spelling, with single spaces */
        bool canonical = !unusual && !extra_space &&
                         (size_t)(q - text) == strlen(table[i].canonical) &&
                         memcmp(text, table[i].canonical, (size_t)(q - text)) == 0;
        *odd = (canonical ? 0 : ODD_SPELLING) | indented;
        return table[i].dir;
    }
    return G_NONE;
}

/* The dbmate marker on line [s, e): 1 for migrate:up, 2 for migrate:down, else 0. dbmate's
 * pattern is ^--\s*migrate:(up|down)(\s*$|\s+\S+), case-sensitive, options following as
 * key:value words. A line that would match but for its case or white space before the "--" is
 * no marker to dbmate (its statements belong to the section above it): that sets *odd and
 * returns 0. */
static int dbmate_marker(const char *s, const char *e, bool *odd, bool *notx)
{
    const char *p = s;
    bool unusual = false;
    while (p < e && is_blank_char(*p))
        p++, unusual = true;
    if (e - p < 2 || p[0] != '-' || p[1] != '-')
        return 0;
    p += 2;
    while (p < e && isspace((unsigned char)*p))
        p++;
    if (e - p < 8 || strncasecmp(p, "migrate:", 8) != 0)
        return 0;
    unusual |= memcmp(p, "migrate:", 8) != 0;
    p += 8;
    int which;
    if (e - p >= 4 && strncasecmp(p, "down", 4) == 0) {
        unusual |= memcmp(p, "down", 4) != 0;
        which = 2, p += 4;
    } else if (e - p >= 2 && strncasecmp(p, "up", 2) == 0) {
        unusual |= memcmp(p, "up", 2) != 0;
        which = 1, p += 2;
    } else {
        return 0;
    }
    if (p < e && !isspace((unsigned char)*p))
        return 0;
    if (unusual) {
        *odd = true;
        return 0;
    }
    *notx = false;
    while (p < e) {
        while (p < e && isspace((unsigned char)*p))
            p++;
        const char *w = p;
        while (p < e && !isspace((unsigned char)*p))
            p++;
        if (p - w == 17 && memcmp(w, "transaction:false", 17) == 0)
            *notx = true;
    }
    return which;
}

/* A Go template action: "{{" then an optional "-", spaces, and a field, variable or keyword. */
static bool has_go_template(const char *t, size_t len)
{
    static const char *const words[] = {"index",    "if",    "range",  "end",    "else", "with",
                                        "template", "block", "define", "printf", "not"};
    for (const char *p = t; (p = memmem(p, len - (size_t)(p - t), "{{", 2)) != NULL;) {
        p += 2;
        const char *q = p;
        if (q < t + len && *q == '-')
            q++;
        while (q < t + len && is_blank_char(*q))
            q++;
        if (q < t + len && (*q == '.' || *q == '$'))
            return true;
        for (size_t i = 0; i < MS_ARRAY_LEN(words); i++) {
            size_t n = strlen(words[i]);
            if ((size_t)(t + len - q) > n && memcmp(q, words[i], n) == 0 &&
                !isalnum((unsigned char)q[n]) && q[n] != '_')
                return true;
        }
    }
    return false;
}

static void close_section(const char *t, size_t len, struct marker *m, const struct marker *other)
{
    if (!m->present)
        return;
    m->end = other->present && other->line > m->line ? other->line : len;
    m->token = first_token(t, m->start, m->end);
    m->empty = m->token == m->end;
}

static void scan_text(const char *t, size_t len, struct ms_arena *arena, struct scan *s)
{
    static const char *const sqlx_comments[] = {"-- Add migration script here",
                                                "-- Add up migration script here",
                                                "-- Add down migration script here"};
    s->read = true;
    s->len = len;
    s->token = first_token(t, 0, len);
    s->blank = s->token == len;
    s->sqlx_notx = len >= 17 && memcmp(t, "-- no-transaction", 17) == 0;
    for (size_t i = 0; i < MS_ARRAY_LEN(sqlx_comments); i++)
        s->sqlx_template |= memmem(t, len, sqlx_comments[i], strlen(sqlx_comments[i])) != NULL;
    s->pgm_marker = memmem(t, len, "-- postgres-migrations ", 23) != NULL;
    s->pgm_disable = memmem(t, len, "-- postgres-migrations disable-transaction", 42) != NULL;
    s->go_template = has_go_template(t, len);

    struct ms_tools_block *blocks = NULL;
    size_t n_blocks = 0, cap = 0, block_start = 0;
    bool in_block = false;
    for (size_t ls = 0; ls < len;) {
        const char *nl = memchr(t + ls, '\n', len - ls);
        size_t le = nl ? (size_t)(nl - t) : len, next = nl ? le + 1 : len;
        size_t i = ls;
        while (i < le && is_blank_char(t[i]))
            i++;
        if (le - i < 2 || t[i] != '-' || t[i + 1] != '-') {
            ls = next;
            continue;
        }
        bool odd = false, notx = false;
        int goose_odd = 0;
        enum goose_directive g = goose_directive(t + ls, t + le, &goose_odd);
        if (g != G_NONE) {
            s->goose = true;
            s->goose_odd |= goose_odd;
        }
        switch (g) {
        case G_UP:
        case G_DOWN: {
            struct marker *m = g == G_UP ? &s->goose_up : &s->goose_down;
            if (!m->present)
                *m = (struct marker){.present = true, .line = ls, .start = next};
            break;
        }
        case G_BEGIN:
            if (!in_block)
                in_block = true, block_start = next;
            break;
        case G_END:
            if (in_block) {
                MS_GROW(blocks, cap, n_blocks + 1);
                blocks[n_blocks++] = (struct ms_tools_block){
                    block_start, ls, s->goose_down.present && block_start > s->goose_down.line};
                in_block = false;
            }
            break;
        case G_NOTX:
            s->goose_notx = true;
            break;
        case G_ENVSUB:
            break;
        case G_NONE: {
            int d = dbmate_marker(t + ls, t + le, &odd, &notx);
            struct marker *m = d == 1 ? &s->dbmate_up : d == 2 ? &s->dbmate_down : NULL;
            if (m && !m->present) {
                *m = (struct marker){.present = true, .line = ls, .start = next, .notx = notx};
                s->dbmate = true;
            }
            s->dbmate_odd |= odd;
            break;
        }
        }
        ls = next;
    }
    s->goose_unclosed = in_block;
    close_section(t, len, &s->goose_up, &s->goose_down);
    close_section(t, len, &s->goose_down, &s->goose_up);
    close_section(t, len, &s->dbmate_up, &s->dbmate_down);
    close_section(t, len, &s->dbmate_down, &s->dbmate_up);
    if (n_blocks) {
        s->blocks = ms_arena_alloc(arena, n_blocks * sizeof(*blocks));
        memcpy(s->blocks, blocks, n_blocks * sizeof(*blocks));
        s->n_blocks = n_blocks;
    }
    free(blocks);
}

/* ---- the files, their folders and the tool files around them ---- */

enum layout {
    L_FLAT,   /* migrations are the files of a folder */
    L_MIGDIR, /* one folder per migration (diesel, Prisma, Sourcegraph): grouped by the parent */
    L_SQITCH, /* a script below a sqitch project's deploy/, revert/ or verify/ */
    L_PY,     /* an Alembic revision: src/history.c's business */
};

enum script_kind { SQ_DEPLOY, SQ_REVERT, SQ_VERIFY };

struct sqitch_top {
    const char *real;    /* the project folder (where sqitch.conf or sqitch.plan is) */
    const char *display; /* the same as the paths given spell it */
    const char *plan;    /* the plan file */
    const char *dirs[3]; /* deploy, revert and verify folders (real paths) */
};

struct finfo {
    const char *path, *base, *dir;
    bool has_override;
    enum ms_tool_kind override;
    struct scan scan;
    enum layout layout;
    const char *group;
    size_t sq_top;
    enum script_kind sq_kind;
    const char *sq_name; /* the change (with @tag), i.e. the path below deploy/ without .sql */
};

struct ctx {
    struct ms_tools_result *out;
    struct ms_arena *arena;
    size_t n;
    struct finfo *fi;
    size_t n_tops, cap_tops;
    struct sqitch_top *tops;
};

/* Resolved path of an existing folder or file (arena), or NULL. */
static const char *real_path(struct ms_arena *a, const char *path)
{
    char *r = realpath(path, NULL);
    if (!r)
        return NULL;
    const char *copy = ms_arena_strdup(a, r);
    free(r);
    return copy;
}

/* Steps from folder `real` up to the root: replaces it by its parent; false at the root. */
static bool climb(char *real)
{
    char *slash = strrchr(real, '/');
    if (!slash || strcmp(real, "/") == 0)
        return false;
    if (slash == real)
        slash[1] = '\0';
    else
        *slash = '\0';
    return true;
}

#define MAX_CLIMB 16

/* Is there a file `name` in folder `real` or above it? Stops at a repository root (a folder
 * holding .git). Returns the folder where it is (malloc'ed), or NULL. */
static char *find_up(const char *real, const char *name)
{
    if (!real)
        return NULL;
    char *cur = ms_xstrdup(real);
    char path[4096];
    for (int level = 0; level < MAX_CLIMB; level++) {
        snprintf(path, sizeof(path), "%s/%s", cur, name);
        if (is_file(path))
            return cur;
        snprintf(path, sizeof(path), "%s/.git", cur);
        struct stat st;
        if (stat(path, &st) == 0 || !climb(cur))
            break;
    }
    free(cur);
    return NULL;
}

/* `dir` without its last `levels` components, when it spells them; else `fallback`. */
static const char *strip_components(struct ms_arena *a, const char *dir, int levels,
                                    const char *fallback)
{
    if (levels == 0)
        return dir;
    char *s = ms_arena_strdup(a, dir);
    for (int i = 0; i < levels; i++) {
        char *slash = strrchr(s, '/');
        const char *last = slash ? slash + 1 : s;
        if (strcmp(last, ".") == 0 || strcmp(last, "..") == 0) {
            /* "." -> "..", "../x/.." -> "../x/../.." */
            s = strcmp(s, ".") == 0 ? ms_arena_strdup(a, "..")
                                    : ms_arena_printf(a, "%.*s%s..", (int)(last - s), s,
                                                      strcmp(last, ".") == 0 ? "" : "../");
            continue;
        }
        if (!*last)
            return fallback;
        if (!slash) /* a bare name: its parent is the current folder */
            return i == levels - 1 ? "." : fallback;
        if (slash == s)
            return i == levels - 1 ? "/" : fallback;
        *slash = '\0';
    }
    return s;
}

/* A `key = value` line of sqitch.conf (git-config syntax), in the [core] or [engine "pg"]
 * section. */
static const char *conf_value(struct ms_arena *a, const char *text, const char *key)
{
    bool in_section = true;
    for (const char *line = text; line && *line;) {
        const char *nl = strchr(line, '\n');
        const char *e = nl ? nl : line + strlen(line);
        const char *p = line;
        while (p < e && isspace((unsigned char)*p))
            p++;
        if (p < e && *p == '[') {
            in_section = (e - p >= 6 && strncmp(p, "[core]", 6) == 0) ||
                         (e - p >= 13 && strncmp(p, "[engine \"pg\"]", 13) == 0);
        } else if (in_section && p < e && *p != '#' && *p != ';') {
            size_t k = strlen(key);
            if ((size_t)(e - p) > k && strncmp(p, key, k) == 0 &&
                (isspace((unsigned char)p[k]) || p[k] == '=')) {
                const char *v = p + k;
                while (v < e && (isspace((unsigned char)*v) || *v == '='))
                    v++;
                const char *ve = e;
                while (ve > v && isspace((unsigned char)ve[-1]))
                    ve--;
                if (ve > v)
                    return ms_arena_strndup(a, v, (size_t)(ve - v));
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    return NULL;
}

static size_t sqitch_top_at(struct ctx *c, const char *real)
{
    for (size_t i = 0; i < c->n_tops; i++)
        if (strcmp(c->tops[i].real, real) == 0)
            return i;
    MS_GROW(c->tops, c->cap_tops, c->n_tops + 1);
    struct sqitch_top *t = &c->tops[c->n_tops];
    memset(t, 0, sizeof(*t));
    t->real = ms_arena_strdup(c->arena, real);
    size_t len;
    char *conf = ms_read_file(join(c->arena, real, "sqitch.conf"), &len);
    const char *top_dir = conf ? conf_value(c->arena, conf, "top_dir") : NULL;
    const char *plan_file = conf ? conf_value(c->arena, conf, "plan_file") : NULL;
    static const char *const keys[] = {"deploy_dir", "revert_dir", "verify_dir"};
    static const char *const defaults[] = {"deploy", "revert", "verify"};
    const char *top = top_dir ? join(c->arena, real, top_dir) : real;
    for (int k = 0; k < 3; k++) {
        const char *d = conf ? conf_value(c->arena, conf, keys[k]) : NULL;
        const char *p = d ? join(c->arena, real, d) : join(c->arena, top, defaults[k]);
        const char *r = real_path(c->arena, p);
        t->dirs[k] = r ? r : p;
    }
    t->plan = plan_file ? join(c->arena, real, plan_file) : join(c->arena, top, "sqitch.plan");
    free(conf);
    return c->n_tops++;
}

/* Places the files of folder `dir` that lie below a sqitch project's script folders. */
static void locate_sqitch(struct ctx *c, const char *dir, size_t *idx, size_t n_idx)
{
    const char *real = real_path(c->arena, dir);
    if (!real)
        return;
    char *cur = ms_xstrdup(real);
    char path[4096];
    for (int level = 0; level < MAX_CLIMB; level++) {
        snprintf(path, sizeof(path), "%s/sqitch.plan", cur);
        bool plan = is_file(path);
        snprintf(path, sizeof(path), "%s/sqitch.conf", cur);
        if (plan || is_file(path)) {
            size_t t = sqitch_top_at(c, cur);
            struct sqitch_top *top = &c->tops[t];
            for (int k = 0; k < 3; k++) {
                size_t dl = strlen(top->dirs[k]);
                if (strncmp(real, top->dirs[k], dl) != 0 || (real[dl] && real[dl] != '/'))
                    continue;
                const char *below = real[dl] ? real + dl + 1 : "";
                if (!top->display)
                    top->display = strip_components(c->arena, dir, level, top->real);
                for (size_t i = 0; i < n_idx; i++) {
                    struct finfo *f = &c->fi[idx[i]];
                    size_t bl = strlen(f->base);
                    f->layout = L_SQITCH;
                    f->sq_top = t;
                    f->sq_kind = (enum script_kind)k;
                    f->sq_name = ms_arena_printf(c->arena, "%s%s%.*s", below, *below ? "/" : "",
                                                 (int)(bl > 4 ? bl - 4 : bl), f->base);
                    f->group = top->display;
                }
                break;
            }
            break; /* the nearest project decides, whether the files are its scripts or not */
        }
        snprintf(path, sizeof(path), "%s/.git", cur);
        struct stat st;
        if (stat(path, &st) == 0 || !climb(cur)) /* not above a repository's root */
            break;
    }
    free(cur);
}

static int compare_by_dir(const void *a, const void *b, void *arg)
{
    const struct finfo *fi = arg;
    const struct finfo *x = &fi[*(const size_t *)a], *y = &fi[*(const size_t *)b];
    int c = strcmp(x->dir, y->dir);
    return c ? c : strcmp(x->path, y->path);
}

static int compare_by_group(const void *a, const void *b, void *arg)
{
    const struct finfo *fi = arg;
    const struct finfo *x = &fi[*(const size_t *)a], *y = &fi[*(const size_t *)b];
    int c = strcmp(x->group, y->group);
    return c ? c : strcmp(x->path, y->path);
}

static bool starts_with_digit(const char *s)
{
    return isdigit((unsigned char)*s);
}

/* Places a file that is not a sqitch script: one folder per migration, or a flat folder. */
static void place(struct ctx *c, struct finfo *f)
{
    if (f->layout != L_FLAT)
        return;
    const char *parent = base_of(f->dir);
    const char *grand = dir_of(c->arena, f->dir);
    bool updown = strcmp(f->base, "up.sql") == 0 || strcmp(f->base, "down.sql") == 0;
    bool prisma = strcmp(f->base, "migration.sql") == 0;
    bool forced =
        f->has_override && (f->override == MS_KIND_DIESEL || f->override == MS_KIND_SOURCEGRAPH ||
                            f->override == MS_KIND_PRISMA);
    if (strcmp(f->dir, ".") != 0 && strcmp(f->dir, "/") != 0 &&
        ((updown && (starts_with_digit(parent) || forced)) ||
         (prisma && (starts_with_digit(parent) || forced ||
                     is_file(join(c->arena, grand, "migration_lock.toml")))))) {
        f->layout = L_MIGDIR;
        f->group = grand;
        return;
    }
    f->group = f->dir;
}

/* ---- migrations of one group, before they are ordered ---- */

enum sort_mode {
    SORT_PATH,    /* by the path of the up (plain files) */
    SORT_NUMERIC, /* key is a digit string, compared as a number */
    SORT_STRING,  /* key compared bytewise */
    SORT_FLYWAY,  /* key is a Flyway version */
    SORT_SEQ,     /* seq: the plan's or the graph's order */
};

struct pending {
    struct ms_tools_migration m;
    enum sort_mode mode;
    int cls;         /* sorts before anything else: e.g. Flyway versioned (0) before repeatable */
    const char *key; /* NULL sorts after every key, by tie */
    size_t seq;
    const char *tie; /* the path of its first file */
    const char *dir; /* one folder per migration: that folder */
    bool notx;       /* diesel: metadata.toml says run_in_transaction = false */
};

struct group {
    const char *path;
    size_t *files; /* indexes in ctx.fi, sorted by path */
    size_t n;
    enum layout layout;
    enum ms_tool_kind tool;
    enum { EV_NONE, EV_SQLX, EV_RUST, EV_GO } evidence;
    bool ambiguous_twin, ambiguous_single;
};

struct build {
    struct ctx *c;
    struct group *g;
    size_t n_p, cap_p;
    struct pending *p;
    /* pair_twin's index of the pending migrations by key: chains of indexes into p */
    size_t cap_heads, n_indexed, cap_next;
    size_t *heads, *next; /* heads: cap_heads slots, next: parallel to p */
};

static struct pending *new_pending(struct build *b, enum sort_mode mode, const char *tie)
{
    MS_GROW(b->p, b->cap_p, b->n_p + 1);
    struct pending *p = &b->p[b->n_p++];
    memset(p, 0, sizeof(*p));
    p->m.tool = b->g->tool;
    p->m.group = b->g->path;
    p->m.name = "";
    p->m.up_file = p->m.down_file = p->m.verify_file = MS_TOOLS_NONE;
    p->m.down = MS_DOWN_NOT_APPLICABLE;
    p->mode = mode;
    p->tie = tie;
    return p;
}

static struct ms_tools_file *out_file(struct build *b, size_t i)
{
    return &b->c->out->files[i];
}

static void add_note(struct build *b, size_t i, const char *note)
{
    struct ms_tools_file *f = out_file(b, i);
    f->note = f->note ? ms_arena_printf(b->c->arena, "%s; %s", f->note, note) : note;
}

static void ignore(struct build *b, size_t i, const char *note)
{
    out_file(b, i)->role = MS_ROLE_IGNORED;
    add_note(b, i, note);
}

static void set_whole(struct build *b, struct ms_tools_section *s, size_t i, enum ms_tx_mode tx,
                      const char *hint)
{
    const struct scan *sc = &b->c->fi[i].scan;
    *s = (struct ms_tools_section){.present = true,
                                   .empty = sc->read && sc->blank,
                                   .start = 0,
                                   .end = sc->len,
                                   .tx = tx,
                                   .hint = hint};
}

static void set_marker(struct ms_tools_section *s, const struct marker *m, enum ms_tx_mode tx,
                       const char *hint)
{
    *s = (struct ms_tools_section){.present = m->present,
                                   .empty = m->present && m->empty,
                                   .marker = m->present ? m->line : 0,
                                   .start = m->present ? m->start : 0,
                                   .end = m->present ? m->end : 0,
                                   .tx = tx,
                                   .hint = hint};
}

/* The state of a migration's way back from its down section (or file). */
static enum ms_down down_state(const struct ms_tools_section *s)
{
    if (!s->present)
        return MS_DOWN_ABSENT;
    return s->empty ? MS_DOWN_EMPTY : MS_DOWN_PRESENT;
}

/* Where a finding about the way back of a file with sections goes: the Down marker, else the
 * first statement of the up section (or its marker, or the file's first statement). */
static size_t section_down_offset(const struct scan *s, const struct marker *up,
                                  const struct marker *down)
{
    if (down->present)
        return down->line;
    if (up->present)
        return up->empty ? up->line : up->token;
    return s->blank ? 0 : s->token;
}

/* The way back of a migration whose down is a file of its own (or none): a finding about it
 * goes to the first statement of the up file. */
static void finish_twin_down(struct build *b, struct pending *p)
{
    if (p->m.up_file == MS_TOOLS_NONE)
        return;
    const struct scan *up = &b->c->fi[p->m.up_file].scan;
    p->m.down_offset = up->blank ? 0 : up->token;
    p->m.up_empty = up->read && up->blank;
    if (p->m.down_file == MS_TOOLS_NONE)
        p->m.down = MS_DOWN_ABSENT;
    else
        p->m.down = down_state(&out_file(b, p->m.down_file)->down);
}

/* A key's hash: numeric keys without their leading zeros, as ms_tools_compare_numbers() sees them.
 */
static size_t key_hash(const char *key, enum sort_mode mode)
{
    if (mode == SORT_NUMERIC)
        while (key[0] == '0' && key[1])
            key++;
    size_t h = 5381;
    for (; *key; key++)
        h = h * 33 + (unsigned char)*key;
    return h;
}

/* Brings the index up to date with the pending migrations (rebuilt as it grows). */
static void index_pending(struct build *b, enum sort_mode mode)
{
    if (b->n_p * 2 >= b->cap_heads) {
        free(b->heads);
        b->cap_heads = b->cap_heads ? b->cap_heads * 4 : 64;
        while (b->cap_heads <= b->n_p * 2)
            b->cap_heads *= 2;
        b->heads = ms_xmalloc(b->cap_heads * sizeof(size_t));
        for (size_t k = 0; k < b->cap_heads; k++)
            b->heads[k] = MS_TOOLS_NONE;
        b->n_indexed = 0;
    }
    MS_GROW(b->next, b->cap_next, b->n_p + 1);
    /* newest first in each chain; pair_twin sorts a chain's matches back into creation order */
    for (; b->n_indexed < b->n_p; b->n_indexed++) {
        const struct pending *p = &b->p[b->n_indexed];
        if (!p->key) {
            b->next[b->n_indexed] = MS_TOOLS_NONE;
            continue;
        }
        size_t slot = key_hash(p->key, mode) & (b->cap_heads - 1);
        b->next[b->n_indexed] = b->heads[slot];
        b->heads[slot] = b->n_indexed;
    }
}

/* Pairs an up or down file with the migration of the same version (twins: golang-migrate, pop,
 * sqlx); a second file for the same version and direction is a migration of its own marked as
 * a duplicate. Finds candidates through the index, so a folder of n migrations pairs in O(n). */
static void pair_twin(struct build *b, size_t i, const char *version, const char *name, bool is_up,
                      enum sort_mode mode, enum ms_tx_mode tx, const char *hint)
{
    struct ms_tools_file *f = out_file(b, i);
    const char *path = b->c->fi[i].path;
    struct pending *match = NULL;
    const char *duplicate = NULL;
    index_pending(b, mode);
    size_t cands[64], n_cands = 0;
    size_t slot = key_hash(version, mode) & (b->cap_heads - 1);
    for (size_t k = b->heads[slot]; k != MS_TOOLS_NONE && n_cands < MS_ARRAY_LEN(cands);
         k = b->next[k]) {
        const struct pending *p = &b->p[k];
        bool same = mode == SORT_NUMERIC ? ms_tools_compare_numbers(p->key, strlen(p->key), version,
                                                                    strlen(version)) == 0
                                         : strcmp(p->key, version) == 0;
        if (same)
            cands[n_cands++] = k;
    }
    for (size_t x = n_cands; x-- > 0 && !match;) { /* oldest first */
        struct pending *p = &b->p[cands[x]];
        size_t taken = is_up ? p->m.up_file : p->m.down_file;
        if (taken == MS_TOOLS_NONE)
            match = p;
        else if (!duplicate)
            duplicate = b->c->fi[taken].path;
    }
    if (!match) {
        match = new_pending(b, mode, path);
        match->key = version;
        match->m.version = version;
        match->m.name = name;
        match->m.id = ms_arena_printf(b->c->arena, "%s_%s", version, name);
        match->m.duplicate_of = duplicate;
    }
    if (is_up) {
        match->m.up_file = i;
        match->m.name = name;
        match->m.id = ms_arena_printf(b->c->arena, "%s_%s", version, name);
        f->role = MS_ROLE_UP;
        set_whole(b, &f->up, i, tx, hint);
    } else {
        match->m.down_file = i;
        f->role = MS_ROLE_DOWN;
        set_whole(b, &f->down, i, tx, hint);
    }
}

/* <digits>_<rest>: the version (arena) and where the rest starts, or NULL. */
static const char *version_prefix(struct build *b, const char *base, const char **rest)
{
    size_t d = leading_digits(base);
    if (d == 0 || base[d] != '_')
        return NULL;
    *rest = base + d + 1;
    return ms_arena_strndup(b->c->arena, base, d);
}

static const char *strip_suffix(struct build *b, const char *s, const char *suffix)
{
    size_t n = strlen(s);
    return ms_arena_strndup(b->c->arena, s, ends_with(s, suffix) ? n - strlen(suffix) : n);
}

/* ---- golang-migrate: <version>_<name>.up.sql / .down.sql, each file one Exec ---- */

static void build_golang_migrate(struct build *b)
{
    for (size_t k = 0; k < b->g->n; k++) {
        size_t i = b->g->files[k];
        const char *base = b->c->fi[i].base, *rest = NULL;
        const char *version = version_prefix(b, base, &rest);
        bool up = ends_with(base, ".up.sql"), down = ends_with(base, ".down.sql");
        if (!version || (!up && !down)) {
            ignore(b, i, "golang-migrate runs only <version>_<name>.up.sql and .down.sql files");
            continue;
        }
        pair_twin(b, i, version, strip_suffix(b, rest, up ? ".up.sql" : ".down.sql"), up,
                  SORT_NUMERIC, MS_TX_IMPLICIT_IF_MULTI, hint_golang_migrate);
    }
    for (size_t k = 0; k < b->n_p; k++)
        finish_twin_down(b, &b->p[k]);
}

/* ---- pop / popx: <version>_<name>[.<dialect>][.autocommit].(up|down).sql ---- */

struct pop_name {
    const char *version, *name;
    const char *dialect; /* canonical: "postgres", "all", or another database's name */
    bool autocommit, up;
};

static bool parse_pop(struct build *b, const char *base, struct pop_name *out)
{
    const char *rest = NULL;
    out->version = version_prefix(b, base, &rest);
    if (!out->version || !ends_with(base, ".sql"))
        return false;
    const char *dot = strchr(rest, '.');
    if (!dot || dot == rest)
        return false;
    out->name = ms_arena_strndup(b->c->arena, rest, (size_t)(dot - rest));
    /* the words between the name and ".sql" */
    const char *words[4];
    size_t lens[4], n = 0;
    const char *end = base + strlen(base) - 4;
    for (const char *p = dot + 1; p < end && n < 4;) {
        const char *q = memchr(p, '.', (size_t)(end - p));
        q = q ? q : end;
        words[n] = p, lens[n] = (size_t)(q - p), n++;
        p = q + 1;
    }
    if (n < 1 || n > 3)
        return false;
    bool up = lens[n - 1] == 2 && memcmp(words[n - 1], "up", 2) == 0;
    bool down = lens[n - 1] == 4 && memcmp(words[n - 1], "down", 4) == 0;
    if (!up && !down)
        return false;
    out->up = up;
    out->autocommit = false;
    out->dialect = "all";
    for (size_t k = 0; k + 1 < n; k++) {
        for (size_t j = 0; j < lens[k]; j++)
            if (!islower((unsigned char)words[k][j]) && !isdigit((unsigned char)words[k][j]))
                return false;
        if (lens[k] == 10 && memcmp(words[k], "autocommit", 10) == 0) {
            out->autocommit = true;
        } else if (k == 0) {
            const char *d = ms_arena_strndup(b->c->arena, words[k], lens[k]);
            if (!strcmp(d, "postgres") || !strcmp(d, "postgresql") || !strcmp(d, "pg"))
                d = "postgres";
            out->dialect = d;
        } else {
            return false;
        }
    }
    return true;
}

static bool is_pop_dialect(const char *w, size_t n)
{
    static const char *const names[] = {"postgres",    "postgresql", "pg",        "cockroach",
                                        "cockroachdb", "crdb",       "mysql",     "mariadb",
                                        "sqlite",      "sqlite3",    "autocommit"};
    for (size_t i = 0; i < MS_ARRAY_LEN(names); i++)
        if (strlen(names[i]) == n && memcmp(w, names[i], n) == 0)
            return true;
    return false;
}

/* Does the name carry a pop dialect or popx's autocommit before .up.sql / .down.sql? */
static bool has_pop_infix(const char *base)
{
    size_t d = leading_digits(base);
    if (d == 0 || base[d] != '_')
        return false;
    const char *dot = strchr(base + d + 1, '.');
    if (!dot)
        return false;
    const char *w = dot + 1, *e = strchr(w, '.');
    return e && is_pop_dialect(w, (size_t)(e - w)) &&
           (ends_with(base, ".up.sql") || ends_with(base, ".down.sql"));
}

static void build_pop(struct build *b)
{
    struct pop_name *names = ms_xcalloc(b->g->n ? b->g->n : 1, sizeof(*names));
    bool *ok = ms_xcalloc(b->g->n ? b->g->n : 1, sizeof(bool));
    for (size_t k = 0; k < b->g->n; k++) {
        size_t i = b->g->files[k];
        ok[k] = parse_pop(b, b->c->fi[i].base, &names[k]);
        if (!ok[k])
            ignore(b, i, "pop runs only <version>_<name>[.<database>].up.sql and .down.sql files");
        else if (strcmp(names[k].dialect, "postgres") != 0 && strcmp(names[k].dialect, "all") != 0)
            ignore(b, i,
                   ms_arena_printf(b->c->arena, "for another database (%s)", names[k].dialect)),
                ok[k] = false;
    }
    /* the PostgreSQL file of a version and direction supersedes the one for all databases */
    for (size_t k = 0; k < b->g->n; k++) {
        if (!ok[k] || strcmp(names[k].dialect, "all") != 0)
            continue;
        for (size_t j = 0; j < b->g->n; j++)
            if (ok[j] && j != k && strcmp(names[j].dialect, "postgres") == 0 &&
                strcmp(names[j].version, names[k].version) == 0 && names[j].up == names[k].up) {
                ignore(b, b->g->files[k],
                       ms_arena_printf(b->c->arena, "superseded by %s",
                                       b->c->fi[b->g->files[j]].path));
                ok[k] = false;
                break;
            }
    }
    for (size_t k = 0; k < b->g->n; k++)
        if (ok[k])
            pair_twin(b, b->g->files[k], names[k].version, names[k].name, names[k].up, SORT_STRING,
                      names[k].autocommit ? MS_TX_IMPLICIT_IF_MULTI : MS_TX_EXPLICIT,
                      names[k].autocommit ? hint_pop_autocommit : hint_pop);
    for (size_t k = 0; k < b->n_p; k++)
        finish_twin_down(b, &b->p[k]);
    free(ok);
    free(names);
}

/* ---- sqlx: <version>_<name>.up.sql / .down.sql (reversible) or <version>_<name>.sql ---- */

static void build_sqlx(struct build *b)
{
    for (size_t k = 0; k < b->g->n; k++) {
        size_t i = b->g->files[k];
        const struct finfo *fi = &b->c->fi[i];
        const char *rest = NULL;
        const char *version = version_prefix(b, fi->base, &rest);
        if (!version || !ends_with(fi->base, ".sql") || strlen(version) > 19) {
            ignore(b, i, "sqlx runs only <version>_<name>.sql files (and .up.sql/.down.sql)");
            continue;
        }
        enum ms_tx_mode tx = fi->scan.sqlx_notx ? MS_TX_IMPLICIT_IF_MULTI : MS_TX_EXPLICIT;
        const char *hint = fi->scan.sqlx_notx ? hint_sqlx_notx : hint_sqlx;
        bool up = ends_with(fi->base, ".up.sql"), down = ends_with(fi->base, ".down.sql");
        if (up || down) {
            pair_twin(b, i, version, strip_suffix(b, rest, up ? ".up.sql" : ".down.sql"), up,
                      SORT_NUMERIC, tx, hint);
            continue;
        }
        /* a simple migration: irreversible by design */
        struct pending *p = new_pending(b, SORT_NUMERIC, fi->path);
        p->key = p->m.version = version;
        p->m.name = strip_suffix(b, rest, ".sql");
        p->m.id = ms_arena_printf(b->c->arena, "%s_%s", version, p->m.name);
        p->m.up_file = i;
        for (size_t j = 0; j + 1 < b->n_p; j++)
            if (ms_tools_compare_numbers(b->p[j].key, strlen(b->p[j].key), version,
                                         strlen(version)) == 0)
                p->m.duplicate_of =
                    b->c->fi[b->p[j].m.up_file != MS_TOOLS_NONE ? b->p[j].m.up_file
                                                                : b->p[j].m.down_file]
                        .path;
        out_file(b, i)->role = MS_ROLE_UP;
        set_whole(b, &out_file(b, i)->up, i, tx, hint);
    }
    for (size_t k = 0; k < b->n_p; k++) {
        struct pending *p = &b->p[k];
        if (p->m.up_file != MS_TOOLS_NONE && ends_with(b->c->fi[p->m.up_file].base, ".up.sql"))
            finish_twin_down(b, p);
    }
}

/* ---- goose: -- +goose Up / Down sections in <version>_<name>.sql ---- */

static void build_goose(struct build *b)
{
    for (size_t k = 0; k < b->g->n; k++) {
        size_t i = b->g->files[k];
        const struct finfo *fi = &b->c->fi[i];
        const struct scan *s = &fi->scan;
        struct ms_tools_file *f = out_file(b, i);
        const char *rest = NULL;
        const char *version = version_prefix(b, fi->base, &rest);
        struct pending *p = new_pending(b, SORT_NUMERIC, fi->path);
        if (version && strspn(version, "0") != strlen(version)) {
            p->key = p->m.version = version;
            p->m.name = strip_suffix(b, rest, ".sql");
            p->m.id = ms_arena_printf(b->c->arena, "%s_%s", version, p->m.name);
        } else {
            p->cls = 1;
            p->m.name = strip_suffix(b, fi->base, ".sql");
            p->m.id = p->m.name;
            add_note(b, i, "goose runs only files named <version>_<name>.sql, version above 0");
        }
        f->role = MS_ROLE_UP_DOWN;
        p->m.up_file = p->m.down_file = i;
        enum ms_tx_mode tx = s->goose_notx ? MS_TX_NONE : MS_TX_EXPLICIT;
        const char *hint = s->goose_notx ? hint_goose_notx : hint_goose;
        set_marker(&f->up, &s->goose_up, tx, hint);
        set_marker(&f->down, &s->goose_down, tx, hint);
        f->n_blocks = s->n_blocks;
        f->blocks = s->blocks;
        p->m.down = down_state(&f->down);
        p->m.down_offset = section_down_offset(s, &s->goose_up, &s->goose_down);
        p->m.up_empty = f->up.present && f->up.empty;
        if (!s->goose_up.present && s->read)
            add_note(b, i, "no -- +goose Up annotation: goose refuses the file");
        if (s->goose_unclosed)
            add_note(b, i,
                     "a -- +goose StatementBegin without StatementEnd: goose refuses the file");
        if (s->goose_odd & ODD_SPELLING)
            add_note(b, i,
                     "a goose annotation spelled otherwise than \"-- +goose Up\" (case, "
                     "spacing): older goose releases do not read it");
        if (s->goose_odd & ODD_INDENTED)
            add_note(b, i,
                     "a goose annotation with white space before the --: recent goose "
                     "releases refuse it, older ones take it for a comment");
    }
    for (size_t k = 0; k < b->n_p; k++)
        for (size_t j = 0; j < k; j++)
            if (b->p[k].key && b->p[j].key &&
                ms_tools_compare_numbers(b->p[k].key, strlen(b->p[k].key), b->p[j].key,
                                         strlen(b->p[j].key)) == 0 &&
                !b->p[k].m.duplicate_of)
                b->p[k].m.duplicate_of = b->c->fi[b->p[j].m.up_file].path;
}

/* ---- dbmate: -- migrate:up / -- migrate:down sections in <version>*.sql ---- */

static void build_dbmate(struct build *b)
{
    for (size_t k = 0; k < b->g->n; k++) {
        size_t i = b->g->files[k];
        const struct finfo *fi = &b->c->fi[i];
        const struct scan *s = &fi->scan;
        struct ms_tools_file *f = out_file(b, i);
        size_t d = leading_digits(fi->base);
        if (d == 0) {
            ignore(b, i, "dbmate runs only files whose name starts with their version");
            continue;
        }
        struct pending *p = new_pending(b, SORT_STRING, fi->path);
        p->key = p->m.version = ms_arena_strndup(b->c->arena, fi->base, d);
        const char *rest = fi->base + d;
        rest += *rest == '_' || *rest == '-';
        p->m.name = strip_suffix(b, rest, ".sql");
        p->m.id = strip_suffix(b, fi->base, ".sql");
        p->m.up_file = p->m.down_file = i;
        f->role = MS_ROLE_UP_DOWN;
        set_marker(&f->up, &s->dbmate_up,
                   s->dbmate_up.notx ? MS_TX_IMPLICIT_IF_MULTI : MS_TX_EXPLICIT,
                   s->dbmate_up.notx ? hint_dbmate_notx : hint_dbmate_up);
        set_marker(&f->down, &s->dbmate_down,
                   s->dbmate_down.notx ? MS_TX_IMPLICIT_IF_MULTI : MS_TX_EXPLICIT,
                   s->dbmate_down.notx ? hint_dbmate_notx : hint_dbmate_down);
        p->m.down = down_state(&f->down);
        p->m.down_offset = section_down_offset(s, &s->dbmate_up, &s->dbmate_down);
        p->m.up_empty = f->up.present && f->up.empty;
        if (!s->dbmate_up.present && s->read)
            add_note(b, i, "no -- migrate:up marker: dbmate refuses the file");
        if (s->dbmate_odd)
            add_note(b, i,
                     "a line that looks like a dbmate marker but is none (dbmate reads "
                     "\"-- migrate:up\" and \"-- migrate:down\" in lower case, at the start "
                     "of a line): its statements belong to the section above it");
        for (size_t j = 0; j + 1 < b->n_p; j++)
            if (strcmp(b->p[j].key, p->key) == 0 && !p->m.duplicate_of)
                p->m.duplicate_of = b->c->fi[b->p[j].m.up_file].path;
    }
}

/* ---- Flyway: V<version>__<desc>.sql, U (undo), B (baseline), R__<desc>.sql (repeatable) ---- */

/* Compares Flyway versions: parts separated by '.' or '_', each a number; missing trailing
 * parts count as 0, so 1.0 equals 1 and 1.2.10 follows 1.2.9. */
static int compare_flyway(const char *a, const char *b)
{
    while (*a || *b) {
        size_t la = leading_digits(a), lb = leading_digits(b);
        int c = ms_tools_compare_numbers(la ? a : "0", la ? la : 1, lb ? b : "0", lb ? lb : 1);
        if (c)
            return c;
        a += la, b += lb;
        a += *a != '\0';
        b += *b != '\0';
    }
    return 0;
}

struct flyway_name {
    char prefix; /* V, U, B or R */
    const char *version, *desc;
};

static bool parse_flyway(struct build *b, const char *base, struct flyway_name *out)
{
    if (!ends_with(base, ".sql"))
        return false;
    size_t n = strlen(base) - 4;
    out->prefix = base[0];
    if (base[0] == 'R') {
        if (n < 3 || base[1] != '_' || base[2] != '_')
            return false;
        out->version = NULL;
        out->desc = ms_arena_strndup(b->c->arena, base + 3, n - 3);
        return true;
    }
    if ((base[0] != 'V' && base[0] != 'U' && base[0] != 'B') || !isdigit((unsigned char)base[1]))
        return false;
    size_t i = 1;
    for (;;) {
        i += leading_digits(base + i);
        if ((base[i] == '.' || base[i] == '_') && isdigit((unsigned char)base[i + 1]))
            i++;
        else
            break;
    }
    if (i + 2 > n || base[i] != '_' || base[i + 1] != '_')
        return false;
    out->version = ms_arena_strndup(b->c->arena, base + 1, i - 1);
    out->desc = ms_arena_strndup(b->c->arena, base + i + 2, n - i - 2);
    return true;
}

/* A `key=value` or `key = value` line (properties or TOML): "true" 1, "false" 0, absent -1.
 * `key` also matches "flyway.<key>". */
static int config_bool(const char *text, const char *key)
{
    size_t k = strlen(key);
    for (const char *line = text; line && *line;) {
        const char *nl = strchr(line, '\n');
        const char *e = nl ? nl : line + strlen(line);
        const char *p = line;
        while (p < e && isspace((unsigned char)*p))
            p++;
        if (e - p > 7 && strncmp(p, "flyway.", 7) == 0)
            p += 7;
        if ((size_t)(e - p) > k && strncmp(p, key, k) == 0 &&
            (isspace((unsigned char)p[k]) || p[k] == '=')) {
            const char *v = p + k;
            while (v < e && isspace((unsigned char)*v))
                v++;
            if (v < e && *v == '=') {
                v++;
                while (v < e && (isspace((unsigned char)*v) || *v == '"'))
                    v++;
                if (e - v >= 4 && strncasecmp(v, "true", 4) == 0)
                    return 1;
                if (e - v >= 5 && strncasecmp(v, "false", 5) == 0)
                    return 0;
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    return -1;
}

static int file_bool(const char *path, const char *key)
{
    size_t len;
    char *text = ms_read_file(path, &len);
    if (!text)
        return -1;
    int v = config_bool(text, key);
    free(text);
    return v;
}

static void build_flyway(struct build *b)
{
    struct flyway_name *names = ms_xcalloc(b->g->n ? b->g->n : 1, sizeof(*names));
    bool *ok = ms_xcalloc(b->g->n ? b->g->n : 1, sizeof(bool));
    bool has_undo = false;
    for (size_t k = 0; k < b->g->n; k++) {
        size_t i = b->g->files[k];
        ok[k] = parse_flyway(b, b->c->fi[i].base, &names[k]);
        if (!ok[k])
            ignore(b, i, "Flyway runs only V<version>__<desc>.sql, U, B and R__<desc>.sql files");
        has_undo |= ok[k] && names[k].prefix == 'U';
    }
    /* flyway.conf (properties) or flyway.toml beside the folder or above it */
    bool mixed = false, group = false;
    const char *real = real_path(b->c->arena, b->g->path);
    char *conf_dir = find_up(real, "flyway.conf");
    char *toml_dir = find_up(real, "flyway.toml");
    const char *conf = NULL;
    if (conf_dir && (!toml_dir || strlen(conf_dir) >= strlen(toml_dir)))
        conf = join(b->c->arena, conf_dir, "flyway.conf");
    else if (toml_dir)
        conf = join(b->c->arena, toml_dir, "flyway.toml");
    if (conf) {
        mixed = file_bool(conf, "mixed") == 1;
        group = file_bool(conf, "group") == 1;
    }
    free(conf_dir);
    free(toml_dir);

    for (size_t k = 0; k < b->g->n; k++) {
        if (!ok[k])
            continue;
        size_t i = b->g->files[k];
        const struct flyway_name *nm = &names[k];
        struct ms_tools_file *f = out_file(b, i);
        int in_tx =
            file_bool(ms_arena_printf(b->c->arena, "%s.conf", f->path), "executeInTransaction");
        enum ms_tx_mode tx = in_tx == 1   ? MS_TX_EXPLICIT
                             : in_tx == 0 ? MS_TX_NONE
                                          : MS_TX_BY_STATEMENTS;
        const char *hint = tx == MS_TX_NONE ? hint_flyway_notx : hint_flyway;
        struct pending *p = NULL;
        const char *duplicate = NULL;
        if (nm->prefix == 'V' || nm->prefix == 'U') {
            for (size_t j = 0; j < b->n_p && !p; j++) {
                struct pending *q = &b->p[j];
                if (q->m.baseline || q->m.repeatable || compare_flyway(q->key, nm->version) != 0)
                    continue;
                size_t taken = nm->prefix == 'V' ? q->m.up_file : q->m.down_file;
                if (taken == MS_TOOLS_NONE)
                    p = q;
                else if (!duplicate)
                    duplicate = b->c->fi[taken].path;
            }
        }
        if (!p) {
            p = new_pending(b, SORT_FLYWAY, f->path);
            p->m.duplicate_of = duplicate;
            p->m.flyway_mixed = mixed;
            p->m.flyway_group = group;
            p->m.name = nm->desc;
            p->cls = nm->prefix == 'R';
            p->m.repeatable = nm->prefix == 'R';
            p->m.baseline = nm->prefix == 'B';
        }
        if (nm->prefix == 'R') {
            p->key = nm->desc;
            p->m.id = ms_arena_printf(b->c->arena, "R__%s", nm->desc);
        } else if (nm->prefix != 'U' || !p->key) {
            /* the versioned file names the migration (its undo file may spell it otherwise) */
            p->key = p->m.version = nm->version;
            char *v = ms_arena_strdup(b->c->arena, nm->version);
            for (char *c = v; *c; c++)
                *c = *c == '_' ? '.' : *c;
            p->m.id = ms_arena_printf(b->c->arena, "%c%s", nm->prefix == 'U' ? 'V' : nm->prefix, v);
        }
        if (nm->prefix == 'U') {
            p->m.down_file = i;
            f->role = MS_ROLE_DOWN;
            set_whole(b, &f->down, i, tx, hint);
        } else {
            p->m.up_file = i;
            p->m.name = nm->desc;
            f->role = MS_ROLE_UP;
            set_whole(b, &f->up, i, tx, hint);
        }
    }
    for (size_t k = 0; k < b->n_p; k++) {
        struct pending *p = &b->p[k];
        if (has_undo && !p->m.baseline && !p->m.repeatable && p->m.up_file != MS_TOOLS_NONE)
            finish_twin_down(b, p);
    }
    free(ok);
    free(names);
}

/* ---- one folder per migration: diesel, Sourcegraph, Prisma ---- */

/* The migration of the folder `dir`, created on first use. */
static struct pending *dir_pending(struct build *b, const char *dir, enum sort_mode mode,
                                   const char *path)
{
    for (size_t k = 0; k < b->n_p; k++)
        if (strcmp(b->p[k].dir, dir) == 0)
            return &b->p[k];
    struct pending *p = new_pending(b, mode, path);
    p->dir = dir;
    p->m.id = base_of(dir);
    return p;
}

static const char *text_value(struct ms_arena *a, const char *text, const char *key)
{
    size_t k = strlen(key);
    for (const char *line = text; line && *line;) {
        const char *nl = strchr(line, '\n');
        const char *e = nl ? nl : line + strlen(line);
        if ((size_t)(e - line) > k && strncmp(line, key, k) == 0) {
            const char *v = line + k;
            while (v < e && isspace((unsigned char)*v))
                v++;
            if (v < e && (*v == '=' || *v == ':')) {
                v++;
                while (v < e && isspace((unsigned char)*v))
                    v++;
                const char *ve = e;
                while (ve > v && isspace((unsigned char)ve[-1]))
                    ve--;
                return ms_arena_strndup(a, v, (size_t)(ve - v));
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    return NULL;
}

static void build_diesel(struct build *b)
{
    for (size_t k = 0; k < b->g->n; k++) {
        size_t i = b->g->files[k];
        const struct finfo *fi = &b->c->fi[i];
        struct ms_tools_file *f = out_file(b, i);
        bool up = strcmp(fi->base, "up.sql") == 0, down = strcmp(fi->base, "down.sql") == 0;
        if (fi->layout != L_MIGDIR || (!up && !down)) {
            ignore(b, i, "diesel runs only <version>_<name>/up.sql and down.sql");
            continue;
        }
        struct pending *p = dir_pending(b, fi->dir, SORT_STRING, fi->path);
        if (!p->key) {
            const char *name = base_of(fi->dir), *us = strchr(name, '_');
            size_t vl = us ? (size_t)(us - name) : strlen(name);
            char *v = ms_arena_alloc(b->c->arena, vl + 1);
            for (size_t j = 0, o = 0; j < vl; j++)
                if (name[j] != '-')
                    v[o++] = name[j];
            p->key = v;
            p->m.version = ms_arena_strndup(b->c->arena, name, vl);
            p->m.name = us ? us + 1 : "";
            size_t len;
            char *meta = ms_read_file(join(b->c->arena, fi->dir, "metadata.toml"), &len);
            const char *in_tx = meta ? text_value(b->c->arena, meta, "run_in_transaction") : NULL;
            p->notx = in_tx && strncmp(in_tx, "false", 5) == 0;
            free(meta);
        }
        enum ms_tx_mode tx = p->notx ? MS_TX_IMPLICIT_IF_MULTI : MS_TX_EXPLICIT;
        const char *hint = p->notx ? hint_diesel_notx : hint_diesel;
        if (up) {
            p->m.up_file = i;
            f->role = MS_ROLE_UP;
            set_whole(b, &f->up, i, tx, hint);
        } else {
            p->m.down_file = i;
            f->role = MS_ROLE_DOWN;
            set_whole(b, &f->down, i, tx, hint);
        }
    }
    for (size_t k = 0; k < b->n_p; k++)
        finish_twin_down(b, &b->p[k]);
}

/* metadata.yaml of a Sourcegraph migration: its parents and createIndexConcurrently. */
struct sg_meta {
    size_t n_parents;
    const char *parents[64];
    bool concurrent;
};

static void read_sg_meta(struct ms_arena *a, const char *dir, struct sg_meta *m)
{
    memset(m, 0, sizeof(*m));
    size_t len;
    char *text = ms_read_file(join(a, dir, "metadata.yaml"), &len);
    if (!text)
        return;
    const char *ci = text_value(a, text, "createIndexConcurrently");
    m->concurrent = ci && strncmp(ci, "true", 4) == 0;
    bool in_list = false;
    for (const char *line = text; line && *line;) {
        const char *nl = strchr(line, '\n');
        const char *e = nl ? nl : line + strlen(line);
        const char *p = NULL;
        if (strncmp(line, "parents:", 8) == 0 || strncmp(line, "parent:", 7) == 0) {
            p = strchr(line, ':') + 1;
            in_list = true;
        } else if (in_list && (*line == ' ' || *line == '-')) {
            p = line;
        } else {
            in_list = false;
        }
        while (p && p < e) {
            while (p < e && !isdigit((unsigned char)*p))
                p++;
            size_t d = leading_digits(p);
            if (d && (size_t)(e - p) >= d && m->n_parents < MS_ARRAY_LEN(m->parents))
                m->parents[m->n_parents++] = ms_arena_strndup(a, p, d);
            p += d;
        }
        line = nl ? nl + 1 : NULL;
    }
    free(text);
}

static void build_sourcegraph(struct build *b)
{
    struct sg_meta meta;
    for (size_t k = 0; k < b->g->n; k++) {
        size_t i = b->g->files[k];
        const struct finfo *fi = &b->c->fi[i];
        struct ms_tools_file *f = out_file(b, i);
        bool up = strcmp(fi->base, "up.sql") == 0, down = strcmp(fi->base, "down.sql") == 0;
        if (fi->layout != L_MIGDIR || (!up && !down)) {
            ignore(b, i, "Sourcegraph's migrator runs only <id>_<name>/up.sql and down.sql");
            continue;
        }
        struct pending *p = dir_pending(b, fi->dir, SORT_SEQ, fi->path);
        if (!p->key) {
            const char *name = base_of(fi->dir);
            size_t d = leading_digits(name);
            p->key = p->m.version = ms_arena_strndup(b->c->arena, name, d);
            p->m.name = name[d] == '_' ? name + d + 1 : "";
        }
        read_sg_meta(b->c->arena, fi->dir, &meta);
        enum ms_tx_mode tx = meta.concurrent ? MS_TX_IMPLICIT_IF_MULTI : MS_TX_EXPLICIT;
        const char *hint = meta.concurrent ? hint_sourcegraph_ci : hint_sourcegraph;
        if (up) {
            p->m.up_file = i;
            f->role = MS_ROLE_UP;
            set_whole(b, &f->up, i, tx, hint);
        } else {
            p->m.down_file = i;
            f->role = MS_ROLE_DOWN;
            set_whole(b, &f->down, i, tx, hint);
        }
    }
    /* the run order: parents before children, the lowest id first among those ready */
    size_t n = b->n_p;
    struct sg_meta *metas = ms_xcalloc(n ? n : 1, sizeof(*metas));
    bool *placed = ms_xcalloc(n ? n : 1, sizeof(bool));
    for (size_t k = 0; k < n; k++) {
        read_sg_meta(b->c->arena, b->p[k].dir, &metas[k]);
        finish_twin_down(b, &b->p[k]);
    }
    for (size_t seq = 0; seq < n; seq++) {
        size_t pick = n;
        for (int pass = 0; pass < 2 && pick == n; pass++)
            for (size_t k = 0; k < n; k++) {
                if (placed[k])
                    continue;
                bool ready = true;
                for (size_t j = 0; pass == 0 && j < metas[k].n_parents && ready; j++)
                    for (size_t q = 0; q < n && ready; q++)
                        ready = placed[q] || strcmp(b->p[q].key, metas[k].parents[j]) != 0;
                if (ready && (pick == n ||
                              ms_tools_compare_numbers(b->p[k].key, strlen(b->p[k].key),
                                                       b->p[pick].key, strlen(b->p[pick].key)) < 0))
                    pick = k;
            }
        placed[pick] = true;
        b->p[pick].seq = seq;
    }
    free(placed);
    free(metas);
}

static void build_prisma(struct build *b)
{
    for (size_t k = 0; k < b->g->n; k++) {
        size_t i = b->g->files[k];
        const struct finfo *fi = &b->c->fi[i];
        struct ms_tools_file *f = out_file(b, i);
        if (fi->layout != L_MIGDIR || strcmp(fi->base, "migration.sql") != 0) {
            ignore(b, i, "Prisma runs only <name>/migration.sql");
            continue;
        }
        struct pending *p = dir_pending(b, fi->dir, SORT_STRING, fi->path);
        const char *name = base_of(fi->dir);
        size_t d = leading_digits(name);
        p->key = name;
        p->m.version = d ? ms_arena_strndup(b->c->arena, name, d) : NULL;
        p->m.name = name[d] == '_' ? name + d + 1 : name + d;
        p->m.up_file = i;
        f->role = MS_ROLE_UP;
        set_whole(b, &f->up, i, MS_TX_IMPLICIT_IF_MULTI, hint_prisma);
    }
}

/* ---- sqitch: the plan's changes, deploy/ revert/ verify/ scripts ---- */

struct plan_entry {
    const char *name;
    bool tag;
};

/* The changes and tags of a plan, in order (pragmas, comments and blank lines skipped). */
static struct plan_entry *read_plan(struct ms_arena *a, const char *path, size_t *n_out)
{
    size_t len, n = 0, cap = 0;
    struct plan_entry *entries = NULL;
    char *text = ms_read_file(path, &len);
    for (const char *line = text; line && *line;) {
        const char *nl = strchr(line, '\n');
        const char *e = nl ? nl : line + strlen(line);
        const char *p = line;
        while (p < e && isspace((unsigned char)*p))
            p++;
        bool tag = p < e && *p == '@';
        bool skip = p == e || *p == '#' || *p == '%' || *p == '-';
        if (!skip) {
            p += tag || *p == '+';
            const char *q = p;
            while (q < e && !isspace((unsigned char)*q) && *q != '[')
                q++;
            if (q > p) {
                MS_GROW(entries, cap, n + 1);
                entries[n++] = (struct plan_entry){ms_arena_strndup(a, p, (size_t)(q - p)), tag};
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    free(text);
    *n_out = n;
    return entries;
}

/* The file of the group that is the `kind` script of change `name`, or MS_TOOLS_NONE. */
static size_t find_script(struct build *b, enum script_kind kind, const char *name)
{
    for (size_t k = 0; k < b->g->n; k++) {
        const struct finfo *f = &b->c->fi[b->g->files[k]];
        if (f->layout == L_SQITCH && f->sq_kind == kind && strcmp(f->sq_name, name) == 0)
            return b->g->files[k];
    }
    return MS_TOOLS_NONE;
}

static void sqitch_migration(struct build *b, struct pending *p, const char *script, bool *claimed)
{
    static const enum script_kind kinds[] = {SQ_DEPLOY, SQ_REVERT, SQ_VERIFY};
    size_t *slots[] = {&p->m.up_file, &p->m.down_file, &p->m.verify_file};
    for (int k = 0; k < 3; k++) {
        size_t i = find_script(b, kinds[k], script);
        if (i == MS_TOOLS_NONE)
            continue;
        *slots[k] = i;
        struct ms_tools_file *f = out_file(b, i);
        f->role = k == 0 ? MS_ROLE_UP : k == 1 ? MS_ROLE_DOWN : MS_ROLE_VERIFY;
        set_whole(b, k == 1 ? &f->down : &f->up, i, MS_TX_NONE, hint_sqitch);
        for (size_t j = 0; j < b->g->n; j++)
            claimed[j] |= b->g->files[j] == i;
    }
    finish_twin_down(b, p);
}

static void build_sqitch(struct build *b)
{
    bool *claimed = ms_xcalloc(b->g->n ? b->g->n : 1, sizeof(bool));
    const struct sqitch_top *top = NULL;
    for (size_t k = 0; k < b->g->n && !top; k++)
        if (b->c->fi[b->g->files[k]].layout == L_SQITCH)
            top = &b->c->tops[b->c->fi[b->g->files[k]].sq_top];
    size_t n_plan = 0;
    struct plan_entry *plan = top ? read_plan(b->c->arena, top->plan, &n_plan) : NULL;
    size_t seq = 0;
    for (size_t e = 0; e < n_plan; e++) {
        if (plan[e].tag)
            continue;
        /* a reworked change: this instance's scripts are name@<tag>.sql, for the first tag
         * between it and the next instance whose script exists */
        const char *script = plan[e].name;
        size_t next = e + 1;
        while (next < n_plan && (plan[next].tag || strcmp(plan[next].name, plan[e].name) != 0))
            next++;
        if (next < n_plan) {
            const char *first = NULL;
            for (size_t t = e + 1; t < next; t++) {
                if (!plan[t].tag)
                    continue;
                const char *s = ms_arena_printf(b->c->arena, "%s@%s", plan[e].name, plan[t].name);
                first = first ? first : s;
                if (find_script(b, SQ_DEPLOY, s) != MS_TOOLS_NONE) {
                    first = s;
                    break;
                }
            }
            script = first ? first : script;
        }
        if (find_script(b, SQ_DEPLOY, script) == MS_TOOLS_NONE)
            continue;
        struct pending *p = new_pending(b, SORT_SEQ, NULL);
        p->seq = seq++;
        p->m.name = plan[e].name;
        p->m.id = script;
        sqitch_migration(b, p, script, claimed);
        p->tie = b->c->fi[p->m.up_file].path;
    }
    free(plan);
    /* deploy scripts the plan does not name: after the plan, by path */
    for (size_t k = 0; k < b->g->n; k++) {
        size_t i = b->g->files[k];
        const struct finfo *fi = &b->c->fi[i];
        if (claimed[k] || fi->layout != L_SQITCH || fi->sq_kind != SQ_DEPLOY)
            continue;
        struct pending *p = new_pending(b, SORT_PATH, fi->path);
        p->cls = 1;
        p->m.name = p->m.id = fi->sq_name;
        sqitch_migration(b, p, fi->sq_name, claimed);
        add_note(b, i,
                 top && is_file(top->plan) ? "not in sqitch.plan: sqitch does not deploy it"
                                           : "no sqitch.plan found");
    }
    for (size_t k = 0; k < b->g->n; k++)
        if (!claimed[k])
            ignore(b, b->g->files[k],
                   b->c->fi[b->g->files[k]].layout == L_SQITCH
                       ? "a script with no deploy script of the same change"
                       : "not a sqitch script (sqitch runs deploy/, revert/ and verify/)");
    free(claimed);
}

/* ---- postgres-migrations: <id>[-_]<name>.sql, one transaction per file unless disabled ---- */

static void build_postgres_migrations(struct build *b)
{
    for (size_t k = 0; k < b->g->n; k++) {
        size_t i = b->g->files[k];
        const struct finfo *fi = &b->c->fi[i];
        size_t d = leading_digits(fi->base);
        if (d == 0) {
            ignore(b, i, "postgres-migrations runs only files named <id>-<name>.sql");
            continue;
        }
        struct pending *p = new_pending(b, SORT_NUMERIC, fi->path);
        p->key = p->m.version = ms_arena_strndup(b->c->arena, fi->base, d);
        const char *rest = fi->base + d;
        rest += *rest == '_' || *rest == '-';
        p->m.name = strip_suffix(b, rest, ".sql");
        p->m.id = strip_suffix(b, fi->base, ".sql");
        p->m.up_file = i;
        for (size_t j = 0; j + 1 < b->n_p; j++)
            if (ms_tools_compare_numbers(b->p[j].key, strlen(b->p[j].key), p->key, d) == 0)
                p->m.duplicate_of = b->c->fi[b->p[j].m.up_file].path;
        struct ms_tools_file *f = out_file(b, i);
        f->role = MS_ROLE_UP;
        bool notx = fi->scan.pgm_disable;
        set_whole(b, &f->up, i, notx ? MS_TX_IMPLICIT_IF_MULTI : MS_TX_EXPLICIT,
                  notx ? hint_pgm_notx : hint_pgm);
    }
}

/* ---- plain SQL: every file a migration of its own, in path order ---- */

static void build_plain(struct build *b)
{
    for (size_t k = 0; k < b->g->n; k++) {
        size_t i = b->g->files[k];
        const struct finfo *fi = &b->c->fi[i];
        struct pending *p = new_pending(b, SORT_PATH, fi->path);
        size_t d = leading_digits(fi->base);
        p->m.version = d ? ms_arena_strndup(b->c->arena, fi->base, d) : NULL;
        p->m.name = strip_suffix(b, fi->base, ".sql");
        p->m.id = fi->base;
        p->m.up_file = i;
        struct ms_tools_file *f = out_file(b, i);
        f->role = MS_ROLE_UP;
        set_whole(b, &f->up, i, MS_TX_NONE, hint_plain);
    }
}

/* ---- which tool a group belongs to ---- */

static bool is_twin_name(const char *base)
{
    size_t d = leading_digits(base);
    return d && base[d] == '_' && (ends_with(base, ".up.sql") || ends_with(base, ".down.sql"));
}

static bool is_numbered_name(const char *base)
{
    size_t d = leading_digits(base);
    return d && base[d] == '_' && ends_with(base, ".sql");
}

static void decide(struct ctx *c, struct group *g)
{
    struct build scratch = {.c = c, .g = g};
    for (size_t k = 0; k < g->n; k++) {
        const struct finfo *f = &c->fi[g->files[k]];
        g->layout = f->layout == L_FLAT ? g->layout : f->layout;
        if (f->has_override) {
            g->tool = f->override == MS_KIND_ALEMBIC ? MS_KIND_SQL : f->override;
            return;
        }
    }
    if (g->layout == L_SQITCH) {
        g->tool = MS_KIND_SQITCH;
        return;
    }
    if (g->layout == L_MIGDIR) {
        bool prisma = false, sourcegraph = false;
        for (size_t k = 0; k < g->n; k++) {
            const struct finfo *f = &c->fi[g->files[k]];
            if (f->layout != L_MIGDIR)
                continue;
            prisma |= strcmp(f->base, "migration.sql") == 0;
            sourcegraph |= is_file(join(c->arena, f->dir, "metadata.yaml"));
        }
        g->tool = prisma ? MS_KIND_PRISMA : sourcegraph ? MS_KIND_SOURCEGRAPH : MS_KIND_DIESEL;
        g->evidence = g->tool == MS_KIND_DIESEL ? EV_RUST : EV_NONE;
        return;
    }
    size_t n_goose = 0, n_dbmate = 0, n_flyway = 0, n_twin = 0, n_numbered = 0;
    bool pop = false, sqlx = false, pgm = false;
    for (size_t k = 0; k < g->n; k++) {
        const struct finfo *f = &c->fi[g->files[k]];
        struct flyway_name fn;
        n_goose += f->scan.goose;
        n_dbmate += f->scan.dbmate;
        n_flyway += parse_flyway(&scratch, f->base, &fn);
        n_twin += is_twin_name(f->base);
        n_numbered += is_numbered_name(f->base);
        pop |= has_pop_infix(f->base) || (f->scan.go_template && is_twin_name(f->base));
        sqlx |= f->scan.sqlx_notx || f->scan.sqlx_template;
        pgm |= f->scan.pgm_marker;
    }
    const char *real = NULL;
    if (n_goose && n_goose >= n_dbmate) {
        g->tool = MS_KIND_GOOSE, g->evidence = EV_GO;
    } else if (n_dbmate) {
        g->tool = MS_KIND_DBMATE;
    } else if (n_flyway && 2 * n_flyway >= g->n) {
        g->tool = MS_KIND_FLYWAY;
    } else if (n_twin && 2 * n_twin >= g->n) {
        char *cargo = NULL, *gomod = NULL;
        if (!pop && !sqlx) {
            real = real_path(c->arena, g->path);
            cargo = find_up(real, "Cargo.toml");
            gomod = find_up(real, "go.mod");
        }
        if (pop)
            g->tool = MS_KIND_POP, g->evidence = EV_GO;
        else if (sqlx || (cargo && (!gomod || strlen(cargo) > strlen(gomod))))
            g->tool = MS_KIND_SQLX, g->evidence = EV_SQLX;
        else if (gomod)
            g->tool = MS_KIND_GOLANG_MIGRATE, g->evidence = EV_GO;
        else
            g->tool = MS_KIND_GOLANG_MIGRATE, g->ambiguous_twin = true;
        free(cargo);
        free(gomod);
    } else if (pgm) {
        g->tool = MS_KIND_POSTGRES_MIGRATIONS;
    } else if (n_numbered && 2 * n_numbered >= g->n) {
        char *cargo = NULL;
        if (!sqlx) {
            real = real_path(c->arena, g->path);
            cargo = find_up(real, "Cargo.toml");
        }
        if (sqlx || cargo)
            g->tool = MS_KIND_SQLX, g->evidence = EV_SQLX;
        else
            g->tool = MS_KIND_SQL, g->ambiguous_single = true;
        free(cargo);
    } else {
        g->tool = MS_KIND_SQL;
    }
}

/* Folders whose names alone cannot tell golang-migrate from sqlx (twins), or sqlx from plain
 * files (<version>_<name>.sql), follow the evidence of the other folders of the tree. */
static void settle_ambiguous(struct group *groups, size_t n)
{
    bool rust = false, sqlx = false, go = false;
    for (size_t k = 0; k < n; k++) {
        rust |= groups[k].evidence == EV_RUST || groups[k].evidence == EV_SQLX;
        sqlx |= groups[k].evidence == EV_SQLX;
        go |= groups[k].evidence == EV_GO;
    }
    for (size_t k = 0; k < n; k++) {
        if (groups[k].ambiguous_twin)
            groups[k].tool = rust && !go ? MS_KIND_SQLX : MS_KIND_GOLANG_MIGRATE;
        if (groups[k].ambiguous_single)
            groups[k].tool = sqlx && !go ? MS_KIND_SQLX : MS_KIND_SQL;
    }
}

/* ---- ordering and the result ---- */

static int compare_keys(const char *a, const char *b, bool numeric)
{
    if (!a || !b)
        return a ? -1 : b ? 1 : 0;
    return numeric ? ms_tools_compare_numbers(a, strlen(a), b, strlen(b)) : strcmp(a, b);
}

static int compare_pending(const void *pa, const void *pb)
{
    const struct pending *a = pa, *b = pb;
    if (a->cls != b->cls)
        return a->cls < b->cls ? -1 : 1;
    int c = 0;
    switch (a->mode) {
    case SORT_NUMERIC:
    case SORT_STRING:
        c = compare_keys(a->key, b->key, a->mode == SORT_NUMERIC);
        break;
    case SORT_FLYWAY:
        if (a->m.repeatable || b->m.repeatable)
            c = compare_keys(a->key, b->key, false);
        else if ((c = compare_flyway(a->key, b->key)) == 0 && a->m.baseline != b->m.baseline)
            c = a->m.baseline ? -1 : 1;
        break;
    case SORT_SEQ:
        c = (a->seq > b->seq) - (a->seq < b->seq);
        break;
    case SORT_PATH:
        break;
    }
    return c ? c : strcmp(a->tie ? a->tie : "", b->tie ? b->tie : "");
}

static void build_group(struct ctx *c, struct group *g, size_t *cap_migrations)
{
    struct build b = {.c = c, .g = g};
    for (size_t k = 0; k < g->n; k++)
        c->out->files[g->files[k]].tool = g->tool;
    switch (g->tool) {
    case MS_KIND_GOLANG_MIGRATE:
        build_golang_migrate(&b);
        break;
    case MS_KIND_POP:
        build_pop(&b);
        break;
    case MS_KIND_GOOSE:
        build_goose(&b);
        break;
    case MS_KIND_DBMATE:
        build_dbmate(&b);
        break;
    case MS_KIND_FLYWAY:
        build_flyway(&b);
        break;
    case MS_KIND_SQLX:
        build_sqlx(&b);
        break;
    case MS_KIND_DIESEL:
        build_diesel(&b);
        break;
    case MS_KIND_SQITCH:
        build_sqitch(&b);
        break;
    case MS_KIND_PRISMA:
        build_prisma(&b);
        break;
    case MS_KIND_SOURCEGRAPH:
        build_sourcegraph(&b);
        break;
    case MS_KIND_POSTGRES_MIGRATIONS:
        build_postgres_migrations(&b);
        break;
    case MS_KIND_SQL:
    case MS_KIND_ALEMBIC:
    case MS_KIND_COUNT:
        build_plain(&b);
        break;
    }
    if (b.n_p)
        qsort(b.p, b.n_p, sizeof(*b.p), compare_pending);
    struct ms_tools_result *out = c->out;
    for (size_t k = 0; k < b.n_p; k++) {
        MS_GROW(out->migrations, *cap_migrations, out->n_migrations + 1);
        size_t m = out->n_migrations++;
        out->migrations[m] = b.p[k].m;
        const size_t files[] = {b.p[k].m.up_file, b.p[k].m.down_file, b.p[k].m.verify_file};
        for (size_t j = 0; j < MS_ARRAY_LEN(files); j++)
            if (files[j] != MS_TOOLS_NONE)
                out->files[files[j]].migration = m;
    }
    free(b.p);
    free(b.heads);
    free(b.next);
}

void ms_tools_detect(const char *const *paths, size_t n, const struct ms_tools_options *opts,
                     struct ms_tools_result *out)
{
    memset(out, 0, sizeof(*out));
    ms_arena_init(&out->arena);
    struct ctx c = {.out = out, .arena = &out->arena, .n = n};
    out->n_files = n;
    out->files = ms_xcalloc(n ? n : 1, sizeof(*out->files));
    c.fi = ms_xcalloc(n ? n : 1, sizeof(*c.fi));
    size_t *idx = ms_xcalloc(n ? n : 1, sizeof(size_t));
    size_t n_idx = 0;
    for (size_t i = 0; i < n; i++) {
        struct finfo *f = &c.fi[i];
        f->path = paths[i];
        f->base = base_of(paths[i]);
        f->dir = dir_of(c.arena, paths[i]);
        out->files[i] = (struct ms_tools_file){
            .path = paths[i], .role = MS_ROLE_IGNORED, .migration = MS_TOOLS_NONE};
        if (ends_with(f->base, ".py")) {
            f->layout = L_PY;
            out->files[i].tool = MS_KIND_ALEMBIC;
            continue;
        }
        const char *fw = opts && opts->frameworks ? opts->frameworks[i] : NULL;
        f->has_override = fw && ms_tools_kind_parse(fw, &f->override) == 0;
        size_t len;
        char *text = strcmp(paths[i], "-") == 0 ? NULL : ms_read_file(paths[i], &len);
        if (text)
            scan_text(text, len, c.arena, &f->scan);
        else if (strcmp(paths[i], "-") != 0)
            out->files[i].note = "cannot be read";
        free(text);
        idx[n_idx++] = i;
    }
    /* sqitch scripts, one folder at a time */
    qsort_r(idx, n_idx, sizeof(size_t), compare_by_dir, c.fi);
    for (size_t k = 0, j; k < n_idx; k = j) {
        for (j = k; j < n_idx && strcmp(c.fi[idx[j]].dir, c.fi[idx[k]].dir) == 0; j++)
            ;
        const struct finfo *f = &c.fi[idx[k]];
        if (!f->has_override || f->override == MS_KIND_SQITCH)
            locate_sqitch(&c, f->dir, idx + k, j - k);
    }
    for (size_t k = 0; k < n_idx; k++) /* idx stays sorted by folder */
        place(&c, &c.fi[idx[k]]);
    /* other files inside a migration's folder belong to that migration's group (and are not
     * the tool's) */
    for (size_t k = 0, j; k < n_idx; k = j) {
        const char *group = NULL;
        for (j = k; j < n_idx && strcmp(c.fi[idx[j]].dir, c.fi[idx[k]].dir) == 0; j++)
            if (c.fi[idx[j]].layout == L_MIGDIR)
                group = c.fi[idx[j]].group;
        for (size_t i = k; group && i < j; i++)
            if (c.fi[idx[i]].layout == L_FLAT)
                c.fi[idx[i]].group = group;
    }
    /* groups, in path order */
    qsort_r(idx, n_idx, sizeof(size_t), compare_by_group, c.fi);
    struct group *groups = ms_xcalloc(n_idx ? n_idx : 1, sizeof(*groups));
    size_t n_groups = 0;
    for (size_t k = 0, j; k < n_idx; k = j) {
        for (j = k; j < n_idx && strcmp(c.fi[idx[j]].group, c.fi[idx[k]].group) == 0; j++)
            ;
        struct group *g = &groups[n_groups++];
        g->path = c.fi[idx[k]].group;
        g->files = idx + k;
        g->n = j - k;
        decide(&c, g);
    }
    settle_ambiguous(groups, n_groups);
    size_t cap = 0;
    for (size_t k = 0; k < n_groups; k++)
        build_group(&c, &groups[k], &cap);
    free(groups);
    free(idx);
    free(c.tops);
    free(c.fi);
}

void ms_tools_release(struct ms_tools_result *r)
{
    free(r->files);
    free(r->migrations);
    ms_arena_release(&r->arena);
    memset(r, 0, sizeof(*r));
}

/* ---- what depends on the statements ---- */

static bool word_is(const char (*w)[16], size_t i, const char *s)
{
    return strcmp(w[i], s) == 0;
}

/* Flyway's PostgreSQLParser patterns, matched (whole) against the keywords read so far. */
static bool flyway_outside_words(const char (*w)[16], size_t n, int pg_version)
{
    bool create_drop = word_is(w, 0, "CREATE") || word_is(w, 0, "DROP");
    bool scope = n >= 2 && (word_is(w, n - 1, "SCHEMA") || word_is(w, n - 1, "DATABASE") ||
                            word_is(w, n - 1, "SYSTEM"));
    switch (n) {
    case 1:
        return word_is(w, 0, "VACUUM");
    case 2:
        return (create_drop && (word_is(w, 1, "DATABASE") || word_is(w, 1, "TABLESPACE") ||
                                word_is(w, 1, "SUBSCRIPTION"))) ||
               (word_is(w, 0, "ALTER") && word_is(w, 1, "SYSTEM")) ||
               (word_is(w, 0, "DISCARD") && word_is(w, 1, "ALL")) ||
               (word_is(w, 0, "REINDEX") && scope);
    case 3:
        if (create_drop && word_is(w, 1, "INDEX") && word_is(w, 2, "CONCURRENTLY"))
            return true;
        if (word_is(w, 0, "REINDEX") && word_is(w, 1, "VERBOSE") && scope)
            return true;
        break;
    case 4:
        if (create_drop && word_is(w, 1, "UNIQUE") && word_is(w, 2, "INDEX") &&
            word_is(w, 3, "CONCURRENTLY"))
            return true;
        break;
    default:
        break;
    }
    return pg_version < 12 && n >= 4 && word_is(w, 0, "ALTER") && word_is(w, 1, "TYPE") &&
           word_is(w, n - 2, "ADD") && word_is(w, n - 1, "VALUE");
}

/* Where the quoted text starting at `i` (a ' string, a " identifier or a $tag$ string) ends. */
static size_t skip_quoted(const char *s, size_t i, size_t len)
{
    char q = s[i];
    if (q == '$') {
        size_t t = i + 1;
        while (t < len && (isalnum((unsigned char)s[t]) || s[t] == '_'))
            t++;
        if (t >= len || s[t] != '$' || isdigit((unsigned char)s[i + 1]))
            return i + 1; /* a parameter ($1) or a lone $ */
        size_t tag = t + 1 - i;
        for (size_t k = t + 1; k + tag <= len; k++)
            if (memcmp(s + k, s + i, tag) == 0)
                return k + tag;
        return len;
    }
    for (size_t k = i + 1; k < len; k++)
        if (s[k] == q) {
            if (k + 1 < len && s[k + 1] == q)
                k++; /* a doubled quote */
            else
                return k + 1;
        }
    return len;
}

bool ms_tools_flyway_outside_tx(const char *stmt, size_t len, int pg_version)
{
    char words[10][16];
    size_t n = 0;
    int depth = 0;
    for (size_t i = 0; i < len && n < MS_ARRAY_LEN(words);) {
        unsigned char ch = (unsigned char)stmt[i];
        if (ch == '-' && i + 1 < len && stmt[i + 1] == '-') {
            while (i < len && stmt[i] != '\n')
                i++;
        } else if (ch == '/' && i + 1 < len && stmt[i + 1] == '*') {
            int nest = 0;
            while (i < len) {
                if (stmt[i] == '/' && i + 1 < len && stmt[i + 1] == '*')
                    nest++, i += 2;
                else if (stmt[i] == '*' && i + 1 < len && stmt[i + 1] == '/') {
                    i += 2;
                    if (--nest == 0)
                        break;
                } else
                    i++;
            }
        } else if (ch == '\'' || ch == '"' || ch == '$') {
            i = skip_quoted(stmt, i, len);
        } else if (ch == '(' || ch == ')') {
            depth += ch == '(' ? 1 : -1;
            i++;
        } else if (isalpha(ch) || ch == '_') {
            size_t start = i;
            while (i < len && (isalnum((unsigned char)stmt[i]) || stmt[i] == '_' || stmt[i] == '$'))
                i++;
            if (i < len && stmt[i] == '\'' && i - start == 1) /* E'...', B'...', X'...' */
                continue;
            if (depth != 0)
                continue;
            size_t k = 0;
            for (; k + 1 < sizeof(words[0]) && start + k < i; k++)
                words[n][k] = (char)toupper((unsigned char)stmt[start + k]);
            words[n][k] = '\0';
            n++;
            if (flyway_outside_words((const char(*)[16])words, n, pg_version))
                return true;
        } else {
            i++;
        }
    }
    return false;
}

void ms_tools_resolve_tx(const struct ms_tools_migration *m, const struct ms_tools_section *s,
                         const bool *outside, size_t n, struct ms_tools_tx *out)
{
    out->tx = s->tx == MS_TX_BY_STATEMENTS ? MS_TX_EXPLICIT : s->tx;
    out->mixed = false;
    out->offending = MS_TOOLS_NONE;
    if (!m || m->tool != MS_KIND_FLYWAY || !outside)
        return;
    bool any_outside = false, any_inside = false;
    for (size_t i = 0; i < n; i++) {
        any_outside |= outside[i];
        any_inside |= !outside[i];
        if (outside[i] != outside[0] && out->offending == MS_TOOLS_NONE)
            out->offending = i;
    }
    out->mixed = any_outside && any_inside && !m->flyway_mixed;
    if (!out->mixed)
        out->offending = MS_TOOLS_NONE;
    if (s->tx == MS_TX_BY_STATEMENTS)
        out->tx = any_outside ? MS_TX_NONE : MS_TX_EXPLICIT;
}
