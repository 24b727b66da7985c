/* engine.c: rule dispatch and the per-migration context (see engine.h and rule.h). */
#include "engine.h"
#include "plpgsql.h"
#include "suppress.h"

/* ---- the registry ---- */

int ms_rule_find(const char *id)
{
    for (size_t i = 0; i < ms_n_rules; i++)
        if (strcmp(ms_rules[i]->id, id) == 0)
            return (int)i;
    return -1;
}

const char *ms_severity_name(enum ms_severity s)
{
    switch (s) {
    case MS_ERROR:
        return "error";
    case MS_WARNING:
        return "warning";
    case MS_INFO:
        return "info";
    }
    return "?";
}

enum ms_severity ms_severity_parse(const char *s)
{
    if (strcmp(s, "error") == 0)
        return MS_ERROR;
    if (strcmp(s, "warning") == 0)
        return MS_WARNING;
    if (strcmp(s, "info") == 0)
        return MS_INFO;
    return 0;
}

/* ---- dispatch lists: for each node kind, the rule indexes that visit it ---- */

enum kind {
#define KIND_ENUM(field, Type, CASE) KIND_##CASE,
    MS_STMT_KINDS(KIND_ENUM)
#undef KIND_ENUM
        KIND_ALTER_TABLE_CMD,
    KIND_STMT,
    KIND_COLUMN_DEF,
    KIND_CHECK_MIGRATION,
    KIND_END_MIGRATION,
    N_KINDS
};

struct ms_dispatch {
    size_t n[N_KINDS];
    size_t *rules[N_KINDS];
};

static bool has_visitor(const struct ms_rule *r, enum kind k)
{
    switch (k) {
#define KIND_HAS(field, Type, CASE)                                                                \
    case KIND_##CASE:                                                                              \
        return r->visit_##field != NULL;
        MS_STMT_KINDS(KIND_HAS)
#undef KIND_HAS
    case KIND_ALTER_TABLE_CMD:
        return r->visit_alter_table_cmd != NULL;
    case KIND_STMT:
        return r->visit_stmt != NULL;
    case KIND_COLUMN_DEF:
        return r->visit_column_def != NULL;
    case KIND_CHECK_MIGRATION:
        return r->check_migration != NULL;
    case KIND_END_MIGRATION:
        return r->end_migration != NULL;
    case N_KINDS:
        break;
    }
    return false;
}

void ms_engine_init(struct ms_engine *e)
{
    e->pg_version = 15;
    e->lock_timeout_by_runner = false;
    e->lint_downgrade = false;
    e->lock_timeout_limit_ms = MS_LOCK_TIMEOUT_LIMIT_MS;
    e->enabled = ms_xcalloc(ms_n_rules, sizeof(bool));
    e->severity = ms_xcalloc(ms_n_rules, sizeof(enum ms_severity));
    for (size_t i = 0; i < ms_n_rules; i++) {
        e->enabled[i] = !ms_rules[i]->opt_in;
        e->severity[i] = ms_rules[i]->severity;
    }
    e->dispatch = e->down_dispatch = NULL;
}

int ms_engine_set_enabled(struct ms_engine *e, const char *id, bool enabled)
{
    int i = ms_rule_find(id);
    if (i < 0)
        return ms_error("unknown rule \"%s\" (run 'migsafe rules' for the list)", id);
    e->enabled[i] = enabled;
    return 0;
}

bool ms_engine_rule_active(const struct ms_engine *e, size_t i)
{
    const struct ms_rule *r = ms_rules[i];
    if (!e->enabled[i])
        return false;
    if (r->min_pg && e->pg_version < r->min_pg)
        return false;
    if (r->max_pg && e->pg_version > r->max_pg)
        return false;
    return true;
}

bool ms_engine_wants_final_catalog(const struct ms_engine *e)
{
    for (size_t i = 0; i < ms_n_rules; i++)
        if (ms_rules[i]->final_schema && ms_engine_rule_active(e, i))
            return true;
    return false;
}

static void free_dispatch(struct ms_dispatch *d)
{
    if (d)
        free(d->rules[0]);
    free(d);
}

/* The rules to call for each kind: every active rule, or for down migrations only those that
 * predict a failure (a way back that cannot run is none), unless downs are linted in full. */
static struct ms_dispatch *build_dispatch(const struct ms_engine *e, bool down)
{
    struct ms_dispatch *d = ms_xcalloc(1, sizeof(*d));
    size_t *all = ms_xcalloc(N_KINDS * ms_n_rules + 1, sizeof(size_t));
    for (int k = 0; k < N_KINDS; k++) {
        d->rules[k] = all + (size_t)k * ms_n_rules;
        for (size_t i = 0; i < ms_n_rules; i++)
            if (ms_engine_rule_active(e, i) && has_visitor(ms_rules[i], (enum kind)k) &&
                (!down || e->lint_downgrade || ms_rules[i]->on_down))
                d->rules[k][d->n[k]++] = i;
    }
    return d;
}

void ms_engine_prepare(struct ms_engine *e)
{
    free_dispatch(e->dispatch);
    free_dispatch(e->down_dispatch);
    e->dispatch = build_dispatch(e, false);
    e->down_dispatch = build_dispatch(e, true);
}

void ms_engine_release(struct ms_engine *e)
{
    free_dispatch(e->dispatch);
    free_dispatch(e->down_dispatch);
    free(e->enabled);
    free(e->severity);
    memset(e, 0, sizeof(*e));
}

/* ---- facts the context remembers, in a hash set keyed by kind, table and name ---- */

enum fact_kind {
    FACT_NEW_TABLE = 'T',
    FACT_NEW_INDEX = 'I',      /* an index built on a table of FACT_NEW_TABLE: rel is its name */
    FACT_NOT_VALID = 'N',      /* constraint added NOT VALID, not validated yet */
    FACT_NOT_NULL_CHECK = 'C', /* CHECK (col IS NOT NULL), valid or not: name -> column */
    FACT_VALID_NN = 'V',       /* validated CHECK (col IS NOT NULL) on column */
};

struct fact {
    struct fact *next;
    uint64_t hash;
    char kind;
    const char *schema; /* NULL when the statement did not name one */
    const char *rel;
    const char *name;  /* column or constraint; "" for tables */
    const char *extra; /* FACT_NOT_NULL_CHECK: the column */
    bool gone;         /* retracted (a constraint dropped); kept so the chain stays intact */
};

struct ms_fact_set {
    size_t n, n_buckets;
    struct fact **buckets;
};

