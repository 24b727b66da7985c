/* run.c: the check pipeline (see run.h).
 *
 * Files are taken in windows: every file of a window is read and split in parallel, then all of
 * their statements are parsed in parallel, then the engine lints each file in path order and
 * the reporter writes it. Memory is bounded by the window, never by the number of files, and
 * one very large file still uses every thread (its statements are spread over them). */
#include "run.h"
#include "alembic.h"
#include "discover.h"
#include "history.h"
#include "plpgsql.h"
#include "pool.h"
#include "template.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>

#define WINDOW_FILES 32
#define WINDOW_BYTES ((size_t)16 << 20)
#define CHUNK_STMTS  128

struct file_job {
    const char *path;
    const struct ms_settings *settings;
    struct ms_history_entry *entry;
    bool close_transaction; /* the next revision does not continue this one's transaction */
    bool replay;            /* read ahead into the final catalog only, never linted */
    struct ms_migration migration;
    struct ms_arena arena;
    struct ms_source src;
    struct ms_parsed parsed;
    bool failed;
    char error[512];
    size_t n_notes; /* what the Alembic lowering skipped, for --verbose */
    const struct ms_alembic_note *notes;
};

struct window {
    const struct ms_run_options *opts;
    int n_threads;
    size_t n_files;
    struct file_job *files;
    size_t n_chunks, cap_chunks;
    struct chunk {
        size_t file, first, last;
    } * chunks;
};

/* Lowers an Alembic revision to the SQL Alembic emits and fills in its way back. */
static bool load_alembic(struct window *w, struct file_job *f)
{
    struct ms_alembic_options opts = {
        .lint_downgrade = f->settings->config.lint_downgrade == MS_YES,
        .verbose = w->opts->verbose,
        .open_transaction = f->entry->context_only || f->replay || !f->entry->shares_transaction,
        .close_transaction = f->close_transaction,
    };
    struct ms_alembic_result res;
    char err[256];
    if (ms_alembic_lower(&f->src, &f->arena, &opts, &res, err, sizeof(err)) < 0) {
        snprintf(f->error, sizeof(f->error), "%s:%s (not valid Python)", f->src.path, err);
        f->failed = true;
        return false;
    }
    struct ms_migration *m = &f->migration;
    static const enum ms_down downs[] = {
        [MS_BODY_ABSENT] = MS_DOWN_ABSENT,
        [MS_BODY_EMPTY] = MS_DOWN_EMPTY,
        [MS_BODY_RAISES] = MS_DOWN_RAISES,
        [MS_BODY_CODE] = MS_DOWN_PRESENT,
    };
    m->down = downs[res.downgrade];
    m->down_offset = res.downgrade_offset;
    m->up_empty = res.upgrade != MS_BODY_CODE || res.upgrade_calls == 0;
    m->up_offset = res.upgrade_offset;
    if (opts.lint_downgrade && res.downgrade == MS_BODY_CODE) {
        /* the lowered downgrade() is a down migration: not replayed into the schema; the down
         * part comes first, the rest of the file is the up */
        size_t end = res.upgrade_offset > res.downgrade_offset ? res.upgrade_offset : f->src.len;
        struct ms_part *parts = ms_arena_alloc(&f->arena, 2 * sizeof(*parts));
        parts[0] = (struct ms_part){
            .start = res.downgrade_offset, .end = end, .down = true, .as_written = true};
        parts[1] = (struct ms_part){.start = 0, .end = f->src.len + 1, .as_written = true};
        m->parts = parts;
        m->n_parts = 2;
    }
    f->n_notes = res.n_notes;
    f->notes = res.notes;
    return true;
}

/* `alembic upgrade --sql` output: each "-- Running upgrade a -> b" comment starts the SQL of
 * revision b (downgrade sections name the revision they undo, a). */
static pcre2_code *running_re;
static pthread_once_t running_once = PTHREAD_ONCE_INIT;

