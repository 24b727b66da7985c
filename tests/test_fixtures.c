/* test_fixtures.c: the fixture runner.
 *
 * SQL fixtures. Every .sql file directly under fixtures/rules/<rule-id>/ is linted through the
 * library with every registered rule enabled (opt-in rules too), and its findings are compared
 * with the expectations written in it:
 *
 *     -- fixture: pg-version=11            optional, line 1 only: options for this file
 *     -- expect: drop-column, rename-as-drop
 *     ALTER TABLE users DROP COLUMN name;
 *
 * An expect line lists one finding per rule id (list an id twice for two findings); they are
 * expected on the next line that is not itself an expect line, which must hold SQL. That is the
 * line a finding is reported at: the statement's first token for most rules, the offending
 * clause for some (put the expect line just before that clause, inside the statement).
 *
 * Alembic fixtures go through the real pipeline: the migsafe binary (MIGSAFE_BINARY) runs with
 * --format json over a unit and each file's findings (line, rule) are compared with its inline
 * expectations. A unit is a bad_*.py or ok_*.py file under fixtures/rules/<rule-id>/ (linted on
 * its own), a bad_* or ok_* folder there (a history: a versions/ folder of revisions and any
 * .sql files beside them, linted together), or a case folder fixtures/alembic/<case>/
 * (everything in it but env.py and twin/). In Python an expectation is a comment line, or, for a
 * statement inside a multi-line SQL string of op.execute(), an SQL comment line in that string:
 *
 *     # fixture: pg-version=11 allow-skipped-calls (why)     optional, once per file
 *     # expect: drop-column, rename-as-drop
 *     op.drop_column("accounts", "full_name")
 *     op.execute("""
 *         -- expect: drop-table
 *         DROP TABLE order_exports;
 *     """)
 *
 * and applies to the next line that is neither a comment nor an expect line (a blank line there
 * is a mistake). Options: not-a-revision for a .py file migsafe must skip (a helper module),
 * allow-skipped-calls for a revision whose op calls the lowering may not resolve (each skip is a
 * problem otherwise: an ok_ fixture whose calls are skipped would pass without being linted).
 * .sql files inside a unit follow the SQL conventions above. Every .py file but env.py must be
 * linted as a revision unless marked not-a-revision.
 *
 * A fixture fails on a finding nobody expected, on an expectation nothing reported, on a
 * malformed expect or fixture line, and, outside fixtures/rules/syntax-error/, on any statement
 * that does not parse, expected or not: a typo in a fixture must never make it pass. ok_
 * fixtures hold no expectation (so no rule may report anything on them); bad_ fixtures hold at
 * least one (in one of their files). The SQL twins in fixtures/alembic/<case>/twin/ are SQL
 * fixtures without the bad_/ok_ naming, linted through the binary as one history (the folder),
 * as tests/test_twins.c lints them to compare their verdicts with their revisions'. Each fixture
 * file is one test, named by its path; problems are printed as path:line[:col]: what. */
#include "engine.h"
#include "run_process.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#define FIXTURE_ROOT    "fixtures/rules"
#define ALEMBIC_ROOT    "fixtures/alembic"
#define FRAMEWORKS_ROOT "fixtures/frameworks"
#define SYNTAX_FOLDER   "syntax-error"
#define TWIN_FOLDER     "twin"

static const char *folder_rule(const char *path);

/* Fixtures are linted as if the runner of the migrations set lock_timeout (the
 * lock_timeout_set_by_runner setting), except in the folders of the rules about it: otherwise
 * require-lock-timeout would be expected before nearly every statement of every fixture. */
static bool lints_lock_timeout(const char *path)
{
    const char *own = folder_rule(path);
    return own &&
           (!strcmp(own, "require-lock-timeout") || !strcmp(own, "lock-held-across-statements"));
}

/* ---- what went wrong in one fixture, as text ---- */

struct log {
    char *buf;
    size_t len, cap;
    size_t n_problems;
};

