/* drop-function: DROP FUNCTION, PROCEDURE or ROUTINE of one the migration does not re-create.
 * Docs: docs/rules/drop-function.md. Fixtures: fixtures/rules/drop-function/. */
#include "rule.h"

/* The running application (and anything scheduled, like pg_cron jobs) still calls the function:
 * each call fails with "function does not exist" from the commit on. Dropping a function to
 * re-create it in the same migration (to change its return type or arguments) is the usual way
 * to redefine one and breaks nothing when both run in one transaction. */

struct state {
    struct ms_name *dropped, *created;
};

static bool is_routine(PgQuery__ObjectType t)
{
    return t == PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION ||
           t == PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE ||
           t == PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE;
}

static void visit_create_function_stmt(struct ms_ctx *ctx, const PgQuery__CreateFunctionStmt *node)
{
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    ms_names_add_qualified(ctx, &s->created, node->n_funcname, node->funcname, NULL, false);
}

/* A function renamed to a name takes its place. */
static void visit_rename_stmt(struct ms_ctx *ctx, const PgQuery__RenameStmt *node)
{
    if (!is_routine(node->rename_type) || !node->newname || !*node->newname || !node->object ||
        node->object->node_case != PG_QUERY__NODE__NODE_OBJECT_WITH_ARGS)
        return;
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    const PgQuery__ObjectWithArgs *o = node->object->object_with_args;
    ms_names_add_qualified(ctx, &s->created, o->n_objname, o->objname, node->newname, false);
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
        ms_names_add_qualified(ctx, &s->dropped, o->n_objname, o->objname, NULL,
                               node->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE);
    }
}

/* Reported at the end, one finding per DROP statement: a function created anywhere in the
 * migration under the dropped name (before: it is new; after: it is redefined) exempts the drop.
 */
static void report(struct ms_ctx *ctx, const struct ms_name *first, const char *name,
                   const char *more)
{
    struct ms_diag *diag = ms_report_at(
        ctx, first->mark, "dropping %s \"%s\"%s breaks the running code that still calls it",
        first->flag ? "procedure" : "function", name, more);
    ms_diag_set_help(ctx, diag,
                     "stop calling \"%s\" in the application and deploy that first, then drop "
                     "it in a later migration; to change it, use CREATE OR REPLACE or re-create "
                     "it in the same transaction",
                     name);
}

static void end_migration(struct ms_ctx *ctx)
{
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    ms_names_report_kept(ctx, s->dropped, s->created, report);
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
