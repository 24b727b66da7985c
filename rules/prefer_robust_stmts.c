/* prefer-robust-stmts: outside a transaction block, a CREATE, DROP or ALTER TABLE that fails
 * when run again. Docs: docs/rules/prefer-robust-stmts.md.
 * Fixtures: fixtures/rules/prefer-robust-stmts/. */
#include "rule.h"

/* A migration that runs outside a transaction block keeps every statement that succeeded when a
 * later one fails (a lock_timeout, a CREATE INDEX CONCURRENTLY that hit a duplicate). Run again,
 * it stops at the first statement whose work is already done: CREATE TABLE fails with "already
 * exists", DROP with "does not exist", and the migration can be neither retried nor finished
 * without editing it by hand. IF [NOT] EXISTS (OR REPLACE for views, functions and triggers)
 * makes each statement a no-op the second time. Inside a transaction block a failure rolls
 * everything back, so the rule stays silent there. Opt-in: tools that always wrap migrations in
 * a transaction never need it. */

/* Constraints dropped IF EXISTS earlier: re-adding one of those is safe to run again. */
struct dropped {
    struct dropped *next;
    const char *name;
};

static bool applies(struct ms_ctx *ctx)
{
    return !ms_ctx_in_transaction(ctx);
}

static void report_missing(struct ms_ctx *ctx, int location, const char *what, const char *name,
                           const char *fix)
{
    struct ms_diag *d = ms_report(ctx, location,
                                  "%s \"%s\" fails if the migration runs again after failing "
                                  "part way, as it runs outside a transaction block",
                                  what, name ? name : "?");
    ms_diag_set_help(ctx, d, "write %s, or run the migration in a transaction", fix);
}

static void visit_create_stmt(struct ms_ctx *ctx, const PgQuery__CreateStmt *stmt)
{
    const PgQuery__RangeVar *rel = stmt->relation;
    if (!applies(ctx) || stmt->if_not_exists || !rel ||
        (rel->relpersistence && strcmp(rel->relpersistence, "t") == 0))
        return;
    report_missing(ctx, rel->location, "CREATE TABLE", ms_ctx_relname(ctx, rel),
                   "CREATE TABLE IF NOT EXISTS");
}

static void visit_create_table_as_stmt(struct ms_ctx *ctx, const PgQuery__CreateTableAsStmt *stmt)
{
    const PgQuery__RangeVar *rel = stmt->into ? stmt->into->rel : NULL;
    if (!applies(ctx) || stmt->if_not_exists || !rel ||
        (rel->relpersistence && strcmp(rel->relpersistence, "t") == 0))
        return;
    bool matview = stmt->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW;
    report_missing(ctx, rel->location, matview ? "CREATE MATERIALIZED VIEW" : "CREATE TABLE AS",
                   ms_ctx_relname(ctx, rel),
                   matview ? "CREATE MATERIALIZED VIEW IF NOT EXISTS"
                           : "CREATE TABLE IF NOT EXISTS ... AS");
}

static void visit_index_stmt(struct ms_ctx *ctx, const PgQuery__IndexStmt *stmt)
{
    if (!applies(ctx) || stmt->if_not_exists)
        return;
    if (!stmt->idxname) {
        /* no name: a second run quietly builds a second, identical index */
        struct ms_diag *d = ms_report(ctx, -1,
                                      "CREATE INDEX without a name builds a duplicate index if "
                                      "the migration runs again after failing part way");
        ms_diag_set_help(ctx, d, "name the index and write CREATE INDEX IF NOT EXISTS <name>");
        return;
    }
    report_missing(ctx, -1, "CREATE INDEX", stmt->idxname,
                   "CREATE INDEX IF NOT EXISTS (and drop an index a failed CONCURRENTLY build "
                   "left INVALID first)");
}

static void visit_view_stmt(struct ms_ctx *ctx, const PgQuery__ViewStmt *stmt)
{
    if (!applies(ctx) || stmt->replace || !stmt->view)
        return;
    report_missing(ctx, stmt->view->location, "CREATE VIEW", ms_ctx_relname(ctx, stmt->view),
                   "CREATE OR REPLACE VIEW");
}

static void visit_create_function_stmt(struct ms_ctx *ctx, const PgQuery__CreateFunctionStmt *stmt)
{
    if (!applies(ctx) || stmt->replace || stmt->n_funcname == 0)
        return;
    report_missing(ctx, -1, stmt->is_procedure ? "CREATE PROCEDURE" : "CREATE FUNCTION",
                   ms_node_str(stmt->funcname[stmt->n_funcname - 1]),
                   stmt->is_procedure ? "CREATE OR REPLACE PROCEDURE"
                                      : "CREATE OR REPLACE FUNCTION");
}

static void visit_create_trig_stmt(struct ms_ctx *ctx, const PgQuery__CreateTrigStmt *stmt)
{
    /* OR REPLACE exists from PostgreSQL 14 (not for constraint triggers) */
    if (!applies(ctx) || stmt->replace || stmt->isconstraint || ms_ctx_pg_version(ctx) < 14)
        return;
    report_missing(ctx, -1, "CREATE TRIGGER", stmt->trigname, "CREATE OR REPLACE TRIGGER");
}

