/* change-column-type: ALTER COLUMN ... TYPE on an existing table, unless binary-compatible.
 * Docs: docs/rules/change-column-type.md. Fixtures: fixtures/rules/change-column-type/. */
#include "rule.h"

/* Changing a column's type rewrites the whole table and rebuilds every index on it while
 * holding ACCESS EXCLUSIVE: nothing reads or writes the table until it is done. PostgreSQL skips
 * the rewrite only for binary-compatible changes (measured on PostgreSQL 15, see the docs page):
 * a longer or unbounded varchar, varbit or timestamp precision, numeric with more precision and
 * the same scale, varchar and text both ways (text to varchar only unbounded), cidr to inet.
 * From PostgreSQL 12 timestamp and timestamptz convert without a rewrite when the session's
 * TimeZone is UTC, but the indexes on the column are rebuilt anyway. The old type comes from
 * the catalog the earlier migrations built. */

enum verdict { REWRITE, NO_REWRITE, REWRITE_UNLESS_UTC };

static bool is(const struct ms_cat_type *t, const char *name)
{
    return !t->schema && t->name && strcmp(t->name, name) == 0;
}

/* Is the new length or precision (first modifier) at least the old one, or unbounded? */
static bool widens(const struct ms_cat_type *from, const struct ms_cat_type *to)
{
    return to->n_typmods == 0 || (from->n_typmods > 0 && to->typmods[0] >= from->typmods[0]);
}

static bool same_type(const struct ms_cat_type *a, const struct ms_cat_type *b)
{
    if (!a->name || !b->name || strcmp(a->name, b->name) != 0 || !a->schema != !b->schema ||
        (a->schema && strcmp(a->schema, b->schema) != 0) || a->n_typmods != b->n_typmods ||
        a->array_dims != b->array_dims)
        return false;
    for (int i = 0; i < a->n_typmods; i++)
        if (a->typmods[i] != b->typmods[i])
            return false;
    return true;
}

static enum verdict judge(const struct ms_cat_type *from, const struct ms_cat_type *to, int pg)
{
    if (from->typmods_opaque || to->typmods_opaque)
        return REWRITE;
    if (same_type(from, to))
        return NO_REWRITE;
    if (from->array_dims || to->array_dims)
        return REWRITE;
    static const char *const growable[] = {"varchar",     "varbit", "timestamp",
                                           "timestamptz", "time",   "timetz"};
    for (size_t i = 0; i < MS_ARRAY_LEN(growable); i++)
        if (is(from, growable[i]) && is(to, growable[i]))
            return widens(from, to) ? NO_REWRITE : REWRITE;
    if (is(from, "numeric") && is(to, "numeric")) {
        int from_scale = from->n_typmods > 1 ? from->typmods[1] : 0;
        int to_scale = to->n_typmods > 1 ? to->typmods[1] : 0;
        return to->n_typmods == 0 || (from->n_typmods > 0 && to->typmods[0] >= from->typmods[0] &&
                                      to_scale == from_scale)
                   ? NO_REWRITE
                   : REWRITE;
    }
    if ((is(from, "varchar") && is(to, "text")) ||
        (is(from, "text") && is(to, "varchar") && to->n_typmods == 0) ||
        (is(from, "cidr") && is(to, "inet")))
        return NO_REWRITE;
    if (((is(from, "timestamp") && is(to, "timestamptz")) ||
         (is(from, "timestamptz") && is(to, "timestamp"))) &&
        widens(from, to))
        return pg >= 12 ? REWRITE_UNLESS_UTC : REWRITE;
    return REWRITE;
}

/* USING col, or USING col::<the new type>, converts as no USING does. */
static bool is_plain_using(const PgQuery__Node *e, const char *column, const struct ms_cat_type *to)
{
    if (e && e->node_case == PG_QUERY__NODE__NODE_TYPE_CAST) {
        struct ms_cat_type cast;
        if (!ms_catalog_type_from_name(e->type_cast->type_name, &cast) || !same_type(&cast, to))
            return false;
        e = e->type_cast->arg;
    }
    if (!e || e->node_case != PG_QUERY__NODE__NODE_COLUMN_REF || e->column_ref->n_fields != 1)
        return false;
    const char *name = ms_node_str(e->column_ref->fields[0]);
    return name && column && strcmp(name, column) == 0;
}

