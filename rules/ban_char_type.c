/* ban-char-type: a column of type char(n) / character(n).
 * Docs: docs/rules/ban-char-type.md. Fixtures: fixtures/rules/ban-char-type/. */
#include "rule.h"

/* char(n) pads every value with spaces to n characters, and the padding is ignored by some
 * operations and kept by others (comparisons with text, concatenation, length(), LIKE),
 * which makes equality surprising; it saves no space and is no faster than text. Changing the
 * type later rewrites the table under an ACCESS EXCLUSIVE lock. The single-byte internal type
 * "char" (quoted) is a different type and is not flagged. */

static void visit_column_def(struct ms_ctx *ctx, const PgQuery__RangeVar *rel,
                             const PgQuery__ColumnDef *col)
{
    const PgQuery__TypeName *t = col->type_name;
    const char *type = ms_type_builtin_name(t);
    if (!type || strcmp(type, "bpchar") != 0)
        return;
    const char *name = col->colname ? col->colname : "?";
    struct ms_diag *d = ms_report(ctx, t->location,
                                  "column \"%s\" of \"%s\" is char(n): values are padded with "
                                  "spaces, which some comparisons ignore and others keep",
                                  name, ms_ctx_relname(ctx, rel));
    ms_diag_set_help(ctx, d,
                     "declare \"%s\" as text (with CHECK (length(\"%s\") = n) if the length is "
                     "fixed)",
                     name, name);
}

const struct ms_rule ms_rule_ban_char_type = {
    .id = "ban-char-type",
    .severity = MS_WARNING,
    .category = "schema-design",
    .summary = "a column is declared char(n) (blank-padded)",
    .help = "use text, with a CHECK constraint on the length when it is fixed",
    .visit_column_def = visit_column_def,
};
