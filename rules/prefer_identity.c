/* prefer-identity: a column of a serial type (serial, bigserial, smallserial).
 * Docs: docs/rules/prefer-identity.md. Fixtures: fixtures/rules/prefer-identity/. */
#include "rule.h"

/* A serial column is an integer with a DEFAULT nextval() on a sequence it owns only loosely: the
 * sequence needs its own grants, CREATE TABLE ... LIKE copies a default that points at the
 * original table's sequence, and nothing stops an explicit INSERT of an id that the sequence
 * hands out again later (a duplicate key error in production). An identity column (GENERATED
 * ALWAYS / BY DEFAULT AS IDENTITY, PostgreSQL 10+) is the SQL-standard form, ties the sequence to
 * the column, and with ALWAYS rejects ids that bypass it. */

static void visit_column_def(struct ms_ctx *ctx, const PgQuery__RangeVar *rel,
                             const PgQuery__ColumnDef *col)
{
    const PgQuery__TypeName *t = col->type_name;
    const char *type = ms_type_builtin_name(t);
    if (!ms_is_serial_name(type))
        return;
    const char *name = col->colname ? col->colname : "?";
    struct ms_diag *d =
        ms_report(ctx, t->location,
                  "column \"%s\" of \"%s\" is %s: its sequence is owned only loosely and nothing "
                  "keeps explicit ids from colliding with the ones it hands out",
                  name, ms_ctx_relname(ctx, rel), type);
    ms_diag_set_help(ctx, d,
                     "declare \"%s\" as bigint GENERATED ALWAYS AS IDENTITY (BY DEFAULT if the "
                     "application inserts ids of its own)",
                     name);
}

const struct ms_rule ms_rule_prefer_identity = {
    .id = "prefer-identity",
    .severity = MS_INFO,
    .category = "schema-design",
    .summary = "a column uses a serial type instead of an identity column",
    .help = "use bigint GENERATED ALWAYS AS IDENTITY",
    .visit_column_def = visit_column_def,
};