static uint64_t hash_key(char kind, const char *rel, const char *name)
{
    uint64_t h = 1469598103934665603ULL ^ (unsigned char)kind;
    for (const char *s = rel; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    h = (h ^ 0x1f) * 1099511628211ULL;
    for (const char *s = name; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static bool schema_matches(const char *a, const char *b)
{
    return !a || !b || !*a || !*b || strcmp(a, b) == 0;
}

static struct fact *fact_find(const struct ms_fact_set *s, char kind, const char *schema,
                              const char *rel, const char *name)
{
    if (!s->n_buckets || !rel)
        return NULL;
    uint64_t h = hash_key(kind, rel, name);
    for (struct fact *f = s->buckets[h & (s->n_buckets - 1)]; f; f = f->next)
        if (f->hash == h && f->kind == kind && !f->gone && strcmp(f->rel, rel) == 0 &&
            strcmp(f->name, name) == 0 && schema_matches(f->schema, schema))
            return f;
    return NULL;
}

static struct fact *fact_add(struct ms_fact_set *s, struct ms_arena *arena, char kind,
                             const char *schema, const char *rel, const char *name)
{
    struct fact *f = fact_find(s, kind, schema, rel, name);
    if (f)
        return f;
    if (s->n + 1 > s->n_buckets) {
        size_t nb = s->n_buckets ? s->n_buckets * 2 : 64;
        struct fact **b = ms_arena_alloc(arena, nb * sizeof(*b));
        for (size_t i = 0; i < s->n_buckets; i++)
            for (struct fact *g = s->buckets[i], *next; g; g = next) {
                next = g->next;
                g->next = b[g->hash & (nb - 1)];
                b[g->hash & (nb - 1)] = g;
            }
        s->buckets = b;
        s->n_buckets = nb;
    }
    f = ms_arena_alloc(arena, sizeof(*f));
    f->hash = hash_key(kind, rel, name);
    f->kind = kind;
    f->schema = schema && *schema ? ms_arena_strdup(arena, schema) : NULL;
    f->rel = ms_arena_strdup(arena, rel);
    f->name = ms_arena_strdup(arena, name);
    f->next = s->buckets[f->hash & (s->n_buckets - 1)];
    s->buckets[f->hash & (s->n_buckets - 1)] = f;
    s->n++;
    return f;
}

/* ---- the context ---- */

struct ms_ctx {
    const struct ms_engine *engine;
    const struct ms_source *src;
    const struct ms_parsed *parsed;
    struct ms_arena *arena;
    struct ms_diags *out;
    size_t cur;        /* index of the statement being visited */
    size_t rule_index; /* the rule being called */
    void **rule_states;
    struct ms_fact_set facts;
    const struct ms_migration *migration;
    struct ms_session *session;
    const struct ms_dispatch *dispatch; /* the rules for the current statement (up or down) */
    const struct ms_part *part;         /* the part of the text being linted, or NULL */
    struct ms_effect_log *effects;      /* what the up (of this migration, or the last one)
                                           creates and renames */
    uint32_t effect_line;
    /* during visit_alter_table_cmd: the statement, the command's index, and where each command
     * starts (found on the first report that needs it, as most commands report nothing) */
    const PgQuery__AlterTableStmt *alter;
    size_t cmd_index;
    int *cmd_locations;
    bool lock_timeout;      /* set at session level */
    bool statement_timeout; /* likewise, statement_timeout */
    /* the DO block of statement do_index, extracted on first use; while its body's statements
     * are visited, `nested` is the one visited (spans in src->sql, like the statements') */
    struct ms_plpgsql_body *do_body;
    size_t do_index;
    const struct ms_stmt *nested;
    size_t nested_no; /* 1 + the index of `nested` among the block's statements */
};

void *ms_ctx_alloc(struct ms_ctx *ctx, size_t size)
{
    return ms_arena_alloc(ctx->arena, size);
}

char *ms_ctx_strdup(struct ms_ctx *ctx, const char *s)
{
    return ms_arena_strdup(ctx->arena, s ? s : "");
}

void *ms_ctx_rule_state(struct ms_ctx *ctx, size_t size)
{
    void **slot = &ctx->rule_states[ctx->rule_index];
    if (!*slot)
        *slot = ms_arena_alloc(ctx->arena, size);
    return *slot;
}

int ms_ctx_pg_version(const struct ms_ctx *ctx)
{
    return ctx->engine->pg_version;
}

bool ms_ctx_in_transaction(const struct ms_ctx *ctx)
{
    return ctx->session->in_tx;
}

struct ms_tx_info ms_ctx_transaction(const struct ms_ctx *ctx)
{
    const struct ms_session *s = ctx->session;
    if (!s->in_tx)
        return (struct ms_tx_info){MS_TXK_NONE, NULL, NULL};
    return (struct ms_tx_info){s->tx_kind, s->tx_tool, s->tx_hint};
}

const struct ms_effect_log *ms_ctx_up_effects(const struct ms_ctx *ctx)
{
    const struct ms_effect_log *log = ctx->effects;
    const struct ms_migration *m = ctx->migration;
    if (!log->active)
        return NULL;
    /* a down file belongs to the up linted just before it, when their names agree */
    if (m->is_down && (!m->name || !log->migration || strcmp(m->name, log->migration) != 0))
        return NULL;
    return log;
}

bool ms_ctx_in_down(const struct ms_ctx *ctx)
{
    return ctx->migration->is_down || (ctx->part && ctx->part->down);
}

bool ms_ctx_lock_timeout_set(const struct ms_ctx *ctx)
{
    return ctx->engine->lock_timeout_by_runner || ctx->lock_timeout ||
           ctx->session->lock_timeout_local;
}

int ms_ctx_lock_timeout_limit_ms(const struct ms_ctx *ctx)
{
    return ctx->engine->lock_timeout_limit_ms;
}

bool ms_ctx_statement_timeout_set(const struct ms_ctx *ctx)
{
    return ctx->statement_timeout || ctx->session->statement_timeout_local;
}

bool ms_ctx_table_is_new(const struct ms_ctx *ctx, const PgQuery__RangeVar *rel)
{
    return rel && (fact_find(&ctx->facts, FACT_NEW_TABLE, rel->schemaname, rel->relname, "") ||
                   ms_catalog_table_is_change_set_new(ctx->session->catalog, rel->schemaname,
                                                      rel->relname));
}

const struct ms_catalog *ms_ctx_catalog(const struct ms_ctx *ctx)
{
    return ctx->session->catalog;
}

const struct ms_catalog *ms_ctx_final_catalog(const struct ms_ctx *ctx)
{
    return ctx->session->final_catalog;
}

bool ms_ctx_index_is_new(const struct ms_ctx *ctx, const char *schema, const char *name)
{
    return name && fact_find(&ctx->facts, FACT_NEW_INDEX, schema, name, "");
}

bool ms_ctx_has_validated_not_null_check(const struct ms_ctx *ctx, const PgQuery__RangeVar *rel,
                                         const char *column)
{
    return rel && column &&
           fact_find(&ctx->facts, FACT_VALID_NN, rel->schemaname, rel->relname, column);
}

bool ms_ctx_not_valid_in_transaction(const struct ms_ctx *ctx, const PgQuery__RangeVar *rel,
                                     const char *name)
{
    return rel && name && ctx->session->in_tx &&
           fact_find(ctx->session->tx_facts, FACT_NOT_VALID, rel->schemaname, rel->relname, name);
}

/* The statement being visited: a statement of the file, or one inside its DO block. */
static const struct ms_stmt *current_stmt(const struct ms_ctx *ctx)
{
    return ctx->nested ? ctx->nested : &ctx->parsed->stmts[ctx->cur];
}

bool ms_ctx_in_do_block(const struct ms_ctx *ctx)
{
    return ctx->nested != NULL;
}

const char *ms_ctx_stmt_sql(const struct ms_ctx *ctx, size_t *len)
{
    const struct ms_stmt *st = current_stmt(ctx);
    *len = st->end - st->start;
    return ctx->src->sql + st->start;
}

const struct ms_migration *ms_ctx_migration(const struct ms_ctx *ctx)
{
    return ctx->migration;
}

const char *ms_ctx_relname(struct ms_ctx *ctx, const PgQuery__RangeVar *rel)
{
    if (!rel || !rel->relname)
        return "?";
    if (rel->schemaname && *rel->schemaname)
        return ms_arena_printf(ctx->arena, "%s.%s", rel->schemaname, rel->relname);
    return rel->relname;
}

bool ms_same_rel(const PgQuery__RangeVar *a, const PgQuery__RangeVar *b)
{
    return a && b && a->relname && b->relname && strcmp(a->relname, b->relname) == 0 &&
           schema_matches(a->schemaname, b->schemaname);
}

void ms_names_add(struct ms_ctx *ctx, struct ms_name **list, const char *schema, const char *name,
                  bool flag)
{
    if (!name || !*name)
        return;
    struct ms_name *n = ms_arena_alloc(ctx->arena, sizeof(*n));
    n->schema = schema && *schema ? schema : NULL;
    n->name = name;
    n->flag = flag;
    n->mark = ms_ctx_mark(ctx, -1);
    n->next = *list;
    *list = n;
}

struct ms_name_index {
    size_t n;
    const struct ms_name **v; /* sorted by name */
};

static int compare_names(const void *pa, const void *pb)
{
    return strcmp((*(const struct ms_name *const *)pa)->name,
                  (*(const struct ms_name *const *)pb)->name);
}

const struct ms_name_index *ms_names_index(struct ms_ctx *ctx, const struct ms_name *list)
{
    struct ms_name_index *idx = ms_arena_alloc(ctx->arena, sizeof(*idx));
    for (const struct ms_name *c = list; c; c = c->next)
        idx->n++;
    idx->v = ms_arena_alloc(ctx->arena, (idx->n + 1) * sizeof(*idx->v));
    size_t i = 0;
    for (const struct ms_name *c = list; c; c = c->next)
        idx->v[i++] = c;
    qsort(idx->v, idx->n, sizeof(*idx->v), compare_names);
    return idx;
}

bool ms_names_has(const struct ms_name_index *idx, const struct ms_name *n)
{
    size_t lo = 0, hi = idx->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(idx->v[mid]->name, n->name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < idx->n && strcmp(idx->v[lo]->name, n->name) == 0; lo++)
        if (schema_matches(idx->v[lo]->schema, n->schema))
            return true;
    return false;
}

void ms_names_add_qualified(struct ms_ctx *ctx, struct ms_name **list, size_t n,
                            PgQuery__Node *const *names, const char *newname, bool flag)
{
    const char *schema, *name;
    ms_split_name(n, names, &schema, &name);
    ms_names_add(ctx, list, schema, newname ? newname : name, flag);
}

void ms_names_report_kept(struct ms_ctx *ctx, const struct ms_name *dropped,
                          const struct ms_name *created, ms_names_report_fn fn)
{
    if (!dropped)
        return;
    const struct ms_name_index *index = ms_names_index(ctx, created);
    size_t n;
    for (const struct ms_name *cursor = dropped, *first;
         (first = ms_names_next_kept(&cursor, index, &n)) != NULL;) {
        char more[48] = "";
        if (n > 1)
            snprintf(more, sizeof(more), " (and %zu more)", n - 1);
        fn(ctx, first, ms_name_qualified(ctx, first), more);
    }
}

const struct ms_name *ms_names_next_kept(const struct ms_name **cursor,
                                         const struct ms_name_index *created, size_t *count)
{
    while (*cursor) {
        const struct ms_name *d = *cursor, *first = NULL, *next;
        *count = 0;
        for (next = d; next && ms_same_stmt(next->mark, d->mark); next = next->next)
            if (!ms_names_has(created, next)) {
                first = next; /* the list is newest first: the last one seen comes first */
                (*count)++;
            }
        *cursor = next;
        if (first)
            return first;
    }
    return NULL;
}

const char *ms_name_qualified(struct ms_ctx *ctx, const struct ms_name *n)
{
    return n->schema ? ms_arena_printf(ctx->arena, "%s.%s", n->schema, n->name) : n->name;
}

const PgQuery__Constraint *ms_added_constraint(const PgQuery__AlterTableCmd *cmd,
                                               PgQuery__ConstrType type)
{
    if (cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint || !cmd->def ||
        cmd->def->node_case != PG_QUERY__NODE__NODE_CONSTRAINT ||
        cmd->def->constraint->contype != type)
        return NULL;
    return cmd->def->constraint;
}

const char *ms_constraint_phrase(struct ms_ctx *ctx, const char *article, const char *kind,
                                 const PgQuery__Constraint *c)
{
    if (ms_name_or_null(c->conname))
        return ms_arena_printf(ctx->arena, "%s \"%s\"", kind, c->conname);
    return ms_arena_printf(ctx->arena, "%s %s", article, kind);
}

const char *ms_type_builtin_name(const PgQuery__TypeName *t)
{
    if (!t || t->n_names == 0 || t->n_names > 2)
        return NULL;
    if (t->n_names == 2) {
        const char *schema = ms_node_str(t->names[0]);
        if (!schema || strcmp(schema, "pg_catalog") != 0)
            return NULL;
    }
    return ms_node_str(t->names[t->n_names - 1]);
}

bool ms_has_option(size_t n, PgQuery__Node *const *options, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        const PgQuery__Node *o = options[i];
        if (o->node_case != PG_QUERY__NODE__NODE_DEF_ELEM || !o->def_elem->defname ||
            strcmp(o->def_elem->defname, name) != 0)
            continue;
        const PgQuery__Node *arg = o->def_elem->arg;
        if (!arg)
            return true;
        if (arg->node_case == PG_QUERY__NODE__NODE_BOOLEAN)
            return arg->boolean->boolval;
        if (arg->node_case == PG_QUERY__NODE__NODE_INTEGER)
            return arg->integer->ival != 0;
        const char *s = ms_node_str(arg);
        return !s || (strcmp(s, "false") != 0 && strcmp(s, "off") != 0 && strcmp(s, "0") != 0);
    }
    return false;
}

static int *command_locations(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *s);

struct ms_mark ms_ctx_mark(const struct ms_ctx *ctx, int location)
{
    /* a single command reports at the statement, like every other statement */
    if (location < 0 && ctx->alter && ctx->alter->n_cmds > 1) {
        if (!ctx->cmd_locations)
            ((struct ms_ctx *)ctx)->cmd_locations =
                command_locations((struct ms_ctx *)ctx, ctx->alter);
        location = ctx->cmd_locations[ctx->cmd_index];
    }
    if (ctx->nested) /* marks count from the file's statement, the DO */
        location = (int)(ctx->nested->start - ctx->parsed->stmts[ctx->cur].start) +
                   (location < 0 ? 0 : location);
    return (struct ms_mark){ctx->cur, location, ctx->nested ? ctx->nested_no : 0};
}

bool ms_same_stmt(struct ms_mark a, struct ms_mark b)
{
    return a.stmt_index == b.stmt_index && a.nested == b.nested;
}

static struct ms_diag *add_diag(struct ms_ctx *ctx, struct ms_mark mark, const char *fmt,
                                va_list ap) MS_PRINTF(3, 0);
static struct ms_diag *add_diag(struct ms_ctx *ctx, struct ms_mark mark, const char *fmt,
                                va_list ap)
{
    const struct ms_stmt *st = &ctx->parsed->stmts[mark.stmt_index];
    size_t offset = st->start;
    if (mark.location >= 0 && st->start + (size_t)mark.location < st->end)
        offset = st->start + (size_t)mark.location;
    size_t end = st->end;
    if (ctx->nested && mark.stmt_index == ctx->cur && offset >= ctx->nested->start &&
        offset < ctx->nested->end)
        end = ctx->nested->end;
    MS_GROW(ctx->out->items, ctx->out->cap, ctx->out->n + 1);
    struct ms_diag *d = &ctx->out->items[ctx->out->n++];
    const struct ms_rule *r = ms_rules[ctx->rule_index];
    d->rule = r;
    d->severity = ctx->engine->severity[ctx->rule_index];
    const struct ms_segment *seg;
    d->offset = ms_source_map(ctx->src, offset, &seg);
    d->end = seg && !seg->verbatim ? seg->origin_end : ms_source_map(ctx->src, end, NULL);
    const struct ms_segment *first;
    d->stmt_offset = ms_source_map(ctx->src, st->start, &first);
    d->stmt_end = first && !first->verbatim ? first->origin_end : d->end;
    if (d->stmt_end < d->stmt_offset)
        d->stmt_end = d->stmt_offset;
    if (d->end < d->offset)
        d->end = d->offset;
    d->message = ms_arena_vprintf(ctx->arena, fmt, ap);
    d->help = r->help;
    return d;
}

struct ms_diag *ms_report(struct ms_ctx *ctx, int location, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    struct ms_diag *d = add_diag(ctx, ms_ctx_mark(ctx, location), fmt, ap);
    va_end(ap);
    return d;
}

struct ms_diag *ms_report_at(struct ms_ctx *ctx, struct ms_mark mark, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    struct ms_diag *d = add_diag(ctx, mark, fmt, ap);
    va_end(ap);
    return d;
}

struct ms_diag *ms_report_offset(struct ms_ctx *ctx, size_t offset, const char *fmt, ...)
{
    const struct ms_source *src = ctx->src;
    if (offset > src->len)
        offset = src->len;
    size_t end = offset;
    while (end < src->len && src->text[end] != '\n' && src->text[end] != '\r')
        end++;
    MS_GROW(ctx->out->items, ctx->out->cap, ctx->out->n + 1);
    struct ms_diag *d = &ctx->out->items[ctx->out->n++];
    const struct ms_rule *r = ms_rules[ctx->rule_index];
    va_list ap;
    va_start(ap, fmt);
    *d = (struct ms_diag){
        .rule = r,
        .severity = ctx->engine->severity[ctx->rule_index],
        .offset = offset,
        .end = end,
        .stmt_offset = offset,
        .stmt_end = end,
        .message = ms_arena_vprintf(ctx->arena, fmt, ap),
        .help = r->help,
    };
    va_end(ap);
    return d;
}

void ms_diag_set_help(struct ms_ctx *ctx, struct ms_diag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    d->help = ms_arena_vprintf(ctx->arena, fmt, ap);
    va_end(ap);
}

/* The migration a finding at `offset` belongs to: the section holding it, else the
 * migration's own name. */
static const char *migration_at(const struct ms_migration *m, size_t offset)
{
    const char *name = m->name;
    for (size_t lo = 0, hi = m->n_sections; lo < hi;) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->sections[mid].offset <= offset) {
            name = m->sections[mid].name;
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return name;
}

/* ---- the session: what a run of migrations shares ---- */

/* The transaction state, which ms_session_reset() starts afresh. */
static void init_transaction_state(struct ms_session *s)
{
    struct ms_catalog *catalog = s->catalog;
    const struct ms_catalog *final_catalog = s->final_catalog;
    memset(s, 0, sizeof(*s));
    ms_arena_init(&s->arena);
    s->tx_facts = ms_arena_alloc(&s->arena, sizeof(struct ms_fact_set));
    s->catalog = catalog;
    s->final_catalog = final_catalog;
}

void ms_session_init(struct ms_session *s)
{
    s->catalog = ms_xmalloc(sizeof(*s->catalog));
    ms_catalog_init(s->catalog);
    s->final_catalog = NULL;
    init_transaction_state(s);
}

void ms_session_reset(struct ms_session *s)
{
    ms_arena_release(&s->arena);
    init_transaction_state(s);
}

void ms_session_new_history(struct ms_session *s)
{
    ms_catalog_clear(s->catalog);
}

void ms_session_release(struct ms_session *s)
{
    ms_arena_release(&s->arena);
    if (s->catalog)
        ms_catalog_release(s->catalog);
    free(s->catalog);
    memset(s, 0, sizeof(*s));
}

static void end_transaction(struct ms_session *s)
{
    s->lock_timeout_local = false;
    s->statement_timeout_local = false;
    s->tx_serial++;
    if (s->tx_facts->n)
        memset(s->tx_facts, 0, sizeof(*s->tx_facts)); /* its memory goes with the arena */
}

/* ---- keeping the context up to date, after the rules saw a statement ---- */

static void note_new_table(struct ms_ctx *ctx, const PgQuery__RangeVar *rel)
{
    if (rel && rel->relname)
        fact_add(&ctx->facts, ctx->arena, FACT_NEW_TABLE, rel->schemaname, rel->relname, "");
}

/* The column of a CHECK (col IS NOT NULL) expression, or NULL. */
static const char *not_null_check_column(const PgQuery__Node *expr)
{
    if (!expr || expr->node_case != PG_QUERY__NODE__NODE_NULL_TEST)
        return NULL;
    const PgQuery__NullTest *nt = expr->null_test;
    if (nt->nulltesttype != PG_QUERY__NULL_TEST_TYPE__IS_NOT_NULL || !nt->arg ||
        nt->arg->node_case != PG_QUERY__NODE__NODE_COLUMN_REF)
        return NULL;
    const PgQuery__ColumnRef *cr = nt->arg->column_ref;
    if (cr->n_fields != 1)
        return NULL;
    return ms_node_str(cr->fields[0]);
}

static void note_alter_table(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt)
{
    const PgQuery__RangeVar *rel = stmt->relation;
    if (!rel || !rel->relname)
        return;
    for (size_t i = 0; i < stmt->n_cmds; i++) {
        if (stmt->cmds[i]->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
            continue;
        const PgQuery__AlterTableCmd *cmd = stmt->cmds[i]->alter_table_cmd;
        if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint && cmd->def &&
            cmd->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
            const PgQuery__Constraint *c = cmd->def->constraint;
            const char *col = c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK
                                  ? not_null_check_column(c->raw_expr)
                                  : NULL;
            if (col && c->conname)
                fact_add(&ctx->facts, ctx->arena, FACT_NOT_NULL_CHECK, rel->schemaname,
                         rel->relname, c->conname)
                    ->extra = ms_arena_strdup(ctx->arena, col);
            if (c->skip_validation && c->conname && ctx->session->in_tx)
                fact_add(ctx->session->tx_facts, &ctx->session->arena, FACT_NOT_VALID,
                         rel->schemaname, rel->relname, c->conname);
            else if (col && !c->skip_validation)
                fact_add(&ctx->facts, ctx->arena, FACT_VALID_NN, rel->schemaname, rel->relname,
                         col);
        } else if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint && cmd->name) {
            struct fact *f = fact_find(&ctx->facts, FACT_NOT_NULL_CHECK, rel->schemaname,
                                       rel->relname, cmd->name);
            if (f)
                fact_add(&ctx->facts, ctx->arena, FACT_VALID_NN, rel->schemaname, rel->relname,
                         f->extra);
            struct fact *nv = fact_find(ctx->session->tx_facts, FACT_NOT_VALID, rel->schemaname,
                                        rel->relname, cmd->name);
            if (nv)
                nv->gone = true;
        } else if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint && cmd->name) {
            /* the proof goes with the constraint */
            struct fact *f = fact_find(&ctx->facts, FACT_NOT_NULL_CHECK, rel->schemaname,
                                       rel->relname, cmd->name);
            if (f) {
                struct fact *v =
                    fact_find(&ctx->facts, FACT_VALID_NN, rel->schemaname, rel->relname, f->extra);
                if (v)
                    v->gone = true;
                f->gone = true;
            }
            struct fact *nv = fact_find(ctx->session->tx_facts, FACT_NOT_VALID, rel->schemaname,
                                        rel->relname, cmd->name);
            if (nv)
                nv->gone = true;
        }
    }
}