static void problem(struct log *l, const char *fmt, ...) MS_PRINTF(2, 3);
static void problem(struct log *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert(n >= 0);
    MS_GROW(l->buf, l->cap, l->len + (size_t)n + 2);
    va_start(ap, fmt);
    vsnprintf(l->buf + l->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    l->len += (size_t)n;
    l->buf[l->len++] = '\n';
    l->buf[l->len] = '\0';
    l->n_problems++;
}

static void log_release(struct log *l)
{
    free(l->buf);
    memset(l, 0, sizeof(*l));
}

/* ---- the expectations written in a fixture ---- */

struct expect {
    uint32_t line;    /* where the finding must be reported */
    uint32_t at;      /* the expect line itself, for messages */
    const char *rule; /* a registered rule id */
    bool met;
};

struct fixture {
    const char *path;
    int pg_version;
    bool pg_version_set;
    bool not_revision; /* Python: a module migsafe must skip */
    bool allow_skips;  /* Python: calls the lowering cannot resolve are expected */
    size_t n_expects, cap_expects;
    struct expect *expects;
};

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Is the file directly inside a folder named `folder`? */
static bool is_in_folder(const char *path, const char *folder)
{
    const char *base = base_name(path);
    size_t n = strlen(folder);
    if ((size_t)(base - path) < n + 1)
        return false;
    const char *dir = base - 1 - n;
    return memcmp(dir, folder, n) == 0 && (dir == path || dir[-1] == '/');
}

static bool has_prefix(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(s, prefix, n) == 0;
}

static void skip_blanks(const char **s, const char *end)
{
    while (*s < end && (**s == ' ' || **s == '\t'))
        (*s)++;
}

/* The text of a "--" comment that fills the line (NULL when the line holds anything else). */
static const char *line_comment(const char *s, const char *end)
{
    skip_blanks(&s, end);
    if (end - s < 2 || s[0] != '-' || s[1] != '-')
        return NULL;
    s += 2;
    skip_blanks(&s, end);
    return s;
}

/* A line no finding can be reported at. (A line opening a block comment can be: an unterminated
 * one is a syntax error there.) */
static bool is_blank_or_comment(const char *s, const char *end)
{
    skip_blanks(&s, end);
    return s == end || *s == '\r' || line_comment(s, end);
}

/* "-- fixture: pg-version=11": options separated by blanks (Python files know two more). */
static void parse_options(struct fixture *f, struct log *l, uint32_t line, bool python,
                          const char *s, const char *end)
{
    for (;;) {
        skip_blanks(&s, end);
        if (s >= end || *s == '\r' || (python && *s == '('))
            return; /* in Python, "(why)" after the options is a remark */
        const char *tok = s;
        while (s < end && *s != ' ' && *s != '\t' && *s != '\r')
            s++;
        int len = (int)(s - tok);
        if (has_prefix(tok, (size_t)len, "pg-version=")) {
            char num[16];
            int n = len - (int)strlen("pg-version=");
            long v = 0;
            char *stop = num;
            if (n > 0 && n < (int)sizeof(num)) {
                memcpy(num, tok + strlen("pg-version="), (size_t)n);
                num[n] = '\0';
                v = strtol(num, &stop, 10);
            }
            if (stop == num || *stop || v < 9 || v > 99) {
                problem(l,
                        "%s:%" PRIu32 ": bad option \"%.*s\" (pg-version takes a major version "
                        "such as 11)",
                        f->path, line, len, tok);
            } else {
                f->pg_version = (int)v;
                f->pg_version_set = true;
            }
        } else if (python && len == (int)strlen("not-a-revision") &&
                   has_prefix(tok, (size_t)len, "not-a-revision")) {
            f->not_revision = true;
        } else if (!python && len == (int)strlen("not-run") &&
                   has_prefix(tok, (size_t)len, "not-run")) {
            f->not_revision = true; /* a file in a tool's folder that the tool does not run */
        } else if (python && len == (int)strlen("allow-skipped-calls") &&
                   has_prefix(tok, (size_t)len, "allow-skipped-calls")) {
            f->allow_skips = true;
        } else {
            problem(l, "%s:%" PRIu32 ": unknown fixture option \"%.*s\" (known: pg-version=N%s)",
                    f->path, line, len, tok,
                    python ? ", not-a-revision, allow-skipped-calls" : ", not-run");
        }
    }
}

static void add_expect(struct fixture *f, uint32_t at, const char *rule)
{
    MS_GROW(f->expects, f->cap_expects, f->n_expects + 1);
    f->expects[f->n_expects++] = (struct expect){.line = 0, .at = at, .rule = rule};
}

/* "-- expect: a, b": rule ids separated by commas; each must be registered. */
static void parse_expect(struct fixture *f, struct log *l, uint32_t at, const char *s,
                         const char *end)
{
    size_t n_ids = 0;
    while (s < end && *s != '\r') {
        skip_blanks(&s, end);
        const char *id = s;
        while (s < end && *s != ',' && *s != ' ' && *s != '\t' && *s != '\r')
            s++;
        size_t len = (size_t)(s - id);
        skip_blanks(&s, end);
        if (s < end && *s == ',')
            s++;
        else if (s < end && *s != '\r')
            problem(l, "%s:%" PRIu32 ": expect: separate rule ids with commas", f->path, at);
        if (len == 0)
            continue;
        n_ids++;
        char name[128];
        snprintf(name, sizeof(name), "%.*s", (int)len, id);
        int r = ms_rule_find(name);
        if (r < 0)
            problem(l, "%s:%" PRIu32 ": expect: unknown rule \"%s\"", f->path, at, name);
        else
            add_expect(f, at, ms_rules[r]->id);
    }
    if (n_ids == 0)
        problem(l, "%s:%" PRIu32 ": expect: names no rule", f->path, at);
}

/* A goose or dbmate section marker ("-- +goose Down", "-- migrate:down"): findings about an
 * empty section are reported there. */
static bool is_section_marker(const char *s, const char *end)
{
    skip_blanks(&s, end);
    if (end - s < 2 || s[0] != '-' || s[1] != '-')
        return false;
    s += 2;
    skip_blanks(&s, end);
    return has_prefix(s, (size_t)(end - s), "+goose") ||
           (end - s >= 8 && strncasecmp(s, "migrate:", 8) == 0);
}

static void read_expectations(struct fixture *f, const struct ms_source *src, struct log *l)
{
    size_t pending = 0; /* expectations waiting for their line */
    uint32_t pending_at = 0;
    for (uint32_t line = 1; line <= src->n_lines; line++) {
        size_t len;
        const char *s = ms_source_line(src, line, &len), *end = s + len;
        const char *c = line_comment(s, end);
        if (c && has_prefix(c, (size_t)(end - c), "fixture:")) {
            if (line != 1)
                problem(l, "%s:%" PRIu32 ": the fixture: line must be the first line", f->path,
                        line);
            else
                parse_options(f, l, line, false, c + strlen("fixture:"), end);
            continue;
        }
        if (c && has_prefix(c, (size_t)(end - c), "expect")) {
            if (!has_prefix(c, (size_t)(end - c), "expect:")) {
                problem(l, "%s:%" PRIu32 ": malformed expectation (write \"-- expect: rule-id\")",
                        f->path, line);
                continue;
            }
            if (!pending)
                pending_at = line;
            size_t before = f->n_expects;
            parse_expect(f, l, line, c + strlen("expect:"), end);
            pending += f->n_expects - before;
            continue;
        }
        if (!c && memmem(s, len, "expect:", strlen("expect:")))
            problem(l,
                    "%s:%" PRIu32 ": an expect: comment must be on a line of its own, before "
                    "the line it is about",
                    f->path, line);
        if (!pending)
            continue;
        if (is_blank_or_comment(s, end) && !is_section_marker(s, end)) {
            problem(l, "%s:%" PRIu32 ": the expect line is not followed by a line of SQL", f->path,
                    pending_at);
        } else {
            for (size_t i = f->n_expects - pending; i < f->n_expects; i++)
                f->expects[i].line = line;
        }
        pending = 0;
    }
    if (pending)
        problem(l, "%s:%" PRIu32 ": the expect line is not followed by a line of SQL", f->path,
                pending_at);
}

/* The text after "#" or "--" when the line is nothing but that comment, else NULL. */
static const char *py_line_comment(const char *s, const char *end, bool *sql)
{
    skip_blanks(&s, end);
    const char *c = line_comment(s, end);
    *sql = c != NULL;
    if (!c && s < end && *s == '#') {
        c = s + 1;
        skip_blanks(&c, end);
    }
    return c;
}

/* Python: "# expect: ..." comment lines, and "-- expect: ..." lines inside SQL strings; see the
 * top of the file. */
static void read_py_expectations(struct fixture *f, const struct ms_source *src, struct log *l)
{
    size_t pending = 0;
    uint32_t pending_at = 0, options_at = 0;
    for (uint32_t line = 1; line <= src->n_lines; line++) {
        size_t len;
        const char *s = ms_source_line(src, line, &len), *end = s + len;
        bool sql;
        const char *c = py_line_comment(s, end, &sql);
        if (c && !sql && has_prefix(c, (size_t)(end - c), "fixture:")) {
            if (options_at)
                problem(l, "%s:%" PRIu32 ": a second fixture: line (the first is line %" PRIu32 ")",
                        f->path, line, options_at);
            else
                parse_options(f, l, line, true, c + strlen("fixture:"), end);
            options_at = line;
            continue;
        }
        if (c && has_prefix(c, (size_t)(end - c), "expect")) {
            if (!has_prefix(c, (size_t)(end - c), "expect:")) {
                problem(l,
                        "%s:%" PRIu32 ": malformed expectation (write \"# expect: rule-id\", or "
                        "\"-- expect: rule-id\" inside SQL)",
                        f->path, line);
                continue;
            }
            if (!pending)
                pending_at = line;
            size_t before = f->n_expects;
            parse_expect(f, l, line, c + strlen("expect:"), end);
            pending += f->n_expects - before;
            continue;
        }
        if (c)
            continue; /* a comment: the expectation is about the next line */
        if (memmem(s, len, "# expect:", strlen("# expect:")) ||
            memmem(s, len, "-- expect:", strlen("-- expect:")))
            problem(l,
                    "%s:%" PRIu32 ": an expect: comment must be on a line of its own, before "
                    "the line it is about",
                    f->path, line);
        if (!pending)
            continue;
        if (is_blank_or_comment(s, end)) {
            problem(l, "%s:%" PRIu32 ": the expect line is followed by a blank line, not by code",
                    f->path, pending_at);
        } else {
            for (size_t i = f->n_expects - pending; i < f->n_expects; i++)
                f->expects[i].line = line;
        }
        pending = 0;
    }
    if (pending)
        problem(l, "%s:%" PRIu32 ": the expect line is not followed by a line of code", f->path,
                pending_at);
}

/* ---- linting one fixture and comparing ---- */

/* Lints `path` (or, when text is not NULL, that text reported as `path`) and logs every
 * difference from its expectations. */
static void check_fixture(const char *path, const char *text, struct log *l)
{
    struct ms_arena arena;
    ms_arena_init(&arena);
    struct ms_source src;
    char err[512];
    int rc = text ? ms_source_from_text(&src, path, text, strlen(text), &arena, err, sizeof(err))
                  : ms_source_read(&src, path, NULL, &arena, err, sizeof(err));
    if (rc < 0) {
        problem(l, "%s", err);
        ms_arena_release(&arena);
        return;
    }

    struct fixture f = {.path = path, .pg_version = 15};
    read_expectations(&f, &src, l);
    const char *base = base_name(path);
    bool is_ok = strncmp(base, "ok_", 3) == 0, is_bad = strncmp(base, "bad_", 4) == 0;
    if (!is_ok && !is_bad && !is_in_folder(path, TWIN_FOLDER))
        problem(l, "%s: a fixture's name starts with bad_ or ok_", path);
    if (is_ok && f.n_expects)
        problem(l, "%s:%" PRIu32 ": an ok_ fixture expects no finding", path, f.expects[0].at);
    if (is_bad && !f.n_expects)
        problem(l, "%s: a bad_ fixture expects at least one finding (-- expect: rule-id)", path);

    struct ms_parsed parsed;
    ms_parse_split(&src, &arena, 1, &parsed);
    for (size_t i = 0; i < parsed.n_stmts; i++)
        ms_parse_stmt(&src, &parsed, i, 0);
    if (parsed.n_stmts == 0)
        problem(l, "%s: no SQL statement to lint", path);
    bool syntax_allowed = is_in_folder(path, SYNTAX_FOLDER);
    for (size_t i = 0; i < parsed.n_stmts && !syntax_allowed; i++) {
        const struct ms_stmt *st = &parsed.stmts[i];
        if (!st->error)
            continue;
        struct ms_pos p = ms_source_pos(&src, st->error_offset);
        problem(l,
                "%s:%" PRIu32 ":%" PRIu32 ": does not parse: %s (only %s/%s/ may hold syntax "
                "errors)",
                path, p.line, p.col, st->error, FIXTURE_ROOT, SYNTAX_FOLDER);
    }

    struct ms_engine engine;
    ms_engine_init(&engine);
    if (folder_rule(path))
        ms_engine_set_enabled(&engine, folder_rule(path), true);
    engine.pg_version = f.pg_version;
    engine.lock_timeout_by_runner = !lints_lock_timeout(path);
    ms_engine_prepare(&engine);
    struct ms_diags diags = {0};
    ms_engine_lint(&engine, &src, &parsed, &arena, &diags);

    for (size_t i = 0; i < diags.n; i++) {
        const struct ms_diag *d = &diags.items[i];
        struct ms_pos p = ms_source_pos(&src, d->offset);
        bool found = false;
        for (size_t k = 0; k < f.n_expects && !found; k++) {
            struct expect *e = &f.expects[k];
            if (!e->met && e->line == p.line && strcmp(e->rule, d->rule->id) == 0)
                e->met = found = true;
        }
        if (!found)
            problem(l, "%s:%" PRIu32 ":%" PRIu32 ": unexpected %s: %s", path, p.line, p.col,
                    d->rule->id, d->message);
    }
    for (size_t k = 0; k < f.n_expects; k++)
        if (!f.expects[k].met && f.expects[k].line)
            problem(l, "%s:%" PRIu32 ": missing %s (expected by line %" PRIu32 ")", path,
                    f.expects[k].line, f.expects[k].rule, f.expects[k].at);

    free(diags.items);
    ms_engine_release(&engine);
    ms_parsed_release(&parsed);
    free(f.expects);
    ms_arena_release(&arena);
}

/* ---- Alembic fixtures: the migsafe binary over a unit ---- */

/* The rule whose folder (fixtures/rules/<id>/) holds path, or NULL. Fixtures run every rule on
 * by default plus their own folder's rule, so an opt-in rule is tested where it is meant to be
 * and stays off elsewhere, as it is for users. */
static const char *folder_rule(const char *path)
{
    static const char prefix[] = FIXTURE_ROOT "/";
    if (strncmp(path, prefix, strlen(prefix)) != 0)
        return NULL;
    const char *id = path + strlen(prefix), *slash = strchr(id, '/');
    if (!slash)
        return NULL;
    for (size_t i = 0; i < ms_n_rules; i++)
        if (strlen(ms_rules[i]->id) == (size_t)(slash - id) &&
            strncmp(ms_rules[i]->id, id, (size_t)(slash - id)) == 0)
            return ms_rules[i]->id;
    return NULL;
}

/* Files linted in one run of the binary. */
struct unit {
    const char *name; /* bad_*, ok_* (the rules apply), or NULL (an Alembic case folder) */
    size_t n_args, cap_args;
    char **args; /* the paths migsafe is given */
    size_t n_files, cap_files;
    char **files; /* the fixture files they hold, in path order */
    bool checked;
    struct log *logs; /* per file */
};

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static char *join_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = ms_xmalloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* Does a path component of `path` equal `folder`? */
static bool has_component(const char *path, const char *folder)
{
    size_t n = strlen(folder);
    for (const char *p = path; (p = strstr(p, folder)) != NULL; p++)
        if ((p == path || p[-1] == '/') && (p[n] == '/' || p[n] == '\0'))
            return true;
    return false;
}

struct names {
    size_t n, cap;
    char **items;
};

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of a folder (no dot files), sorted. */
static void list_dir(const char *dir, struct names *out)
{
    memset(out, 0, sizeof(*out));
    DIR *d = opendir(dir);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        MS_GROW(out->items, out->cap, out->n + 1);
        out->items[out->n++] = ms_xstrdup(e->d_name);
    }
    closedir(d);
    if (out->n)
        qsort(out->items, out->n, sizeof(*out->items), compare_strings);
}