static void compile_running(void)
{
    int code;
    PCRE2_SIZE at;
    running_re =
        pcre2_compile((PCRE2_SPTR) "^-- Running (upgrade|downgrade) ([^ \\r\\n]*) -> ([^ \\r\\n]+)",
                      PCRE2_ZERO_TERMINATED, PCRE2_MULTILINE, &code, &at, NULL);
    if (!running_re)
        ms_die("cannot compile the offline-SQL pattern (%d)", code);
}

static void find_sections(struct file_job *f)
{
    const struct ms_source *src = &f->src;
    if (!memmem(src->text, src->len, "-- Running ", 11))
        return;
    pthread_once(&running_once, compile_running);
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(running_re, NULL);
    struct ms_section *sections = NULL;
    size_t n = 0, cap = 0;
    for (PCRE2_SIZE at = 0; at < src->len && pcre2_match(running_re, (PCRE2_SPTR)src->text,
                                                         src->len, at, 0, md, NULL) > 0;) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        bool up = ov[3] - ov[2] == strlen("upgrade");
        size_t g = up ? 3 : 2; /* the revision the section applies (or undoes) */
        MS_GROW(sections, cap, n + 1);
        sections[n].offset = ov[0];
        sections[n].name =
            ov[2 * g + 1] > ov[2 * g]
                ? ms_arena_strndup(&f->arena, src->text + ov[2 * g], ov[2 * g + 1] - ov[2 * g])
                : NULL;
        n++;
        at = ov[1] > at ? ov[1] : at + 1;
    }
    pcre2_match_data_free(md);
    if (n) {
        struct ms_section *copy = ms_arena_alloc(&f->arena, n * sizeof(*copy));
        memcpy(copy, sections, n * sizeof(*copy));
        f->migration.sections = copy;
        f->migration.n_sections = n;
    }
    free(sections);
}

/* The tool runs each section of a goose or dbmate file on its own, so no statement spans two:
 * the Down marker ends whatever the Up section left unterminated. The marker comment becomes
 * ";" and spaces, which keeps every position. */
static void end_sections(struct file_job *f)
{
    const struct ms_tools_file *tf = f->entry->tool_file;
    if (!tf || tf->role != MS_ROLE_UP_DOWN || !tf->down.present || !tf->up.present ||
        tf->down.marker < tf->up.start || tf->down.marker + 2 > f->src.len)
        return;
    size_t at = tf->down.marker;
    if (f->src.sql[at] != '-' || f->src.sql[at + 1] != '-')
        return;
    char *sql = (char *)f->src.sql;
    if (f->src.sql == f->src.text) {
        sql = ms_arena_alloc(&f->arena, f->src.len + 1);
        memcpy(sql, f->src.text, f->src.len + 1);
        f->src.sql = sql;
    }
    sql[at] = ';';
    for (size_t k = at + 1; k < f->src.len && sql[k] != '\n' && sql[k] != '\r'; k++)
        sql[k] = ' ';
}

/* --verbose: the DO blocks, and the statements in them, that no rule looked into. */
static void note_do_blocks(struct file_job *f)
{
    for (size_t i = 0; i < f->parsed.n_stmts; i++) {
        const struct ms_stmt *st = &f->parsed.stmts[i];
        if (!st->node || st->node->node_case != PG_QUERY__NODE__NODE_DO_STMT)
            continue;
        struct ms_plpgsql_body b;
        ms_plpgsql_do(f->src.sql + st->start, st->end - st->start, st->node->do_stmt, &f->arena,
                      &b);
        struct ms_pos p = ms_source_pos(&f->src, ms_source_map(&f->src, st->start, NULL));
        const char *why = !b.plpgsql ? "it is not PL/pgSQL"
                          : b.error
                              ? ms_arena_printf(&f->arena, "its body does not parse: %s", b.error)
                              : NULL;
        if (why)
            fprintf(stderr,
                    "migsafe: %s:%" PRIu32 ":%" PRIu32 ": note: DO block not looked into: %s\n",
                    f->src.path, p.line, p.col, why);
        else if (b.n_skipped)
            fprintf(stderr,
                    "migsafe: %s:%" PRIu32 ":%" PRIu32 ": note: %zu statement(s) of this DO block "
                    "not linted (SELECT ... INTO, or '' inside a single-quoted body)\n",
                    f->src.path, p.line, p.col, b.n_skipped);
    }
}

