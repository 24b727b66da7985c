/* alembic_lower.c: each Alembic operation as the PostgreSQL SQL Alembic 1.8 with SQLAlchemy 1.4
 * emits for it (offline, `alembic upgrade --sql`). The op table (op_table) and the type table
 * (type_table) below are the whole mapping; docs/alembic.md shows both, and
 * tests/alembic/run.sh checks the output against Alembic itself.
 *
 * A call is lowered only when every value that shapes its SQL is known statically; otherwise it
 * is skipped with a note, never guessed. Details that do not change what the SQL does to the
 * database (a comment, a column of a new table whose type is unknown) are lowered with a
 * placeholder and a note instead. */
#include "migsafe.h"
#include "alembic_impl.h"

/* ---- strings ---- */

struct sb {
    char *p;
    size_t n, cap;
};

static void sb_addn(struct sb *b, const char *s, size_t n)
{
    MS_GROW(b->p, b->cap, b->n + n + 1);
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void sb_add(struct sb *b, const char *s)
{
    sb_addn(b, s, strlen(s));
}

static void MS_PRINTF(2, 3) sb_printf(struct sb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof(tmp)) {
        sb_addn(b, tmp, (size_t)n);
        return;
    }
    MS_GROW(b->p, b->cap, b->n + (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)n;
}

/* SQLAlchemy's PostgreSQL reserved words (sqlalchemy/dialects/postgresql/base.py, 1.4):
 * an identifier that is one of them is quoted. Sorted for bsearch. */
static const char *const reserved_words[] = {
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "binary",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "natural",
    "new",
    "not",
    "notnull",
    "null",
    "of",
    "off",
    "offset",
    "old",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "over",
    "overlaps",
    "placing",
    "primary",
    "references",
    "returning",
    "right",
    "select",
    "session_user",
    "similar",
    "some",
    "symmetric",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
};

static int cmp_word(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* SQLAlchemy's IdentifierPreparer._requires_quotes: reserved, starts with a digit or '$',
 * holds anything but [A-Za-z0-9_$], or is not all lower case. */
static bool needs_quotes(const char *name)
{
    if (!name[0] || isdigit((unsigned char)name[0]) || name[0] == '$')
        return true;
    for (const char *p = name; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (!(islower(c) || isdigit(c) || c == '_' || c == '$'))
            return true;
    }
    return bsearch(&name, reserved_words, MS_ARRAY_LEN(reserved_words), sizeof(char *), cmp_word) !=
           NULL;
}

static void sb_ident(struct sb *b, const char *name)
{
    if (!needs_quotes(name)) {
        sb_add(b, name);
        return;
    }
    sb_add(b, "\"");
    for (const char *p = name; *p; p++)
        sb_addn(b, p, 1 + (*p == '"')); /* a quote is doubled: it is followed by itself */
    sb_add(b, "\"");
}

/* [schema.]name: the schema's dotted parts are quoted one by one (alembic quote_dotted). */
static void sb_table(struct sb *b, const char *schema, const char *name)
{
    if (schema && schema[0]) {
        const char *p = schema;
        for (;;) {
            const char *dot = strchr(p, '.');
            size_t n = dot ? (size_t)(dot - p) : strlen(p);
            char *part = ms_xstrndup(p, n);
            sb_ident(b, part);
            free(part);
            sb_add(b, ".");
            if (!dot)
                break;
            p = dot + 1;
        }
    }
    sb_ident(b, name);
}

/* A string literal as SQLAlchemy renders it for PostgreSQL offline: quotes doubled, and
 * backslashes doubled too (the dialect assumes standard_conforming_strings may be off). */
static void sb_literal(struct sb *b, const char *s)
{
    sb_add(b, "'");
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            sb_add(b, "''");
        else if (*p == '\\')
            sb_add(b, "\\\\");
        else
            sb_addn(b, p, 1);
    }
    sb_add(b, "'");
}

/* ---- one call ---- */

#define MAX_PARAMS 16
#define MAX_STMTS  64

struct lower {
    struct alx *cx;
    const struct ax *call;
    const char *what; /* "op.create_index" for notes */
    bool batch;
    /* arguments bound to the signature */
    const char *params[MAX_PARAMS];
    const struct ax *val[MAX_PARAMS];
    size_t n_params;
    const struct ax *const *var; /* *columns / *elements */
    size_t n_var;
    size_t n_extra; /* keyword arguments the signature does not name (dialect options) */
    const char **extra_name;
    const struct ax **extra_val;
    /* output, emitted only when the whole call lowers */
    char *stmts[MAX_STMTS];
    size_t n_stmts;
    /* the table of the op (after the batch block's defaults) */
    const char *table, *schema;
};

static bool skip(struct lower *l, const char *fmt, ...) MS_PRINTF(2, 3);
static bool skip(struct lower *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *why = ms_arena_vprintf(l->cx->arena, fmt, ap);
    va_end(ap);
    alx_note(l->cx, l->call->start, "%s(...) skipped: %s", l->what, why);
    return false;
}

static void MS_PRINTF(3, 4) note(struct lower *l, const struct ax *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = ms_arena_vprintf(l->cx->arena, fmt, ap);
    va_end(ap);
    alx_note(l->cx, at ? at->start : l->call->start, "%s(...): %s", l->what, msg);
}

static void add_stmt(struct lower *l, struct sb *b)
{
    if (l->n_stmts < MAX_STMTS)
        l->stmts[l->n_stmts++] = b->p ? b->p : ms_xstrdup("");
    else
        free(b->p);
    *b = (struct sb){0};
}

/* Binds the call's arguments to `sig`: parameter names separated by spaces, "*name" for a
 * variadic parameter. Unnamed keywords are kept as extras (dialect options). */
static bool bind_args(struct lower *l, const char *sig)
{
    const struct ax *c = l->call;
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", sig);
    size_t var_at = SIZE_MAX;
    for (char *p = buf; *p && l->n_params < MAX_PARAMS;) {
        char *e = strchr(p, ' ');
        if (e)
            *e = 0;
        if (*p == '*') {
            var_at = l->n_params;
            p++;
        }
        l->params[l->n_params++] = ms_arena_strdup(l->cx->arena, p);
        if (!e)
            break;
        p = e + 1;
    }
    size_t k = 0;
    for (; k < c->n_args && k < l->n_params && k != var_at; k++) {
        if (c->args[k]->kind == AX_OTHER && c->args[k]->fn)
            return skip(l, "its arguments are unpacked with *");
        l->val[k] = c->args[k];
    }
    if (k < c->n_args) {
        if (var_at == SIZE_MAX)
            return skip(l, "too many positional arguments");
        l->var = (const struct ax *const *)c->args + k;
        l->n_var = c->n_args - k;
    }
    l->extra_name = ms_arena_alloc(l->cx->arena, (c->n_kw + 1) * sizeof(char *));
    l->extra_val = ms_arena_alloc(l->cx->arena, (c->n_kw + 1) * sizeof(struct ax *));
    for (size_t j = 0; j < c->n_kw; j++) {
        if (!c->kw[j])
            return skip(l, "its keyword arguments are unpacked with **");
        size_t p = 0;
        while (p < l->n_params && (p == var_at || strcmp(l->params[p], c->kw[j]) != 0))
            p++;
        if (p < l->n_params) {
            l->val[p] = c->kwv[j];
        } else {
            l->extra_name[l->n_extra] = c->kw[j];
            l->extra_val[l->n_extra++] = c->kwv[j];
        }
    }
    return true;
}

static const struct ax *arg(const struct lower *l, const char *name)
{
    for (size_t p = 0; p < l->n_params; p++)
        if (strcmp(l->params[p], name) == 0)
            return l->val[p] ? alx_resolve(l->cx, l->val[p]) : NULL;
    return NULL;
}

static const struct ax *extra(const struct lower *l, const char *name)
{
    for (size_t p = 0; p < l->n_extra; p++)
        if (strcmp(l->extra_name[p], name) == 0)
            return alx_resolve(l->cx, l->extra_val[p]);
    return NULL;
}

/* Keyword argument `name` of a nested call (sa.Column(...), sa.Index(...)). */
static const struct ax *kwarg(const struct alx *cx, const struct ax *call, const char *name)
{
    for (size_t k = 0; k < call->n_kw; k++)
        if (call->kw[k] && strcmp(call->kw[k], name) == 0)
            return alx_resolve(cx, call->kwv[k]);
    return NULL;
}

static bool is_none(const struct ax *e)
{
    return !e || e->kind == AX_NONE;
}

/* -1 unknown, 0 false, 1 true; `dflt` when absent. */
static int truth(const struct ax *e, int dflt)
{
    if (!e)
        return dflt;
    if (e->kind == AX_TRUE)
        return 1;
    if (e->kind == AX_FALSE || e->kind == AX_NONE)
        return 0;
    if (e->kind == AX_NUM)
        return strcmp(e->s, "0") != 0;
    return -1;
}

static bool int_of(const struct ax *e, long *out)
{
    if (!e || e->kind != AX_NUM)
        return false;
    char *end;
    errno = 0;
    long v = strtol(e->s, &end, 10);
    if (*end || errno)
        return false;
    *out = v;
    return true;
}

/* The last component of a dotted callee name ("sa.Column" -> "Column"). */
static const char *call_name(const struct ax *e)
{
    if (!e)
        return "";
    if (e->kind == AX_NAME) {
        const char *dot = strrchr(e->s, '.');
        return dot ? dot + 1 : e->s;
    }
    if (e->kind == AX_CALL)
        return call_name(e->fn);
    return "";
}

static bool is_call(const struct ax *e, const char *name)
{
    return e && e->kind == AX_CALL && e->fn->kind == AX_NAME && strcmp(call_name(e), name) == 0;
}

/* Items of a list or tuple (after following names), or NULL. */
static const struct ax *seq_of(const struct alx *cx, const struct ax *e)
{
    e = e ? alx_resolve(cx, e) : NULL;
    return e && (e->kind == AX_LIST || e->kind == AX_TUPLE) ? e : NULL;
}

/* Text of a SQL fragment: a string or text("...") (sa.text, sqlalchemy.text, sa.sql.text,
 * literal_column, DDL); NULL when it is anything else. */
static const char *sql_text(struct alx *cx, const struct ax *e)
{
    e = e ? alx_resolve(cx, e) : NULL;
    if (!e)
        return NULL;
    if (e->kind == AX_CALL && e->fn->kind == AX_NAME &&
        (is_call(e, "text") || is_call(e, "literal_column") || is_call(e, "DDL")) &&
        e->n_args == 1 && e->n_kw == 0)
        return alx_str(cx, e->args[0]);
    return alx_str(cx, e);
}

/* A comma-separated list of quoted column names from a list of strings. */
static bool sb_names(struct lower *l, struct sb *b, const struct ax *list)
{
    const struct ax *s = seq_of(l->cx, list);
    if (!s)
        return false;
    for (size_t k = 0; k < s->n_args; k++) {
        const char *n = alx_str(l->cx, s->args[k]);
        if (!n)
            return false;
        if (k)
            sb_add(b, ", ");
        sb_ident(b, n);
    }
    return true;
}

/* ---- server defaults ---- */

/* SQL functions SQLAlchemy renders without parentheses (sqlalchemy.sql.functions). */
static bool is_ansi_function(const char *name)
{
    static const char *const ansi[] = {"current_date", "current_time", "current_timestamp",
                                       "current_user", "localtime",    "localtimestamp",
                                       "session_user", "user"};
    for (size_t k = 0; k < MS_ARRAY_LEN(ansi); k++)
        if (strcasecmp(name, ansi[k]) == 0)
            return true;
    return false;
}

/* An expression inside a server default or function call, rendered with literal binds. */
static bool sb_sql_expr(struct lower *l, struct sb *b, const struct ax *e, int depth)
{
    struct alx *cx = l->cx;
    e = e ? alx_resolve(cx, e) : NULL;
    if (!e || depth > 8)
        return false;
    if (e->kind == AX_STR) {
        const char *s = alx_str(cx, e);
        if (!s)
            return false;
        sb_literal(b, s);
        return true;
    }
    if (e->kind == AX_NUM) {
        sb_add(b, e->s);
        return true;
    }
    if (e->kind == AX_TRUE || e->kind == AX_FALSE) {
        sb_add(b, e->kind == AX_TRUE ? "true" : "false");
        return true;
    }
    if (e->kind == AX_NONE) {
        sb_add(b, "NULL");
        return true;
    }
    if (e->kind != AX_CALL || e->fn->kind != AX_NAME || e->star || e->n_kw)
        return false;
    const char *fn = e->fn->s, *last = call_name(e);
    if ((is_call(e, "text") || is_call(e, "literal_column")) && e->n_args == 1) {
        const char *s = alx_str(cx, e->args[0]);
        if (!s)
            return false;
        sb_add(b, s);
        return true;
    }
    if ((is_call(e, "true") || is_call(e, "false") || is_call(e, "null")) && e->n_args == 0) {
        sb_add(b, strcmp(last, "null") == 0 ? "NULL" : last);
        return true;
    }
    if ((is_call(e, "literal") || is_call(e, "inline_literal")) && e->n_args == 1)
        return sb_sql_expr(l, b, e->args[0], depth + 1);
    const char *func = strstr(fn, "func.");
    if (func && (func == fn || func[-1] == '.') && !strchr(func + 5, '.')) {
        if (is_ansi_function(last) && e->n_args == 0) {
            for (const char *p = last; *p; p++) {
                char c = (char)toupper((unsigned char)*p);
                sb_addn(b, &c, 1);
            }
            return true;
        }
        sb_add(b, last);
        sb_add(b, "(");
        for (size_t k = 0; k < e->n_args; k++) {
            if (k)
                sb_add(b, ", ");
            if (!sb_sql_expr(l, b, e->args[k], depth + 1))
                return false;
        }
        sb_add(b, ")");
        return true;
    }
    return false;
}

/* server_default=: a string is a quoted literal, text() is SQL as written. */
static bool sb_server_default(struct lower *l, struct sb *b, const struct ax *e)
{
    e = e ? alx_resolve(l->cx, e) : NULL;
    if (e && (is_call(e, "DefaultClause") || is_call(e, "FetchedValue")) && e->n_args == 1)
        e = alx_resolve(l->cx, e->args[0]);
    if (!e || e->kind == AX_NUM || e->kind == AX_TRUE || e->kind == AX_FALSE || e->kind == AX_NONE)
        return false; /* SQLAlchemy refuses these */
    return sb_sql_expr(l, b, e, 0);
}

/* ---- types ---- */

enum tkind {
    T_PLAIN,     /* the SQL as given */
    T_STRING,    /* NAME[(length)][ COLLATE "c"] */
    T_FLOAT,     /* FLOAT[(precision)] */
    T_NUMERIC,   /* NAME[(precision[, scale])] */
    T_TIMESTAMP, /* TIMESTAMP[(p)] WITH[OUT] TIME ZONE */
    T_TIME,      /* TIME[(p)] WITH[OUT] TIME ZONE */
    T_INTERVAL,  /* INTERVAL[ fields][ (p)] */
    T_SQLA_INTERVAL,
    T_BIT,   /* BIT(n) or BIT VARYING[(n)] */
    T_ARRAY, /* inner[]... */
    T_ENUM,  /* the enum's name (and CREATE TYPE in create_table) */
};

/* How a type's affinity matters for SERIAL: integer and numeric types can autoincrement. */
enum taff { A_OTHER, A_INT, A_SMALLINT, A_BIGINT, A_NUMERIC };

/* SQLAlchemy 1.4 type classes (sqlalchemy.types and sqlalchemy.dialects.postgresql) and what
 * PostgreSQL's type compiler makes of them. Looked up by class name, whatever the module. */
static const struct type_def {
    const char *cls;
    enum tkind kind;
    const char *sql;
    enum taff aff;
} type_table[] = {
    {"ARRAY", T_ARRAY, NULL, A_OTHER},
    {"AutoString", T_STRING, "VARCHAR", A_OTHER}, /* sqlmodel */
    {"BIGINT", T_PLAIN, "BIGINT", A_BIGINT},
    {"BINARY", T_PLAIN, "BINARY", A_OTHER},
    {"BIT", T_BIT, "BIT", A_OTHER},
    {"BLOB", T_PLAIN, "BLOB", A_OTHER},
    {"BOOLEAN", T_PLAIN, "BOOLEAN", A_OTHER},
    {"BYTEA", T_PLAIN, "BYTEA", A_OTHER},
    {"BigInteger", T_PLAIN, "BIGINT", A_BIGINT},
    {"Boolean", T_PLAIN, "BOOLEAN", A_OTHER},
    {"CHAR", T_STRING, "CHAR", A_OTHER},
    {"CIDR", T_PLAIN, "CIDR", A_OTHER},
    {"CITEXT", T_PLAIN, "CITEXT", A_OTHER},
    {"CLOB", T_STRING, "CLOB", A_OTHER},
    {"DATE", T_PLAIN, "DATE", A_OTHER},
    {"DATERANGE", T_PLAIN, "DATERANGE", A_OTHER},
    {"DATETIME", T_PLAIN, "DATETIME", A_OTHER},
    {"DECIMAL", T_NUMERIC, "DECIMAL", A_NUMERIC},
    {"DOUBLE_PRECISION", T_PLAIN, "DOUBLE PRECISION", A_NUMERIC},
    {"Date", T_PLAIN, "DATE", A_OTHER},
    {"DateTime", T_TIMESTAMP, "TIMESTAMP", A_OTHER},
    {"ENUM", T_ENUM, NULL, A_OTHER},
    {"Enum", T_ENUM, NULL, A_OTHER},
    {"FLOAT", T_FLOAT, "FLOAT", A_NUMERIC},
    {"Float", T_FLOAT, "FLOAT", A_NUMERIC},
    {"HSTORE", T_PLAIN, "HSTORE", A_OTHER},
    {"INET", T_PLAIN, "INET", A_OTHER},
    {"INT", T_PLAIN, "INTEGER", A_INT},
    {"INT4RANGE", T_PLAIN, "INT4RANGE", A_OTHER},
    {"INT8RANGE", T_PLAIN, "INT8RANGE", A_OTHER},
    {"INTEGER", T_PLAIN, "INTEGER", A_INT},
    {"INTERVAL", T_INTERVAL, "INTERVAL", A_OTHER},
    {"Integer", T_PLAIN, "INTEGER", A_INT},
    {"Interval", T_SQLA_INTERVAL, "INTERVAL", A_OTHER},
    {"JSON", T_PLAIN, "JSON", A_OTHER},
    {"JSONB", T_PLAIN, "JSONB", A_OTHER},
    {"LargeBinary", T_PLAIN, "BYTEA", A_OTHER},
    {"MACADDR", T_PLAIN, "MACADDR", A_OTHER},
    {"MACADDR8", T_PLAIN, "MACADDR8", A_OTHER},
    {"MONEY", T_PLAIN, "MONEY", A_OTHER},
    {"NCHAR", T_STRING, "NCHAR", A_OTHER},
    {"NUMERIC", T_NUMERIC, "NUMERIC", A_NUMERIC},
    {"NUMRANGE", T_PLAIN, "NUMRANGE", A_OTHER},
    {"NVARCHAR", T_STRING, "NVARCHAR", A_OTHER},
    {"Numeric", T_NUMERIC, "NUMERIC", A_NUMERIC},
    {"OID", T_PLAIN, "OID", A_OTHER},
    {"PickleType", T_PLAIN, "BYTEA", A_OTHER},
    {"REAL", T_PLAIN, "REAL", A_NUMERIC},
    {"REGCLASS", T_PLAIN, "REGCLASS", A_OTHER},
    {"SMALLINT", T_PLAIN, "SMALLINT", A_SMALLINT},
    {"SmallInteger", T_PLAIN, "SMALLINT", A_SMALLINT},
    {"String", T_STRING, "VARCHAR", A_OTHER},
    {"TEXT", T_STRING, "TEXT", A_OTHER},
    {"TIME", T_TIME, "TIME", A_OTHER},
    {"TIMESTAMP", T_TIMESTAMP, "TIMESTAMP", A_OTHER},
    {"TSQUERY", T_PLAIN, "TSQUERY", A_OTHER},
    {"TSRANGE", T_PLAIN, "TSRANGE", A_OTHER},
    {"TSTZRANGE", T_PLAIN, "TSTZRANGE", A_OTHER},
    {"TSVECTOR", T_PLAIN, "TSVECTOR", A_OTHER},
    {"Text", T_STRING, "TEXT", A_OTHER},
    {"Time", T_TIME, "TIME", A_OTHER},
    {"UUID", T_PLAIN, "UUID", A_OTHER},
    {"UUIDType", T_PLAIN, "UUID", A_OTHER}, /* sqlalchemy_utils: native UUID on PostgreSQL */
    {"Unicode", T_STRING, "VARCHAR", A_OTHER},
    {"UnicodeText", T_STRING, "TEXT", A_OTHER},
    {"Uuid", T_PLAIN, "UUID", A_OTHER},
    {"VARCHAR", T_STRING, "VARCHAR", A_OTHER},
};

static int cmp_type(const void *key, const void *elem)
{
    return strcmp(key, ((const struct type_def *)elem)->cls);
}

/* Modules whose types are another database's: never PostgreSQL's. */
static bool is_foreign_dialect(const char *dotted)
{
    return strstr(dotted, "mysql") || strstr(dotted, "sqlite") || strstr(dotted, "mssql") ||
           strstr(dotted, "oracle");
}

/* A native enum a create_table must create first. */
struct enum_def {
    const char *name, *schema;
    const struct ax *call;
};

struct type_out {
    enum taff aff;
    bool is_enum;
    struct enum_def en; /* when is_enum and the type is created with the table */
    bool create_enum;
};

/* Positional or keyword argument `name` (position `pos`) of a type call. */
static const struct ax *targ(const struct alx *cx, const struct ax *call, size_t pos,
                             const char *name)
{
    if (!call || call->kind != AX_CALL)
        return NULL;
    const struct ax *k = kwarg(cx, call, name);
    if (k)
        return k;
    return pos < call->n_args ? alx_resolve(cx, call->args[pos]) : NULL;
}

struct plist_s {
    size_t n;
    const char *items[256];
};

/* The strings among a call's positional arguments (an Enum's values, a constraint's columns);
 * a *LIST of strings counts too. False when one is not a literal. */
static bool enum_values(struct alx *cx, const struct ax *call, struct plist_s *vals)
{
    vals->n = 0;
    for (size_t k = 0; k < call->n_args; k++) {
        const struct ax *a = call->args[k];
        if (a->kind == AX_OTHER && a->fn) { /* *VALUES */
            const struct ax *s = seq_of(cx, a->fn);
            if (!s)
                return false;
            for (size_t m = 0; m < s->n_args; m++) {
                const char *v = alx_str(cx, s->args[m]);
                if (!v || vals->n >= MS_ARRAY_LEN(vals->items))
                    return false;
                vals->items[vals->n++] = v;
            }
            continue;
        }
        const char *v = alx_str(cx, a);
        if (!v || vals->n >= MS_ARRAY_LEN(vals->items))
            return false;
        vals->items[vals->n++] = v;
    }
    return true;
}

static bool sb_type(struct lower *l, struct sb *b, const struct ax *t, struct type_out *out,
                    int depth);

static bool sb_type(struct lower *l, struct sb *b, const struct ax *t, struct type_out *out,
                    int depth)
{
    struct alx *cx = l->cx;
    t = t ? alx_resolve(cx, t) : NULL;
    if (!t || depth > 4)
        return false;
    /* X().with_variant(Y(), "postgresql"): Y on PostgreSQL */
    if (t->kind == AX_CALL && t->fn->kind == AX_ATTR && strcmp(t->fn->s, "with_variant") == 0) {
        const char *dialect = t->n_args > 1 ? alx_str(cx, t->args[1]) : NULL;
        if (dialect && strcmp(dialect, "postgresql") == 0 && t->n_args > 0)
            return sb_type(l, b, t->args[0], out, depth + 1);
        return sb_type(l, b, t->fn->fn, out, depth + 1);
    }
    const struct ax *call = t->kind == AX_CALL ? t : NULL;
    const struct ax *cls = call ? call->fn : t;
    if (cls->kind != AX_NAME)
        return false;
    const char *dotted = cls->s;
    const char *name = strrchr(dotted, '.') ? strrchr(dotted, '.') + 1 : dotted;
    const struct type_def *d =
        is_foreign_dialect(dotted)
            ? NULL
            : bsearch(name, type_table, MS_ARRAY_LEN(type_table), sizeof(type_table[0]), cmp_type);
    if (!d) {
        /* a type of another library or of the project: a placeholder that parses */
        note(l, t, "type %s is not one migsafe knows; lowered as %s", dotted, name);
        sb_ident(b, strcmp(name, "CIText") == 0 ? "citext" : name);
        return true;
    }
    out->aff = d->aff;
    long n1, n2;
    switch (d->kind) {
    case T_PLAIN:
        sb_add(b, d->sql);
        return true;
    case T_STRING: {
        sb_add(b, d->sql);
        const struct ax *len = targ(cx, call, 0, "length");
        if (len && !is_none(len)) {
            if (!int_of(len, &n1))
                return false;
            if (n1)
                sb_printf(b, "(%ld)", n1);
        }
        const struct ax *coll = targ(cx, call, 1, "collation");
        if (coll && !is_none(coll)) {
            const char *c = alx_str(cx, coll);
            if (!c)
                return false;
            sb_printf(b, " COLLATE \"%s\"", c);
        }
        return true;
    }
    case T_FLOAT: {
        sb_add(b, d->sql);
        const struct ax *p = targ(cx, call, 0, "precision");
        if (p && !is_none(p)) {
            if (!int_of(p, &n1))
                return false;
            sb_printf(b, "(%ld)", n1);
        }
        return true;
    }
    case T_NUMERIC: {
        sb_add(b, d->sql);
        const struct ax *p = targ(cx, call, 0, "precision"), *s = targ(cx, call, 1, "scale");
        if (p && !is_none(p)) {
            if (!int_of(p, &n1))
                return false;
            if (s && !is_none(s)) {
                if (!int_of(s, &n2))
                    return false;
                sb_printf(b, "(%ld, %ld)", n1, n2);
            } else {
                sb_printf(b, "(%ld)", n1);
            }
        }
        return true;
    }
    case T_TIMESTAMP:
    case T_TIME: {
        int tz = truth(targ(cx, call, 0, "timezone"), 0);
        if (tz < 0)
            return false;
        sb_add(b, d->sql);
        const struct ax *p = targ(cx, call, 1, "precision");
        if (p && !is_none(p) && strcmp(name, "DateTime") != 0 && strcmp(name, "Time") != 0) {
            if (!int_of(p, &n1))
                return false;
            sb_printf(b, "(%ld)", n1);
        }
        sb_add(b, tz ? " WITH TIME ZONE" : " WITHOUT TIME ZONE");
        return true;
    }
    case T_INTERVAL:
    case T_SQLA_INTERVAL: {
        sb_add(b, "INTERVAL");
        const struct ax *f = d->kind == T_INTERVAL ? targ(cx, call, 1, "fields") : NULL;
        const struct ax *p = d->kind == T_INTERVAL ? targ(cx, call, 0, "precision")
                                                   : targ(cx, call, 1, "second_precision");
        if (f && !is_none(f)) {
            const char *fs = alx_str(cx, f);
            if (!fs)
                return false;
            sb_printf(b, " %s", fs);
        }
        if (p && !is_none(p)) {
            if (!int_of(p, &n1))
                return false;
            sb_printf(b, " (%ld)", n1);
        }
        return true;
    }
    case T_BIT: {
        int varying = truth(targ(cx, call, 1, "varying"), 0);
        const struct ax *len = targ(cx, call, 0, "length");
        n1 = 1;
        if (varying < 0 || (len && !is_none(len) && !int_of(len, &n1)))
            return false;
        if (varying) {
            sb_add(b, "BIT VARYING");
            if (len && !is_none(len))
                sb_printf(b, "(%ld)", n1);
        } else {
            sb_printf(b, "BIT(%ld)", n1 ? n1 : 1);
        }
        return true;
    }
    case T_ARRAY: {
        const struct ax *inner = targ(cx, call, 0, "item_type");
        if (!inner || !sb_type(l, b, inner, out, depth + 1))
            return false;
        out->aff = A_OTHER;
        long dims = 1;
        const struct ax *dm = targ(cx, call, 3, "dimensions");
        if (dm && !is_none(dm) && !int_of(dm, &dims))
            return false;
        for (long k = 0; k < (dims < 1 ? 1 : dims) && k < 8; k++)
            sb_add(b, "[]");
        return true;
    }
    case T_ENUM: {
        out->is_enum = true;
        if (!call)
            return false;
        struct plist_s vals;
        bool have_values = enum_values(cx, call, &vals);
        int native = truth(kwarg(cx, call, "native_enum"), 1);
        if (native == 0) {
            long len = 0;
            const struct ax *lk = kwarg(cx, call, "length");
            if (lk && !is_none(lk)) {
                if (!int_of(lk, &len))
                    return false;
            } else {
                if (!have_values)
                    return false;
                for (size_t k = 0; k < vals.n; k++)
                    if ((long)strlen(vals.items[k]) > len)
                        len = (long)strlen(vals.items[k]);
            }
            sb_printf(b, "VARCHAR(%ld)", len);
            out->is_enum = false;
            return true;
        }
        const struct ax *nm = kwarg(cx, call, "name");
        const char *ename = nm ? alx_str(cx, nm) : NULL;
        if (!ename)
            return false; /* PostgreSQL ENUM type requires a name */
        const struct ax *sc = kwarg(cx, call, "schema");
        const char *eschema = sc && !is_none(sc) ? alx_str(cx, sc) : NULL;
        if (sc && !is_none(sc) && !eschema)
            return false;
        sb_table(b, eschema, ename);
        int create = truth(kwarg(cx, call, "create_type"), 1);
        if (create < 0)
            return false;
        out->create_enum = create == 1;
        out->en = (struct enum_def){ename, eschema, call};
        if (create == 1 && !have_values) {
            note(l, call, "the values of enum %s are not literals: its CREATE TYPE is not lowered",
                 ename);
            out->create_enum = false;
        }
        return true;
    }
    }
    return false;
}

/* ---- columns ---- */

#define MAX_COLS   512
#define MAX_FKS    8
#define MAX_CHECKS 8

struct fk {
    const struct ax *call; /* sa.ForeignKey(...) */
    const char *ref_schema, *ref_table, *ref_col;
};

struct col {
    const struct ax *call;
    const char *name;
    const struct ax *type;
    int nullable; /* -1 unspecified */
    bool primary_key, unique, index;
    int autoincrement; /* -1 "auto", 0 False, 1 True, 2 "ignore_fk" */
    const struct ax *server_default, *default_, *comment, *identity, *computed;
    bool has_sequence;
    size_t n_fks, n_checks;
    struct fk fks[MAX_FKS];
    const struct ax *checks[MAX_CHECKS];
};

/* "schema.table.col" or "table.col" of a ForeignKey target. */
static bool split_target(struct lower *l, const char *target, struct fk *fk)
{
    const char *last = strrchr(target, '.');
    if (!last || last == target)
        return false;
    fk->ref_col = ms_arena_strdup(l->cx->arena, last + 1);
    char *rest = ms_arena_strndup(l->cx->arena, target, (size_t)(last - target));
    char *dot = strrchr(rest, '.');
    if (dot) {
        *dot = 0;
        fk->ref_schema = rest;
        fk->ref_table = dot + 1;
    } else {
        fk->ref_schema = NULL;
        fk->ref_table = rest;
    }
    return true;
}

/* Reads sa.Column(name, type, *args, **kw). Unresolvable details are dropped with a note;
 * false when the column itself cannot be known (its name). */
static bool read_column(struct lower *l, const struct ax *call, struct col *c)
{
    struct alx *cx = l->cx;
    memset(c, 0, sizeof(*c));
    c->call = call;
    c->nullable = -1;
    c->autoincrement = -1;
    if (call->star)
        return false;
    size_t k = 0;
    if (k < call->n_args) {
        c->name = alx_str(cx, call->args[k]);
        if (c->name)
            k++;
    }
    const struct ax *nk = kwarg(cx, call, "name");
    if (!c->name && nk)
        c->name = alx_str(cx, nk);
    if (!c->name)
        return false;
    const struct ax *tk = kwarg(cx, call, "type_");
    if (tk)
        c->type = tk;
    for (; k < call->n_args; k++) {
        const struct ax *a = alx_resolve(cx, call->args[k]);
        const char *n = call_name(a);
        if (a && (is_call(a, "ForeignKey"))) {
            if (c->n_fks >= MAX_FKS)
                continue;
            struct fk *fk = &c->fks[c->n_fks];
            const char *target = a->n_args ? alx_str(cx, a->args[0]) : NULL;
            if (!target || !split_target(l, target, fk)) {
                note(l, a,
                     "a ForeignKey whose target is not a \"table.column\" string is "
                     "not lowered");
                continue;
            }
            fk->call = a;
            c->n_fks++;
        } else if (a && is_call(a, "CheckConstraint")) {
            if (c->n_checks < MAX_CHECKS)
                c->checks[c->n_checks++] = a;
        } else if (a && is_call(a, "Identity")) {
            c->identity = a;
        } else if (a && is_call(a, "Computed")) {
            c->computed = a;
        } else if (a && is_call(a, "Sequence")) {
            c->has_sequence = true;
        } else if (a && (is_call(a, "DefaultClause") || is_call(a, "FetchedValue"))) {
            c->server_default = a;
        } else if (!c->type && a && (a->kind == AX_NAME || a->kind == AX_CALL)) {
            c->type = a;
        } else {
            note(l, call->args[k], "an argument of column \"%s\" is not understood (%s)", c->name,
                 n[0] ? n : "an expression");
        }
    }
    for (size_t j = 0; j < call->n_kw; j++) {
        const char *kw = call->kw[j];
        const struct ax *v = alx_resolve(cx, call->kwv[j]);
        if (!kw)
            return false;
        int t = truth(v, 0);
        if (strcmp(kw, "nullable") == 0) {
            c->nullable = t;
        } else if (strcmp(kw, "primary_key") == 0) {
            c->primary_key = t == 1;
        } else if (strcmp(kw, "unique") == 0) {
            c->unique = t == 1;
        } else if (strcmp(kw, "index") == 0) {
            c->index = t == 1;
        } else if (strcmp(kw, "autoincrement") == 0) {
            const char *s = v && v->kind == AX_STR ? alx_str(cx, v) : NULL;
            c->autoincrement = s ? (strcmp(s, "ignore_fk") == 0 ? 2 : -1) : t;
        } else if (strcmp(kw, "server_default") == 0) {
            c->server_default = is_none(v) ? NULL : v;
        } else if (strcmp(kw, "default") == 0) {
            c->default_ = is_none(v) ? NULL : v;
        } else if (strcmp(kw, "comment") == 0) {
            c->comment = is_none(v) ? NULL : v;
        }
        /* type_, name, key, doc, info, quote, onupdate, server_onupdate, system: no SQL */
    }
    if (c->nullable < 0 && c->identity)
        c->nullable = 0;
    return true;
}

static bool type_is_serial_kind(enum taff a)
{
    return a != A_OTHER;
}

/* The column specification (name, type or SERIAL, DEFAULT, GENERATED, NOT NULL, inline
 * CHECKs) as SQLAlchemy's PostgreSQL DDL compiler writes it. */
static bool sb_column(struct lower *l, struct sb *b, const struct col *c, bool in_pk, bool autoinc,
                      bool lenient, struct type_out *tout)
{
    struct alx *cx = l->cx;
    sb_ident(b, c->name);
    sb_add(b, " ");
    struct sb tb = {0};
    memset(tout, 0, sizeof(*tout));
    if (!c->type || !sb_type(l, &tb, c->type, tout, 0)) {
        free(tb.p);
        if (!lenient)
            return skip(l, "the type of column \"%s\" cannot be resolved", c->name);
        /* a new table's column: its type does not change what the statement locks */
        note(l, c->call, "the type of column \"%s\" cannot be resolved; lowered as unknown",
             c->name);
        tb = (struct sb){0};
        sb_add(&tb, "unknown");
        memset(tout, 0, sizeof(*tout));
    }
    bool identity = c->identity != NULL;
    if (in_pk && autoinc && !identity && !c->default_ && !c->has_sequence) {
        sb_add(b, tout->aff == A_BIGINT     ? "BIGSERIAL"
                  : tout->aff == A_SMALLINT ? "SMALLSERIAL"
                                            : "SERIAL");
    } else {
        sb_add(b, tb.p);
        if (c->server_default) {
            struct sb db = {0};
            if (sb_server_default(l, &db, c->server_default)) {
                sb_add(b, " DEFAULT ");
                sb_add(b, db.p);
            } else if (lenient) {
                note(l, c->server_default,
                     "the server_default of column \"%s\" cannot be resolved; left out", c->name);
            } else {
                free(db.p);
                free(tb.p);
                return skip(l, "the server_default of column \"%s\" cannot be resolved", c->name);
            }
            free(db.p);
        }
    }
    free(tb.p);
    if (c->computed) {
        const struct ax *cc = c->computed;
        const char *expr = cc->n_args ? sql_text(cx, cc->args[0]) : NULL;
        const struct ax *persisted = kwarg(cx, cc, "persisted");
        if (!expr || truth(persisted, 1) != 1)
            return skip(l, "the Computed() of column \"%s\" cannot be lowered", c->name);
        sb_printf(b, " GENERATED ALWAYS AS (%s) STORED", expr);
    }
    if (identity) {
        const struct ax *id = c->identity;
        int always = truth(kwarg(cx, id, "always"), 0);
        if (always < 0 || id->n_args)
            return skip(l, "the Identity() of column \"%s\" cannot be resolved", c->name);
        sb_printf(b, " GENERATED %s AS IDENTITY", always ? "ALWAYS" : "BY DEFAULT");
        struct sb o = {0};
        /* SQLAlchemy's get_identity_options order */
        static const struct {
            const char *kw, *sql;
            bool number;
        } opts[] = {{"increment", "INCREMENT BY", true},
                    {"start", "START WITH", true},
                    {"minvalue", "MINVALUE", true},
                    {"maxvalue", "MAXVALUE", true},
                    {"nominvalue", "NO MINVALUE", false},
                    {"nomaxvalue", "NO MAXVALUE", false},
                    {"cache", "CACHE", true},
                    {"cycle", NULL, false}};
        for (size_t k = 0; k < MS_ARRAY_LEN(opts); k++) {
            const struct ax *v = kwarg(cx, id, opts[k].kw);
            if (!v || is_none(v))
                continue;
            if (o.n)
                sb_add(&o, " ");
            long n = 0;
            if (!opts[k].sql) {
                sb_add(&o, truth(v, 0) == 1 ? "CYCLE" : "NO CYCLE");
            } else if (opts[k].number) {
                if (!int_of(v, &n)) {
                    free(o.p);
                    return skip(l, "an Identity() option of column \"%s\" is not a number",
                                c->name);
                }
                sb_printf(&o, "%s %ld", opts[k].sql, n);
            } else {
                sb_add(&o, opts[k].sql);
            }
        }
        if (o.n)
            sb_printf(b, " (%s)", o.p);
        free(o.p);
    }
    int nullable = c->nullable >= 0 ? c->nullable : !(in_pk || c->primary_key);
    if (!nullable && !identity)
        sb_add(b, " NOT NULL");
    else if (nullable && identity)
        sb_add(b, " NULL");
    for (size_t k = 0; k < c->n_checks; k++) {
        const struct ax *ck = c->checks[k];
        const char *expr = ck->n_args ? sql_text(cx, ck->args[0]) : NULL;
        if (!expr) {
            note(l, ck, "a CheckConstraint that is not SQL text is not lowered");
            continue;
        }
        const struct ax *nm = kwarg(cx, ck, "name");
        const char *name = nm ? alx_str(cx, nm) : NULL;
        sb_add(b, " ");
        if (name) {
            sb_add(b, "CONSTRAINT ");
            sb_ident(b, name);
            sb_add(b, " ");
        }
        sb_printf(b, "CHECK (%s)", expr);
    }
    return true;
}

/* " DEFERRABLE", " INITIALLY X" from a constraint's keyword arguments. */
static void sb_deferrable(struct lower *l, struct sb *b, const struct ax *deferrable,
                          const struct ax *initially)
{
    if (deferrable && !is_none(deferrable))
        sb_add(b, truth(deferrable, 0) == 1 ? " DEFERRABLE" : " NOT DEFERRABLE");
    const char *init = initially && !is_none(initially) ? alx_str(l->cx, initially) : NULL;
    if (init)
        sb_printf(b, " INITIALLY %s", init);
}

/* FOREIGN KEY(cols) REFERENCES t (cols) [MATCH][ON DELETE][ON UPDATE][DEFERRABLE][NOT VALID] */
static bool sb_fk_clause(struct lower *l, struct sb *b, const char *name, const struct ax *local,
                         const char *local_one, const char *ref_schema, const char *ref_table,
                         const struct ax *remote, const char *remote_one, const struct ax *opts,
                         const struct lower *opl)
{
    struct alx *cx = l->cx;
    if (name) {
        sb_add(b, "CONSTRAINT ");
        sb_ident(b, name);
        sb_add(b, " ");
    }
    sb_add(b, "FOREIGN KEY(");
    if (local_one)
        sb_ident(b, local_one);
    else if (!sb_names(l, b, local))
        return false;
    sb_add(b, ") REFERENCES ");
    sb_table(b, ref_schema, ref_table);
    sb_add(b, " (");
    if (remote_one)
        sb_ident(b, remote_one);
    else if (!sb_names(l, b, remote))
        return false;
    sb_add(b, ")");
#define FKOPT(n) (opl ? arg(opl, n) : kwarg(cx, opts, n))
    const struct ax *match = FKOPT("match"), *ondelete = FKOPT("ondelete"),
                    *onupdate = FKOPT("onupdate"), *deferrable = FKOPT("deferrable"),
                    *initially = FKOPT("initially");
#undef FKOPT
    const char *s;
    if (match && (s = alx_str(cx, match)))
        sb_printf(b, " MATCH %s", s);
    if (ondelete && (s = alx_str(cx, ondelete)))
        sb_printf(b, " ON DELETE %s", s);
    if (onupdate && (s = alx_str(cx, onupdate)))
        sb_printf(b, " ON UPDATE %s", s);
    sb_deferrable(l, b, deferrable, initially);
    const struct ax *nv =
        opl ? extra(opl, "postgresql_not_valid") : kwarg(cx, opts, "postgresql_not_valid");
    if (truth(nv, 0) == 1)
        sb_add(b, " NOT VALID");
    return true;
}

/* The conventional name of a column index: ix_[schema_]table_column (SQLAlchemy's default
 * naming convention "ix_%(column_0_label)s"). */
static const char *index_label(struct lower *l, const char *schema, const char *table,
                               const char *col)
{
    if (schema)
        return ms_arena_printf(l->cx->arena, "ix_%s_%s_%s", schema, table, col);
    return ms_arena_printf(l->cx->arena, "ix_%s_%s", table, col);
}

/* CREATE [UNIQUE] INDEX ix_... ON t (c) for a column with index=True. */
static void col_index_stmt(struct lower *l, const struct col *c)
{
    struct sb b = {0};
    sb_add(&b, c->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
    sb_ident(&b, index_label(l, l->schema, l->table, c->name));
    sb_add(&b, " ON ");
    sb_table(&b, l->schema, l->table);
    sb_add(&b, " (");
    sb_ident(&b, c->name);
    sb_add(&b, ")");
    add_stmt(l, &b);
}

static void comment_stmt(struct lower *l, const char *column, const struct ax *comment)
{
    struct sb b = {0};
    sb_add(&b, column ? "COMMENT ON COLUMN " : "COMMENT ON TABLE ");
    sb_table(&b, l->schema, l->table);
    if (column) {
        sb_add(&b, ".");
        sb_ident(&b, column);
    }
    sb_add(&b, " IS ");
    const char *s = comment && !is_none(comment) ? alx_str(l->cx, comment) : NULL;
    if (s)
        sb_literal(&b, s);
    else
        sb_add(&b, "NULL");
    add_stmt(l, &b);
}

static void create_type_stmt(struct lower *l, const struct enum_def *en)
{
    struct plist_s vals;
    enum_values(l->cx, en->call, &vals);
    struct sb b = {0};
    sb_add(&b, "CREATE TYPE ");
    sb_table(&b, en->schema, en->name);
    sb_add(&b, " AS ENUM (");
    for (size_t k = 0; k < vals.n; k++) {
        if (k)
            sb_add(&b, ", ");
        sb_literal(&b, vals.items[k]);
    }
    sb_add(&b, ")");
    add_stmt(l, &b);
}

/* ---- index ---- */

/* CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] name ON t [USING m] (cols)
 * [INCLUDE (...)] [WITH (...)] [TABLESPACE t] [WHERE ...]; opts is the call holding the
 * postgresql_* keywords (a sa.Index or the op itself through `opl`). */
static bool index_stmt(struct lower *l, const char *name, const struct ax *const *cols,
                       size_t n_cols, bool unique,
                       const struct ax *(*get)(const struct lower *, const void *, const char *),
                       const void *src)
{
    struct alx *cx = l->cx;
    struct sb b = {0};
    sb_add(&b, unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
    int conc = truth(get(l, src, "postgresql_concurrently"), 0);
    int ine = truth(get(l, src, "if_not_exists"), 0);
    if (conc < 0 || ine < 0) {
        free(b.p);
        return skip(l, "postgresql_concurrently or if_not_exists is not a literal");
    }
    if (conc)
        sb_add(&b, "CONCURRENTLY ");
    if (ine)
        sb_add(&b, "IF NOT EXISTS ");
    sb_ident(&b, name);
    sb_add(&b, " ON ");
    sb_table(&b, l->schema, l->table);
    sb_add(&b, " ");
    const struct ax *using = get(l, src, "postgresql_using");
    if (using && !is_none(using)) {
        const char *u = alx_str(cx, using);
        if (!u) {
            free(b.p);
            return skip(l, "postgresql_using is not a literal");
        }
        sb_add(&b, "USING ");
        for (const char *p = u; *p; p++) {
            char c = (char)tolower((unsigned char)*p);
            sb_addn(&b, &c, 1);
        }
        sb_add(&b, " ");
    }
    const struct ax *ops = get(l, src, "postgresql_ops");
    if (ops && !is_none(ops) && ops->kind != AX_DICT) {
        free(b.p);
        return skip(l, "postgresql_ops is not a literal dict");
    }
    sb_add(&b, "(");
    for (size_t k = 0; k < n_cols; k++) {
        const struct ax *c = alx_resolve(cx, cols[k]);
        if (k)
            sb_add(&b, ", ");
        const char *s;
        if (c && c->kind == AX_STR && (s = alx_str(cx, c))) {
            sb_ident(&b, s);
            for (size_t m = 0; ops && m < ops->n_args; m++) {
                const char *key = alx_str(cx, ops->args[m]);
                const char *val = alx_str(cx, ops->kwv[m]);
                if (key && val && strcmp(key, s) == 0)
                    sb_printf(&b, " %s", val);
            }
        } else if ((s = sql_text(cx, c)) != NULL) {
            sb_add(&b, s);
        } else {
            free(b.p);
            return skip(l, "an indexed expression is not a column name or text()");
        }
    }
    sb_add(&b, ")");
    const struct ax *include = get(l, src, "postgresql_include");
    if (include && !is_none(include)) {
        sb_add(&b, " INCLUDE (");
        if (!sb_names(l, &b, include)) {
            free(b.p);
            return skip(l, "postgresql_include is not a literal list");
        }
        sb_add(&b, ")");
    }
    const struct ax *with = get(l, src, "postgresql_with");
    if (with && !is_none(with)) {
        if (with->kind != AX_DICT) {
            free(b.p);
            return skip(l, "postgresql_with is not a literal dict");
        }
        sb_add(&b, " WITH (");
        for (size_t m = 0; m < with->n_args; m++) {
            const struct ax *v = alx_resolve(cx, with->kwv[m]);
            const char *key = alx_str(cx, with->args[m]);
            const char *val = v && v->kind == AX_NUM ? v->s : alx_str(cx, v);
            if (!key || !val) {
                free(b.p);
                return skip(l, "postgresql_with is not a literal dict");
            }
            sb_printf(&b, "%s%s = %s", m ? ", " : "", key, val);
        }
        sb_add(&b, ")");
    }
    const struct ax *ts = get(l, src, "postgresql_tablespace");
    if (ts && !is_none(ts)) {
        const char *t = alx_str(cx, ts);
        if (!t) {
            free(b.p);
            return skip(l, "postgresql_tablespace is not a literal");
        }
        sb_add(&b, " TABLESPACE ");
        sb_ident(&b, t);
    }
    const struct ax *where = get(l, src, "postgresql_where");
    if (where && !is_none(where)) {
        const char *w = sql_text(cx, where);
        if (!w) {
            free(b.p);
            return skip(l, "postgresql_where is not SQL text");
        }
        sb_printf(&b, " WHERE %s", w);
    }
    add_stmt(l, &b);
    return true;
}

static const struct ax *get_op_kw(const struct lower *l, const void *src, const char *name)
{
    (void)src;
    return extra(l, name);
}

static const struct ax *get_call_kw(const struct lower *l, const void *src, const char *name)
{
    return kwarg(l->cx, src, name);
}

/* ---- the ops ---- */

/* op.create_table(name, *columns, **kw). */
static bool lower_create_table(struct lower *l)
{
    struct alx *cx = l->cx;
    l->table = alx_str(cx, arg(l, "table_name"));
    if (!l->table)
        return skip(l, "the table name is not a literal");
    const struct ax *sc = extra(l, "schema");
    l->schema = sc && !is_none(sc) ? alx_str(cx, sc) : NULL;
    if (sc && !is_none(sc) && !l->schema)
        return skip(l, "the schema is not a literal");
    struct col *cols = ms_arena_alloc(cx->arena, MAX_COLS * sizeof(struct col));
    size_t n_cols = 0;
    const struct ax *pkc = NULL;
    const struct ax **constraints = ms_arena_alloc(cx->arena, MAX_COLS * sizeof(struct ax *));
    const struct ax **indexes = ms_arena_alloc(cx->arena, MAX_COLS * sizeof(struct ax *));
    size_t n_cons = 0, n_idx = 0;
    for (size_t k = 0; k < l->n_var; k++) {
        const struct ax *a = alx_resolve(cx, l->var[k]);
        if (a && is_call(a, "Column") && n_cols < MAX_COLS) {
            if (read_column(l, a, &cols[n_cols]))
                n_cols++;
            else
                note(l, a, "a column whose name is not a literal is left out");
        } else if (a && is_call(a, "PrimaryKeyConstraint")) {
            pkc = a;
        } else if (a && (is_call(a, "UniqueConstraint") || is_call(a, "ForeignKeyConstraint") ||
                         is_call(a, "CheckConstraint") || is_call(a, "ExcludeConstraint"))) {
            if (n_cons < MAX_COLS)
                constraints[n_cons++] = a;
        } else if (a && is_call(a, "Index")) {
            if (n_idx < MAX_COLS)
                indexes[n_idx++] = a;
        } else {
            note(l, l->var[k],
                 "an argument that is not a column, constraint or index is left "
                 "out");
        }
    }
    /* the primary key: an explicit PrimaryKeyConstraint wins over primary_key=True columns */
    bool *in_pk = ms_arena_alloc(cx->arena, MAX_COLS * sizeof(bool));
    size_t n_pk = 0;
    if (pkc) {
        struct plist_s names;
        if (!enum_values(cx, pkc, &names))
            return skip(l, "the PrimaryKeyConstraint columns are not literals");
        for (size_t k = 0; k < names.n; k++)
            for (size_t m = 0; m < n_cols; m++)
                if (strcmp(cols[m].name, names.items[k]) == 0 && !in_pk[m]) {
                    in_pk[m] = true;
                    n_pk++;
                    if (cols[m].nullable < 0)
                        cols[m].nullable = 0;
                }
    } else {
        for (size_t m = 0; m < n_cols; m++)
            if (cols[m].primary_key)
                in_pk[m] = true, n_pk++;
    }
    /* the autoincrement column (SQLAlchemy's PrimaryKeyConstraint._autoincrement_column) */
    size_t autoinc = SIZE_MAX;
    struct type_out *touts = ms_arena_alloc(cx->arena, MAX_COLS * sizeof(struct type_out));
    struct sb *colspecs = ms_arena_alloc(cx->arena, MAX_COLS * sizeof(struct sb));
    for (size_t m = 0; m < n_cols; m++) {
        struct type_out t = {0};
        struct sb scratch = {0};
        if (cols[m].type)
            sb_type(l, &scratch, cols[m].type, &t, 0);
        free(scratch.p);
        touts[m] = t;
    }
    for (size_t m = 0; m < n_cols; m++) {
        if (!in_pk[m])
            continue;
        const struct col *c = &cols[m];
        bool ok = type_is_serial_kind(touts[m].aff);
        if (c->autoincrement == 1 && ok) {
            autoinc = m;
        } else if (n_pk == 1 && (c->autoincrement == -1 || c->autoincrement == 2) && ok &&
                   !c->default_ && !c->server_default && (c->n_fks == 0 || c->autoincrement == 2)) {
            autoinc = m;
        }
    }
    /* enums first, in column order, each once */
    struct enum_def *enums = ms_arena_alloc(cx->arena, MAX_COLS * sizeof(struct enum_def));
    size_t n_enums = 0;
    struct sb b = {0};
    for (size_t m = 0; m < n_cols; m++) {
        struct type_out t;
        if (!sb_column(l, &colspecs[m], &cols[m], in_pk[m], autoinc == m, true, &t)) {
            for (size_t j = 0; j <= m; j++)
                free(colspecs[j].p);
            for (size_t j = 0; j < l->n_stmts; j++)
                free(l->stmts[j]);
            l->n_stmts = 0;
            return false;
        }
        if (t.is_enum && t.create_enum) {
            bool seen = false;
            for (size_t j = 0; j < n_enums; j++)
                seen |=
                    strcmp(enums[j].name, t.en.name) == 0 &&
                    ((!enums[j].schema && !t.en.schema) ||
                     (enums[j].schema && t.en.schema && strcmp(enums[j].schema, t.en.schema) == 0));
            if (!seen)
                enums[n_enums++] = t.en;
        }
    }
    for (size_t j = 0; j < n_enums; j++)
        create_type_stmt(l, &enums[j]);
    sb_add(&b, "CREATE TABLE ");
    sb_table(&b, l->schema, l->table);
    sb_add(&b, " (\n");
    bool first = true;
    for (size_t m = 0; m < n_cols; m++) {
        sb_printf(&b, "%s    %s", first ? "" : ", \n", colspecs[m].p);
        free(colspecs[m].p);
        first = false;
    }
    /* constraints: the primary key, then by creation order: the table-level ones as written,
     * then those the columns make (unique=True, ForeignKey) when the Table is built */
    if (n_pk) {
        sb_printf(&b, "%s    ", first ? "" : ", \n");
        first = false;
        const struct ax *nm = pkc ? kwarg(cx, pkc, "name") : NULL;
        const char *name = nm ? alx_str(cx, nm) : NULL;
        if (name) {
            sb_add(&b, "CONSTRAINT ");
            sb_ident(&b, name);
            sb_add(&b, " ");
        }
        sb_add(&b, "PRIMARY KEY (");
        bool f2 = true;
        if (pkc) {
            struct plist_s names;
            enum_values(cx, pkc, &names);
            for (size_t k = 0; k < names.n; k++) {
                sb_add(&b, f2 ? "" : ", ");
                sb_ident(&b, names.items[k]);
                f2 = false;
            }
        } else {
            for (size_t m = 0; m < n_cols; m++)
                if (in_pk[m]) {
                    sb_add(&b, f2 ? "" : ", ");
                    sb_ident(&b, cols[m].name);
                    f2 = false;
                }
        }
        sb_add(&b, ")");
        if (pkc)
            sb_deferrable(l, &b, kwarg(cx, pkc, "deferrable"), kwarg(cx, pkc, "initially"));
    }
    for (size_t k = 0; k < n_cons; k++) {
        const struct ax *a = constraints[k];
        struct sb cb = {0};
        const struct ax *nm = kwarg(cx, a, "name");
        const char *name = nm && !is_none(nm) ? alx_str(cx, nm) : NULL;
        bool ok = true;
        if (is_call(a, "UniqueConstraint") || is_call(a, "CheckConstraint")) {
            if (name) {
                sb_add(&cb, "CONSTRAINT ");
                sb_ident(&cb, name);
                sb_add(&cb, " ");
            }
            if (is_call(a, "UniqueConstraint")) {
                struct plist_s names;
                ok = enum_values(cx, a, &names);
                sb_add(&cb, "UNIQUE (");
                for (size_t m = 0; ok && m < names.n; m++) {
                    sb_add(&cb, m ? ", " : "");
                    sb_ident(&cb, names.items[m]);
                }
                sb_add(&cb, ")");
            } else {
                const char *expr = a->n_args ? sql_text(cx, a->args[0]) : NULL;
                ok = expr != NULL;
                if (ok)
                    sb_printf(&cb, "CHECK (%s)", expr);
            }
            sb_deferrable(l, &cb, kwarg(cx, a, "deferrable"), kwarg(cx, a, "initially"));
            if (ok && is_call(a, "CheckConstraint") &&
                truth(kwarg(cx, a, "postgresql_not_valid"), 0) == 1)
                sb_add(&cb, " NOT VALID");
        } else if (is_call(a, "ForeignKeyConstraint")) {
            const struct ax *refs = a->n_args > 1 ? seq_of(cx, a->args[1]) : NULL;
            const char *first_ref = refs && refs->n_args ? alx_str(cx, refs->args[0]) : NULL;
            struct fk target;
            ok = first_ref && split_target(l, first_ref, &target);
            if (ok) {
                /* the remote columns are the last part of each "table.col" */
                struct ax *rcols = ms_arena_alloc(cx->arena, sizeof(*rcols));
                *rcols = *refs;
                rcols->args = ms_arena_alloc(cx->arena, refs->n_args * sizeof(struct ax *));
                for (size_t m = 0; ok && m < refs->n_args; m++) {
                    const char *r = alx_str(cx, refs->args[m]);
                    struct fk t2;
                    ok = r && split_target(l, r, &t2);
                    struct ax *s = ms_arena_alloc(cx->arena, sizeof(*s));
                    s->kind = AX_STR;
                    s->s = ok ? t2.ref_col : "";
                    s->len = strlen(s->s);
                    rcols->args[m] = s;
                }
                ok = ok && sb_fk_clause(l, &cb, name, a->args[0], NULL, target.ref_schema,
                                        target.ref_table, rcols, NULL, a, NULL);
            }
        } else { /* ExcludeConstraint */
            ok = false;
        }
        if (ok) {
            sb_printf(&b, "%s    %s", first ? "" : ", \n", cb.p);
            first = false;
        } else {
            note(l, a, "a %s that cannot be resolved is left out", call_name(a));
        }
        free(cb.p);
    }
    for (size_t m = 0; m < n_cols; m++) {
        const struct col *c = &cols[m];
        if (c->unique && !c->index) {
            sb_printf(&b, "%s    UNIQUE (", first ? "" : ", \n");
            sb_ident(&b, c->name);
            sb_add(&b, ")");
            first = false;
        }
        for (size_t f = 0; f < c->n_fks; f++) {
            const struct fk *fk = &c->fks[f];
            struct sb cb = {0};
            const struct ax *nm = kwarg(cx, fk->call, "name");
            const char *name = nm && !is_none(nm) ? alx_str(cx, nm) : NULL;
            sb_fk_clause(l, &cb, name, NULL, c->name, fk->ref_schema, fk->ref_table, NULL,
                         fk->ref_col, fk->call, NULL);
            sb_printf(&b, "%s    %s", first ? "" : ", \n", cb.p);
            free(cb.p);
            first = false;
        }
    }
    sb_add(&b, "\n)");
    /* PostgreSQL table options (PGDDLCompiler.post_create_table) */
    const struct ax *inh = extra(l, "postgresql_inherits");
    if (inh && !is_none(inh)) {
        const char *one = alx_str(cx, inh);
        const struct ax *s = one ? NULL : seq_of(cx, inh);
        sb_add(&b, "\n INHERITS ( ");
        if (one)
            sb_ident(&b, one);
        else if (!s || !sb_names(l, &b, s)) {
            free(b.p);
            return skip(l, "postgresql_inherits is not a literal");
        }
        sb_add(&b, " )");
    }
    const struct ax *part = extra(l, "postgresql_partition_by");
    if (part && !is_none(part)) {
        const char *p = alx_str(cx, part);
        if (!p) {
            free(b.p);
            return skip(l, "postgresql_partition_by is not a literal");
        }
        sb_printf(&b, "\n PARTITION BY %s", p);
    }
    const struct ax *ts = extra(l, "postgresql_tablespace");
    if (ts && !is_none(ts)) {
        const char *t = alx_str(cx, ts);
        if (t) {
            sb_add(&b, "\n TABLESPACE ");
            sb_ident(&b, t);
        }
    }
    add_stmt(l, &b);
    /* indexes: the columns' index=True ones and the sa.Index arguments */
    for (size_t m = 0; m < n_cols; m++)
        if (cols[m].index)
            col_index_stmt(l, &cols[m]);
    for (size_t k = 0; k < n_idx; k++) {
        const struct ax *ix = indexes[k];
        const char *iname = ix->n_args ? alx_str(cx, ix->args[0]) : NULL;
        int unique = truth(kwarg(cx, ix, "unique"), 0);
        if (!iname || unique < 0 || ix->star ||
            !index_stmt(l, iname, (const struct ax *const *)ix->args + 1, ix->n_args - 1,
                        unique == 1, get_call_kw, ix))
            note(l, ix, "an Index that cannot be resolved is left out");
    }
    const struct ax *tc = extra(l, "comment");
    if (tc && !is_none(tc))
        comment_stmt(l, NULL, tc);
    for (size_t m = 0; m < n_cols; m++)
        if (cols[m].comment)
            comment_stmt(l, cols[m].name, cols[m].comment);
    return true;
}

/* The table and schema of an op: its own arguments, or the batch block's. */
static bool op_table_name(struct lower *l, const char *param)
{
    struct alx *cx = l->cx;
    if (l->batch) {
        l->table = cx->batch_table;
        l->schema = cx->batch_schema;
        return l->table != NULL;
    }
    l->table = alx_str(cx, arg(l, param));
    const struct ax *sc = arg(l, "schema");
    if (!sc)
        sc = arg(l, "source_schema");
    l->schema = sc && !is_none(sc) ? alx_str(cx, sc) : NULL;
    if (!l->table)
        return skip(l, "the table name is not a literal");
    if (sc && !is_none(sc) && !l->schema)
        return skip(l, "the schema is not a literal");
    return true;
}

static void alter_prefix(struct lower *l, struct sb *b)
{
    sb_add(b, "ALTER TABLE ");
    sb_table(b, l->schema, l->table);
    sb_add(b, " ");
}

static bool lower_add_column(struct lower *l)
{
    if (!op_table_name(l, "table_name"))
        return false;
    const struct ax *a = arg(l, "column");
    struct col c;
    if (!a || !is_call(a, "Column") || !read_column(l, a, &c))
        return skip(l, "the column is not a literal sa.Column(...)");
    /* Alembic builds a one-column table: an integer primary key is its SERIAL column */
    bool autoinc =
        c.primary_key &&
        (c.autoincrement == 1 || ((c.autoincrement == -1 || c.autoincrement == 2) && !c.default_ &&
                                  !c.server_default && (c.n_fks == 0 || c.autoincrement == 2)));
    struct type_out t = {0};
    if (autoinc) {
        struct sb scratch = {0};
        if (c.type)
            sb_type(l, &scratch, c.type, &t, 0);
        free(scratch.p);
        autoinc = type_is_serial_kind(t.aff);
    }
    struct sb b = {0};
    alter_prefix(l, &b);
    sb_add(&b, "ADD COLUMN ");
    if (!sb_column(l, &b, &c, c.primary_key, autoinc, false, &t)) {
        free(b.p);
        return false;
    }
    add_stmt(l, &b);
    if (c.unique && !c.index) {
        alter_prefix(l, &b);
        sb_add(&b, "ADD UNIQUE (");
        sb_ident(&b, c.name);
        sb_add(&b, ")");
        add_stmt(l, &b);
    }
    for (size_t f = 0; f < c.n_fks; f++) {
        const struct fk *fk = &c.fks[f];
        const struct ax *nm = kwarg(l->cx, fk->call, "name");
        const char *name = nm && !is_none(nm) ? alx_str(l->cx, nm) : NULL;
        alter_prefix(l, &b);
        sb_add(&b, "ADD ");
        sb_fk_clause(l, &b, name, NULL, c.name, fk->ref_schema, fk->ref_table, NULL, fk->ref_col,
                     fk->call, NULL);
        add_stmt(l, &b);
    }
    if (c.index)
        col_index_stmt(l, &c);
    if (c.comment)
        comment_stmt(l, c.name, c.comment);
    return true;
}

static bool lower_drop_column(struct lower *l)
{
    if (!op_table_name(l, "table_name"))
        return false;
    const char *col = alx_str(l->cx, arg(l, "column_name"));
    if (!col)
        return skip(l, "the column name is not a literal");
    struct sb b = {0};
    alter_prefix(l, &b);
    sb_add(&b, "DROP COLUMN ");
    sb_ident(&b, col);
    add_stmt(l, &b);
    return true;
}

static bool lower_alter_column(struct lower *l)
{
    struct alx *cx = l->cx;
    if (!op_table_name(l, "table_name"))
        return false;
    const char *col = alx_str(cx, arg(l, "column_name"));
    if (!col)
        return skip(l, "the column name is not a literal");
    const struct ax *type = arg(l, "type_"), *nullable = arg(l, "nullable"),
                    *sdefault = arg(l, "server_default"), *comment = arg(l, "comment"),
                    *rename = arg(l, "new_column_name"), *using = extra(l, "postgresql_using");
    struct sb b = {0};
    if (type && !is_none(type)) {
        struct type_out t = {0};
        alter_prefix(l, &b);
        sb_add(&b, "ALTER COLUMN ");
        sb_ident(&b, col);
        sb_add(&b, " TYPE ");
        if (!sb_type(l, &b, type, &t, 0)) {
            free(b.p);
            return skip(l, "type_ cannot be resolved");
        }
        if (using && !is_none(using)) {
            const char *u = sql_text(cx, using);
            if (!u) {
                free(b.p);
                return skip(l, "postgresql_using is not SQL text");
            }
            sb_printf(&b, " USING %s", u);
        }
        add_stmt(l, &b);
    }
    if (nullable && !is_none(nullable)) {
        int n = truth(nullable, 0);
        if (n < 0)
            return skip(l, "nullable is not a literal");
        alter_prefix(l, &b);
        sb_add(&b, "ALTER COLUMN ");
        sb_ident(&b, col);
        sb_add(&b, n ? " DROP NOT NULL" : " SET NOT NULL");
        add_stmt(l, &b);
    }
    if (sdefault && sdefault->kind != AX_FALSE) {
        alter_prefix(l, &b);
        sb_add(&b, "ALTER COLUMN ");
        sb_ident(&b, col);
        if (is_none(sdefault)) {
            sb_add(&b, " DROP DEFAULT");
        } else {
            sb_add(&b, " SET DEFAULT ");
            if (is_call(sdefault, "Identity") || is_call(sdefault, "Computed") ||
                !sb_server_default(l, &b, sdefault)) {
                free(b.p);
                return skip(l, "server_default cannot be resolved");
            }
        }
        add_stmt(l, &b);
    }
    if (comment && comment->kind != AX_FALSE) {
        if (!is_none(comment) && !alx_str(cx, comment))
            return skip(l, "comment is not a literal");
        comment_stmt(l, col, comment);
    }
    if (rename && !is_none(rename)) {
        const char *nn = alx_str(cx, rename);
        if (!nn)
            return skip(l, "new_column_name is not a literal");
        alter_prefix(l, &b);
        sb_add(&b, "RENAME ");
        sb_ident(&b, col);
        sb_add(&b, " TO ");
        sb_ident(&b, nn);
        add_stmt(l, &b);
    }
    return true;
}

static bool lower_create_index(struct lower *l)
{
    if (!op_table_name(l, "table_name"))
        return false;
    const char *name = alx_str(l->cx, arg(l, "index_name"));
    if (!name)
        return skip(l, "the index name is not a literal");
    const struct ax *cols = seq_of(l->cx, arg(l, "columns"));
    if (!cols)
        return skip(l, "the columns are not a literal list");
    const struct ax *u = arg(l, "unique");
    if (!u)
        u = extra(l, "unique");
    int unique = truth(u, 0);
    if (unique < 0)
        return skip(l, "unique is not a literal");
    return index_stmt(l, name, (const struct ax *const *)cols->args, cols->n_args, unique == 1,
                      get_op_kw, NULL);
}

static bool lower_drop_index(struct lower *l)
{
    struct alx *cx = l->cx;
    const char *name = alx_str(cx, arg(l, "index_name"));
    if (!name)
        return skip(l, "the index name is not a literal");
    const char *schema = NULL;
    if (l->batch) {
        schema = cx->batch_schema;
    } else {
        const struct ax *sc = arg(l, "schema");
        schema = sc && !is_none(sc) ? alx_str(cx, sc) : NULL;
        if (sc && !is_none(sc) && !schema)
            return skip(l, "the schema is not a literal");
    }
    int conc = truth(extra(l, "postgresql_concurrently"), 0);
    int ie = truth(extra(l, "if_exists"), 0);
    if (conc < 0 || ie < 0)
        return skip(l, "postgresql_concurrently or if_exists is not a literal");
    struct sb b = {0};
    sb_add(&b, "DROP INDEX ");
    if (conc)
        sb_add(&b, "CONCURRENTLY ");
    if (ie)
        sb_add(&b, "IF EXISTS ");
    sb_table(&b, schema, name);
    add_stmt(l, &b);
    return true;
}

/* ALTER TABLE t ADD [CONSTRAINT name] <what>: name may be None. */
static bool constraint_prefix(struct lower *l, struct sb *b, bool named)
{
    alter_prefix(l, b);
    sb_add(b, "ADD ");
    const struct ax *n = arg(l, "constraint_name");
    if (named && n && !is_none(n)) {
        const char *name = alx_str(l->cx, n);
        if (!name) {
            free(b->p);
            *b = (struct sb){0};
            return skip(l, "the constraint name is not a literal");
        }
        sb_add(b, "CONSTRAINT ");
        sb_ident(b, name);
        sb_add(b, " ");
    }
    return true;
}

static bool lower_create_unique_constraint(struct lower *l)
{
    if (!op_table_name(l, "table_name"))
        return false;
    struct sb b = {0};
    if (!constraint_prefix(l, &b, true))
        return false;
    sb_add(&b, "UNIQUE (");
    if (!sb_names(l, &b, arg(l, "columns"))) {
        free(b.p);
        return skip(l, "the columns are not a literal list");
    }
    sb_add(&b, ")");
    sb_deferrable(l, &b, extra(l, "deferrable"), extra(l, "initially"));
    add_stmt(l, &b);
    return true;
}

static bool lower_create_primary_key(struct lower *l)
{
    if (!op_table_name(l, "table_name"))
        return false;
    struct sb b = {0};
    if (!constraint_prefix(l, &b, true))
        return false;
    sb_add(&b, "PRIMARY KEY (");
    if (!sb_names(l, &b, arg(l, "columns"))) {
        free(b.p);
        return skip(l, "the columns are not a literal list");
    }
    sb_add(&b, ")");
    add_stmt(l, &b);
    return true;
}

static bool lower_create_foreign_key(struct lower *l)
{
    struct alx *cx = l->cx;
    if (!op_table_name(l, "source_table"))
        return false;
    const char *ref = alx_str(cx, arg(l, "referent_table"));
    const struct ax *rs = arg(l, "referent_schema");
    const char *ref_schema = rs && !is_none(rs) ? alx_str(cx, rs) : NULL;
    if (!ref || (rs && !is_none(rs) && !ref_schema))
        return skip(l, "the referenced table is not a literal");
    const struct ax *n = arg(l, "constraint_name");
    const char *name = n && !is_none(n) ? alx_str(cx, n) : NULL;
    if (n && !is_none(n) && !name)
        return skip(l, "the constraint name is not a literal");
    struct sb b = {0};
    alter_prefix(l, &b);
    sb_add(&b, "ADD ");
    if (!sb_fk_clause(l, &b, name, arg(l, "local_cols"), NULL, ref_schema, ref,
                      arg(l, "remote_cols"), NULL, NULL, l)) {
        free(b.p);
        return skip(l, "the columns are not literal lists");
    }
    add_stmt(l, &b);
    return true;
}

static bool lower_create_check_constraint(struct lower *l)
{
    if (!op_table_name(l, "table_name"))
        return false;
    const char *cond = sql_text(l->cx, arg(l, "condition"));
    if (!cond)
        return skip(l, "the condition is not SQL text");
    struct sb b = {0};
    if (!constraint_prefix(l, &b, true))
        return false;
    sb_printf(&b, "CHECK (%s)", cond);
    sb_deferrable(l, &b, extra(l, "deferrable"), extra(l, "initially"));
    if (truth(extra(l, "postgresql_not_valid"), 0) == 1)
        sb_add(&b, " NOT VALID");
    add_stmt(l, &b);
    return true;
}

static bool lower_create_exclude_constraint(struct lower *l)
{
    struct alx *cx = l->cx;
    if (!op_table_name(l, "table_name"))
        return false;
    struct sb b = {0};
    if (!constraint_prefix(l, &b, true))
        return false;
    const struct ax *using = extra(l, "using");
    const char *u = using && !is_none(using) ? alx_str(cx, using) : "gist";
    if (!u) {
        free(b.p);
        return skip(l, "using is not a literal");
    }
    sb_add(&b, "EXCLUDE USING ");
    for (const char *p = u; *p; p++) {
        char c = (char)tolower((unsigned char)*p);
        sb_addn(&b, &c, 1);
    }
    sb_add(&b, " (");
    for (size_t k = 0; k < l->n_var; k++) {
        const struct ax *el = seq_of(cx, l->var[k]);
        const char *what = NULL, *opr = NULL;
        if (el && el->n_args == 2) {
            const struct ax *c = alx_resolve(cx, el->args[0]);
            opr = alx_str(cx, el->args[1]);
            if (c && c->kind == AX_STR)
                what = alx_str(cx, c);
            else
                what = sql_text(cx, c);
            if (what && c && c->kind == AX_STR) {
                struct sb q = {0};
                sb_ident(&q, what);
                what = ms_arena_strdup(cx->arena, q.p);
                free(q.p);
            }
        }
        if (!what || !opr) {
            free(b.p);
            return skip(l, "an element is not a literal (column, operator) pair");
        }
        sb_printf(&b, "%s%s WITH %s", k ? ", " : "", what, opr);
    }
    sb_add(&b, ")");
    const struct ax *where = extra(l, "where");
    if (where && !is_none(where)) {
        const char *w = sql_text(cx, where);
        if (!w) {
            free(b.p);
            return skip(l, "where is not SQL text");
        }
        sb_printf(&b, " WHERE (%s)", w);
    }
    sb_deferrable(l, &b, extra(l, "deferrable"), extra(l, "initially"));
    add_stmt(l, &b);
    return true;
}

static bool lower_drop_constraint(struct lower *l)
{
    if (!op_table_name(l, "table_name"))
        return false;
    const char *name = alx_str(l->cx, arg(l, "constraint_name"));
    if (!name)
        return skip(l, "the constraint name is not a literal");
    struct sb b = {0};
    alter_prefix(l, &b);
    sb_add(&b, "DROP CONSTRAINT ");
    sb_ident(&b, name);
    add_stmt(l, &b);
    return true;
}

static bool lower_drop_table(struct lower *l)
{
    if (!op_table_name(l, "table_name"))
        return false;
    struct sb b = {0};
    sb_add(&b, "DROP TABLE ");
    sb_table(&b, l->schema, l->table);
    add_stmt(l, &b);
    return true;
}

static bool lower_rename_table(struct lower *l)
{
    if (!op_table_name(l, "old_table_name"))
        return false;
    const char *to = alx_str(l->cx, arg(l, "new_table_name"));
    if (!to)
        return skip(l, "the new table name is not a literal");
    struct sb b = {0};
    alter_prefix(l, &b);
    sb_add(&b, "RENAME TO ");
    sb_ident(&b, to);
    add_stmt(l, &b);
    return true;
}

static bool lower_table_comment(struct lower *l, bool drop)
{
    if (!op_table_name(l, "table_name"))
        return false;
    const struct ax *c = drop ? NULL : arg(l, "comment");
    if (c && !is_none(c) && !alx_str(l->cx, c))
        return skip(l, "the comment is not a literal");
    comment_stmt(l, NULL, c);
    return true;
}

static bool lower_create_table_comment(struct lower *l)
{
    return lower_table_comment(l, false);
}

static bool lower_drop_table_comment(struct lower *l)
{
    return lower_table_comment(l, true);
}

/* The first :name SQLAlchemy's text() takes for a bind parameter, by its regex
 * (?<![:\w\\]):(\w+)(?!:) (quotes not considered; the regex backtracks, so ":ab:" binds ":a").
 * Returns its offset in s and sets *len, or returns -1. */
static long text_bind_param(const char *s, int *len)
{
    for (const char *p = s; *p; p++) {
        if (*p != ':' || (p > s && (p[-1] == ':' || p[-1] == '\\' ||
                                    isalnum((unsigned char)p[-1]) || p[-1] == '_')))
            continue;
        const char *e = p + 1;
        while (isalnum((unsigned char)*e) || *e == '_')
            e++;
        size_t word = (size_t)(e - p - 1);
        if (word >= 2 || (word == 1 && *e != ':')) {
            *len = (int)(word < 60 ? word + 1 : 61);
            return (long)(p - s);
        }
    }
    return -1;
}

/* op.execute("SQL") / op.execute(sa.text("SQL")): the string itself, mapped into the literal
 * (see alx_emit_string). Other constructs (t.update(), select()) are not lowered. */
static bool lower_execute(struct lower *l)
{
    struct alx *cx = l->cx;
    const struct ax *e = l->n_params ? l->val[0] : NULL;
    if (!e)
        return skip(l, "no SQL given");
    const struct ax *r = alx_resolve(cx, e);
    if (r && r->kind == AX_CALL && r->fn->kind == AX_NAME &&
        (is_call(r, "text") || is_call(r, "DDL")) && r->n_args == 1 && r->n_kw == 0)
        r = alx_resolve(cx, r->args[0]);
    const char *s = r ? alx_str(cx, r) : NULL;
    if (!s)
        return skip(l, "the SQL is not a literal string or text(\"...\")");
    bool blank = true;
    for (const char *p = s; *p && blank; p++)
        blank = isspace((unsigned char)*p);
    if (blank)
        return skip(l, "the SQL is empty");
    /* conn.execute(sql, params) and conn.execute(sql, a=1): the SQL has placeholders (op.execute's
     * second argument is execution_options) */
    bool is_op_execute = l->call->fn->kind == AX_NAME && strchr(l->what, '.') &&
                         (strncmp(l->what, "op.", 3) == 0 || l->batch);
    if (l->n_extra || (!is_op_execute && l->call->n_args > 1))
        return skip(l, "it is executed with bind parameters");
    int bind_len;
    long bind = text_bind_param(s, &bind_len);
    if (bind >= 0)
        return skip(l, "the SQL holds the bind parameter %.*s, known only when it runs", bind_len,
                    s + bind);
    if (r->kind == AX_STR && !(r->flags & MS_PY_STR_FIELDS) && r->n_parts) {
        alx_emit_string(cx, r, l->call->start, l->call->end);
    } else {
        struct ax tmp = {.kind = AX_STR, .s = s, .len = strlen(s)};
        alx_emit_string(cx, &tmp, l->call->start, l->call->end);
    }
    return true;
}

/* A table for bulk_insert: sa.table("t", sa.column("c"), ...), sa.Table("t", meta, ...), or
 * the value of op.create_table(...). Fills the name, schema and column names. */
static bool bulk_table(struct lower *l, const struct ax *t, const char **name, const char **schema,
                       struct plist_s *cols)
{
    struct alx *cx = l->cx;
    t = t ? alx_resolve(cx, t) : NULL;
    if (!t || t->kind != AX_CALL || t->star || t->n_args == 0)
        return false;
    bool is_table = is_call(t, "table") || is_call(t, "Table") ||
                    (t->fn->kind == AX_NAME && strcmp(t->fn->s, "op.create_table") == 0);
    if (!is_table)
        return false;
    *name = alx_str(cx, t->args[0]);
    const struct ax *sc = kwarg(cx, t, "schema");
    *schema = sc && !is_none(sc) ? alx_str(cx, sc) : NULL;
    if (!*name || (sc && !is_none(sc) && !*schema))
        return false;
    cols->n = 0;
    for (size_t k = 1; k < t->n_args; k++) {
        const struct ax *c = alx_resolve(cx, t->args[k]);
        if (!c || !(is_call(c, "column") || is_call(c, "Column")))
            continue;
        const char *cn = c->n_args ? alx_str(cx, c->args[0]) : NULL;
        if (!cn || cols->n >= MS_ARRAY_LEN(cols->items))
            return false;
        cols->items[cols->n++] = cn;
    }
    return true;
}

/* op.bulk_insert(table, [{...}, ...]): one INSERT per row, columns in table order, values as
 * literals (Alembic's offline rendering). */
static bool lower_bulk_insert(struct lower *l)
{
    struct alx *cx = l->cx;
    const char *name, *schema;
    struct plist_s cols;
    if (!bulk_table(l, arg(l, "table"), &name, &schema, &cols))
        return skip(l, "the table is not a literal sa.table(...) or op.create_table(...)");
    const struct ax *rows = seq_of(cx, arg(l, "rows"));
    if (!rows || rows->kind != AX_LIST)
        return skip(l, "the rows are not a literal list");
    for (size_t r = 0; r < rows->n_args; r++) {
        const struct ax *row = alx_resolve(cx, rows->args[r]);
        if (!row || row->kind != AX_DICT)
            return skip(l, "a row is not a literal dict");
        struct sb b = {0}, v = {0};
        sb_add(&b, "INSERT INTO ");
        sb_table(&b, schema, name);
        sb_add(&b, " (");
        size_t used = 0;
        for (size_t c = 0; c < cols.n; c++) {
            for (size_t k = 0; k < row->n_args; k++) {
                const char *key = alx_str(cx, row->args[k]);
                if (!key || strcmp(key, cols.items[c]) != 0)
                    continue;
                const struct ax *val = alx_resolve(cx, row->kwv[k]);
                if (used) {
                    sb_add(&b, ", ");
                    sb_add(&v, ", ");
                }
                sb_ident(&b, key);
                if (!sb_sql_expr(l, &v, val, 0) || (val && val->kind == AX_CALL)) {
                    free(b.p);
                    free(v.p);
                    return skip(l, "a value is not a literal");
                }
                used++;
            }
        }
        if (used != row->n_args) {
            free(b.p);
            free(v.p);
            return skip(l, "a row names a column the table does not list");
        }
        sb_printf(&b, ") VALUES (%s)", v.p ? v.p : "");
        free(v.p);
        add_stmt(l, &b);
    }
    return true;
}

bool alx_lower_enum_ddl(struct alx *cx, const struct ax *call, const struct ax *type, bool create)
{
    struct lower l = {.cx = cx, .call = call, .what = create ? "Enum.create" : "Enum.drop"};
    const struct ax *nm = kwarg(cx, type, "name");
    const char *name = nm ? alx_str(cx, nm) : NULL;
    const struct ax *sc = kwarg(cx, type, "schema");
    const char *schema = sc && !is_none(sc) ? alx_str(cx, sc) : NULL;
    struct plist_s vals;
    if (!name || (sc && !is_none(sc) && !schema))
        return skip(&l, "the enum's name is not a literal");
    if (create && !enum_values(cx, type, &vals))
        return skip(&l, "the enum's values are not literals");
    struct sb b = {0};
    if (create) {
        create_type_stmt(&l, &(struct enum_def){name, schema, type});
    } else {
        sb_add(&b, "DROP TYPE ");
        sb_table(&b, schema, name);
        add_stmt(&l, &b);
    }
    for (size_t k = 0; k < l.n_stmts; k++) {
        alx_emit(cx, call->start, call->end, l.stmts[k], false);
        free(l.stmts[k]);
    }
    return true;
}

/* The lowering table: Alembic 1.8's operation, its signature on `op` and on `batch_op` (the
 * parameter names as Alembic declares them, "*x" variadic; NULL: no batch form), and the
 * function writing its SQL. docs/alembic.md lists the SQL of each. */
static const struct op_def {
    const char *name;
    const char *sig;
    const char *batch_sig;
    bool (*lower)(struct lower *);
} op_table[] = {
    {"add_column", "table_name column schema", "column insert_before insert_after",
     lower_add_column},
    {"alter_column",
     "table_name column_name nullable comment server_default new_column_name type_ "
     "existing_type existing_server_default existing_nullable existing_comment schema",
     "column_name nullable comment server_default new_column_name type_ existing_type "
     "existing_server_default existing_nullable existing_comment insert_before insert_after",
     lower_alter_column},
    {"bulk_insert", "table rows multiinsert", "table rows multiinsert", lower_bulk_insert},
    {"create_check_constraint", "constraint_name table_name condition schema",
     "constraint_name condition", lower_create_check_constraint},
    {"create_exclude_constraint", "constraint_name table_name *elements",
     "constraint_name *elements", lower_create_exclude_constraint},
    {"create_foreign_key",
     "constraint_name source_table referent_table local_cols remote_cols onupdate ondelete "
     "deferrable initially match source_schema referent_schema",
     "constraint_name referent_table local_cols remote_cols referent_schema onupdate ondelete "
     "deferrable initially match",
     lower_create_foreign_key},
    {"create_index", "index_name table_name columns schema unique", "index_name columns",
     lower_create_index},
    {"create_primary_key", "constraint_name table_name columns schema", "constraint_name columns",
     lower_create_primary_key},
    {"create_table", "table_name *columns", NULL, lower_create_table},
    {"create_table_comment", "table_name comment existing_comment schema",
     "comment existing_comment", lower_create_table_comment},
    {"create_unique_constraint", "constraint_name table_name columns schema",
     "constraint_name columns", lower_create_unique_constraint},
    {"drop_column", "table_name column_name schema", "column_name", lower_drop_column},
    {"drop_constraint", "constraint_name table_name type_ schema", "constraint_name type_",
     lower_drop_constraint},
    {"drop_index", "index_name table_name schema", "index_name", lower_drop_index},
    {"drop_table", "table_name schema", NULL, lower_drop_table},
    {"drop_table_comment", "table_name existing_comment schema", "existing_comment",
     lower_drop_table_comment},
    {"execute", "sqltext execution_options", "sqltext execution_options", lower_execute},
    {"rename_table", "old_table_name new_table_name schema", NULL, lower_rename_table},
};

static const struct op_def *find_op(const char *name)
{
    for (size_t k = 0; k < MS_ARRAY_LEN(op_table); k++)
        if (strcmp(op_table[k].name, name) == 0)
            return &op_table[k];
    return NULL;
}

bool alx_is_known_op(const char *name)
{
    return find_op(name) != NULL;
}

bool alx_lower_call(struct alx *cx, const char *name, const struct ax *call, bool batch)
{
    const struct op_def *d = find_op(name);
    struct lower l = {.cx = cx, .call = call, .batch = batch};
    /* name the call as written: op.X, batch_op.X, conn.execute, op.get_bind().execute */
    const struct ax *fn = call->fn;
    if (fn->kind == AX_NAME)
        l.what = fn->s;
    else if (fn->kind == AX_ATTR && fn->fn->kind == AX_CALL && fn->fn->fn->kind == AX_NAME)
        l.what = ms_arena_printf(cx->arena, "%s().%s", fn->fn->fn->s, fn->s);
    else
        l.what = name;
    if (!d)
        return skip(&l, "not an operation migsafe lowers");
    if (batch && !d->batch_sig)
        batch = l.batch = false; /* batch_op.create_table and the like act as op.X */
    if (!bind_args(&l, batch ? d->batch_sig : d->sig))
        return false;
    if (!d->lower(&l)) {
        for (size_t k = 0; k < l.n_stmts; k++)
            free(l.stmts[k]);
        return false;
    }
    /* batch ops run when the block ends; batch_op.execute runs at once */
    bool defer = batch && strcmp(name, "execute") != 0;
    for (size_t k = 0; k < l.n_stmts; k++) {
        alx_emit(cx, call->start, call->end, l.stmts[k], defer);
        free(l.stmts[k]);
    }
    return true;
}
