/* suppress.c: inline suppressions (see suppress.h). */
#include "suppress.h"
#include "pyscan.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>

#define MARKER "migsafe:ignore"

struct ignore {
    size_t offset, end; /* the comment */
    uint32_t target;    /* the line whose statement it covers; 0 for ignore-file */
    size_t n_rules;     /* 0: every rule */
    const char **rules;
    size_t matched;
};

static pcre2_code *ignore_re;
static pthread_once_t ignore_once = PTHREAD_ONCE_INIT;

static void compile_ignore(void)
{
    int code;
    PCRE2_SIZE at;
    /* migsafe:ignore[-file] [rule, rule] [: reason] */
    ignore_re =
        pcre2_compile((PCRE2_SPTR) "migsafe:(ignore-file|ignore)(?![\\w-])[ \\t]*"
                                   "([a-z0-9][a-z0-9-]*(?:[ \\t]*,[ \\t]*[a-z0-9][a-z0-9-]*)*)?"
                                   "[ \\t]*(?::.*)?$",
                      PCRE2_ZERO_TERMINATED, PCRE2_DOTALL, &code, &at, NULL);
    if (!ignore_re)
        ms_die("cannot compile the suppression pattern (%d)", code);
}

struct comment {
    size_t offset, end;
};

/* Comments of an SQL text, by libpg_query's scanner (strings and dollar quotes excluded). */
static size_t sql_comments(const struct ms_source *src, struct comment **out)
{
    PgQueryScanResult r = pg_query_scan(src->text + src->body);
    PgQuery__ScanResult *sr =
        r.error ? NULL
                : pg_query__scan_result__unpack(NULL, r.pbuf.len, (const uint8_t *)r.pbuf.data);
    size_t n = 0, cap = 0;
    *out = NULL;
    for (size_t i = 0; sr && i < sr->n_tokens; i++) {
        const PgQuery__ScanToken *t = sr->tokens[i];
        if (t->token != PG_QUERY__TOKEN__SQL_COMMENT && t->token != PG_QUERY__TOKEN__C_COMMENT)
            continue;
        MS_GROW(*out, cap, n + 1);
        (*out)[n++] = (struct comment){src->body + (size_t)t->start, src->body + (size_t)t->end};
    }
    if (sr)
        pg_query__scan_result__free_unpacked(sr, NULL);
    pg_query_free_scan_result(r);
    return n;
}

static size_t python_comments(const struct ms_source *src, struct ms_arena *arena,
                              struct comment **out)
{
    struct ms_py_tokens toks;
    struct ms_py_error err;
    size_t n = 0, cap = 0;
    *out = NULL;
    if (ms_pyscan(src->text, src->len, arena, &toks, &err) < 0)
        return 0;
    for (size_t i = 0; i < toks.n_tokens; i++) {
        if (toks.tokens[i].kind != MS_PY_COMMENT)
            continue;
        MS_GROW(*out, cap, n + 1);
        (*out)[n++] =
            (struct comment){toks.tokens[i].offset, toks.tokens[i].offset + toks.tokens[i].len};
    }
    return n;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isspace((unsigned char)s[i]))
            return false;
    return true;
}

/* The line an ignore comment covers: its own line when code precedes it there, else the next
 * line with code after it (blank and comment-only lines skipped). */
static uint32_t target_line(const struct ms_source *src, const struct comment *c, bool python)
{
    struct ms_pos start = ms_source_pos(src, c->offset);
    size_t line_start = src->line_starts[start.line - 1];
    if (!blank(src->text + line_start, c->offset - line_start))
        return start.line;
    uint32_t last = ms_source_pos(src, c->end > c->offset ? c->end - 1 : c->offset).line;
    for (uint32_t k = last + 1; k <= src->n_lines; k++) {
        size_t len;
        const char *s = ms_source_line(src, k, &len);
        size_t i = 0;
        while (i < len && isspace((unsigned char)s[i]))
            i++;
        if (i == len)
            continue;
        if (python ? s[i] == '#' : (i + 1 < len && s[i] == '-' && s[i + 1] == '-'))
            continue;
        return k;
    }
    return last + 1; /* nothing follows: it covers nothing */
}

