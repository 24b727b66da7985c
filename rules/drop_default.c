/* drop-default: ALTER COLUMN ... DROP DEFAULT (or SET DEFAULT NULL, DROP IDENTITY) on an
 * existing table.
 * Docs: docs/rules/drop-default.md. Fixtures: fixtures/rules/drop-default/. */
#include "rule.h"

/* The running code's INSERTs that leave the column out relied on the default: from the commit
 * on they store NULL instead, or fail outright when the column is NOT NULL (or, for an identity
 * column, when it was the key). Not reported: a column added earlier in the same migration, not
 * used by any running code yet (adding it with a default to fill the existing rows and dropping
 * the default right after is the usual backfill, and what Django emits), and a default set again
 * later in the migration (dropped only to change the column's type). */
struct column {
    struct column *next;
    const PgQuery__RangeVar *rel;
    const char *name;
    size_t seq;          /* statement order */
    bool identity;       /* drops only */
    struct ms_mark mark; /* drops only */
};

struct state {
    struct column *added, *dropped, *set;
    size_t seq;
};

static void add(struct ms_ctx *ctx, struct column **list, const PgQuery__RangeVar *rel,
                const char *name, bool identity)
{
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    struct column *c = ms_ctx_alloc(ctx, sizeof(*c));
    c->rel = rel;
    c->name = name;
    c->seq = s->seq++;
    c->identity = identity;
    c->mark = ms_ctx_mark(ctx, -1);
    c->next = *list;
    *list = c;
}

/* Is there an entry for d's column in the list, before d (or after it)? */
static bool has_column(const struct column *list, const struct column *d, bool after)
{
    for (const struct column *c = list; c; c = c->next)
        if ((after ? c->seq > d->seq : c->seq < d->seq) && strcmp(c->name, d->name) == 0 &&
            ms_same_rel(c->rel, d->rel))
            return true;
    return false;
}

/* DROP DEFAULT, or SET DEFAULT NULL, which is the same thing said another way. */
static bool is_null_default(const PgQuery__Node *def)
{
    if (!def)
        return true;
    if (def->node_case == PG_QUERY__NODE__NODE_A_CONST)
        return def->a_const->isnull;
    /* NULL::type */
    return def->node_case == PG_QUERY__NODE__NODE_TYPE_CAST && def->type_cast->arg &&
           def->type_cast->arg->node_case == PG_QUERY__NODE__NODE_A_CONST &&
           def->type_cast->arg->a_const->isnull;
}

static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    if (stmt->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE || !stmt->relation)
        return;
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn) {
        if (cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF &&
            cmd->def->column_def->colname)
            add(ctx, &s->added, stmt->relation, cmd->def->column_def->colname, false);
        return;
    }
    bool identity = cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DropIdentity;
    if (!cmd->name || (!identity && cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_ColumnDefault))
        return;
    if (!identity && !is_null_default(cmd->def))
        add(ctx, &s->set, stmt->relation, cmd->name, false);
    else if (!ms_ctx_table_is_new(ctx, stmt->relation))
        add(ctx, &s->dropped, stmt->relation, cmd->name, identity);
}

static void end_migration(struct ms_ctx *ctx)
{
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    for (const struct column *d = s->dropped; d; d = d->next) {
        if (has_column(s->added, d, false) || (!d->identity && has_column(s->set, d, true)))
            continue;
        const char *what = d->identity ? "identity" : "default";
        struct ms_diag *diag = ms_report_at(
            ctx, d->mark,
            "dropping the %s of column \"%s\" of table \"%s\" makes the running code's INSERTs "
            "that leave it out store NULL, or fail if it is NOT NULL",
            what, d->name, ms_ctx_relname(ctx, d->rel));
        ms_diag_set_help(ctx, diag,
                         "make the application set \"%s\" on every INSERT and deploy that "
                         "first, then drop the %s",
                         d->name, what);
    }
}

const struct ms_rule ms_rule_drop_default = {
    .id = "drop-default",
    .severity = MS_INFO,
    .category = "compatibility",
    .summary = "a column default is dropped while the running code's INSERTs may rely on it",
    .help = "make the application set the column on every INSERT and deploy that first, then "
            "drop the default",
    .visit_alter_table_cmd = visit_alter_table_cmd,
    .end_migration = end_migration,
};
