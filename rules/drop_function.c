/* drop-function: DROP FUNCTION, PROCEDURE or ROUTINE of one the migration does not re-create.
 * Docs: docs/rules/drop-function.md. Fixtures: fixtures/rules/drop-function/. */
#include "rule.h"

/* The running application (and anything scheduled, like pg_cron jobs) still calls the function:
 * each call fails with "function does not exist" from the commit on. Dropping a function to
 * re-create it in the same migration (to change its return type or arguments) is the usual way
 * to redefine one and breaks nothing when both run in one transaction. */
struct name {
    struct name *next;
    const char *schema, *func;
    bool procedure;
    struct ms_mark mark; /* drops only */
};

struct state {
    struct name *dropped, *created;
};

/* Adds [schema.]name from a list of String nodes. */
static void add(struct ms_ctx *ctx, struct name **list, size_t n, PgQuery__Node *const *names,
                const char *newname, bool procedure)
{
    const char *func = newname ? newname : n ? ms_node_str(names[n - 1]) : NULL;
    if (!func || !*func)
        return;
    struct name *e = ms_ctx_alloc(ctx, sizeof(*e));
    e->schema = n > 1 ? ms_node_str(names[n - 2]) : NULL;
    e->func = func;
    e->procedure = procedure;
    e->mark = ms_ctx_mark(ctx, -1);
    e->next = *list;
    *list = e;
}

static bool is_routine(PgQuery__ObjectType t)
{
    return t == PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION ||
           t == PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE ||
           t == PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE;
}

static void visit_create_function_stmt(struct ms_ctx *ctx, const PgQuery__CreateFunctionStmt *node)
{
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    add(ctx, &s->created, node->n_funcname, node->funcname, NULL, false);
}

/* A function renamed to a name takes its place. */
static void visit_rename_stmt(struct ms_ctx *ctx, const PgQuery__RenameStmt *node)
{
    if (!is_routine(node->rename_type) || !node->newname || !*node->newname || !node->object ||
        node->object->node_case != PG_QUERY__NODE__NODE_OBJECT_WITH_ARGS)
        return;
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    const PgQuery__ObjectWithArgs *o = node->object->object_with_args;
    add(ctx, &s->created, o->n_objname, o->objname, node->newname, false);
}

static void visit_drop_stmt(struct ms_ctx *ctx, const PgQuery__DropStmt *node)
{
    if (!is_routine(node->remove_type))
        return;
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    for (size_t i = 0; i < node->n_objects; i++) {
        const PgQuery__Node *obj = node->objects[i];
        if (obj->node_case != PG_QUERY__NODE__NODE_OBJECT_WITH_ARGS)
            continue;
        const PgQuery__ObjectWithArgs *o = obj->object_with_args;
        add(ctx, &s->dropped, o->n_objname, o->objname, NULL,
            node->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE);
    }
}

static bool same(const struct name *a, const struct name *b)
{
    return strcmp(a->func, b->func) == 0 &&
           (!a->schema || !b->schema || strcmp(a->schema, b->schema) == 0);
}

/* The created names sorted by func, so that a migration of thousands of drops and creates
 * (a pg_dump --clean) stays O(n log n). */
struct sorted {
    size_t n;
    const struct name **v;
};

static int compare_names(const void *pa, const void *pb)
{
    return strcmp((*(const struct name *const *)pa)->func, (*(const struct name *const *)pb)->func);
}

static struct sorted sort_names(struct ms_ctx *ctx, const struct name *list)
{
    struct sorted out = {0, NULL};
    for (const struct name *c = list; c; c = c->next)
        out.n++;
    out.v = ms_ctx_alloc(ctx, (out.n + 1) * sizeof(*out.v));
    size_t i = 0;
    for (const struct name *c = list; c; c = c->next)
        out.v[i++] = c;
    qsort(out.v, out.n, sizeof(*out.v), compare_names);
    return out;
}

static bool is_recreated(const struct sorted *created, const struct name *d)
{
    size_t lo = 0, hi = created->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(created->v[mid]->func, d->func) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < created->n && strcmp(created->v[lo]->func, d->func) == 0; lo++)
        if (same(created->v[lo], d))
            return true;
    return false;
}

/* Reported at the end, one finding per DROP statement: a function created anywhere in the
 * migration under the dropped name (before: it is new; after: it is redefined) exempts the drop.
 * The names of one statement are next to each other in the list. */
static void end_migration(struct ms_ctx *ctx)
{
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    if (!s->dropped)
        return;
    struct sorted created = sort_names(ctx, s->created);
    for (const struct name *d = s->dropped, *next; d; d = next) {
        const struct name *first = NULL;
        size_t n = 0;
        for (next = d; next && next->mark.stmt_index == d->mark.stmt_index; next = next->next)
            if (!is_recreated(&created, next)) {
                first = next; /* the list is newest first: the last one seen comes first */
                n++;
            }
        if (!first)
            continue;
        const char *name = first->func;
        if (first->schema) {
            size_t len = strlen(first->schema) + strlen(first->func) + 2;
            char *q = ms_ctx_alloc(ctx, len);
            snprintf(q, len, "%s.%s", first->schema, first->func);
            name = q;
        }
        char more[48] = "";
        if (n > 1)
            snprintf(more, sizeof(more), " (and %zu more)", n - 1);
        struct ms_diag *diag = ms_report_at(
            ctx, first->mark, "dropping %s \"%s\"%s breaks the running code that still calls it",
            first->procedure ? "procedure" : "function", name, more);
        ms_diag_set_help(
            ctx, diag,
            "stop calling \"%s\" in the application and deploy that first, then drop it in a "
            "later migration; to change it, use CREATE OR REPLACE or re-create it in "
            "the same transaction",
            name);
    }
}

const struct ms_rule ms_rule_drop_function = {
    .id = "drop-function",
    .severity = MS_WARNING,
    .category = "compatibility",
    .summary = "a function or procedure is dropped while the running code may still call it",
    .help = "stop calling the function in the application and deploy that first; to redefine "
            "it, use CREATE OR REPLACE or re-create it in the same transaction",
    .visit_create_function_stmt = visit_create_function_stmt,
    .visit_rename_stmt = visit_rename_stmt,
    .visit_drop_stmt = visit_drop_stmt,
    .end_migration = end_migration,
};
