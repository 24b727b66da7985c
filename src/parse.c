/* parse.c: statement splitting and per-statement parsing (see parse.h). */
#include "parse.h"

size_t ms_skip_trivia(const char *t, size_t pos, size_t end)
{
    while (pos < end) {
        char c = t[pos];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            pos++;
        } else if (c == '-' && pos + 1 < end && t[pos + 1] == '-') {
            while (pos < end && t[pos] != '\n')
                pos++;
        } else if (c == '/' && pos + 1 < end && t[pos + 1] == '*') {
            int depth = 0; /* PostgreSQL block comments nest */
            while (pos < end) {
                if (t[pos] == '/' && pos + 1 < end && t[pos + 1] == '*') {
                    depth++;
                    pos += 2;
                } else if (t[pos] == '*' && pos + 1 < end && t[pos + 1] == '/') {
                    pos += 2;
                    if (--depth == 0)
                        break;
                } else {
                    pos++;
                }
            }
        } else {
            break;
        }
    }
    return pos < end ? pos : end;
}

/* Byte offset of the 1-based character position `cursorpos` in t (PostgreSQL counts
 * characters, not bytes). */
static size_t char_to_byte(const char *t, size_t len, int cursorpos)
{
    size_t i = 0;
    for (int c = 1; c < cursorpos && i < len; c++) {
        i++;
        while (i < len && ((unsigned char)t[i] & 0xC0) == 0x80)
            i++;
    }
    return i;
}

/* PostgreSQL quotes the offending token, which for an unterminated string or comment is the
 * rest of the file: keep messages on one line and short. */
static char *tidy_error(struct ms_arena *arena, const char *msg)
{
    const char *near = strstr(msg, "at or near \"");
    size_t keep = strlen(msg);
    bool cut = false;
    if (near) {
        const char *tok = near + strlen("at or near \"");
        const char *close = strrchr(tok, '"');
        size_t len = close ? (size_t)(close - tok) : strlen(tok), n = 0;
        while (n < len && tok[n] != '\n' && tok[n] != '\r' && n < 40)
            n++;
        while (n > 0 && n < len && ((unsigned char)tok[n] & 0xC0) == 0x80)
            n--; /* do not cut a UTF-8 sequence */
        if (n < len) {
            keep = (size_t)(tok - msg) + n;
            cut = true;
        }
    }
    char *out = ms_arena_printf(arena, "%.*s%s", (int)keep, msg, cut ? "...\"" : "");
    for (char *c = out; *c; c++)
        if ((unsigned char)*c < 0x20)
            *c = ' ';
    return out;
}

static size_t trim_end(const char *t, size_t start, size_t end)
{
    while (end > start && isspace((unsigned char)t[end - 1]))
        end--;
    return end;
}

struct span_list {
    size_t n, cap;
    struct ms_stmt *items;
};

static void push_span(struct span_list *l, const char *t, size_t start, size_t end)
{
    start = ms_skip_trivia(t, start, end);
    end = trim_end(t, start, end);
    if (start >= end)
        return;
    MS_GROW(l->items, l->cap, l->n + 1);
    l->items[l->n++] = (struct ms_stmt){.start = start, .end = end};
}

/* Text between two statements that the scanner split skipped: it held no keyword, so it is not
 * SQL; keep it as a statement so that parsing reports it. */
static void push_gap(struct span_list *l, const char *t, size_t start, size_t end)
{
    for (;;) {
        start = ms_skip_trivia(t, start, end);
        if (start < end && t[start] == ';')
            start++;
        else
            break;
    }
    size_t stop = end;
    while (stop > start && (t[stop - 1] == ';' || isspace((unsigned char)t[stop - 1])))
        stop--;
    push_span(l, t, start, stop);
}

/* Does t[start, end) open a BEGIN ATOMIC body (a PostgreSQL 14+ SQL-standard function body)
 * that no END has closed yet? psql sends such a CREATE FUNCTION as one statement although the
 * body holds ';', and so must the split: after BEGIN ATOMIC, BEGIN and CASE open a level and END
 * closes one. */
static bool in_atomic_body(const char *t, size_t start, size_t end)
{
    size_t first = ms_skip_trivia(t, start, end);
    if (end - first < 6 || strncasecmp(t + first, "create", 6) != 0)
        return false;
    char *sql = ms_xstrndup(t + first, end - first);
    bool open = false;
    if (strcasestr(sql, "atomic")) {
        PgQueryScanResult r = pg_query_scan(sql);
        PgQuery__ScanResult *sr =
            r.error ? NULL
                    : pg_query__scan_result__unpack(NULL, r.pbuf.len, (const uint8_t *)r.pbuf.data);
        int depth = 0;
        for (size_t i = 0; sr && i < sr->n_tokens; i++) {
            PgQuery__Token tok = sr->tokens[i]->token;
            if (!open) {
                if (tok == PG_QUERY__TOKEN__ATOMIC && i > 0 &&
                    sr->tokens[i - 1]->token == PG_QUERY__TOKEN__BEGIN_P)
                    depth = 1, open = true;
            } else if (tok == PG_QUERY__TOKEN__BEGIN_P || tok == PG_QUERY__TOKEN__CASE) {
                depth++;
            } else if (tok == PG_QUERY__TOKEN__END_P && --depth == 0) {
                break;
            }
        }
        open = open && depth > 0;
        if (sr)
            pg_query__scan_result__free_unpacked(sr, NULL);
        pg_query_free_scan_result(r);
    }
    free(sql);
    return open;
}

/* Splits t[base, end) (t[end] must be readable; a NUL-terminated copy is made when needed).
 * Returns the scanner's error, if any, with its byte offset in *err_off. */