static const char *drop_kind(PgQuery__ObjectType t)
{
    switch (t) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
        return "TABLE";
    case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
        return "INDEX";
    case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
        return "VIEW";
    case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
        return "MATERIALIZED VIEW";
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
        return "SEQUENCE";
    case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
        return "TYPE";
    case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN:
        return "DOMAIN";
    case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA:
        return "SCHEMA";
    case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
        return "FUNCTION";
    case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
        return "PROCEDURE";
    case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER:
        return "TRIGGER";
    case PG_QUERY__OBJECT_TYPE__OBJECT_EXTENSION:
        return "EXTENSION";
    case PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE:
        return "FOREIGN TABLE";
    default:
        return NULL;
    }
}

/* The last name of a dropped object: a List of names, a bare String, or a TypeName. */
static const char *object_name(const PgQuery__Node *o)
{
    if (!o)
        return NULL;
    if (o->node_case == PG_QUERY__NODE__NODE_LIST && o->list->n_items)
        return ms_node_str(o->list->items[o->list->n_items - 1]);
    if (o->node_case == PG_QUERY__NODE__NODE_TYPE_NAME && o->type_name->n_names)
        return ms_node_str(o->type_name->names[o->type_name->n_names - 1]);
    if (o->node_case == PG_QUERY__NODE__NODE_OBJECT_WITH_ARGS && o->object_with_args->n_objname)
        return ms_node_str(o->object_with_args->objname[o->object_with_args->n_objname - 1]);
    return ms_node_str(o);
}

static void visit_drop_stmt(struct ms_ctx *ctx, const PgQuery__DropStmt *stmt)
{
    const char *kind = drop_kind(stmt->remove_type);
    if (!applies(ctx) || stmt->missing_ok || !kind || stmt->n_objects == 0)
        return;
    char what[64], fix[64];
    snprintf(what, sizeof(what), "DROP %s", kind);
    snprintf(fix, sizeof(fix), "DROP %s IF EXISTS", kind);
    report_missing(ctx, -1, what, object_name(stmt->objects[0]), fix);
}

static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    struct dropped **dropped = ms_ctx_rule_state(ctx, sizeof(*dropped));
    if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint && cmd->missing_ok &&
        cmd->name) {
        struct dropped *d = ms_ctx_alloc(ctx, sizeof(*d));
        d->name = ms_ctx_strdup(ctx, cmd->name);
        d->next = *dropped;
        *dropped = d;
    }
    if (!applies(ctx) || stmt->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
        return;
    switch (cmd->subtype) {
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn:
        if (!cmd->missing_ok && cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
            report_missing(ctx, -1, "ADD COLUMN", cmd->def->column_def->colname,
                           "ADD COLUMN IF NOT EXISTS");
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
        if (!cmd->missing_ok)
            report_missing(ctx, -1, "DROP COLUMN", cmd->name, "DROP COLUMN IF EXISTS");
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint:
        if (!cmd->missing_ok)
            report_missing(ctx, -1, "DROP CONSTRAINT", cmd->name, "DROP CONSTRAINT IF EXISTS");
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint: {
        if (!cmd->def || cmd->def->node_case != PG_QUERY__NODE__NODE_CONSTRAINT)
            break;
        const char *name = cmd->def->constraint->conname;
        for (const struct dropped *d = *dropped; name && d; d = d->next)
            if (strcmp(d->name, name) == 0)
                return;
        /* ADD CONSTRAINT has no IF NOT EXISTS: drop it IF EXISTS first */
        struct ms_diag *d;
        if (name)
            d = ms_report(ctx, -1,
                          "ADD CONSTRAINT \"%s\" fails if the migration runs again after failing "
                          "part way, as it runs outside a transaction block",
                          name);
        else
            d = ms_report(ctx, -1,
                          "ADD CONSTRAINT without a name adds the constraint a second time (or "
                          "fails) if the migration runs again after failing part way, as it runs "
                          "outside a transaction block");
        ms_diag_set_help(ctx, d,
                         "name the constraint and precede it with ALTER TABLE ... DROP CONSTRAINT "
                         "IF EXISTS %s, or run the migration in a transaction",
                         name ? name : "<name>");
        break;
    }
    default:
        break;
    }
}

const struct ms_rule ms_rule_prefer_robust_stmts = {
    .id = "prefer-robust-stmts",
    .severity = MS_WARNING,
    .category = "failure",
    .summary = "outside a transaction, a statement fails when the migration is run again",
    .help = "use IF [NOT] EXISTS or OR REPLACE, or run the migration in a transaction",
    .opt_in = true,
    .visit_create_stmt = visit_create_stmt,
    .visit_create_table_as_stmt = visit_create_table_as_stmt,
    .visit_index_stmt = visit_index_stmt,
    .visit_view_stmt = visit_view_stmt,
    .visit_create_function_stmt = visit_create_function_stmt,
    .visit_create_trig_stmt = visit_create_trig_stmt,
    .visit_drop_stmt = visit_drop_stmt,
    .visit_alter_table_cmd = visit_alter_table_cmd,
};
