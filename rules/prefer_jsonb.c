/* prefer-jsonb: a column of type json.
 * Docs: docs/rules/prefer-jsonb.md. Fixtures: fixtures/rules/prefer-jsonb/. */
#include "rule.h"

/* json keeps the input text as it came and parses it again on every access: no equality operator
 * (so no DISTINCT, GROUP BY, UNIQUE or comparison), no GIN index, no containment (@>) and
 * slower reads. jsonb stores the parsed value and supports all of them. Changing the type later
 * rewrites the table under an ACCESS EXCLUSIVE lock. */

static void visit_column_def(struct ms_ctx *ctx, const PgQuery__RangeVar *rel,
                             const PgQuery__ColumnDef *col)
{
    const PgQuery__TypeName *t = col->type_name;
    const char *type = ms_type_builtin_name(t);
    if (!type || strcmp(type, "json") != 0)
        return;
    const char *name = col->colname ? col->colname : "?";
    struct ms_diag *d =
        ms_report(ctx, t->location,
                  "column \"%s\" of \"%s\" is json: it has no equality operator, no GIN index and "
                  "no containment, and is parsed again on every read",
                  name, ms_ctx_relname(ctx, rel));
    ms_diag_set_help(ctx, d,
                     "declare \"%s\" as jsonb (keep json only when the exact input text, key "
                     "order and duplicate keys must be preserved)",
                     name);
}

const struct ms_rule ms_rule_prefer_jsonb = {
    .id = "prefer-jsonb",
    .severity = MS_WARNING,
    .category = "schema-design",
    .summary = "a column is declared json instead of jsonb",
    .help = "use jsonb, unless the exact input text must be kept",
    .visit_column_def = visit_column_def,
};