/* Does SET lock_timeout = <args> turn the timeout on? It does when the value, read and rounded
 * to whole milliseconds as PostgreSQL does, is not 0: '100us' turns it off, 1.5 (2 ms) on. */
static bool timeout_is_on(const PgQuery__VariableSetStmt *s)
{
    if (s->n_args != 1 || s->args[0]->node_case != PG_QUERY__NODE__NODE_A_CONST)
        return false;
    const PgQuery__AConst *c = s->args[0]->a_const;
    if (c->isnull)
        return false;
    if (c->val_case == PG_QUERY__A__CONST__VAL_IVAL)
        return c->ival && c->ival->ival != 0;
    const char *text = c->val_case == PG_QUERY__A__CONST__VAL_FVAL && c->fval   ? c->fval->fval
                       : c->val_case == PG_QUERY__A__CONST__VAL_SVAL && c->sval ? c->sval->sval
                                                                                : NULL;
    double ms;
    return text && ms_duration_ms(text, &ms) && ms > 0;
}

static void note_statement(struct ms_ctx *ctx, const PgQuery__Node *n)
{
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_CREATE_STMT:
        note_new_table(ctx, n->create_stmt->relation);
        break;
    case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
        if (n->create_table_as_stmt->into)
            note_new_table(ctx, n->create_table_as_stmt->into->rel);
        break;
    case PG_QUERY__NODE__NODE_INDEX_STMT: {
        /* an index lives in its table's schema */
        const PgQuery__IndexStmt *s = n->index_stmt;
        if (ms_name_or_null(s->idxname) && ms_ctx_table_is_new(ctx, s->relation))
            fact_add(&ctx->facts, ctx->arena, FACT_NEW_INDEX, s->relation->schemaname, s->idxname,
                     "");
        break;
    }
    case PG_QUERY__NODE__NODE_SELECT_STMT:
        if (n->select_stmt->into_clause)
            note_new_table(ctx, n->select_stmt->into_clause->rel);
        break;
    case PG_QUERY__NODE__NODE_RENAME_STMT: {
        const PgQuery__RenameStmt *r = n->rename_stmt;
        if (r->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE && r->newname &&
            ms_ctx_table_is_new(ctx, r->relation))
            fact_add(&ctx->facts, ctx->arena, FACT_NEW_TABLE, r->relation->schemaname, r->newname,
                     "");
        break;
    }
    case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
        note_alter_table(ctx, n->alter_table_stmt);
        break;
    case PG_QUERY__NODE__NODE_TRANSACTION_STMT:
        switch (n->transaction_stmt->kind) {
        case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_BEGIN:
        case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_START:
            /* inside a transaction already, BEGIN only warns; in an implicit one it turns it
             * into a block, which COMMIT ends like the implicit one */
            if (!ctx->session->in_tx)
                ctx->session->tx_kind = MS_TXK_BLOCK;
            ctx->session->in_tx = true;
            break;
        case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT:
        case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK:
        case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_PREPARE:
            end_transaction(ctx->session);
            if (ctx->session->tx_kind == MS_TXK_IMPLICIT)
                break; /* the rest of the Exec runs in a new implicit transaction */
            /* AND CHAIN opens the next transaction block at once */
            ctx->session->in_tx = n->transaction_stmt->chain;
            ctx->session->tx_kind = n->transaction_stmt->chain ? MS_TXK_BLOCK : MS_TXK_NONE;
            break;
        default:
            break;
        }
        break;
    case PG_QUERY__NODE__NODE_VARIABLE_SET_STMT: {
        const PgQuery__VariableSetStmt *s = n->variable_set_stmt;
        bool lock = s->name && strcmp(s->name, "lock_timeout") == 0;
        if (!lock && (!s->name || strcmp(s->name, "statement_timeout") != 0))
            break;
        bool on = s->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE && timeout_is_on(s);
        if (s->is_local) /* ends with the transaction; without one, PostgreSQL only warns */
            *(lock ? &ctx->session->lock_timeout_local : &ctx->session->statement_timeout_local) =
                on && ctx->session->in_tx;
        else
            *(lock ? &ctx->lock_timeout : &ctx->statement_timeout) = on;
        break;
    }
    default:
        break;
    }
}