static void load_one(void *arg, size_t i, int thread)
{
    (void)thread;
    struct window *w = arg;
    struct file_job *f = &w->files[i];
    bool is_stdin = strcmp(f->path, "-") == 0;
    const char *display =
        is_stdin ? (w->opts->stdin_filename ? w->opts->stdin_filename : "<stdin>") : f->path;
    if (ms_source_read(&f->src, f->path, display, &f->arena, f->error, sizeof(f->error)) < 0) {
        f->failed = true;
        return;
    }
    f->migration = f->entry->migration;
    f->migration.context_only = f->entry->context_only || f->replay;
    if (f->migration.tool == MS_TOOL_ALEMBIC && !load_alembic(w, f))
        return;
    if (f->migration.tool != MS_TOOL_ALEMBIC) {
        find_sections(f);
        /* templates and psql commands become text of the same length that parses */
        f->src.sql = ms_template_mask(f->src.text, f->src.len, f->src.body, &f->arena, NULL);
        end_sections(f);
    }
    ms_parse_split(&f->src, &f->arena, w->n_threads, &f->parsed);
}

static void parse_chunk(void *arg, size_t i, int thread)
{
    struct window *w = arg;
    const struct chunk *c = &w->chunks[i];
    struct file_job *f = &w->files[c->file];
    for (size_t s = c->first; s < c->last; s++)
        ms_parse_stmt(&f->src, &f->parsed, s, thread);
}

static void plan_chunks(struct window *w)
{
    w->n_chunks = 0;
    for (size_t i = 0; i < w->n_files; i++) {
        struct file_job *f = &w->files[i];
        if (f->failed)
            continue;
        for (size_t s = 0; s < f->parsed.n_stmts; s += CHUNK_STMTS) {
            MS_GROW(w->chunks, w->cap_chunks, w->n_chunks + 1);
            size_t last = s + CHUNK_STMTS < f->parsed.n_stmts ? s + CHUNK_STMTS : f->parsed.n_stmts;
            w->chunks[w->n_chunks++] = (struct chunk){i, s, last};
        }
    }
}

/* Flyway decides from the statements whether a file runs in its transaction. */
static void resolve_flyway(struct file_job *f)
{
    struct ms_migration *m = &f->migration;
    const struct ms_history_entry *e = f->entry;
    if (!m->n_parts || m->parts[0].tx != MS_TX_BY_STATEMENTS || !e->tool_migration ||
        !e->tool_section)
        return;
    size_t n = f->parsed.n_stmts;
    bool *outside = ms_arena_alloc(&f->arena, (n ? n : 1) * sizeof(bool));
    for (size_t i = 0; i < n; i++) {
        const struct ms_stmt *st = &f->parsed.stmts[i];
        outside[i] = ms_tools_flyway_outside_tx(f->src.sql + st->start, st->end - st->start,
                                                f->settings->engine.pg_version);
    }
    struct ms_tools_tx tx;
    ms_tools_resolve_tx(e->tool_migration, e->tool_section, outside, n, &tx);
    struct ms_part *parts = ms_arena_alloc(&f->arena, m->n_parts * sizeof(*parts));
    memcpy(parts, m->parts, m->n_parts * sizeof(*parts));
    for (size_t i = 0; i < m->n_parts; i++)
        parts[i].tx = tx.tx;
    m->parts = parts;
    if (tx.mixed && tx.offending < n)
        m->flyway_mixed = ms_source_map(&f->src, f->parsed.stmts[tx.offending].start, NULL) + 1;
}

