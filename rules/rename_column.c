/* rename-column: ALTER TABLE ... RENAME COLUMN on a table that existed before this migration.
 * Docs: docs/rules/rename-column.md. Fixtures: fixtures/rules/rename-column/. */
#include "rule.h"

/* The application version still running during the deploy uses the old name: from the commit
 * on, each of its queries naming the column fails with "column does not exist" (and SELECT *
 * hands it a field it does not know), until the new version is everywhere. The rename itself is
 * quick, but waits for an ACCESS EXCLUSIVE lock. A column added earlier in the same migration
 * is not used by any running code yet. */
struct column {
    struct column *next;
    const PgQuery__RangeVar *rel;
    const char *name;
};

struct state {
    struct column *added;
};

static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    if (cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn || !cmd->def ||
        cmd->def->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF || !cmd->def->column_def->colname)
        return;
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    struct column *c = ms_ctx_alloc(ctx, sizeof(*c));
    c->rel = stmt->relation;
    c->name = cmd->def->column_def->colname;
    c->next = s->added;
    s->added = c;
}

static bool is_added(struct ms_ctx *ctx, const PgQuery__RangeVar *rel, const char *name)
{
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    for (const struct column *c = s->added; c; c = c->next)
        if (strcmp(c->name, name) == 0 && ms_same_rel(c->rel, rel))
            return true;
    return false;
}

static void visit_rename_stmt(struct ms_ctx *ctx, const PgQuery__RenameStmt *node)
{
    if (node->rename_type != PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN ||
        (node->relation_type != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE &&
         node->relation_type != PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE) ||
        !node->relation || !node->subname || !*node->subname || !node->newname ||
        ms_ctx_table_is_new(ctx, node->relation) || is_added(ctx, node->relation, node->subname))
        return;
    struct ms_diag *d =
        ms_report(ctx, -1,
                  "renaming column \"%s\" of table \"%s\" to \"%s\" breaks the "
                  "running code that still uses \"%s\"",
                  node->subname, ms_ctx_relname(ctx, node->relation), node->newname, node->subname);
    ms_diag_set_help(ctx, d,
                     "add column \"%s\", write to both and backfill it, move the reads to it and "
                     "deploy, then drop \"%s\" in a later migration",
                     node->newname, node->subname);
}

const struct ms_rule ms_rule_rename_column = {
    .id = "rename-column",
    .severity = MS_WARNING,
    .category = "compatibility",
    .summary = "a column of an existing table is renamed while the running code still uses the "
               "old name",
    .help = "add the new column, write to both and backfill, move the reads, then drop the old "
            "column in a later migration",
    .visit_alter_table_cmd = visit_alter_table_cmd,
    .visit_rename_stmt = visit_rename_stmt,
};