/* ---- the walk ---- */

/* Does the schema the history left hold this object (before the current statement)? */
static bool known_to_exist(const struct ms_catalog *cat, const struct ms_effect *e)
{
    const struct ms_cat_table *t = e->kind == MS_OBJ_TABLE
                                       ? ms_catalog_find_table(cat, e->schema, e->name)
                                   : e->table ? ms_catalog_find_table(cat, e->schema, e->table)
                                              : NULL;
    switch (e->kind) {
    case MS_OBJ_TABLE:
        return t != NULL;
    case MS_OBJ_COLUMN:
        return t && ms_catalog_find_column(cat, t, e->name);
    case MS_OBJ_CONSTRAINT:
        return t && ms_catalog_find_constraint(cat, t, e->name);
    case MS_OBJ_INDEX:
        return ms_catalog_find_index(cat, e->schema, e->name) != NULL;
    default:
        return false;
    }
}

static void note_effect(void *arg, const struct ms_effect *e)
{
    struct ms_ctx *ctx = arg;
    /* DROP ... IF EXISTS of an object the history created surely drops it */
    if (e->op == MS_EFFECT_DROP && e->if_exists && known_to_exist(ctx->session->catalog, e)) {
        struct ms_effect sure = *e;
        sure.if_exists = false;
        ms_effect_log_note(ctx->effects, &sure, ctx->effect_line);
        return;
    }
    ms_effect_log_note(ctx->effects, e, ctx->effect_line);
}