static const char *framework_of(void *arg, const char *path)
{
    const struct ms_settings *s = ms_settings_for(arg, path);
    return s ? s->config.framework : NULL;
}

static const char *new_since_of(void *arg, const char *path)
{
    const struct ms_settings *s = ms_settings_for(arg, path);
    return s ? s->new_since : NULL;
}

static size_t file_size_hint(const char *path)
{
    FILE *fp = strcmp(path, "-") == 0 ? NULL : fopen(path, "rb");
    if (!fp)
        return 0;
    long n = fseek(fp, 0, SEEK_END) == 0 ? ftell(fp) : 0;
    fclose(fp);
    return n > 0 ? (size_t)n : 0;
}

/* Drops the files their configuration excludes; sets status 2 for a broken configuration. */
static void apply_excludes(struct ms_file_list *list, struct ms_settings_cache *cache, bool verbose,
                           int *status)
{
    size_t kept = 0;
    for (size_t i = 0; i < list->n; i++) {
        const struct ms_settings *s = ms_settings_for(cache, list->paths[i]);
        if (!s) {
            *status = 2;
            free(list->paths[i]);
            continue;
        }
        if (ms_config_excludes(&s->config, list->paths[i])) {
            if (verbose)
                fprintf(stderr, "migsafe: %s: excluded by %s\n", list->paths[i], s->config.path);
            free(list->paths[i]);
            continue;
        }
        list->paths[kept++] = list->paths[i];
    }
    list->n = kept;
}

/* Does entry i begin a history of several migrations? A window ends before it, so that the
 * history can be replayed ahead of it. */
static bool starts_history(const struct ms_history *h, size_t i)
{
    const char *g = h->entries[i].group;
    return (i == 0 || strcmp(h->entries[i - 1].group, g) != 0) && i + 1 < h->n &&
           strcmp(h->entries[i + 1].group, g) == 0;
}

/* Does an up migration run after the first one linted in first..end-1? Only then can the schema
 * the history ends with differ from the one the linted migrations see anyway (linting the
 * newest migrations of a folder, as a pull request does, needs no extra replay). */
static bool later_ups(const struct ms_history *h, size_t first, size_t end)
{
    size_t k = first;
    while (k < end && h->entries[k].context_only)
        k++;
    for (k++; k < end; k++)
        if (!h->entries[k].migration.is_down)
            return true;
    return false;
}

/* Replays the migrations first..end-1 (one history) into `final`, which then holds the schema
 * the whole history leaves, for the rules that judge it (ms_ctx_final_catalog). Reads and
 * parses them as linting does, a window at a time; reports nothing, not even a file it cannot
 * read (linting it will). */
static void replay_history(struct window *w, struct ms_pool *pool, struct ms_history *history,
                           size_t first, size_t end, struct ms_settings_cache *cache,
                           struct ms_session *final)
{
    ms_session_new_history(final);
    struct ms_diags diags = {0};
    for (size_t next = first; next < end;) {
        w->n_files = 0;
        for (size_t bytes = 0; next < end && w->n_files < WINDOW_FILES &&
                               (w->n_files == 0 || bytes < WINDOW_BYTES);) {
            if (strcmp(history->entries[next].path, "-") == 0) {
                next++; /* standard input can be read once only: linting reads it */
                continue;
            }
            struct file_job *f = &w->files[w->n_files++];
            memset(f, 0, sizeof(*f));
            f->entry = &history->entries[next++];
            f->path = f->entry->path;
            f->settings = ms_settings_for(cache, f->path);
            f->replay = true;
            f->close_transaction = true;
            ms_arena_init(&f->arena);
            bytes += file_size_hint(f->path);
        }
        ms_pool_for(pool, w->n_files, load_one, w);
        plan_chunks(w);
        ms_pool_for(pool, w->n_chunks, parse_chunk, w);
        for (size_t i = 0; i < w->n_files; i++) {
            struct file_job *f = &w->files[i];
            if (!f->failed) {
                ms_session_reset(final);
                diags.n = 0;
                ms_engine_lint_migration(&f->settings->engine, &f->src, &f->parsed, &f->migration,
                                         final, &f->arena, &diags);
                ms_parsed_release(&f->parsed);
            }
            ms_arena_release(&f->arena);
        }
    }
    free(diags.items);
}