static void names_release(struct names *n)
{
    for (size_t i = 0; i < n->n; i++)
        free(n->items[i]);
    free(n->items);
    memset(n, 0, sizeof(*n));
}

static bool is_fixture_file(const char *path)
{
    return has_suffix(path, ".sql") ||
           (has_suffix(path, ".py") && !has_suffix(path, "/env.py") && strcmp(path, "env.py") != 0);
}

/* Adds the fixture files at or below path, in path order. */
static void add_files(struct unit *u, const char *path)
{
    if (!is_dir(path)) {
        if (is_fixture_file(path)) {
            MS_GROW(u->files, u->cap_files, u->n_files + 1);
            u->files[u->n_files++] = ms_xstrdup(path);
        }
        return;
    }
    struct names entries;
    list_dir(path, &entries);
    for (size_t i = 0; i < entries.n; i++) {
        char *p = join_path(path, entries.items[i]);
        add_files(u, p);
        free(p);
    }
    names_release(&entries);
}

static void add_arg(struct unit *u, const char *path)
{
    MS_GROW(u->args, u->cap_args, u->n_args + 1);
    u->args[u->n_args++] = ms_xstrdup(path);
    add_files(u, path);
}

static void unit_release(struct unit *u)
{
    for (size_t i = 0; i < u->n_args; i++)
        free(u->args[i]);
    for (size_t i = 0; i < u->n_files; i++) {
        free(u->files[i]);
        if (u->logs)
            log_release(&u->logs[i]);
    }
    free(u->args);
    free(u->files);
    free(u->logs);
    memset(u, 0, sizeof(*u));
}

/* The unit file a stderr line "migsafe: <path>..." is about, and what follows the path. */
static int file_of_message(const struct unit *u, const char *line, const char **rest)
{
    static const char prefix[] = "migsafe: ";
    if (strncmp(line, prefix, strlen(prefix)) != 0)
        return -1;
    line += strlen(prefix);
    int best = -1;
    size_t best_len = 0;
    for (size_t i = 0; i < u->n_files; i++) {
        size_t n = strlen(u->files[i]);
        if (n > best_len && strncmp(line, u->files[i], n) == 0 && line[n] == ':') {
            best = (int)i;
            best_len = n;
        }
    }
    if (best >= 0)
        *rest = line + best_len;
    return best;
}

/* Reads what migsafe said on stderr (with --verbose): which .py files it skipped as not being
 * revisions, and which calls the lowering skipped. */