/* The part of the migration's text that holds text offset `at`, or NULL. */
static const struct ms_part *part_at(const struct ms_migration *m, size_t at)
{
    for (size_t i = 0; i < m->n_parts; i++)
        if (at >= m->parts[i].start && at < m->parts[i].end)
            return &m->parts[i];
    return NULL;
}

/* The tool runs a part: it opens its transaction (or sends the part as one Exec). */
static void enter_part(struct ms_ctx *ctx, const struct ms_part *p, size_t first)
{
    struct ms_session *s = ctx->session;
    ctx->part = p;
    if (p->as_written)
        return;
    size_t n = 0;
    for (size_t i = first; i < ctx->parsed->n_stmts && n < 2; i++)
        if (part_at(ctx->migration, ms_source_map(ctx->src, ctx->parsed->stmts[i].start, NULL)) ==
            p)
            n++;
    bool wrapped = p->tx == MS_TX_EXPLICIT || (p->tx == MS_TX_IMPLICIT_IF_MULTI && n > 1);
    if (!wrapped)
        return;
    s->in_tx = true;
    s->tx_kind = p->tx == MS_TX_EXPLICIT ? MS_TXK_TOOL : MS_TXK_IMPLICIT;
    s->tx_tool = ms_tool_name(ctx->migration->tool);
    s->tx_hint = ctx->migration->tx_hint;
}

