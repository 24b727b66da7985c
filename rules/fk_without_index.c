/* fk-without-index: a foreign key whose columns lead no index of the referencing table.
 * Docs: docs/rules/fk-without-index.md. Fixtures: fixtures/rules/fk-without-index/. */
#include "rule.h"

/* PostgreSQL indexes the referenced side of a foreign key (it must be a primary key or unique)
 * but not the referencing columns. Every DELETE of a referenced row, and every UPDATE of its
 * key, then looks for referencing rows with a scan of the whole referencing table (under the
 * locks of that DELETE), and ON DELETE CASCADE deletes through the same scan. An index whose
 * first columns are the foreign key's, in any order, serves the lookup. The check runs at the
 * end of the migration, against the catalog: an index created later in the migration, or by an
 * earlier migration of the history, counts. So does one a later migration of the history
 * creates, since the schema that history ends with is the one the DELETEs will run against;
 * the finding is for the migration that leaves the foreign key unindexed at the end. */

struct fk {
    struct fk *next;
    struct ms_mark mark;
    const char *schema, *table, *display, *parent; /* display: "schema.table" or "table" */
    size_t n_columns;
    const char **columns;
};

struct state {
    struct fk *fks; /* newest first */
};

static void remember(struct ms_ctx *ctx, const PgQuery__RangeVar *rel, const PgQuery__Constraint *c,
                     const char *column)
{
    if (!rel || !rel->relname || (rel->relpersistence && strcmp(rel->relpersistence, "t") == 0))
        return;
    struct fk *fk = ms_ctx_alloc(ctx, sizeof(*fk));
    size_t n = c->n_fk_attrs ? c->n_fk_attrs : 1;
    fk->columns = ms_ctx_alloc(ctx, n * sizeof(*fk->columns));
    for (size_t i = 0; i < c->n_fk_attrs; i++)
        if (ms_node_str(c->fk_attrs[i]))
            fk->columns[fk->n_columns++] = ms_ctx_strdup(ctx, ms_node_str(c->fk_attrs[i]));
    if (!c->n_fk_attrs && column)
        fk->columns[fk->n_columns++] = ms_ctx_strdup(ctx, column);
    if (!fk->n_columns)
        return;
    fk->mark = ms_ctx_mark(ctx, c->location);
    fk->schema = rel->schemaname ? ms_ctx_strdup(ctx, rel->schemaname) : NULL;
    fk->table = ms_ctx_strdup(ctx, rel->relname);
    fk->display = ms_ctx_relname(ctx, rel);
    fk->parent = ms_ctx_strdup(ctx, ms_ctx_relname(ctx, c->pktable));
    struct state *st = ms_ctx_rule_state(ctx, sizeof(*st));
    fk->next = st->fks;
    st->fks = fk;
}

/* The foreign keys among a column's constraints. */
static void remember_column(struct ms_ctx *ctx, const PgQuery__RangeVar *rel,
                            const PgQuery__ColumnDef *col)
{
    for (size_t i = 0; i < col->n_constraints; i++) {
        const PgQuery__Node *n = col->constraints[i];
        if (n->node_case == PG_QUERY__NODE__NODE_CONSTRAINT &&
            n->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN)
            remember(ctx, rel, n->constraint, col->colname);
    }
}

static void visit_create_stmt(struct ms_ctx *ctx, const PgQuery__CreateStmt *node)
{
    for (size_t i = 0; i < node->n_table_elts; i++) {
        const PgQuery__Node *e = node->table_elts[i];
        if (e->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
            remember_column(ctx, node->relation, e->column_def);
        else if (e->node_case == PG_QUERY__NODE__NODE_CONSTRAINT &&
                 e->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN)
            remember(ctx, node->relation, e->constraint, NULL);
    }
}

static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    if (!cmd->def || stmt->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
        return;
    if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint &&
        cmd->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT &&
        cmd->def->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN)
        remember(ctx, stmt->relation, cmd->def->constraint, NULL);
    else if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn &&
             cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
        remember_column(ctx, stmt->relation, cmd->def->column_def);
}

/* "a", "b" for messages. */
static const char *column_list(struct ms_ctx *ctx, const struct fk *fk, const char *quote)
{
    size_t len = 1;
    for (size_t i = 0; i < fk->n_columns; i++)
        len += strlen(fk->columns[i]) + 2 * strlen(quote) + 2;
    char *out = ms_ctx_alloc(ctx, len);
    size_t at = 0;
    for (size_t i = 0; i < fk->n_columns; i++)
        at += (size_t)snprintf(out + at, len - at, "%s%s%s%s", i ? ", " : "", quote, fk->columns[i],
                               quote);
    return out;
}

/* Is the table gone, or its foreign key served, in this catalog? */
static bool served(const struct ms_catalog *cat, const struct fk *fk)
{
    const struct ms_cat_table *t = ms_catalog_find_table(cat, fk->schema, fk->table);
    return !t || ms_catalog_has_leading_index(cat, t, fk->n_columns, fk->columns);
}

static void end_migration(struct ms_ctx *ctx)
{
    struct state *st = ms_ctx_rule_state(ctx, sizeof(*st));
    const struct ms_catalog *final = ms_ctx_final_catalog(ctx);
    for (const struct fk *fk = st->fks; fk; fk = fk->next) {
        /* a table dropped by the end (of the migration or of its history) needs no index */
        if (served(ms_ctx_catalog(ctx), fk) || (final && served(final, fk)))
            continue;
        const char *table = fk->display;
        struct ms_diag *d = ms_report_at(
            ctx, fk->mark,
            "no index of \"%s\" starts with the columns (%s) of its foreign key to \"%s\": each "
            "DELETE on \"%s\" (and each change of its key) scans \"%s\" for referencing rows",
            table, column_list(ctx, fk, "\""), fk->parent, fk->parent, table);
        ms_diag_set_help(ctx, d, "CREATE INDEX CONCURRENTLY ON %s (%s), in its own migration",
                         table, column_list(ctx, fk, ""));
    }
}

const struct ms_rule ms_rule_fk_without_index = {
    .id = "fk-without-index",
    .severity = MS_INFO,
    .category = "performance",
    .summary = "a foreign key's columns lead no index of the referencing table",
    .help = "create an index on the referencing columns (CREATE INDEX CONCURRENTLY)",
    .final_schema = true,
    .visit_create_stmt = visit_create_stmt,
    .visit_alter_table_cmd = visit_alter_table_cmd,
    .end_migration = end_migration,
};