int ms_run_check(const struct ms_run_options *opts)
{
    int status = 0;
    struct ms_file_list list = {0};
    for (size_t i = 0; i < opts->n_paths; i++)
        if (ms_discover(opts->paths[i], &list) < 0)
            status = 2;
    ms_file_list_finish(&list);
    struct ms_settings_cache *cache = ms_settings_cache_new(&opts->overrides);
    apply_excludes(&list, cache, opts->verbose, &status);
    struct ms_history history;
    ms_history_build(&list, opts->verbose, framework_of, new_since_of, cache, &history);
    if (history.n == 0 && list.n > 0) {
        ms_error("no migrations to lint (no .sql file or Alembic revision among the paths)");
        status = 2;
    }
    struct ms_session session, final;
    ms_session_init(&session);
    ms_session_init(&final);
    struct ms_effect_log effects = {0};
    session.effects = &effects;

    struct ms_pool *pool = ms_pool_new(opts->jobs);
    /* the rule list SARIF publishes: the settings of the first file (or of this folder) */
    struct ms_engine fallback;
    ms_engine_init(&fallback);
    ms_engine_prepare(&fallback);
    const struct ms_settings *first =
        ms_settings_for(cache, history.n ? history.entries[0].path : "-");
    struct ms_report rep = {
        .fmt = opts->format,
        .out = stdout,
        .color = opts->color,
        .engine = first ? &first->engine : &fallback,
    };
    rep.fmt->begin(&rep);
    struct window w = {.opts = opts, .n_threads = ms_pool_size(pool)};
    w.files = ms_xcalloc(WINDOW_FILES, sizeof(struct file_job));
    struct ms_diags diags = {0};
    size_t failing = 0;
    const char *history_group = NULL; /* the catalog holds what this folder's migrations built */
    /* next_linted[i]: the first entry at or after i that is linted (history.n: none) */
    size_t *next_linted = ms_xmalloc((history.n + 1) * sizeof(size_t));
    next_linted[history.n] = history.n;
    for (size_t i = history.n; i-- > 0;)
        next_linted[i] = history.entries[i].context_only ? next_linted[i + 1] : i;

    for (size_t next = 0; next < history.n;) {
        if (!history_group || strcmp(history_group, history.entries[next].group) != 0) {
            size_t end = next + 1;
            while (end < history.n &&
                   strcmp(history.entries[end].group, history.entries[next].group) == 0)
                end++;
            const struct ms_settings *s = ms_settings_for(cache, history.entries[next].path);
            session.final_catalog = NULL;
            if (later_ups(&history, next, end) && s && ms_engine_wants_final_catalog(&s->engine)) {
                replay_history(&w, pool, &history, next, end, cache, &final);
                session.final_catalog = final.catalog;
            }
        }
        size_t bytes = 0;
        w.n_files = 0;
        while (next < history.n && w.n_files < WINDOW_FILES &&
               (w.n_files == 0 || (bytes < WINDOW_BYTES && !starts_history(&history, next)))) {
            struct file_job *f = &w.files[w.n_files++];
            memset(f, 0, sizeof(*f));
            f->entry = &history.entries[next++];
            f->path = f->entry->path;
            f->settings = ms_settings_for(cache, f->path);
            /* a migration read for the history runs alone; the ones linted keep their shared
             * transaction across it */
            size_t after = next_linted[next];
            f->close_transaction = f->entry->context_only || after >= history.n ||
                                   !history.entries[after].shares_transaction;
            ms_arena_init(&f->arena);
            bytes += file_size_hint(f->path);
        }
        ms_pool_for(pool, w.n_files, load_one, &w);
        plan_chunks(&w);
        ms_pool_for(pool, w.n_chunks, parse_chunk, &w);

        for (size_t i = 0; i < w.n_files; i++) {
            struct file_job *f = &w.files[i];
            if (!history_group || strcmp(history_group, f->entry->group) != 0) {
                ms_session_new_history(&session);
                history_group = f->entry->group;
            }
            if (!f->entry->shares_transaction) {
                ms_session_reset(&session);
                session.effects = &effects;
                /* the runner wraps plain SQL files in a transaction of its own */
                session.in_tx = f->migration.tool == MS_TOOL_SQL &&
                                f->settings->config.assume_in_transaction == MS_YES;
                session.tx_kind = session.in_tx ? MS_TXK_TOOL : MS_TXK_NONE;
            }
            if (f->migration.context_only) {
                /* another migration of the folder: replayed into the catalog, not linted, in a
                 * transaction of its own; the open transaction of the linted ones goes on after
                 * it (less what it knew about NOT VALID constraints) */
                struct ms_session open = session;
                ms_session_reset(&session);
                session.effects = &effects;
                if (!f->failed) {
                    diags.n = 0;
                    ms_engine_lint_migration(&f->settings->engine, &f->src, &f->parsed,
                                             &f->migration, &session, &f->arena, &diags);
                    ms_parsed_release(&f->parsed);
                }
                ms_session_reset(&session);
                session.effects = &effects;
                session.in_tx = open.in_tx;
                session.tx_kind = open.tx_kind;
                session.tx_tool = open.tx_tool;
                session.tx_hint = open.tx_hint;
                session.lock_timeout_local = open.lock_timeout_local;
                ms_arena_release(&f->arena);
                continue;
            }
            if (f->failed) {
                ms_error("%s", f->error);
                status = 2;
            } else {
                for (size_t k = 0; opts->verbose && k < f->n_notes; k++) {
                    struct ms_pos p = ms_source_pos(&f->src, f->notes[k].offset);
                    fprintf(stderr, "migsafe: %s:%" PRIu32 ":%" PRIu32 ": note: %s\n", f->src.path,
                            p.line, p.col, f->notes[k].message);
                }
                if (f->parsed.n_stmts == 0 &&
                    (f->migration.tool != MS_TOOL_ALEMBIC || opts->verbose))
                    fprintf(stderr, "migsafe: %s: note: no SQL statements to lint\n", f->src.path);
                else if (opts->verbose)
                    fprintf(stderr, "migsafe: %s: %zu statements\n", f->src.path,
                            f->parsed.n_stmts);
                resolve_flyway(f);
                if (opts->verbose)
                    note_do_blocks(f);
                diags.n = 0;
                ms_engine_lint_migration(&f->settings->engine, &f->src, &f->parsed, &f->migration,
                                         &session, &f->arena, &diags);
                for (size_t k = 0; k < diags.n; k++) {
                    rep.n_by_severity[diags.items[k].severity]++;
                    if (f->settings->fail_on && diags.items[k].severity >= f->settings->fail_on)
                        failing++;
                }
                rep.n_files++;
                rep.fmt->file(&rep, &f->src, diags.items, diags.n);
                ms_parsed_release(&f->parsed);
            }
            ms_arena_release(&f->arena);
        }
    }
    rep.fmt->end(&rep);
    fflush(stdout);
    free(diags.items);
    free(w.chunks);
    free(next_linted);
    free(w.files);
    ms_pool_free(pool);
    ms_session_release(&session);
    ms_session_release(&final);
    ms_effect_log_release(&effects);
    ms_settings_cache_free(cache);
    ms_engine_release(&fallback);
    ms_history_release(&history);
    ms_file_list_release(&list);
    if (status == 0 && failing > 0)
        status = 1;
    return status;
}