static const char *type_text(struct ms_ctx *ctx, const struct ms_cat_type *t)
{
    char buf[256];
    ms_catalog_type_format(t, buf, sizeof(buf));
    return ms_ctx_strdup(ctx, buf);
}

static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    if (cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType || !cmd->def ||
        cmd->def->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF ||
        stmt->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE || !stmt->relation ||
        ms_ctx_table_is_new(ctx, stmt->relation))
        return;
    const PgQuery__ColumnDef *def = cmd->def->column_def;
    const char *column = cmd->name ? cmd->name : "?";
    const char *table = ms_ctx_relname(ctx, stmt->relation);
    struct ms_cat_type to;
    if (!ms_catalog_type_from_name(def->type_name, &to))
        return;
    const char *to_text = type_text(ctx, &to);
    bool using_expr = def->raw_default && !is_plain_using(def->raw_default, cmd->name, &to);
    const struct ms_catalog *cat = ms_ctx_catalog(ctx);
    const struct ms_cat_column *old = ms_catalog_find_column(
        cat, ms_catalog_find_table(cat, stmt->relation->schemaname, stmt->relation->relname),
        cmd->name);
    struct ms_diag *d;
    if (!old || !old->type.name) {
        d = ms_report(ctx, -1,
                      "changing the type of column \"%s\" of table \"%s\" to %s rewrites the "
                      "table under an ACCESS EXCLUSIVE lock unless it is binary-compatible (a "
                      "longer varchar, varbit or time precision, varchar to text, more numeric "
                      "precision at the same scale, cidr to inet), and the column's current type "
                      "is unknown to migsafe: no earlier migration creates it",
                      column, table, to_text);
    } else {
        enum verdict v = using_expr ? REWRITE : judge(&old->type, &to, ms_ctx_pg_version(ctx));
        if (v == NO_REWRITE)
            return;
        if (v == REWRITE_UNLESS_UTC)
            d = ms_report(ctx, -1,
                          "changing column \"%s\" of table \"%s\" from %s to %s rebuilds the "
                          "column's indexes under an ACCESS EXCLUSIVE lock, and rewrites the "
                          "whole table unless the session's TimeZone is UTC",
                          column, table, old->type_text, to_text);
        else
            d = ms_report(ctx, -1,
                          "changing column \"%s\" of table \"%s\" from %s to %s%s rewrites the "
                          "table and rebuilds its indexes under an ACCESS EXCLUSIVE lock, "
                          "blocking reads and writes",
                          column, table, old->type_text, to_text,
                          using_expr ? " with a USING expression" : "");
        if (v == REWRITE_UNLESS_UTC) {
            ms_diag_set_help(ctx, d,
                             "run it with SET LOCAL TimeZone = 'UTC' in the same transaction (the "
                             "table is then not rewritten) when the column has no index, or add "
                             "a new %s column, backfill it in batches and swap",
                             to_text);
            return;
        }
    }
    if (is(&to, "varchar") || is(&to, "text"))
        ms_diag_set_help(ctx, d,
                         "to lengthen a varchar, widen it (a larger varchar(n), varchar or text: "
                         "no rewrite); otherwise add a new column, backfill it in batches, switch "
                         "the application to it and drop \"%s\"",
                         column);
}

const struct ms_rule ms_rule_change_column_type = {
    .id = "change-column-type",
    .severity = MS_ERROR,
    .category = "locking",
    .summary = "a column's type is changed in a way that rewrites an existing table",
    .help = "add a new column of the new type, backfill it in batches, switch the application to "
            "it and drop the old one",
    .visit_alter_table_cmd = visit_alter_table_cmd,
};
