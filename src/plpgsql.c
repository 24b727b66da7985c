/* plpgsql.c: the statements of a DO block's PL/pgSQL body (see plpgsql.h). */
#include "plpgsql.h"

#include <jansson.h>

/* The body as written: where its string constant lies in the DO statement's text, and for each
 * byte of the body (as PostgreSQL decoded it) the offset of the byte that stands for it. A
 * dollar-quoted body maps one to one; in a single-quoted one '' stands for one quote. */
struct body_map {
    const char *body; /* decoded, NUL-terminated */
    size_t len;
    size_t *at; /* len + 1 offsets in the statement's text */
};

/* Decodes the string constant tok[0, n) into a map when its text is `body`. */
static bool map_constant(const char *tok, size_t n, size_t tok_start, struct body_map *m,
                         struct ms_arena *arena)
{
    size_t *at = ms_arena_alloc(arena, (m->len + 1) * sizeof(size_t));
    if (n >= 2 && tok[0] == '$') {
        const char *close = memchr(tok + 1, '$', n - 1);
        size_t tag = close ? (size_t)(close - tok) + 1 : n;
        if (2 * tag > n || n - 2 * tag != m->len || memcmp(tok + tag, m->body, m->len) != 0)
            return false;
        for (size_t k = 0; k <= m->len; k++)
            at[k] = tok_start + tag + k;
        m->at = at;
        return true;
    }
    size_t i = 0;
    if (i < n && (tok[i] == 'E' || tok[i] == 'e'))
        i++; /* E'...' decodes like '...' as long as it holds no backslash */
    if (i >= n || tok[i] != '\'' || tok[n - 1] != '\'')
        return false;
    size_t k = 0;
    for (i++; i < n - 1; i++, k++) {
        if (tok[i] == '\\' || k >= m->len)
            return false;
        at[k] = tok_start + i;
        if (tok[i] == '\'')
            i++; /* '' */
        if (tok[i] != m->body[k])
            return false;
    }
    if (k != m->len)
        return false;
    at[k] = tok_start + n - 1;
    m->at = at;
    return true;
}

/* Finds the body's string constant in the statement with libpg_query's scanner. */
static bool find_body(const char *sql, size_t len, struct body_map *m, struct ms_arena *arena)
{
    char *copy = ms_xstrndup(sql, len);
    PgQueryScanResult r = pg_query_scan(copy);
    PgQuery__ScanResult *sr =
        r.error ? NULL
                : pg_query__scan_result__unpack(NULL, r.pbuf.len, (const uint8_t *)r.pbuf.data);
    bool found = false;
    for (size_t i = 0; sr && i < sr->n_tokens && !found; i++) {
        const PgQuery__ScanToken *t = sr->tokens[i];
        if (t->token == PG_QUERY__TOKEN__SCONST && t->start >= 0 && t->end <= (int32_t)len &&
            t->start < t->end)
            found = map_constant(copy + t->start, (size_t)(t->end - t->start), (size_t)t->start, m,
                                 arena);
    }
    if (sr)
        pg_query__scan_result__free_unpacked(sr, NULL);
    pg_query_free_scan_result(r);
    free(copy);
    return found;
}

/* A statement the PL/pgSQL tree names, before it is located in the text. */
struct found {
    enum ms_plpgsql_kind kind;
    int lineno;        /* 1-based, in the body */
    const char *query; /* as PL/pgSQL kept it */
};

struct walker {
    struct ms_arena *arena;
    size_t n, cap;
    struct found *items;
};

static void add_found(struct walker *w, enum ms_plpgsql_kind kind, json_t *stmt, const char *key)
{
    json_t *expr = json_object_get(json_object_get(stmt, key), "PLpgSQL_expr");
    const char *query = json_string_value(json_object_get(expr, "query"));
    if (!query)
        return;
    MS_GROW(w->items, w->cap, w->n + 1);
    w->items[w->n++] =
        (struct found){kind, (int)json_integer_value(json_object_get(stmt, "lineno")),
                       ms_arena_strdup(w->arena, query)};
}

