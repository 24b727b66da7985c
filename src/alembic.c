/* alembic.c: Alembic revision files (see alembic.h): detection and the header with PCRE2, the
 * module-level names, the functions' bodies, and the generated SQL with its segments and the
 * transaction statements Alembic issues. The walk over a body is in alembic_extract.c, the
 * op -> SQL table in alembic_lower.c. */
#include "migsafe.h"
#include "alembic_impl.h"

#include <pthread.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* ---- PCRE2: the module-level lines that make a revision ---- */

/* `revision = ...`, `down_revision: Union[str, None] = ...` and friends at column 0. */
static const char assign_pattern[] =
    "^(revision|down_revision|depends_on|branch_labels)[ \\t]*(?::[^=\\n]*)?=(?!=)";
/* `def upgrade(` and the multi-database `def upgrade_<name>(` at column 0. */
static const char upgrade_pattern[] = "^(?:async[ \\t]+)?def[ \\t]+upgrade(?:_\\w+)?[ \\t]*\\(";

static pcre2_code *assign_re, *upgrade_re;
static pthread_once_t compile_once = PTHREAD_ONCE_INIT;

static pcre2_code *compile(const char *pattern)
{
    int code;
    PCRE2_SIZE at;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                      PCRE2_MULTILINE | PCRE2_UTF | PCRE2_NO_UTF_CHECK, &code, &at, NULL);
    if (!re)
        ms_die("internal error: alembic pattern does not compile at %zu", (size_t)at);
    return re;
}

static void compile_patterns(void)
{
    assign_re = compile(assign_pattern);
    upgrade_re = compile(upgrade_pattern);
}

/* Calls fn for each match of re in text (offset of the match and of the end of group 1). */
static void each_match(pcre2_code *re, const char *text, size_t len,
                       void (*fn)(void *, size_t, size_t, size_t), void *data)
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    size_t at = 0;
    while (at <= len) {
        int rc = pcre2_match(re, (PCRE2_SPTR)text, len, at, PCRE2_NO_UTF_CHECK, md, NULL);
        if (rc < 0)
            break;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t g1s = rc > 1 ? ov[2] : ov[0], g1e = rc > 1 ? ov[3] : ov[0];
        fn(data, ov[0], g1s, g1e);
        at = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
    }
    pcre2_match_data_free(md);
}

struct header_hits {
    size_t n;
    struct {
        size_t offset;
        char which[16];
    } items[32];
};

static void collect_hit(void *data, size_t start, size_t g1s, size_t g1e)
{
    struct header_hits *h = data;
    (void)g1s;
    (void)g1e;
    if (h->n < MS_ARRAY_LEN(h->items))
        h->items[h->n++].offset = start;
}

struct scan_text {
    const char *text;
    struct header_hits *hits;
};

static void collect_named(void *data, size_t start, size_t g1s, size_t g1e)
{
    struct scan_text *s = data;
    struct header_hits *h = s->hits;
    if (h->n >= MS_ARRAY_LEN(h->items))
        return;
    size_t n = g1e - g1s;
    if (n >= sizeof(h->items[0].which))
        n = sizeof(h->items[0].which) - 1;
    h->items[h->n].offset = start;
    memcpy(h->items[h->n].which, s->text + g1s, n);
    h->items[h->n].which[n] = 0;
    h->n++;
}

/* ---- tokens: is an offset the start of a module-level statement? ---- */