static void read_notes(const struct unit *u, const struct fixture *fx, const char *err,
                       bool *not_revision, bool *any_skip)
{
    for (const char *line = err; line && *line;) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        char *copy = ms_xstrndup(line, len);
        const char *rest = NULL;
        int i = file_of_message(u, copy, &rest);
        if (i >= 0) {
            if (strcmp(rest, ": skipped (not an Alembic revision)") == 0 ||
                strncmp(rest, ": note: not linted: ", strlen(": note: not linted: ")) == 0) {
                not_revision[i] = true;
            } else if (rest[0] == ':' && isdigit((unsigned char)rest[1]) &&
                       strstr(rest, ": note: ")) {
                any_skip[i] = true;
                if (!fx[i].allow_skips)
                    problem(&u->logs[i],
                            "%s%s (the lowering skipped a call: write it so that it resolves, or "
                            "mark the file \"# fixture: allow-skipped-calls\" if that is the "
                            "point)",
                            u->files[i], rest);
            }
        }
        free(copy);
        line = eol ? eol + 1 : NULL;
    }
}

/* Compares one file's findings (a JSON array from --format json) with its expectations. */
static void compare_findings(struct log *l, struct fixture *f, const json_t *diags)
{
    size_t k;
    const json_t *d;
    json_array_foreach(diags, k, d)
    {
        const char *rule = json_string_value(json_object_get(d, "rule"));
        const char *message = json_string_value(json_object_get(d, "message"));
        json_int_t line = json_integer_value(json_object_get(d, "line"));
        json_int_t col = json_integer_value(json_object_get(d, "column"));
        if (!rule || !message || line <= 0) {
            problem(l, "%s: a finding in migsafe's JSON lacks rule, message or line", f->path);
            continue;
        }
        if (strcmp(rule, "syntax-error") == 0 && !has_component(f->path, SYNTAX_FOLDER))
            problem(l,
                    "%s:%" JSON_INTEGER_FORMAT ":%" JSON_INTEGER_FORMAT ": does not parse: %s "
                    "(only %s/%s/ may hold syntax errors)",
                    f->path, line, col, message, FIXTURE_ROOT, SYNTAX_FOLDER);
        bool found = false;
        for (size_t e = 0; e < f->n_expects && !found; e++) {
            struct expect *x = &f->expects[e];
            if (!x->met && x->line == (uint32_t)line && strcmp(x->rule, rule) == 0)
                x->met = found = true;
        }
        if (!found)
            problem(l, "%s:%" JSON_INTEGER_FORMAT ":%" JSON_INTEGER_FORMAT ": unexpected %s: %s",
                    f->path, line, col, rule, message);
    }
}

/* Runs migsafe over the unit and logs, per file, every difference from its expectations. */
static void check_unit(struct unit *u)
{
    if (u->checked)
        return;
    u->checked = true;
    u->logs = ms_xcalloc(u->n_files ? u->n_files : 1, sizeof(*u->logs));
    struct ms_arena arena;
    ms_arena_init(&arena);
    struct fixture *fx = ms_xcalloc(u->n_files ? u->n_files : 1, sizeof(*fx));
    bool *linted = ms_xcalloc(u->n_files ? u->n_files : 1, sizeof(bool));
    bool *skipped = ms_xcalloc(u->n_files ? u->n_files : 1, sizeof(bool));
    bool *any_skip = ms_xcalloc(u->n_files ? u->n_files : 1, sizeof(bool));
    bool is_bad = u->name && strncmp(u->name, "bad_", 4) == 0;
    bool is_ok = u->name && strncmp(u->name, "ok_", 3) == 0;
    int pg_version = 0;
    const char *pg_from = NULL;
    size_t n_expects = 0;

    for (size_t i = 0; i < u->n_files; i++) {
        struct log *l = &u->logs[i];
        fx[i] = (struct fixture){.path = u->files[i], .pg_version = 15};
        struct ms_source src;
        char err[512];
        if (ms_source_read(&src, u->files[i], NULL, &arena, err, sizeof(err)) < 0) {
            problem(l, "%s", err);
            continue;
        }
        if (has_suffix(u->files[i], ".py"))
            read_py_expectations(&fx[i], &src, l);
        else
            read_expectations(&fx[i], &src, l);
        if (fx[i].pg_version_set) {
            if (pg_from && pg_version != fx[i].pg_version)
                problem(l, "%s: pg-version=%d, but %s says pg-version=%d (one run lints them all)",
                        u->files[i], fx[i].pg_version, pg_from, pg_version);
            pg_version = fx[i].pg_version;
            pg_from = u->files[i];
        }
        n_expects += fx[i].n_expects;
        if (fx[i].n_expects && is_ok)
            problem(l, "%s:%" PRIu32 ": an ok_ fixture expects no finding", u->files[i],
                    fx[i].expects[0].at);
        if (fx[i].n_expects && fx[i].not_revision)
            problem(l, "%s:%" PRIu32 ": a file marked not-a-revision expects no finding",
                    u->files[i], fx[i].expects[0].at);
    }
    if (u->n_files && u->name && !is_bad && !is_ok)
        problem(&u->logs[0], "%s: a fixture's name starts with bad_ or ok_", u->name);
    if (u->n_files && is_bad && n_expects == 0)
        problem(&u->logs[0], "%s: a bad_ fixture expects at least one finding (# expect: rule-id)",
                u->name);

    /* migsafe check --format json --fail-on never --verbose [--enable RULE] [--pg-version N] ARGS
     */
    char pg[16];
    snprintf(pg, sizeof(pg), "%d", pg_version);
    const char *fixed[] = {MIGSAFE_BINARY, "check",     "--format", "json", "--fail-on",
                           "never",        "--verbose", "--color",  "never"};
    size_t n_fixed = MS_ARRAY_LEN(fixed), argc = 0;
    char **argv = ms_xcalloc(n_fixed + 5 + u->n_args + 1, sizeof(char *));
    for (size_t i = 0; i < n_fixed; i++)
        argv[argc++] = (char *)fixed[i];
    if (!u->n_args || !lints_lock_timeout(u->args[0]))
        argv[argc++] = "--lock-timeout-set-by-runner";
    const char *own = u->n_args ? folder_rule(u->args[0]) : NULL;
    if (own) {
        argv[argc++] = "--enable";
        argv[argc++] = (char *)own;
    }
    if (pg_version) {
        argv[argc++] = "--pg-version";
        argv[argc++] = pg;
    }
    for (size_t i = 0; i < u->n_args; i++)
        argv[argc++] = u->args[i];
    struct proc p;
    run_process(argv, &p);
    free(argv);

    if (p.status != 0)
        for (size_t i = 0; i < u->n_files; i++)
            problem(&u->logs[i], "%s: migsafe exited with status %d:\n%s", u->files[i], p.status,
                    p.err);
    read_notes(u, fx, p.err, skipped, any_skip);
    json_error_t jerr;
    json_t *root = json_loads(p.out, 0, &jerr);
    const json_t *files = json_object_get(root, "files");
    if (!json_is_array(files)) {
        for (size_t i = 0; i < u->n_files; i++)
            problem(&u->logs[i], "%s: migsafe's output is not its JSON report (%s)", u->files[i],
                    jerr.text);
    } else {
        size_t k;
        const json_t *file;
        json_array_foreach(files, k, file)
        {
            const char *path = json_string_value(json_object_get(file, "path"));
            size_t i = 0;
            while (path && i < u->n_files && strcmp(u->files[i], path) != 0)
                i++;
            if (!path || i == u->n_files) {
                problem(&u->logs[0], "migsafe linted %s, which is not a file of this fixture",
                        path ? path : "(no path)");
                continue;
            }
            linted[i] = true;
            compare_findings(&u->logs[i], &fx[i], json_object_get(file, "diagnostics"));
        }
    }
    json_decref(root);

    for (size_t i = 0; i < u->n_files; i++) {
        struct log *l = &u->logs[i];
        struct fixture *f = &fx[i];
        for (size_t k = 0; k < f->n_expects; k++)
            if (!f->expects[k].met && f->expects[k].line)
                problem(l, "%s:%" PRIu32 ": missing %s (expected by line %" PRIu32 ")", f->path,
                        f->expects[k].line, f->expects[k].rule, f->expects[k].at);
        if (f->not_revision && linted[i])
            problem(l, "%s: marked not-a-revision, but migsafe lints it as a revision", f->path);
        else if (f->not_revision && p.status == 0 && !skipped[i])
            problem(l, "%s: marked not-a-revision, but migsafe does not say it skipped it",
                    f->path);
        else if (!f->not_revision && !linted[i] && (skipped[i] || p.status == 0))
            problem(l,
                    "%s: not linted%s (mark a module that is not a revision \"# fixture: "
                    "not-a-revision\")",
                    f->path, skipped[i] ? ": migsafe does not read it as an Alembic revision" : "");
        if (f->allow_skips && !any_skip[i] && p.status == 0)
            problem(l, "%s: marked allow-skipped-calls, but the lowering skipped nothing", f->path);
        free(f->expects);
    }
    proc_release(&p);
    free(any_skip);
    free(skipped);
    free(linted);
    free(fx);
    ms_arena_release(&arena);
}