/* Every statement list of the tree (blocks, IF and CASE branches, loops, exception handlers)
 * is reached by walking all of it; only the statement kinds below are kept. */
static void walk(struct walker *w, json_t *v)
{
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) walk(w, e);
        return;
    }
    const char *key;
    json_t *val;
    json_object_foreach(v, key, val)
    {
        if (strcmp(key, "PLpgSQL_stmt_execsql") == 0)
            add_found(w, MS_PLPGSQL_STATIC, val, "sqlstmt");
        else if (strcmp(key, "PLpgSQL_stmt_dynexecute") == 0 ||
                 strcmp(key, "PLpgSQL_stmt_dynfors") == 0)
            add_found(w, MS_PLPGSQL_DYNAMIC, val, "query");
        if (json_is_object(val) || json_is_array(val))
            walk(w, val);
    }
}

/* Byte offset in the body where line `lineno` (1-based) begins. */
static size_t line_start(const struct body_map *m, int lineno)
{
    size_t pos = 0;
    for (int line = 1; line < lineno && pos < m->len; pos++)
        if (m->body[pos] == '\n')
            line++;
    return pos;
}

/* Turns body span [a, b) into a span of the statement's text; false when the text there is not
 * the body's bytes one for one (a '' inside it). */
static bool map_span(const struct body_map *m, size_t a, size_t b, size_t *start, size_t *end)
{
    if (a >= b || b > m->len || m->at[b - 1] + 1 - m->at[a] != b - a)
        return false;
    *start = m->at[a];
    *end = m->at[b - 1] + 1;
    return true;
}

/* EXECUTE 'one statement' (or $q$...$q$): the literal's span inside the quotes, when it holds a
 * single statement and no quote of its own. */
static bool literal_statement(const char *q, size_t n, size_t *a, size_t *b)
{
    size_t tag = 1;
    if (n >= 2 && q[0] == '$') {
        const char *close = memchr(q + 1, '$', n - 1);
        tag = close ? (size_t)(close - q) + 1 : n;
        if (2 * tag >= n || memcmp(q, q + n - tag, tag) != 0)
            return false;
    } else if (n < 2 || q[0] != '\'' || q[n - 1] != '\'' || memchr(q + 1, '\'', n - 2)) {
        return false;
    }
    *a = tag;
    *b = n - tag;
    while (*b > *a && (isspace((unsigned char)q[*b - 1]) || q[*b - 1] == ';'))
        (*b)--;
    return *b > *a && !memchr(q + *a, ';', *b - *a) && !memchr(q + *a, '$', *b - *a);
}

/* Where the query text of `f` lies in the body, searching from its line (and from `from` when
 * that is further); false when it is not there verbatim. */
static bool locate(const struct body_map *m, const struct found *f, size_t from, size_t *pos)
{
    size_t line = line_start(m, f->lineno), qlen = strlen(f->query);
    for (int pass = 0; pass < 2; pass++) {
        size_t s = pass == 0 && from > line ? from : line;
        const char *hit = s < m->len ? memmem(m->body + s, m->len - s, f->query, qlen) : NULL;
        if (hit) {
            *pos = (size_t)(hit - m->body);
            return true;
        }
    }
    return false;
}

static int compare_stmts(const void *pa, const void *pb)
{
    const struct ms_plpgsql_stmt *a = pa, *b = pb;
    return a->start < b->start ? -1 : a->start > b->start;
}

