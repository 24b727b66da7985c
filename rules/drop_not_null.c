/* drop-not-null: ALTER COLUMN ... DROP NOT NULL on an existing table.
 * Docs: docs/rules/drop-not-null.md. Fixtures: fixtures/rules/drop-not-null/. */
#include "rule.h"

/* The change is instant, but it lets NULLs in that the running code was promised it would never
 * read: a non-nullable field in its models, a NOT NULL it relied on in a query. And it is hard to
 * undo: once NULLs are written, SET NOT NULL fails (and scans the table) until they are cleaned.
 * A column added earlier in the same migration is not used by any running code yet. */
struct column {
    struct column *next;
    const PgQuery__RangeVar *rel;
    const char *name;
};

struct state {
    struct column *added;
};

static void note_added(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                       const PgQuery__AlterTableCmd *cmd)
{
    if (!cmd->def || cmd->def->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF ||
        !cmd->def->column_def->colname)
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

static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn) {
        note_added(ctx, stmt, cmd);
        return;
    }
    if (cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull ||
        stmt->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE || !cmd->name ||
        ms_ctx_table_is_new(ctx, stmt->relation) || is_added(ctx, stmt->relation, cmd->name))
        return;
    struct ms_diag *d = ms_report(ctx, -1,
                                  "dropping NOT NULL on column \"%s\" of table \"%s\" lets in "
                                  "NULLs the running code may not expect, and cannot be undone "
                                  "once NULLs are written",
                                  cmd->name, ms_ctx_relname(ctx, stmt->relation));
    ms_diag_set_help(ctx, d,
                     "make the application handle NULL in \"%s\" and deploy that first, then "
                     "drop NOT NULL",
                     cmd->name);
}

const struct ms_rule ms_rule_drop_not_null = {
    .id = "drop-not-null",
    .severity = MS_INFO,
    .category = "compatibility",
    .summary = "NOT NULL is dropped from a column the running code may rely on",
    .help = "make the application handle NULL in the column and deploy that first, then drop "
            "NOT NULL",
    .visit_alter_table_cmd = visit_alter_table_cmd,
};