/* ---- the runner checks itself on synthetic fixtures ---- */

/* Runs check_fixture on text and asserts the number of problems and that each of the
 * NULL-terminated `needles` is in the log. */
static void expect_problems(const char *path, const char *text, size_t n, ...)
{
    struct log l = {0};
    check_fixture(path, text, &l);
    const char *log = l.buf ? l.buf : "";
    bool ok = l.n_problems == n;
    va_list ap;
    va_start(ap, n);
    for (const char *needle; (needle = va_arg(ap, const char *)) != NULL;)
        if (!strstr(log, needle)) {
            print_error("missing from the log: %s\n", needle);
            ok = false;
        }
    va_end(ap);
    if (!ok)
        print_error("%zu problem(s), wanted %zu:\n%s", l.n_problems, n, log);
    log_release(&l);
    assert_true(ok);
}

#define DT "fixtures/rules/drop-table/"

static void test_fixtures__runner_accepts_a_matching_fixture(void **state)
{
    (void)state;
    expect_problems(DT "bad_synthetic.sql",
                    "CREATE TABLE scratch (id int);\n"
                    "DROP TABLE scratch;\n"
                    "-- expect: drop-table, drop-table\n"
                    "DROP TABLE users, orders;\n",
                    0, NULL);
}

static void test_fixtures__runner_catches_a_missing_finding(void **state)
{
    (void)state;
    expect_problems(DT "bad_synthetic.sql",
                    "-- expect: drop-table\n"
                    "SELECT 1;\n",
                    1, DT "bad_synthetic.sql:2: missing drop-table (expected by line 1)", NULL);
}

static void test_fixtures__runner_catches_an_unexpected_finding(void **state)
{
    (void)state;
    expect_problems(DT "ok_synthetic.sql",
                    "CREATE TABLE a (id int);\n"
                    "DROP TABLE users;\n",
                    1, DT "ok_synthetic.sql:2:1: unexpected drop-table: dropping table \"users\"",
                    NULL);
    /* one expectation covers one finding: the second table is unexpected */
    expect_problems(DT "bad_synthetic.sql",
                    "-- expect: drop-table\n"
                    "DROP TABLE users, orders;\n",
                    1, "bad_synthetic.sql:2:1: unexpected drop-table", NULL);
}

static void test_fixtures__runner_compares_lines(void **state)
{
    (void)state;
    /* the finding is on the clause's line (3), not the statement's first line (2) */
    expect_problems("fixtures/rules/add-column-not-null/bad_synthetic.sql",
                    "-- expect: add-column-not-null\n"
                    "ALTER TABLE users\n"
                    "    ADD COLUMN email text NOT NULL;\n",
                    2, "bad_synthetic.sql:2: missing add-column-not-null",
                    "bad_synthetic.sql:3:16: unexpected add-column-not-null", NULL);
    expect_problems("fixtures/rules/add-column-not-null/bad_synthetic.sql",
                    "ALTER TABLE users\n"
                    "    -- expect: add-column-not-null\n"
                    "    ADD COLUMN email text NOT NULL;\n",
                    0, NULL);
}

static void test_fixtures__runner_compares_rules(void **state)
{
    (void)state;
    expect_problems(DT "bad_synthetic.sql",
                    "-- expect: drop-column\n"
                    "DROP TABLE users;\n",
                    2, "missing drop-column", "unexpected drop-table", NULL);
}

static void test_fixtures__runner_fails_syntax_errors_outside_their_folder(void **state)
{
    (void)state;
    /* a typo turns the DROP into a syntax error: the fixture must not pass */
    expect_problems(DT "ok_synthetic.sql", "DROP TABEL users;\n", 2,
                    DT "ok_synthetic.sql:1:6: does not parse: syntax error at or near \"TABEL\"",
                    "unexpected syntax-error", NULL);
    /* not even when the syntax error is expected */
    expect_problems(DT "bad_synthetic.sql",
                    "-- expect: syntax-error\n"
                    "DROP TABEL users;\n",
                    1, "does not parse", NULL);
    expect_problems("fixtures/rules/syntax-error/bad_synthetic.sql",
                    "-- expect: syntax-error\n"
                    "DROP TABEL users;\n",
                    0, NULL);
    /* the folder is matched as a whole path component */
    expect_problems("fixtures/rules/not-syntax-error/bad_synthetic.sql",
                    "-- expect: syntax-error\n"
                    "DROP TABEL users;\n",
                    1, "does not parse", NULL);
}

static void test_fixtures__runner_rejects_malformed_fixtures(void **state)
{
    (void)state;
    expect_problems(DT "bad_synthetic.sql",
                    "-- expect: drop-tables\n"
                    "DROP TABLE users;\n",
                    3, "bad_synthetic.sql:1: expect: unknown rule \"drop-tables\"",
                    "expects at least one finding", "unexpected drop-table", NULL);
    expect_problems(DT "bad_synthetic.sql",
                    "-- expect:\n"
                    "DROP TABLE users;\n",
                    3, ":1: expect: names no rule", NULL);
    expect_problems(DT "bad_synthetic.sql",
                    "-- expected: drop-table\n"
                    "DROP TABLE users;\n",
                    3, ":1: malformed expectation", "expects at least one finding",
                    "unexpected drop-table", NULL);
    expect_problems(DT "bad_synthetic.sql",
                    "-- expect: drop-table drop-column\n"
                    "DROP TABLE users;\n",
                    2, "separate rule ids with commas", "missing drop-column", NULL);
    expect_problems(DT "bad_synthetic.sql",
                    "-- expect: drop-table\n"
                    "\n"
                    "DROP TABLE users;\n",
                    2, ":1: the expect line is not followed by a line of SQL",
                    "unexpected drop-table", NULL);
    expect_problems(DT "bad_synthetic.sql", "DROP TABLE users; -- expect: drop-table\n", 3,
                    ":1: an expect: comment must be on a line of its own",
                    "expects at least one finding", "unexpected drop-table", NULL);
    expect_problems(DT "bad_synthetic.sql",
                    "DROP TABLE users;\n"
                    "-- expect: drop-table\n",
                    2, ":2: the expect line is not followed by a line of SQL",
                    "unexpected drop-table", NULL);
    expect_problems(DT "ok_synthetic.sql",
                    "-- expect: drop-table\n"
                    "DROP TABLE users;\n",
                    1, ":1: an ok_ fixture expects no finding", NULL);
    expect_problems(DT "synthetic.sql", "SELECT 1;\n", 1, "starts with bad_ or ok_", NULL);
    expect_problems(DT "ok_synthetic.sql", "-- nothing here\n", 1, "no SQL statement", NULL);
    expect_problems(DT "ok_synthetic.sql",
                    "-- fixture: pg-version=eleven lint=all\n"
                    "SELECT 1;\n",
                    2, "bad option \"pg-version=eleven\"", "unknown fixture option \"lint=all\"",
                    NULL);
    expect_problems(DT "ok_synthetic.sql",
                    "SELECT 1;\n"
                    "-- fixture: pg-version=11\n",
                    1, ":2: the fixture: line must be the first line", NULL);
}