/* The part is done: the tool commits (a transaction the text left open ends with the
 * connection's next use, which migsafe does not follow). */
static void leave_part(struct ms_ctx *ctx)
{
    struct ms_session *s = ctx->session;
    if (ctx->part && !ctx->part->as_written && (s->in_tx || s->tx_kind != MS_TXK_NONE)) {
        end_transaction(s);
        s->in_tx = false;
        s->tx_kind = MS_TXK_NONE;
    }
    ctx->part = NULL;
}

/* Where each command of an ALTER TABLE with several starts (AlterTableCmd carries no location):
 * the first token after the table name, then the first after each comma outside parentheses.
 * Offsets relative to the statement; -1 when unknown. Uses libpg_query's scanner, so commas in
 * strings, comments and parentheses do not count. */
static int *command_locations(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *s)
{
    int *loc = ms_arena_alloc(ctx->arena, s->n_cmds * sizeof(int));
    for (size_t i = 0; i < s->n_cmds; i++)
        loc[i] = -1;
    const struct ms_stmt *st = current_stmt(ctx);
    char *sql = ms_xstrndup(ctx->src->sql + st->start, st->end - st->start);
    PgQueryScanResult r = pg_query_scan(sql);
    PgQuery__ScanResult *sr =
        r.error ? NULL
                : pg_query__scan_result__unpack(NULL, r.pbuf.len, (const uint8_t *)r.pbuf.data);
    /* comments come back as tokens: look at the others only */
    size_t n = 0;
    PgQuery__ScanToken **tok =
        ms_arena_alloc(ctx->arena, (sr ? sr->n_tokens + 1 : 1) * sizeof(*tok));
    for (size_t i = 0; sr && i < sr->n_tokens; i++)
        if (sr->tokens[i]->token != PG_QUERY__TOKEN__SQL_COMMENT &&
            sr->tokens[i]->token != PG_QUERY__TOKEN__C_COMMENT)
            tok[n++] = sr->tokens[i];
    int rel = s->relation ? s->relation->location : -1;
    size_t t = 0;
    while (t < n && tok[t]->start < rel)
        t++;
    if (t < n && tok[t]->start == rel) {
        t++; /* the name, then .name parts */
        while (t + 1 < n && tok[t]->token == PG_QUERY__TOKEN__ASCII_46)
            t += 2;
        if (t < n)
            loc[0] = tok[t]->start;
        size_t k = 1;
        for (int depth = 0; t < n && k < s->n_cmds; t++) {
            PgQuery__Token kind = tok[t]->token;
            if (kind == PG_QUERY__TOKEN__ASCII_40)
                depth++;
            else if (kind == PG_QUERY__TOKEN__ASCII_41)
                depth--;
            else if (kind == PG_QUERY__TOKEN__ASCII_44 && depth == 0 && t + 1 < n)
                loc[k++] = tok[t + 1]->start;
        }
    }
    if (sr)
        pg_query__scan_result__free_unpacked(sr, NULL);
    pg_query_free_scan_result(r);
    free(sql);
    return loc;
}

