/* require-primary-key: CREATE TABLE of a table that gets no primary key in the migration.
 * Docs: docs/rules/require-primary-key.md. Fixtures: fixtures/rules/require-primary-key/. */
#include "rule.h"

/* A table without a primary key has no reliable way to name one row: logical replication
 * cannot replicate its UPDATEs and DELETEs (they fail unless a replica identity is set), tools
 * that update rows one by one (ORMs, admin consoles, pg_repack) refuse it or touch duplicates,
 * and duplicate rows creep in. Adding the key later builds its index under an ACCESS EXCLUSIVE
 * lock on a table by then full. Opt-in: some tables (logs, staging) go without on purpose. */

/* CREATE TABLE (LIKE other INCLUDING INDEXES) copies the other table's primary key */
#define LIKE_INCLUDING_INDEXES (1u << 6)

struct table {
    struct table *next;
    struct ms_mark mark;
    const char *schema, *rel, *shown;
    bool has_key;
};

struct state {
    struct table *list, **tail;
};

static bool same_table(const struct table *t, const PgQuery__RangeVar *rel)
{
    const char *schema = rel->schemaname && *rel->schemaname ? rel->schemaname : "";
    return rel->relname && strcmp(t->rel, rel->relname) == 0 &&
           (!*t->schema || !*schema || strcmp(t->schema, schema) == 0);
}

static bool column_is_key(const PgQuery__ColumnDef *col)
{
    for (size_t i = 0; i < col->n_constraints; i++)
        if (col->constraints[i]->node_case == PG_QUERY__NODE__NODE_CONSTRAINT &&
            col->constraints[i]->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY)
            return true;
    return false;
}

static bool declares_key(const PgQuery__CreateStmt *stmt)
{
    for (size_t i = 0; i < stmt->n_table_elts; i++) {
        const PgQuery__Node *n = stmt->table_elts[i];
        if (n->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF && column_is_key(n->column_def))
            return true;
        if (n->node_case == PG_QUERY__NODE__NODE_CONSTRAINT &&
            n->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY)
            return true;
        if (n->node_case == PG_QUERY__NODE__NODE_TABLE_LIKE_CLAUSE &&
            (n->table_like_clause->options & LIKE_INCLUDING_INDEXES))
            return true;
    }
    return false;
}

static void visit_create_stmt(struct ms_ctx *ctx, const PgQuery__CreateStmt *stmt)
{
    const PgQuery__RangeVar *rel = stmt->relation;
    if (!rel || !rel->relname)
        return;
    /* temporary tables are scratch space; a partition has its parent's key */
    if ((rel->relpersistence && strcmp(rel->relpersistence, "t") == 0) || stmt->partbound)
        return;
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    if (!s->tail)
        s->tail = &s->list;
    struct table *t = ms_ctx_alloc(ctx, sizeof(*t));
    t->mark = ms_ctx_mark(ctx, rel->location);
    t->schema = ms_ctx_strdup(ctx, rel->schemaname);
    t->rel = ms_ctx_strdup(ctx, rel->relname);
    t->shown = ms_ctx_strdup(ctx, ms_ctx_relname(ctx, rel));
    t->has_key = declares_key(stmt);
    *s->tail = t;
    s->tail = &t->next;
}

/* A key added later in the migration counts: ADD PRIMARY KEY, ADD COLUMN ... PRIMARY KEY. */
static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    bool key = false;
    if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint && cmd->def &&
        cmd->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
        key = cmd->def->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY;
    else if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn && cmd->def &&
             cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
        key = column_is_key(cmd->def->column_def);
    if (!key || !stmt->relation)
        return;
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    for (struct table *t = s->list; t; t = t->next)
        if (same_table(t, stmt->relation))
            t->has_key = true;
}

static void end_migration(struct ms_ctx *ctx)
{
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    for (const struct table *t = s->list; t; t = t->next) {
        if (t->has_key)
            continue;
        struct ms_diag *d = ms_report_at(ctx, t->mark,
                                         "table \"%s\" is created without a primary key: its "
                                         "rows cannot be told apart, and logical replication "
                                         "cannot apply its updates and deletes",
                                         t->shown);
        ms_diag_set_help(ctx, d,
                         "give \"%s\" a primary key now, while it is empty (for example id "
                         "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY)",
                         t->shown);
    }
}

const struct ms_rule ms_rule_require_primary_key = {
    .id = "require-primary-key",
    .severity = MS_WARNING,
    .category = "schema-design",
    .summary = "a table is created without a primary key",
    .help = "declare a primary key in CREATE TABLE, while the table is empty",
    .opt_in = true,
    .visit_create_stmt = visit_create_stmt,
    .visit_alter_table_cmd = visit_alter_table_cmd,
    .end_migration = end_migration,
};
