/* prefer-text: a column declared varchar(n) (a length limit in the type).
 * Docs: docs/rules/prefer-text.md. Fixtures: fixtures/rules/prefer-text/. */
#include "rule.h"

/* varchar(n) is stored exactly like text; the length is a business rule frozen into the type.
 * Raising n later is a catalog change, but lowering it, or moving a limit from varchar(n) to a
 * CHECK, rewrites or scans the table under an ACCESS EXCLUSIVE lock, and an application that
 * sends a longer value fails at runtime. text with a CHECK (length(col) <= n) constraint holds
 * the same rule, and the check can be changed NOT VALID and validated without blocking. */

static void visit_column_def(struct ms_ctx *ctx, const PgQuery__RangeVar *rel,
                             const PgQuery__ColumnDef *col)
{
    const PgQuery__TypeName *t = col->type_name;
    const char *type = ms_type_builtin_name(t);
    if (!type || strcmp(type, "varchar") != 0 || t->n_typmods == 0)
        return;
    const char *name = col->colname ? col->colname : "?";
    struct ms_diag *d =
        ms_report(ctx, t->location,
                  "column \"%s\" of \"%s\" is varchar with a length: the limit lives in the type, "
                  "where lowering it rewrites the table and a longer value fails the write",
                  name, ms_ctx_relname(ctx, rel));
    ms_diag_set_help(ctx, d,
                     "declare \"%s\" as text, and if the limit is a real rule add CHECK "
                     "(length(\"%s\") <= n), which can be changed NOT VALID later",
                     name, name);
}

const struct ms_rule ms_rule_prefer_text = {
    .id = "prefer-text",
    .severity = MS_INFO,
    .category = "schema-design",
    .summary = "a column is declared varchar(n) instead of text",
    .help = "use text, with a CHECK (length(col) <= n) constraint when the limit is a real rule",
    .visit_column_def = visit_column_def,
};