static char *split_range(const char *t, size_t base, size_t end, struct span_list *l,
                         size_t *err_off)
{
    char *copy = ms_xstrndup(t + base, end - base);
    PgQuerySplitResult r = pg_query_split_with_scanner(copy);
    char *error = NULL;
    if (r.error) {
        error = ms_xstrdup(r.error->message);
        *err_off = base + char_to_byte(copy, end - base, r.error->cursorpos);
    } else {
        size_t prev = base;
        for (int i = 0; i < r.n_stmts; i++) {
            size_t s = base + (size_t)r.stmts[i]->stmt_location;
            size_t e = s + (size_t)r.stmts[i]->stmt_len;
            while (i + 1 < r.n_stmts && in_atomic_body(t, s, e)) {
                i++;
                e = base + (size_t)r.stmts[i]->stmt_location + (size_t)r.stmts[i]->stmt_len;
            }
            if (e > end)
                e = end;
            push_gap(l, t, prev, s);
            push_span(l, t, s, e);
            prev = e;
        }
        push_gap(l, t, prev, end);
    }
    pg_query_free_split_result(r);
    free(copy);
    return error;
}

void ms_parse_split(const struct ms_source *src, struct ms_arena *arena, int n_arenas,
                    struct ms_parsed *out)
{
    struct span_list l = {0};
    size_t err_off = 0;
    char *error = split_range(src->sql, src->sql_body, src->sql_len, &l, &err_off);
    if (error) {
        /* The scanner gave up at err_off (an unterminated string, identifier or comment swallows
         * the rest of the file): lint what comes before, report the statement holding the error. */
        size_t stmt_start = src->sql_body;
        struct span_list prefix = {0};
        size_t ignored;
        char *again = split_range(src->sql, src->sql_body, err_off, &prefix, &ignored);
        free(again);
        /* the last span of the prefix is the broken statement unless a ';' closed it */
        size_t keep = prefix.n;
        if (keep > 0) {
            size_t after = prefix.items[keep - 1].end;
            size_t next = ms_skip_trivia(src->sql, after, err_off);
            if (next >= err_off || src->sql[next] != ';') {
                keep--;
                stmt_start = prefix.items[keep].start;
            } else {
                stmt_start = ms_skip_trivia(src->sql, next + 1, err_off);
                if (stmt_start >= err_off)
                    stmt_start = err_off;
            }
        } else {
            stmt_start = ms_skip_trivia(src->sql, src->sql_body, err_off);
        }
        l.n = 0;
        for (size_t i = 0; i < keep; i++) {
            MS_GROW(l.items, l.cap, l.n + 1);
            l.items[l.n++] = prefix.items[i];
        }
        free(prefix.items);
        MS_GROW(l.items, l.cap, l.n + 1);
        l.items[l.n++] = (struct ms_stmt){
            .start = stmt_start,
            .end = trim_end(src->sql, stmt_start, src->sql_len),
            .error = tidy_error(arena, error),
            .error_offset = err_off,
        };
        free(error);
    }
    out->n_stmts = l.n;
    out->stmts = ms_arena_alloc(arena, (l.n ? l.n : 1) * sizeof(struct ms_stmt));
    if (l.n)
        memcpy(out->stmts, l.items, l.n * sizeof(struct ms_stmt));
    free(l.items);
    out->n_arenas = n_arenas < 1 ? 1 : n_arenas;
    out->arenas = ms_xcalloc((size_t)out->n_arenas, sizeof(struct ms_arena));
}

static void *pb_alloc(void *data, size_t size)
{
    return ms_arena_alloc(data, size);
}

static void pb_free(void *data, void *ptr)
{
    (void)data;
    (void)ptr; /* arena memory dies with the file */
}

PgQuery__Node *ms_parse_text(const char *text, size_t len, struct ms_arena *arena,
                             const char **error, size_t *error_offset)
{
    char *sql = ms_xstrndup(text, len);
    PgQueryProtobufParseResult r = pg_query_parse_protobuf(sql);
    PgQuery__Node *node = NULL;
    *error = NULL;
    if (r.error) {
        *error = tidy_error(arena, r.error->message);
        *error_offset = r.error->cursorpos > 0 ? char_to_byte(sql, len, r.error->cursorpos) : 0;
    } else {
        ProtobufCAllocator alloc = {pb_alloc, pb_free, arena};
        PgQuery__ParseResult *pr = pg_query__parse_result__unpack(
            &alloc, r.parse_tree.len, (const uint8_t *)r.parse_tree.data);
        if (!pr)
            ms_die("cannot decode libpg_query's parse tree");
        if (pr->n_stmts > 0 && pr->stmts[0]->stmt)
            node = pr->stmts[0]->stmt; /* else only comments: nothing to lint */
    }
    pg_query_free_protobuf_parse_result(r);
    free(sql);
    return node;
}

void ms_parse_stmt(const struct ms_source *src, struct ms_parsed *out, size_t i, int thread)
{
    struct ms_stmt *st = &out->stmts[i];
    if (st->error)
        return;
    size_t error_offset = 0;
    st->node = ms_parse_text(src->sql + st->start, st->end - st->start, &out->arenas[thread],
                             &st->error, &error_offset);
    if (st->error)
        st->error_offset = st->start + error_offset;
}

void ms_parsed_release(struct ms_parsed *p)
{
    for (int i = 0; i < p->n_arenas; i++)
        ms_arena_release(&p->arenas[i]);
    free(p->arenas);
    p->arenas = NULL;
    p->n_arenas = 0;
}