static void test_fixtures__runner_applies_the_pg_version(void **state)
{
    (void)state;
    static const char body[] =
        "ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;\n"
        "ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;\n"
        "-- expect: set-not-null\n"
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n";
    /* PostgreSQL 15 uses the validated check, so the expectation is not met */
    expect_problems("fixtures/rules/set-not-null/bad_synthetic.sql", body, 1,
                    "bad_synthetic.sql:4: missing set-not-null", NULL);
    char with_header[sizeof(body) + 64];
    snprintf(with_header, sizeof(with_header), "-- fixture: pg-version=11\n%s", body);
    expect_problems("fixtures/rules/set-not-null/bad_synthetic.sql", with_header, 0, NULL);
}

/* ---- the runner checks itself on synthetic Alembic fixtures ---- */

/* A file of a synthetic fixture tree: its path below a fresh temporary folder, and its text. */
struct tree_file {
    const char *path;
    const char *text;
};

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void make_parents(char *path)
{
    for (char *slash = strchr(path + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            ms_die("cannot create %s: %s", path, strerror(errno));
        *slash = '/';
    }
}

#define SOME_PROBLEMS SIZE_MAX

/* Writes the files below a new temporary folder, lints `top` (a path below it) as a unit named
 * by its last component (NULL unit name when rules is false: an Alembic case), and asserts the
 * number of problems over all its files (n, or at least one for SOME_PROBLEMS) and that each
 * NULL-terminated needle is in the log. */
static void expect_unit_problems(const struct tree_file *files, size_t n_files, const char *top,
                                 bool rules, size_t n, ...)
{
    const char *tmpdir = getenv("TMPDIR");
    char root[4096];
    snprintf(root, sizeof(root), "%s/migsafe-runner-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(root))
        ms_die("cannot create a temporary folder: %s", strerror(errno));
    for (size_t i = 0; i < n_files; i++) {
        char *path = join_path(root, files[i].path);
        make_parents(path);
        FILE *fp = fopen(path, "wb");
        if (!fp || fputs(files[i].text, fp) < 0 || fclose(fp) != 0)
            ms_die("cannot write %s", path);
        free(path);
    }
    struct unit u = {0};
    char *top_path = join_path(root, top);
    u.name = rules ? base_name(top_path) : NULL;
    add_arg(&u, top_path);
    check_unit(&u);

    struct log all = {0};
    for (size_t i = 0; i < u.n_files; i++)
        if (u.logs[i].n_problems) {
            MS_GROW(all.buf, all.cap, all.len + u.logs[i].len + 1);
            memcpy(all.buf + all.len, u.logs[i].buf, u.logs[i].len + 1);
            all.len += u.logs[i].len;
            all.n_problems += u.logs[i].n_problems;
        }
    const char *log = all.buf ? all.buf : "";
    bool ok = n == SOME_PROBLEMS ? all.n_problems > 0 : all.n_problems == n;
    va_list ap;
    va_start(ap, n);
    for (const char *needle; (needle = va_arg(ap, const char *)) != NULL;)
        if (!strstr(log, needle)) {
            print_error("missing from the log: %s\n", needle);
            ok = false;
        }
    va_end(ap);
    if (!ok)
        print_error("%zu problem(s), wanted %zu:\n%s", all.n_problems, n, log);
    log_release(&all);
    unit_release(&u);
    free(top_path);
    nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    assert_true(ok);
}

/* A revision with no parent whose upgrade() holds `body` (indented, lines 6 on). */
#define REVISION(id, body)                                                                         \
    "revision = \"" id "\"\n"                                                                      \
    "down_revision = None\n"                                                                       \
    "\n"                                                                                           \
    "\n"                                                                                           \
    "def upgrade():\n" body "\n"                                                                   \
    "\n"                                                                                           \
    "def downgrade():\n"                                                                           \
    "    op.execute(\"SELECT 1\")\n"

#define DTP "fixtures/rules/drop-table/"

static void test_fixtures__python_runner_accepts_a_matching_fixture(void **state)
{
    (void)state;
    const struct tree_file files[] = {
        {DTP "bad_synthetic.py", REVISION("a1", "    op.execute(\"SELECT 1\")\n"
                                                "    # expect: drop-table\n"
                                                "    # (a comment between: the next code line)\n"
                                                "    op.drop_table(\"users\")\n")},
    };
    expect_unit_problems(files, 1, DTP "bad_synthetic.py", true, 0, NULL);
}

static void test_fixtures__python_runner_catches_missing_and_unexpected(void **state)
{
    (void)state;
    const struct tree_file files[] = {
        {DTP "bad_synthetic.py", REVISION("a1", "    # expect: drop-column\n"
                                                "    op.drop_table(\"users\")\n")},
    };
    expect_unit_problems(files, 1, DTP "bad_synthetic.py", true, 2,
                         "bad_synthetic.py:7: missing drop-column (expected by line 6)",
                         "bad_synthetic.py:7:5: unexpected drop-table: dropping table \"users\"",
                         NULL);
    const struct tree_file ok[] = {
        {DTP "ok_synthetic.py", REVISION("a1", "    op.drop_table(\"users\")\n")},
    };
    expect_unit_problems(ok, 1, DTP "ok_synthetic.py", true, 1,
                         "ok_synthetic.py:6:5: unexpected drop-table", NULL);
}

static void test_fixtures__python_runner_reads_expectations_inside_sql_strings(void **state)
{
    (void)state;
    const struct tree_file files[] = {
        {DTP "bad_synthetic.py",
         REVISION("a1", "    op.execute(\n"
                        "        \"\"\"\n"
                        "        UPDATE users SET name = 'x' WHERE id = 1;\n"
                        "        -- expect: drop-table\n"
                        "        DROP TABLE users;\n"
                        "        \"\"\"\n"
                        "    )\n")},
    };
    expect_unit_problems(files, 1, DTP "bad_synthetic.py", true, 0, NULL);
    /* the finding is on the statement's line inside the string, not on the call's */
    const struct tree_file call_line[] = {
        {DTP "bad_synthetic.py", REVISION("a1", "    # expect: drop-table\n"
                                                "    op.execute(\"\"\"\n"
                                                "        DROP TABLE users;\n"
                                                "    \"\"\")\n")},
    };
    expect_unit_problems(call_line, 1, DTP "bad_synthetic.py", true, 2,
                         "bad_synthetic.py:7: missing drop-table",
                         "bad_synthetic.py:8:9: unexpected drop-table", NULL);
}

static void test_fixtures__python_runner_rejects_malformed_fixtures(void **state)
{
    (void)state;
    const struct tree_file files[] = {
        {DTP "bad_synthetic.py",
         REVISION("a1", "    # expected: drop-table\n"
                        "    op.drop_table(\"users\")\n"
                        "    op.drop_table(\"orders\")  # expect: drop-table\n"
                        "    # expect: drop-table\n"
                        "\n"
                        "    op.drop_table(\"items\")\n")},
    };
    expect_unit_problems(files, 1, DTP "bad_synthetic.py", true, 6, ":6: malformed expectation",
                         ":8: an expect: comment must be on a line of its own",
                         ":9: the expect line is followed by a blank line",
                         ":7:5: unexpected drop-table", ":8:5: unexpected drop-table",
                         ":11:5: unexpected drop-table", NULL);
    const struct tree_file options[] = {
        {DTP "ok_synthetic.py",
         "# fixture: pg-version=eleven lint=all\n" REVISION("a1", "    pass\n")},
    };
    expect_unit_problems(options, 1, DTP "ok_synthetic.py", true, 3,
                         "ok_synthetic.py:1: bad option \"pg-version=eleven\"",
                         "unknown fixture option \"lint=all\"",
                         /* the revision is empty: a finding nobody expected */
                         "unexpected empty-upgrade", NULL);
    const struct tree_file expecting_ok[] = {
        {DTP "ok_synthetic.py", REVISION("a1", "    # expect: drop-table\n"
                                               "    op.drop_table(\"users\")\n")},
    };
    expect_unit_problems(expecting_ok, 1, DTP "ok_synthetic.py", true, 1,
                         ":6: an ok_ fixture expects no finding", NULL);
    const struct tree_file unnamed[] = {
        {DTP "synthetic.py", REVISION("a1", "    op.execute(\"SELECT 1\")\n")},
    };
    expect_unit_problems(unnamed, 1, DTP "synthetic.py", true, 1, "starts with bad_ or ok_", NULL);
}

static void test_fixtures__python_runner_requires_revisions_to_be_linted(void **state)
{
    (void)state;
    /* a typo in the header ("revison") makes the file no revision: it must not pass unseen */
    const struct tree_file typo[] = {
        {DTP "ok_synthetic.py", "revison = \"a1\"\ndown_revision = None\n\n\ndef upgrade():\n"
                                "    op.drop_table(\"users\")\n"},
    };
    expect_unit_problems(typo, 1, DTP "ok_synthetic.py", true, 2,
                         "ok_synthetic.py: not linted: migsafe does not read it as an Alembic "
                         "revision",
                         "migsafe exited with status 2", NULL);
    const struct tree_file helper[] = {
        {"fixtures/alembic/synthetic/versions/a1_first.py",
         REVISION("a1", "    op.execute(\"SELECT 1\")\n")},
        {"fixtures/alembic/synthetic/versions/helpers.py",
         "# fixture: not-a-revision\nfrom alembic import op\n\n\ndef upgrade():\n"
         "    op.drop_table(\"users\")\n"},
    };
    expect_unit_problems(helper, 2, "fixtures/alembic/synthetic/versions", false, 0, NULL);
    const struct tree_file wrong_mark[] = {
        {"fixtures/alembic/synthetic/versions/a1_first.py",
         "# fixture: not-a-revision\n" REVISION("a1", "    op.execute(\"SELECT 1\")\n")},
    };
    expect_unit_problems(wrong_mark, 1, "fixtures/alembic/synthetic/versions", false, 1,
                         "marked not-a-revision, but migsafe lints it", NULL);
    /* a revision that is not valid Python fails its test, however migsafe reports it */
    const struct tree_file broken[] = {
        {"fixtures/alembic/synthetic/versions/a1_first.py",
         REVISION("a1", "    op.execute(\"SELECT 1\")\n")},
        {"fixtures/alembic/synthetic/versions/b2_broken.py",
         "revision = \"b2\"\ndown_revision = \"a1\"\n\n\ndef upgrade():\n"
         "    op.drop_table(\"users\"\n"},
    };
    expect_unit_problems(broken, 2, "fixtures/alembic/synthetic/versions", false, SOME_PROBLEMS,
                         "b2_broken.py", NULL);
}

static void test_fixtures__python_runner_fails_on_skipped_calls(void **state)
{
    (void)state;
    /* a call the lowering cannot resolve hides whatever it would have done */
    const struct tree_file skip[] = {
        {DTP "ok_synthetic.py", REVISION("a1", "    globals()[\"drop_\" + \"users\"]()\n")},
    };
    expect_unit_problems(skip, 1, DTP "ok_synthetic.py", true, 1,
                         "ok_synthetic.py:6:5: note: ", "fixture: allow-skipped-calls", NULL);
    const struct tree_file allowed[] = {
        {DTP "ok_synthetic.py", "# fixture: allow-skipped-calls\n" REVISION(
                                    "a1", "    globals()[\"drop_\" + \"users\"]()\n")},
    };
    expect_unit_problems(allowed, 1, DTP "ok_synthetic.py", true, 0, NULL);
    const struct tree_file needless[] = {
        {DTP "ok_synthetic.py",
         "# fixture: allow-skipped-calls\n" REVISION("a1", "    op.execute(\"SELECT 1\")\n")},
    };
    expect_unit_problems(needless, 1, DTP "ok_synthetic.py", true, 1,
                         "marked allow-skipped-calls, but the lowering skipped nothing", NULL);
}

static void test_fixtures__python_runner_fails_syntax_errors_outside_their_folder(void **state)
{
    (void)state;
    const struct tree_file typo[] = {
        {DTP "bad_synthetic.py", REVISION("a1", "    # expect: syntax-error\n"
                                                "    op.execute(\"DROP TABEL users\")\n")},
    };
    expect_unit_problems(typo, 1, DTP "bad_synthetic.py", true, 1, ":7:", "does not parse", NULL);
    const struct tree_file allowed[] = {
        {"fixtures/rules/syntax-error/bad_synthetic.py",
         REVISION("a1", "    # expect: syntax-error\n"
                        "    op.execute(\"DROP TABEL users\")\n")},
    };
    expect_unit_problems(allowed, 1, "fixtures/rules/syntax-error/bad_synthetic.py", true, 0, NULL);
}

static void test_fixtures__python_runner_lints_a_history_per_file(void **state)
{
    (void)state;
    /* two revisions on one parent: each head is reported in its own file */
    const struct tree_file heads[] = {
        {"fixtures/rules/multiple-heads/bad_synthetic/versions/a1_root.py",
         REVISION("a1", "    op.execute(\"SELECT 1\")\n")},
        {"fixtures/rules/multiple-heads/bad_synthetic/versions/b2_left.py",
         "revision = \"b2\"\n# expect: multiple-heads\ndown_revision = \"a1\"\n\n\n"
         "def upgrade():\n    op.execute(\"SELECT 2\")\n\n\n"
         "def downgrade():\n    op.execute(\"SELECT 1\")\n"},
        {"fixtures/rules/multiple-heads/bad_synthetic/versions/c3_right.py",
         "revision = \"c3\"\ndown_revision = \"a1\"\n\n\n"
         "def upgrade():\n    op.execute(\"SELECT 3\")\n\n\n"
         "def downgrade():\n    op.execute(\"SELECT 1\")\n"},
    };
    expect_unit_problems(heads, 3, "fixtures/rules/multiple-heads/bad_synthetic", true, 1,
                         "c3_right.py:2:1: unexpected multiple-heads", NULL);
    /* SQL files in a unit follow the SQL conventions */
    const struct tree_file sql[] = {
        {"fixtures/alembic/synthetic/sql/0001.sql", "-- expect: drop-table\nDROP TABLE users;\n"},
        {"fixtures/alembic/synthetic/sql/0002.sql", "# expect: drop-table\nDROP TABLE users;\n"},
    };
    expect_unit_problems(sql, 2, "fixtures/alembic/synthetic", false, 3,
                         "0002.sql:1: an expect: comment must be on a line of its own",
                         "0002.sql:1:1: does not parse", "0002.sql:1:1: unexpected syntax-error",
                         NULL);
}

/* ---- every fixture file, one test each ---- */

/* One test: an SQL fixture linted through the library, a file of a unit, or a stray file. */
struct entry {
    char *path;
    struct unit *unit; /* NULL: SQL through the library */
    size_t index;      /* in unit->files */
    bool stray;        /* not a fixture at all */
};

struct entries {
    size_t n, cap;
    struct entry *items;
    size_t n_units, cap_units;
    struct unit **units;
};

static void add_entry(struct entries *out, const char *path, struct unit *u, size_t index,
                      bool stray)
{
    MS_GROW(out->items, out->cap, out->n + 1);
    out->items[out->n++] = (struct entry){ms_xstrdup(path), u, index, stray};
}

static struct unit *new_unit(struct entries *out, const char *name)
{
    struct unit *u = ms_xcalloc(1, sizeof(*u));
    u->name = name;
    MS_GROW(out->units, out->cap_units, out->n_units + 1);
    out->units[out->n_units++] = u;
    return u;
}

/* A unit's files become tests; a unit without any gets one failing test for its first path. */
static void add_unit_entries(struct entries *out, struct unit *u)
{
    if (u->n_files == 0) {
        MS_GROW(u->files, u->cap_files, 1);
        u->files[u->n_files++] = ms_xstrdup(u->n_args ? u->args[0] : "(nothing)");
    }
    for (size_t i = 0; i < u->n_files; i++)
        add_entry(out, u->files[i], u, i, false);
}

/* fixtures/rules/<rule-id>/: bad_/ok_ .sql files, .py files and folders. */
static void collect_rules(struct entries *out)
{
    struct names rules;
    list_dir(FIXTURE_ROOT, &rules);
    for (size_t r = 0; r < rules.n; r++) {
        char *dir = join_path(FIXTURE_ROOT, rules.items[r]);
        struct names items;
        list_dir(dir, &items);
        for (size_t k = 0; k < items.n; k++) {
            char *path = join_path(dir, items.items[k]);
            if (has_suffix(path, ".sql") && !is_dir(path)) {
                add_entry(out, path, NULL, 0, false);
            } else if (is_dir(path) || has_suffix(path, ".py")) {
                struct unit *u = new_unit(out, NULL);
                add_arg(u, path);
                u->name = base_name(u->args[0]); /* bad_* or ok_* */
                add_unit_entries(out, u);
            } else {
                add_entry(out, path, NULL, 0, true);
            }
            free(path);
        }
        names_release(&items);
        free(dir);
    }
    names_release(&rules);
}

/* fixtures/alembic/<case>/: the case is one unit (but env.py, read by migsafe itself, and the
 * SQL twins, which are SQL fixtures of their own). */
static void collect_alembic(struct entries *out)
{
    struct names cases;
    list_dir(ALEMBIC_ROOT, &cases);
    for (size_t c = 0; c < cases.n; c++) {
        char *dir = join_path(ALEMBIC_ROOT, cases.items[c]);
        if (!is_dir(dir)) {
            add_entry(out, dir, NULL, 0, true);
            free(dir);
            continue;
        }
        struct unit *u = new_unit(out, NULL);
        struct names items;
        list_dir(dir, &items);
        for (size_t k = 0; k < items.n; k++) {
            char *path = join_path(dir, items.items[k]);
            if (strcmp(items.items[k], TWIN_FOLDER) == 0 && is_dir(path)) {
                /* the twins are one history too, as test_twins lints them */
                struct unit *twins_unit = new_unit(out, NULL);
                add_arg(twins_unit, path);
                add_unit_entries(out, twins_unit);
                struct names twins;
                list_dir(path, &twins);
                for (size_t t = 0; t < twins.n; t++) {
                    char *twin = join_path(path, twins.items[t]);
                    if (!has_suffix(twin, ".sql") || is_dir(twin))
                        add_entry(out, twin, NULL, 0, true);
                    free(twin);
                }
                names_release(&twins);
            } else if (strcmp(items.items[k], "env.py") != 0) {
                add_arg(u, path);
            }
            free(path);
        }
        names_release(&items);
        if (u->n_args == 0)
            add_arg(u, dir);
        add_unit_entries(out, u);
        free(dir);
    }
    names_release(&cases);
}

/* fixtures/frameworks/<tool>/: one project per tool, linted as a whole, as its tool runs it. */
static void collect_frameworks(struct entries *out)
{
    struct names tools;
    list_dir(FRAMEWORKS_ROOT, &tools);
    for (size_t t = 0; t < tools.n; t++) {
        char *dir = join_path(FRAMEWORKS_ROOT, tools.items[t]);
        if (!is_dir(dir)) {
            if (!has_suffix(dir, "/README.md"))
                add_entry(out, dir, NULL, 0, true);
            free(dir);
            continue;
        }
        struct unit *u = new_unit(out, NULL);
        add_arg(u, dir);
        add_unit_entries(out, u);
        free(dir);
    }
    names_release(&tools);
}

static int compare_entries(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->path, ((const struct entry *)b)->path);
}

static void test_fixture_file(void **state)
{
    const struct entry *e = *state;
    struct log own = {0};
    const struct log *l = &own;
    if (e->stray) {
        problem(&own,
                "%s: not a fixture (fixtures are bad_*/ok_* .sql or .py files or folders; twin/ "
                "holds .sql files)",
                e->path);
    } else if (e->unit) {
        check_unit(e->unit);
        l = &e->unit->logs[e->index];
    } else {
        check_fixture(e->path, NULL, &own);
    }
    if (l->n_problems) {
        print_error("%s", l->buf);
        size_t n = l->n_problems;
        log_release(&own);
        fail_msg("%zu problem(s) in %s", n, e->path);
    }
    log_release(&own);
}

static int run_entries(const char *group, struct entries *all, const char *root)
{
    size_t n = 0;
    struct CMUnitTest *tests = ms_xcalloc(all->n ? all->n : 1, sizeof(*tests));
    size_t len = strlen(root);
    for (size_t i = 0; i < all->n; i++)
        if (strncmp(all->items[i].path, root, len) == 0 && all->items[i].path[len] == '/')
            tests[n++] = (struct CMUnitTest){.name = all->items[i].path,
                                             .test_func = test_fixture_file,
                                             .initial_state = &all->items[i]};
    int failed = 0;
    if (n == 0) {
        fprintf(stderr, "no fixtures under %s/ (run from the source root)\n", root);
        failed = 1;
    } else {
        failed = _cmocka_run_group_tests(group, tests, n, NULL, NULL);
    }
    free(tests);
    return failed;
}

int main(void)
{
    const struct CMUnitTest unit[] = {
        cmocka_unit_test(test_fixtures__runner_accepts_a_matching_fixture),
        cmocka_unit_test(test_fixtures__runner_catches_a_missing_finding),
        cmocka_unit_test(test_fixtures__runner_catches_an_unexpected_finding),
        cmocka_unit_test(test_fixtures__runner_compares_lines),
        cmocka_unit_test(test_fixtures__runner_compares_rules),
        cmocka_unit_test(test_fixtures__runner_fails_syntax_errors_outside_their_folder),
        cmocka_unit_test(test_fixtures__runner_rejects_malformed_fixtures),
        cmocka_unit_test(test_fixtures__runner_applies_the_pg_version),
        cmocka_unit_test(test_fixtures__python_runner_accepts_a_matching_fixture),
        cmocka_unit_test(test_fixtures__python_runner_catches_missing_and_unexpected),
        cmocka_unit_test(test_fixtures__python_runner_reads_expectations_inside_sql_strings),
        cmocka_unit_test(test_fixtures__python_runner_rejects_malformed_fixtures),
        cmocka_unit_test(test_fixtures__python_runner_requires_revisions_to_be_linted),
        cmocka_unit_test(test_fixtures__python_runner_fails_on_skipped_calls),
        cmocka_unit_test(test_fixtures__python_runner_fails_syntax_errors_outside_their_folder),
        cmocka_unit_test(test_fixtures__python_runner_lints_a_history_per_file),
    };
    int failed = cmocka_run_group_tests_name("fixture runner", unit, NULL, NULL);

    struct entries all = {0};
    collect_rules(&all);
    collect_alembic(&all);
    collect_frameworks(&all);
    if (all.n)
        qsort(all.items, all.n, sizeof(*all.items), compare_entries);
    failed += run_entries(FIXTURE_ROOT, &all, FIXTURE_ROOT);
    failed += run_entries(ALEMBIC_ROOT, &all, ALEMBIC_ROOT);
    failed += run_entries(FRAMEWORKS_ROOT, &all, FRAMEWORKS_ROOT);

    for (size_t i = 0; i < all.n; i++)
        free(all.items[i].path);
    free(all.items);
    for (size_t i = 0; i < all.n_units; i++) {
        unit_release(all.units[i]);
        free(all.units[i]);
    }
    free(all.units);
    pg_query_exit();
    return failed ? 1 : 0;
}