static size_t find_token(const struct ms_py_tokens *t, size_t offset)
{
    size_t lo = 0, hi = t->n_tokens;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->tokens[mid].offset < offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Module level: a token at column 1 that starts a logical line, outside any indented block. */
static bool is_module_stmt(const struct ms_py_tokens *t, size_t i)
{
    if (i >= t->n_tokens || t->tokens[i].col != 1 || t->tokens[i].kind == MS_PY_DEDENT)
        return false;
    size_t p = i; /* COMMENT and DEDENT tokens come in either order before a line */
    while (p > 0 &&
           (t->tokens[p - 1].kind == MS_PY_COMMENT || t->tokens[p - 1].kind == MS_PY_DEDENT))
        p--;
    return p == 0 || t->tokens[p - 1].kind == MS_PY_NEWLINE;
}

/* The token starting at offset that is not a DEDENT (a DEDENT is empty and shares the offset
 * of the first token of its line), or n_tokens. */
static size_t token_at(const struct ms_py_tokens *t, size_t offset)
{
    size_t i = find_token(t, offset);
    while (i < t->n_tokens && t->tokens[i].offset == offset && t->tokens[i].kind == MS_PY_DEDENT)
        i++;
    return i < t->n_tokens && t->tokens[i].offset == offset ? i : t->n_tokens;
}

static bool hit_is_code(const struct ms_py_tokens *t, size_t offset)
{
    size_t i = token_at(t, offset);
    return i < t->n_tokens && is_module_stmt(t, i);
}

bool ms_alembic_is_revision(const char *text, size_t len)
{
    pthread_once(&compile_once, compile_patterns);
    struct header_hits hits = {0}, ups = {0};
    struct scan_text st = {text, &hits};
    each_match(assign_re, text, len, collect_named, &st);
    each_match(upgrade_re, text, len, collect_hit, &ups);
    bool rev = false, down = false;
    for (size_t k = 0; k < hits.n; k++) {
        rev |= strcmp(hits.items[k].which, "revision") == 0;
        down |= strcmp(hits.items[k].which, "down_revision") == 0;
    }
    if (!rev || !down || ups.n == 0)
        return false;
    /* the lines must be code, not text inside a docstring */
    struct ms_arena arena;
    ms_arena_init(&arena);
    struct ms_py_tokens toks;
    struct ms_py_error err;
    bool result = true;
    if (ms_pyscan(text, len, &arena, &toks, &err) == 0) {
        rev = down = false;
        bool up = false;
        for (size_t k = 0; k < hits.n; k++) {
            if (!hit_is_code(&toks, hits.items[k].offset))
                continue;
            rev |= strcmp(hits.items[k].which, "revision") == 0;
            down |= strcmp(hits.items[k].which, "down_revision") == 0;
        }
        for (size_t k = 0; k < ups.n; k++)
            up |= hit_is_code(&toks, ups.items[k].offset);
        result = rev && down && up;
    }
    /* a file that does not tokenize keeps the PCRE2 verdict: linting reports the error */
    ms_arena_release(&arena);
    return result;
}

/* ---- the module: names bound at module level, and the functions ---- */

struct fn_def {
    const char *name;
    size_t def_offset, def_end; /* `def` token, end of the header's ':' */
    size_t body;                /* token index after the ':' */
};

struct module {
    size_t n_fns;
    struct fn_def fns[64];
};

/* Index of the NEWLINE-terminated line end after i. */
static size_t next_line(const struct ms_py_tokens *t, size_t i)
{
    while (i < t->n_tokens && t->tokens[i].kind != MS_PY_NEWLINE &&
           t->tokens[i].kind != MS_PY_ENDMARKER)
        i++;
    return i < t->n_tokens && t->tokens[i].kind == MS_PY_NEWLINE ? i + 1 : i;
}

static bool tok_is(const struct ms_py_token *t, enum ms_py_kind kind, const char *value)
{
    return t->kind == kind && strcmp(t->value, value) == 0;
}

/* The ':' of a def header starting at i (depth 0), or 0. */
static size_t def_colon(const struct ms_py_tokens *t, size_t i)
{
    int depth = 0;
    for (; i < t->n_tokens; i++) {
        const struct ms_py_token *k = &t->tokens[i];
        if (k->kind == MS_PY_NEWLINE || k->kind == MS_PY_ENDMARKER)
            return 0;
        if (k->kind != MS_PY_OP)
            continue;
        if (strchr("([{", k->value[0]) && !k->value[1])
            depth++;
        else if (strchr(")]}", k->value[0]) && !k->value[1])
            depth--;
        else if (depth == 0 && strcmp(k->value, ":") == 0)
            return i;
    }
    return 0;
}

/* Walks the module's top level: binds `NAME = value` (a name also assigned inside a block at
 * module level becomes unknown) and records the functions. */
static void scan_module(struct alx *cx, struct module *m)
{
    const struct ms_py_tokens *t = cx->toks;
    int level = 0;
    int skip_above = -1; /* inside a def or class body: ignore statements deeper than this */
    size_t i = 0;
    while (i < t->n_tokens) {
        const struct ms_py_token *k = &t->tokens[i];
        if (k->kind == MS_PY_ENDMARKER)
            break;
        if (k->kind == MS_PY_INDENT) {
            level++;
            i++;
            continue;
        }
        if (k->kind == MS_PY_DEDENT) {
            level--;
            if (skip_above >= 0 && level <= skip_above)
                skip_above = -1;
            i++;
            continue;
        }
        if (k->kind == MS_PY_COMMENT || k->kind == MS_PY_NEWLINE) {
            i++;
            continue;
        }
        if (skip_above >= 0) {
            i = next_line(t, i);
            continue;
        }
        size_t s = i;
        if (tok_is(k, MS_PY_NAME, "async"))
            s++;
        if (tok_is(&t->tokens[s], MS_PY_NAME, "def") ||
            tok_is(&t->tokens[s], MS_PY_NAME, "class")) {
            size_t colon = def_colon(t, s);
            bool is_def = tok_is(&t->tokens[s], MS_PY_NAME, "def");
            if (level == 0 && is_def && colon && t->tokens[s + 1].kind == MS_PY_NAME &&
                m->n_fns < MS_ARRAY_LEN(m->fns)) {
                m->fns[m->n_fns++] = (struct fn_def){t->tokens[s + 1].value, k->offset,
                                                     t->tokens[colon].offset + 1, colon + 1};
            }
            if (colon && colon + 1 < t->n_tokens && t->tokens[colon + 1].kind != MS_PY_NEWLINE &&
                t->tokens[colon + 1].kind != MS_PY_COMMENT) {
                i = next_line(t, colon); /* one-line body */
            } else {
                skip_above = level;
                i = next_line(t, s);
            }
            continue;
        }
        /* NAME [: annotation] = value */
        if (k->kind == MS_PY_NAME) {
            size_t j = i + 1;
            if (tok_is(&t->tokens[j], MS_PY_OP, ":")) {
                j++;
                alx_parse_expr(cx, &j);
            }
            if (tok_is(&t->tokens[j], MS_PY_OP, "=")) {
                j++;
                struct ax *v = alx_parse_expr(cx, &j);
                while (tok_is(&t->tokens[j], MS_PY_OP, "=")) { /* a = b = value */
                    j++;
                    v = alx_parse_expr(cx, &j);
                }
                alx_bind(cx, &cx->module_env, k->value, level == 0 ? v : NULL);
            }
        }
        i = next_line(t, i);
    }
}

/* ---- the header ---- */

/* keep_unresolved_from (the text, or NULL): an item that is not a literal (a constant imported from
 * another module) still counts, named by its source text, so that a revision with branch_labels =
 * (cli.X,) is known to start a labelled branch. down_revision items never are: an unknown parent
 * would be a false finding. */
static void ref_list(struct alx *cx, const struct ax *v, struct ms_alembic_ref **out, size_t *n,
                     const char *keep_unresolved_from)
{
    *out = NULL;
    *n = 0;
    v = v ? alx_resolve(cx, v) : NULL;
    if (!v || v->kind == AX_NONE)
        return;
    size_t count = (v->kind == AX_TUPLE || v->kind == AX_LIST) ? v->n_args : 1;
    *out = ms_arena_alloc(cx->arena, (count ? count : 1) * sizeof(**out));
    for (size_t k = 0; k < count; k++) {
        const struct ax *item = (v->kind == AX_TUPLE || v->kind == AX_LIST) ? v->args[k] : v;
        const char *s = alx_str(cx, item);
        if (!s && keep_unresolved_from)
            s = ms_arena_strndup(cx->arena, keep_unresolved_from + item->start,
                                 item->end - item->start);
        if (!s)
            continue;
        const struct ax *lit = alx_resolve(cx, item);
        (*out)[*n].name = s;
        (*out)[*n].offset = lit ? lit->start : item->start;
        (*n)++;
    }
}

/* Reads the header from the tokens; -1 when `revision` or `down_revision` is missing. */
static int read_header(struct alx *cx, const char *text, size_t len, struct ms_alembic_header *out,
                       size_t *header_offset)
{
    pthread_once(&compile_once, compile_patterns);
    memset(out, 0, sizeof(*out));
    struct header_hits hits = {0};
    struct scan_text st = {text, &hits};
    each_match(assign_re, text, len, collect_named, &st);
    bool have_rev = false, have_down = false;
    for (size_t k = 0; k < hits.n; k++) {
        size_t i = token_at(cx->toks, hits.items[k].offset);
        if (i >= cx->toks->n_tokens || !is_module_stmt(cx->toks, i))
            continue;
        size_t j = i + 1;
        if (tok_is(&cx->toks->tokens[j], MS_PY_OP, ":")) {
            j++;
            alx_parse_expr(cx, &j);
        }
        if (!tok_is(&cx->toks->tokens[j], MS_PY_OP, "="))
            continue;
        j++;
        const struct ax *v = alx_parse_expr(cx, &j);
        const char *which = hits.items[k].which;
        if (strcmp(which, "revision") == 0) {
            have_rev = true;
            *header_offset = cx->toks->tokens[i].offset;
            const struct ax *r = alx_resolve(cx, v);
            out->revision = alx_str(cx, v);
            out->revision_offset = r ? r->start : v->start;
        } else if (strcmp(which, "down_revision") == 0) {
            have_down = true;
            out->down_offset = cx->toks->tokens[i].offset;
            ref_list(cx, v, &out->down, &out->n_down, NULL);
        } else if (strcmp(which, "depends_on") == 0) {
            ref_list(cx, v, &out->depends, &out->n_depends, NULL);
        } else if (strcmp(which, "branch_labels") == 0) {
            ref_list(cx, v, &out->branch_labels, &out->n_branch_labels, text);
        }
    }
    return have_rev && have_down ? 0 : -1;
}

/* ---- function bodies ---- */

/* Classifies the body after the def's ':' at token `body`: its statements at the body's own
 * level are each pass, ..., a string, a bare return or a raise, or it is code. */
static enum ms_alembic_body classify(const struct ms_py_tokens *t, size_t body)
{
    size_t i = body;
    while (i < t->n_tokens && t->tokens[i].kind == MS_PY_COMMENT)
        i++;
    bool block = i < t->n_tokens && t->tokens[i].kind == MS_PY_NEWLINE;
    if (block) {
        i++;
        while (i < t->n_tokens && t->tokens[i].kind == MS_PY_COMMENT)
            i++;
        if (i >= t->n_tokens || t->tokens[i].kind != MS_PY_INDENT)
            return MS_BODY_EMPTY;
        i++;
    }
    bool raises = false;
    while (i < t->n_tokens) {
        const struct ms_py_token *k = &t->tokens[i];
        if (k->kind == MS_PY_COMMENT || k->kind == MS_PY_NEWLINE) {
            i++;
            continue;
        }
        if (k->kind == MS_PY_DEDENT || k->kind == MS_PY_ENDMARKER)
            break;
        if (k->kind == MS_PY_INDENT)
            return MS_BODY_CODE;
        size_t end = i, n = 0;
        bool strings_only = true;
        for (; end < t->n_tokens && t->tokens[end].kind != MS_PY_NEWLINE &&
               t->tokens[end].kind != MS_PY_ENDMARKER;
             end++) {
            if (t->tokens[end].kind == MS_PY_COMMENT)
                continue;
            n++;
            strings_only &= t->tokens[end].kind == MS_PY_STRING;
        }
        if (tok_is(k, MS_PY_NAME, "raise"))
            raises = true;
        else if (!(strings_only ||
                   (n == 1 && (tok_is(k, MS_PY_NAME, "pass") || tok_is(k, MS_PY_OP, "...") ||
                               tok_is(k, MS_PY_NAME, "return")))))
            return MS_BODY_CODE;
        if (!block)
            break;
        i = end;
    }
    return raises ? MS_BODY_RAISES : MS_BODY_EMPTY;
}

static bool is_upgrade_name(const char *name, const char *base)
{
    size_t n = strlen(base);
    return strncmp(name, base, n) == 0 && (name[n] == 0 || name[n] == '_');
}

/* ---- output ---- */

static void push_segment(struct alx *cx, struct ms_segment s)
{
    MS_GROW(cx->segs, cx->segs_cap, cx->n_segs + 1);
    cx->segs[cx->n_segs++] = s;
}

static void append(struct alx *cx, const char *s, size_t n)
{
    MS_GROW(cx->sql, cx->sql_cap, cx->sql_len + n + 1);
    memcpy(cx->sql + cx->sql_len, s, n);
    cx->sql_len += n;
    cx->sql[cx->sql_len] = 0;
}

static void append_stmt(struct alx *cx, size_t origin, size_t origin_end, const char *sql,
                        bool synthetic)
{
    size_t n = strlen(sql);
    push_segment(cx, (struct ms_segment){cx->sql_len, cx->sql_len + n, origin, origin_end, false,
                                         synthetic});
    append(cx, sql, n);
    append(cx, ";\n", 2);
    cx->n_emitted++;
}

void alx_emit(struct alx *cx, size_t origin, size_t origin_end, const char *sql, bool deferrable)
{
    if (deferrable && cx->batch_alias) {
        MS_GROW(cx->pending, cx->pending_cap, cx->n_pending + 1);
        cx->pending[cx->n_pending++] = (struct alx_pending){ms_xstrdup(sql), origin, origin_end};
        return;
    }
    append_stmt(cx, origin, origin_end, sql, false);
}

void alx_flush_batch(struct alx *cx)
{
    for (size_t k = 0; k < cx->n_pending; k++) {
        append_stmt(cx, cx->pending[k].origin, cx->pending[k].origin_end, cx->pending[k].sql,
                    false);
        free(cx->pending[k].sql);
    }
    cx->n_pending = 0;
}

void alx_emit_synthetic(struct alx *cx, const char *sql, size_t origin, size_t origin_end)
{
    append_stmt(cx, origin, origin_end, sql, true);
}

void alx_emit_string(struct alx *cx, const struct ax *str, size_t origin, size_t origin_end)
{
    size_t start = cx->sql_len;
    if (str->n_parts) {
        for (size_t k = 0; k < str->n_parts; k++) {
            const struct ax_part *p = &str->parts[k];
            if (!p->val_len)
                continue;
            push_segment(cx, (struct ms_segment){cx->sql_len, cx->sql_len + p->val_len,
                                                 p->verbatim ? p->origin : p->tok,
                                                 p->verbatim ? p->origin + p->val_len : p->tok_end,
                                                 p->verbatim, false});
            append(cx, str->s + p->val, p->val_len);
        }
    } else {
        push_segment(cx, (struct ms_segment){cx->sql_len, cx->sql_len + str->len, origin,
                                             origin_end, false, false});
        append(cx, str->s, str->len);
    }
    /* the terminator: not after a final ';', and never inside a trailing -- comment */
    size_t end = cx->sql_len;
    while (end > start && isspace((unsigned char)cx->sql[end - 1]))
        end--;
    size_t line = end;
    while (line > start && cx->sql[line - 1] != '\n')
        line--;
    bool comment = false;
    for (size_t k = line; k + 1 < end; k++)
        comment |= cx->sql[k] == '-' && cx->sql[k + 1] == '-';
    if (end > start && cx->sql[end - 1] == ';')
        append(cx, "\n", 1);
    else if (comment)
        append(cx, "\n;\n", 3);
    else
        append(cx, ";\n", 2);
    cx->n_emitted++;
}

void alx_note(struct alx *cx, size_t offset, const char *fmt, ...)
{
    if (!cx->opts || !cx->opts->verbose)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *msg = ms_arena_vprintf(cx->arena, fmt, ap);
    va_end(ap);
    MS_GROW(cx->notes, cx->notes_cap, cx->n_notes + 1);
    cx->notes[cx->n_notes++] = (struct ms_alembic_note){offset, msg};
}

/* ---- the API ---- */

static int tokenize(struct alx *cx, const char *text, size_t len, struct ms_py_tokens *toks,
                    char *err, size_t errlen)
{
    struct ms_py_error e;
    if (ms_pyscan(text, len, cx->arena, toks, &e) != 0) {
        if (err && errlen)
            snprintf(err, errlen, "%" PRIu32 ":%" PRIu32 ": %s", e.line, e.col, e.message);
        return -1;
    }
    cx->toks = toks;
    return 0;
}

static void release(struct alx *cx)
{
    free(cx->module_env.items);
    free(cx->local_env.items);
    free(cx->sql);
    free(cx->segs);
    free(cx->notes);
    for (size_t k = 0; k < cx->n_pending; k++)
        free(cx->pending[k].sql);
    free(cx->pending);
}

int ms_alembic_read_header(const char *text, size_t len, struct ms_arena *arena,
                           struct ms_alembic_header *out)
{
    struct alx cx = {.arena = arena};
    struct ms_source src = {.text = (char *)text, .len = len};
    cx.src = &src;
    struct ms_py_tokens toks;
    memset(out, 0, sizeof(*out));
    if (tokenize(&cx, text, len, &toks, NULL, 0) != 0)
        return -1;
    struct module m = {0};
    scan_module(&cx, &m);
    size_t header_offset = 0;
    int rc = read_header(&cx, text, len, out, &header_offset);
    release(&cx);
    return rc;
}

/* Lowers every function named `base` or `base_<name>`, in file order. Each runs in its own
 * transaction; the first BEGIN and the last COMMIT are left to the caller's options (a run may
 * share one transaction across revisions). */
static void lower_functions(struct alx *cx, const struct module *m, const char *base, size_t *calls,
                            bool *open, size_t *last_def, size_t *last_end)
{
    for (size_t k = 0; k < m->n_fns; k++) {
        const struct fn_def *f = &m->fns[k];
        if (!is_upgrade_name(f->name, base))
            continue;
        if (*open) /* the previous function's transaction ends first */
            alx_emit_synthetic(cx, "COMMIT", *last_def, *last_end);
        if (*open || cx->opts->open_transaction)
            alx_emit_synthetic(cx, "BEGIN", f->def_offset, f->def_end);
        *open = true;
        cx->fn_ops = 0;
        alx_walk_function(cx, f->body);
        alx_flush_batch(cx);
        if (calls)
            *calls += cx->fn_ops;
        *last_def = f->def_offset;
        *last_end = f->def_end;
    }
}

int ms_alembic_lower(struct ms_source *src, struct ms_arena *arena,
                     const struct ms_alembic_options *opts, struct ms_alembic_result *out,
                     char *err, size_t errlen)
{
    static const struct ms_alembic_options defaults = {
        .open_transaction = true,
        .close_transaction = true,
    };
    struct alx cx = {.src = src, .arena = arena, .opts = opts ? opts : &defaults, .res = out};
    memset(out, 0, sizeof(*out));
    src->sql = "";
    src->sql_len = src->sql_body = 0;
    src->n_segments = 0;
    src->segments = NULL;
    struct ms_py_tokens toks;
    if (tokenize(&cx, src->text, src->len, &toks, err, errlen) != 0)
        return -1;
    struct module m = {0};
    scan_module(&cx, &m);
    size_t header_offset = 0;
    read_header(&cx, src->text, src->len, &out->header, &header_offset);
    out->upgrade = out->downgrade = MS_BODY_ABSENT;
    out->upgrade_offset = out->downgrade_offset = header_offset;
    bool seen_up = false, seen_down = false;
    for (size_t k = 0; k < m.n_fns; k++) {
        const struct fn_def *f = &m.fns[k];
        bool up = is_upgrade_name(f->name, "upgrade");
        if (!up && !is_upgrade_name(f->name, "downgrade"))
            continue;
        enum ms_alembic_body b = classify(&toks, f->body);
        enum ms_alembic_body *slot = up ? &out->upgrade : &out->downgrade;
        bool *seen = up ? &seen_up : &seen_down;
        if (!*seen) {
            *(up ? &out->upgrade_offset : &out->downgrade_offset) = f->def_offset;
            *slot = b;
            *seen = true;
        } else if (b == MS_BODY_CODE || (b == MS_BODY_RAISES && *slot == MS_BODY_EMPTY)) {
            *slot = b; /* upgrade() dispatching to upgrade_<name>(): the most telling one */
        }
    }
    bool open = false;
    size_t last_def = 0, last_end = 0;
    lower_functions(&cx, &m, "upgrade", &out->upgrade_calls, &open, &last_def, &last_end);
    if (cx.opts->lint_downgrade)
        lower_functions(&cx, &m, "downgrade", NULL, &open, &last_def, &last_end);
    if (open && cx.opts->close_transaction)
        alx_emit_synthetic(&cx, "COMMIT", last_def, last_end);
    char *sql = ms_arena_alloc(arena, cx.sql_len + 1);
    if (cx.sql_len)
        memcpy(sql, cx.sql, cx.sql_len);
    src->sql = sql;
    src->sql_len = cx.sql_len;
    src->n_segments = cx.n_segs;
    src->segments = ms_arena_alloc(arena, (cx.n_segs ? cx.n_segs : 1) * sizeof(struct ms_segment));
    if (cx.n_segs)
        memcpy(src->segments, cx.segs, cx.n_segs * sizeof(struct ms_segment));
    out->n_notes = cx.n_notes;
    out->notes = ms_arena_alloc(arena, (cx.n_notes ? cx.n_notes : 1) * sizeof(*out->notes));
    if (cx.n_notes)
        memcpy(out->notes, cx.notes, cx.n_notes * sizeof(*out->notes));
    release(&cx);
    return 0;
}