static size_t find_ignores(const struct ms_source *src, bool python, struct ms_arena *arena,
                           struct ignore **out)
{
    *out = NULL;
    if (!memmem(src->text, src->len, MARKER, strlen(MARKER)))
        return 0;
    pthread_once(&ignore_once, compile_ignore);
    struct comment *comments;
    size_t n_comments =
        python ? python_comments(src, arena, &comments) : sql_comments(src, &comments);
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(ignore_re, NULL);
    size_t n = 0;
    struct ignore *list = ms_arena_alloc(arena, (n_comments ? n_comments : 1) * sizeof(*list));
    for (size_t i = 0; i < n_comments; i++) {
        const struct comment *c = &comments[i];
        size_t len = c->end - c->offset;
        const char *text = src->text + c->offset;
        if (!memmem(text, len, MARKER, strlen(MARKER)))
            continue;
        /* a block comment's closing marker is not part of the reason */
        if (len >= 2 && text[len - 2] == '*' && text[len - 1] == '/')
            len -= 2;
        if (pcre2_match(ignore_re, (PCRE2_SPTR)text, len, 0, 0, md, NULL) < 0)
            continue;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        struct ignore *ig = &list[n++];
        memset(ig, 0, sizeof(*ig));
        ig->offset = c->offset;
        ig->end = c->end;
        bool file_wide = ov[3] - ov[2] == strlen("ignore-file");
        ig->target = file_wide ? 0 : target_line(src, c, python);
        if (ov[4] != PCRE2_UNSET && ov[5] > ov[4]) {
            /* the rule list: ids separated by commas */
            const char *s = text + ov[4], *e = text + ov[5];
            size_t count = 1;
            for (const char *p = s; p < e; p++)
                count += *p == ',';
            ig->rules = ms_arena_alloc(arena, count * sizeof(char *));
            while (s < e) {
                while (s < e && (*s == ',' || *s == ' ' || *s == '\t'))
                    s++;
                const char *w = s;
                while (s < e && *s != ',' && *s != ' ' && *s != '\t')
                    s++;
                if (s > w)
                    ig->rules[ig->n_rules++] = ms_arena_strndup(arena, w, (size_t)(s - w));
            }
        }
    }
    pcre2_match_data_free(md);
    free(comments);
    *out = list;
    return n;
}

static bool names(const struct ignore *ig, const char *id)
{
    if (ig->n_rules == 0)
        return true;
    for (size_t i = 0; i < ig->n_rules; i++)
        if (strcmp(ig->rules[i], id) == 0)
            return true;
    return false;
}

static bool covers(const struct ms_source *src, const struct ignore *ig, const struct ms_diag *d)
{
    if (!names(ig, d->rule->id) || strcmp(d->rule->id, "unused-ignore") == 0)
        return false;
    if (ig->target == 0)
        return true;
    uint32_t a = ms_source_pos(src, d->stmt_offset).line;
    uint32_t b =
        ms_source_pos(src, d->stmt_end > d->stmt_offset ? d->stmt_end - 1 : d->stmt_offset).line;
    return a <= ig->target && ig->target <= b;
}

static int compare_diags(const void *pa, const void *pb)
{
    const struct ms_diag *a = pa, *b = pb;
    if (a->offset != b->offset)
        return a->offset < b->offset ? -1 : 1;
    int c = strcmp(a->rule->id, b->rule->id);
    return c ? c : strcmp(a->message, b->message);
}

void ms_suppress_apply(const struct ms_engine *e, const struct ms_source *src, bool python,
                       struct ms_diags *diags, size_t first, struct ms_arena *arena)
{
    struct ignore *ignores;
    size_t n = find_ignores(src, python, arena, &ignores);
    if (n == 0)
        return;
    size_t kept = first;
    for (size_t i = first; i < diags->n; i++) {
        bool drop = false;
        for (size_t k = 0; k < n; k++)
            if (covers(src, &ignores[k], &diags->items[i])) {
                ignores[k].matched++;
                drop = true;
            }
        if (!drop)
            diags->items[kept++] = diags->items[i];
    }
    diags->n = kept;

    int unused = ms_rule_find("unused-ignore");
    if (unused < 0 || !ms_engine_rule_active(e, (size_t)unused))
        return;
    for (size_t k = 0; k < n; k++) {
        const struct ignore *ig = &ignores[k];
        const char *message = NULL;
        for (size_t r = 0; r < ig->n_rules && !message; r++)
            if (ms_rule_find(ig->rules[r]) < 0)
                message = ms_arena_printf(arena,
                                          "unknown rule \"%s\" in a migsafe:ignore comment "
                                          "(run 'migsafe rules' for the list)",
                                          ig->rules[r]);
        if (!message && ig->matched == 0)
            message = ig->target ? "this migsafe:ignore comment suppresses nothing: no finding of "
                                   "the rules it names is on the statement it covers"
                                 : "this migsafe:ignore-file comment suppresses nothing: no "
                                   "finding of the rules it names is in the file";
        if (!message)
            continue;
        MS_GROW(diags->items, diags->cap, diags->n + 1);
        diags->items[diags->n++] = (struct ms_diag){
            .rule = ms_rules[unused],
            .severity = e->severity[unused],
            .offset = ig->offset,
            .end = ig->end,
            .stmt_offset = ig->offset,
            .stmt_end = ig->end,
            .message = message,
            .help = ms_rules[unused]->help,
        };
    }
    if (diags->n > first)
        qsort(diags->items + first, diags->n - first, sizeof(struct ms_diag), compare_diags);
}