/* Locates each statement found, parses the static ones, and puts them in out, in text order. */
static void place(const char *sql, const struct body_map *m, const struct walker *w,
                  struct ms_arena *arena, struct ms_plpgsql_body *out)
{
    size_t cap = 0, cursor = 0;
    struct ms_plpgsql_stmt *list = NULL;
    for (size_t i = 0; i < w->n; i++) {
        const struct found *f = &w->items[i];
        size_t pos, qlen = strlen(f->query), a, b, start, end;
        if (!locate(m, f, cursor, &pos)) {
            out->n_skipped++;
            continue;
        }
        cursor = pos + qlen;
        struct ms_plpgsql_stmt s = {.kind = f->kind};
        if (f->kind == MS_PLPGSQL_DYNAMIC && literal_statement(f->query, qlen, &a, &b) &&
            map_span(m, pos + a, pos + b, &start, &end)) {
            s.kind = MS_PLPGSQL_STATIC; /* the statement is all there: lint it as written */
        } else if (f->kind == MS_PLPGSQL_DYNAMIC) {
            if (!map_span(m, pos, pos + qlen, &start, &end)) {
                out->n_skipped++;
                continue;
            }
            size_t k = start; /* report at the EXECUTE keyword before the expression */
            while (k > 0 && isspace((unsigned char)sql[k - 1]))
                k--;
            if (k >= 7 && strncasecmp(sql + k - 7, "execute", 7) == 0)
                start = k - 7;
            s.expr = f->query;
        } else if (!map_span(m, pos, pos + qlen, &start, &end)) {
            out->n_skipped++;
            continue;
        }
        s.start = start;
        s.end = end;
        if (s.kind == MS_PLPGSQL_STATIC) {
            const char *error;
            size_t error_offset;
            s.node = ms_parse_text(sql + start, end - start, arena, &error, &error_offset);
        }
        MS_GROW(list, cap, out->n_stmts + 1);
        list[out->n_stmts++] = s;
    }
    if (out->n_stmts) {
        qsort(list, out->n_stmts, sizeof(*list), compare_stmts);
        out->stmts = ms_arena_alloc(arena, out->n_stmts * sizeof(*list));
        memcpy(out->stmts, list, out->n_stmts * sizeof(*list));
    }
    free(list);
}

/* The function PL/pgSQL's parser wants around the body, with a dollar-quote tag the body does
 * not hold. The body starts on the first line, so PL/pgSQL's line numbers are the body's. */
static char *wrap_body(const char *body)
{
    char tag[32] = "$migsafe$";
    for (int i = 0; strstr(body, tag); i++)
        snprintf(tag, sizeof(tag), "$migsafe%d$", i);
    size_t n = strlen(body) + 2 * strlen(tag) + 80;
    char *text = ms_xmalloc(n);
    snprintf(text, n, "CREATE FUNCTION migsafe_do() RETURNS void LANGUAGE plpgsql AS %s%s%s", tag,
             body, tag);
    return text;
}

void ms_plpgsql_do(const char *sql, size_t len, const PgQuery__DoStmt *node, struct ms_arena *arena,
                   struct ms_plpgsql_body *out)
{
    memset(out, 0, sizeof(*out));
    const char *body = NULL, *language = "plpgsql";
    for (size_t i = 0; i < node->n_args; i++) {
        const PgQuery__Node *a = node->args[i];
        if (a->node_case != PG_QUERY__NODE__NODE_DEF_ELEM || !a->def_elem->defname)
            continue;
        const char *value =
            a->def_elem->arg && a->def_elem->arg->node_case == PG_QUERY__NODE__NODE_STRING
                ? a->def_elem->arg->string->sval
                : NULL;
        if (strcmp(a->def_elem->defname, "as") == 0)
            body = value;
        else if (strcmp(a->def_elem->defname, "language") == 0 && value)
            language = value;
    }
    out->plpgsql = strcasecmp(language, "plpgsql") == 0;
    if (!out->plpgsql || !body)
        return;
    struct body_map m = {.body = body, .len = strlen(body)};
    if (!find_body(sql, len, &m, arena)) {
        out->error = "the body's quoting cannot be mapped back to the text";
        return;
    }
    char *text = wrap_body(body);
    PgQueryPlpgsqlParseResult r = pg_query_parse_plpgsql(text);
    free(text);
    if (r.error) {
        out->error = ms_arena_strdup(arena, r.error->message);
        pg_query_free_plpgsql_parse_result(r);
        return;
    }
    json_t *tree = json_loads(r.plpgsql_funcs, 0, NULL);
    pg_query_free_plpgsql_parse_result(r);
    if (!tree) {
        out->error = "cannot read libpg_query's PL/pgSQL tree";
        return;
    }
    struct walker w = {.arena = arena};
    walk(&w, tree);
    json_decref(tree);
    place(sql, &m, &w, arena, out);
    free(w.items);
}