static void call_column_visitors(struct ms_ctx *ctx, const PgQuery__RangeVar *rel,
                                 const PgQuery__ColumnDef *col)
{
    const struct ms_dispatch *d = ctx->dispatch;
    for (size_t i = 0; i < d->n[KIND_COLUMN_DEF]; i++) {
        ctx->rule_index = d->rules[KIND_COLUMN_DEF][i];
        ms_rules[ctx->rule_index]->visit_column_def(ctx, rel, col);
    }
}

/* The column an ALTER TABLE command declares (ADD COLUMN, ALTER COLUMN TYPE), named. */
static void visit_command_column(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *s,
                                 const PgQuery__AlterTableCmd *cmd)
{
    if ((cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn &&
         cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType) ||
        s->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE || !cmd->def ||
        cmd->def->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF)
        return;
    PgQuery__ColumnDef named = *cmd->def->column_def;
    if ((!named.colname || !*named.colname) && cmd->name)
        named.colname = cmd->name; /* ALTER COLUMN name TYPE: the name is on the command */
    call_column_visitors(ctx, s->relation, &named);
}

static void call_visitors(struct ms_ctx *ctx, const PgQuery__Node *n)
{
    const struct ms_dispatch *d = ctx->dispatch;
    for (size_t i = 0; i < d->n[KIND_STMT]; i++) {
        ctx->rule_index = d->rules[KIND_STMT][i];
        ms_rules[ctx->rule_index]->visit_stmt(ctx, n);
    }
    switch (n->node_case) {
#define KIND_CALL(field, Type, CASE)                                                               \
    case PG_QUERY__NODE__NODE_##CASE:                                                              \
        for (size_t i = 0; i < d->n[KIND_##CASE]; i++) {                                           \
            ctx->rule_index = d->rules[KIND_##CASE][i];                                            \
            ms_rules[ctx->rule_index]->visit_##field(ctx, n->field);                               \
        }                                                                                          \
        break;
        MS_STMT_KINDS(KIND_CALL)
#undef KIND_CALL
    default:
        break;
    }
    if (n->node_case == PG_QUERY__NODE__NODE_CREATE_STMT && d->n[KIND_COLUMN_DEF]) {
        const PgQuery__CreateStmt *s = n->create_stmt;
        /* a temporary table is gone at the end of the session */
        bool temporary = s->relation && s->relation->relpersistence &&
                         strcmp(s->relation->relpersistence, "t") == 0;
        for (size_t i = 0; i < s->n_table_elts && !temporary; i++)
            if (s->table_elts[i]->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
                call_column_visitors(ctx, s->relation, s->table_elts[i]->column_def);
    }
    if (n->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_STMT) {
        const PgQuery__AlterTableStmt *s = n->alter_table_stmt;
        ctx->alter = s;
        ctx->cmd_locations = NULL;
        for (size_t c = 0; c < s->n_cmds; c++) {
            if (s->cmds[c]->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
                continue;
            ctx->cmd_index = c;
            for (size_t i = 0; i < d->n[KIND_ALTER_TABLE_CMD]; i++) {
                ctx->rule_index = d->rules[KIND_ALTER_TABLE_CMD][i];
                ms_rules[ctx->rule_index]->visit_alter_table_cmd(ctx, s,
                                                                 s->cmds[c]->alter_table_cmd);
            }
            if (d->n[KIND_COLUMN_DEF])
                visit_command_column(ctx, s, s->cmds[c]->alter_table_cmd);
        }
        ctx->alter = NULL;
    }
}

/* The body of the current statement, a DO block, extracted once. */
static const struct ms_plpgsql_body *do_body(struct ms_ctx *ctx)
{
    const struct ms_stmt *st = &ctx->parsed->stmts[ctx->cur];
    if (!ctx->do_body || ctx->do_index != ctx->cur) {
        ctx->do_body = ms_arena_alloc(ctx->arena, sizeof(*ctx->do_body));
        ctx->do_index = ctx->cur;
        if (st->node->node_case == PG_QUERY__NODE__NODE_DO_STMT)
            ms_plpgsql_do(ctx->src->sql + st->start, st->end - st->start, st->node->do_stmt,
                          ctx->arena, ctx->do_body);
    }
    return ctx->do_body;
}

bool ms_ctx_do_dynamic_sql(struct ms_ctx *ctx, size_t i, int *location, const char **expr)
{
    const struct ms_plpgsql_body *b = ctx->nested ? NULL : do_body(ctx);
    for (size_t k = 0; b && k < b->n_stmts; k++)
        if (b->stmts[k].kind == MS_PLPGSQL_DYNAMIC && i-- == 0) {
            *location = (int)b->stmts[k].start;
            *expr = b->stmts[k].expr;
            return true;
        }
    return false;
}

/* The static statements of a DO block, visited (and noted) as statements of their own. A DO
 * runs in one transaction: the open transaction block, else its own, which ends with the DO
 * (taking SET LOCAL with it). Transaction statements inside it are not followed: COMMIT there
 * ends that implicit transaction at most, and is refused inside a transaction block. */
static void visit_do_body(struct ms_ctx *ctx, const struct ms_catalog_origin *origin)
{
    const struct ms_plpgsql_body *b = do_body(ctx);
    const struct ms_stmt *st = &ctx->parsed->stmts[ctx->cur];
    bool own = !ctx->session->in_tx;
    if (own)
        ctx->session->tx_kind = MS_TXK_BLOCK;
    ctx->session->in_tx = true;
    for (size_t i = 0; i < b->n_stmts; i++) {
        const struct ms_plpgsql_stmt *s = &b->stmts[i];
        if (s->kind != MS_PLPGSQL_STATIC || !s->node)
            continue;
        struct ms_stmt nested = {
            .start = st->start + s->start, .end = st->start + s->end, .node = s->node};
        ctx->nested = &nested;
        ctx->nested_no = i + 1;
        call_visitors(ctx, s->node);
        if (s->node->node_case != PG_QUERY__NODE__NODE_TRANSACTION_STMT)
            note_statement(ctx, s->node);
        if (origin && !ms_ctx_in_down(ctx))
            ms_catalog_apply(ctx->session->catalog, s->node, origin);
        ctx->nested = NULL;
    }
    if (own) {
        end_transaction(ctx->session);
        ctx->session->in_tx = false;
        ctx->session->tx_kind = MS_TXK_NONE;
    }
}

static int compare_diags(const void *pa, const void *pb)
{
    const struct ms_diag *a = pa, *b = pb;
    if (a->offset != b->offset)
        return a->offset < b->offset ? -1 : 1;
    int c = strcmp(a->rule->id, b->rule->id);
    if (c)
        return c;
    return strcmp(a->message, b->message);
}

void ms_engine_lint(const struct ms_engine *e, const struct ms_source *src,
                    const struct ms_parsed *parsed, struct ms_arena *arena, struct ms_diags *out)
{
    ms_engine_lint_migration(e, src, parsed, NULL, NULL, arena, out);
}

void ms_engine_lint_migration(const struct ms_engine *e, const struct ms_source *src,
                              const struct ms_parsed *parsed, const struct ms_migration *m,
                              struct ms_session *session, struct ms_arena *arena,
                              struct ms_diags *out)
{
    assert(e->dispatch && "ms_engine_prepare() not called");
    static const struct ms_migration plain = {.tool = MS_TOOL_SQL};
    struct ms_session own;
    if (!session) {
        ms_session_init(&own);
        session = &own;
    }
    size_t first = out->n;
    struct ms_ctx ctx = {
        .engine = e,
        .src = src,
        .parsed = parsed,
        .arena = arena,
        .out = out,
        .rule_states = ms_arena_alloc(arena, ms_n_rules * sizeof(void *)),
        .migration = m ? m : &plain,
        .session = session,
    };
    /* the schema catalog learns each statement of an up after the rules saw it */
    const struct ms_catalog_origin origin = {
        .migration = ctx.migration->name ? ctx.migration->name : src->path,
        .in_change_set = ctx.migration->in_change_set,
    };
    struct ms_effect_log own_effects = {0};
    ctx.effects = session->effects ? session->effects : &own_effects;
    if (!ctx.migration->is_down)
        ms_effect_log_reset(ctx.effects, ctx.migration->name, src->path);
    /* only a way back that exists is compared with its up (irreversible-downgrade): other
     * migrations, plain files and Alembic revisions among them, record nothing */
    bool record_effects = !ctx.migration->is_down && ctx.migration->down == MS_DOWN_PRESENT &&
                          ctx.migration->tool != MS_TOOL_ALEMBIC;
    /* a history read for context only replays its statements into the context */
    static const struct ms_dispatch none;
    const struct ms_dispatch *up = ctx.migration->context_only ? &none
                                   : ctx.migration->is_down    ? e->down_dispatch
                                                               : e->dispatch;
    const struct ms_dispatch *down = ctx.migration->context_only ? &none : e->down_dispatch;
    const struct ms_dispatch *d = up;
    ctx.dispatch = up;
    for (size_t i = 0; i < d->n[KIND_CHECK_MIGRATION]; i++) {
        ctx.rule_index = d->rules[KIND_CHECK_MIGRATION][i];
        ms_rules[ctx.rule_index]->check_migration(&ctx, ctx.migration);
    }
    int syntax = ms_rule_find("syntax-error");
    bool syntax_on =
        !ctx.migration->context_only && syntax >= 0 && ms_engine_rule_active(e, (size_t)syntax);
    for (size_t i = 0; i < parsed->n_stmts; i++) {
        const struct ms_stmt *st = &parsed->stmts[i];
        ctx.cur = i;
        if (ctx.migration->n_parts) {
            const struct ms_part *p = part_at(ctx.migration, ms_source_map(src, st->start, NULL));
            if (p != ctx.part) {
                leave_part(&ctx);
                if (p)
                    enter_part(&ctx, p, i);
            }
            if (!p)
                continue; /* before the first marker: the tool does not run it */
            ctx.dispatch = p->down ? down : up;
        }
        if (st->error) {
            if (syntax_on) {
                ctx.rule_index = (size_t)syntax;
                int loc = (int)(st->error_offset - st->start);
                struct ms_diag *diag = ms_report(&ctx, loc, "%s (migsafe parses the %s grammar)",
                                                 st->error, MS_GRAMMAR_NAME);
                diag->offset = ms_source_map(src, st->error_offset, NULL);
                if (diag->end < diag->offset)
                    diag->end = diag->offset;
            }
            continue;
        }
        if (!st->node)
            continue;
        const struct ms_segment *seg;
        ms_source_map(src, st->start, &seg);
        if (!seg || !seg->synthetic)
            call_visitors(&ctx, st->node);
        note_statement(&ctx, st->node);
        if (st->node->node_case == PG_QUERY__NODE__NODE_DO_STMT)
            visit_do_body(&ctx, &origin);
        if (!ms_ctx_in_down(&ctx)) {
            if (record_effects) {
                ctx.effect_line = ms_source_pos(src, ms_source_map(src, st->start, NULL)).line;
                ms_effects_of(st->node, arena, note_effect, &ctx);
            }
            ms_catalog_apply(session->catalog, st->node, &origin);
        }
    }
    if (parsed->n_stmts > 0) {
        ctx.cur = parsed->n_stmts - 1;
        ctx.dispatch = d;
        for (size_t i = 0; i < d->n[KIND_END_MIGRATION]; i++) {
            ctx.rule_index = d->rules[KIND_END_MIGRATION][i];
            ms_rules[ctx.rule_index]->end_migration(&ctx);
        }
    }
    leave_part(&ctx);
    ms_suppress_apply(e, src, ctx.migration->tool == MS_TOOL_ALEMBIC, out, first, arena);
    for (size_t i = first; i < out->n; i++)
        out->items[i].migration = migration_at(ctx.migration, out->items[i].offset);
    if (out->n > first)
        qsort(out->items + first, out->n - first, sizeof(struct ms_diag), compare_diags);
    if (session == &own)
        ms_session_release(&own);
    ms_effect_log_release(&own_effects);
}
