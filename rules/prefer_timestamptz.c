/* prefer-timestamptz: a column of type timestamp without time zone.
 * Docs: docs/rules/prefer-timestamptz.md. Fixtures: fixtures/rules/prefer-timestamptz/. */
#include "rule.h"

/* timestamp without time zone stores a wall-clock reading with no zone: the same value means a
 * different instant for every server, session TimeZone and daylight-saving change, comparisons
 * with now() shift with the session's zone, and an hour repeats every autumn. timestamptz stores
 * an instant (UTC internally) in the same 8 bytes. Changing the type later rewrites the table
 * under an ACCESS EXCLUSIVE lock (except in PostgreSQL 12+ when the session zone is UTC). */

static void visit_column_def(struct ms_ctx *ctx, const PgQuery__RangeVar *rel,
                             const PgQuery__ColumnDef *col)
{
    const PgQuery__TypeName *t = col->type_name;
    const char *type = ms_type_builtin_name(t);
    if (!type || strcmp(type, "timestamp") != 0)
        return;
    const char *name = col->colname ? col->colname : "?";
    struct ms_diag *d = ms_report(ctx, t->location,
                                  "column \"%s\" of \"%s\" is timestamp without time zone: its "
                                  "values name no instant, and their meaning shifts with the "
                                  "session's time zone and daylight saving",
                                  name, ms_ctx_relname(ctx, rel));
    ms_diag_set_help(ctx, d, "declare \"%s\" as timestamptz (timestamp with time zone)", name);
}

const struct ms_rule ms_rule_prefer_timestamptz = {
    .id = "prefer-timestamptz",
    .severity = MS_WARNING,
    .category = "schema-design",
    .summary = "a column is declared timestamp without time zone",
    .help = "use timestamptz (timestamp with time zone)",
    .visit_column_def = visit_column_def,
};
