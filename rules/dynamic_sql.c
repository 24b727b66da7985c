/* dynamic-sql: EXECUTE of a string built at run time inside a DO block.
 * Docs: docs/rules/dynamic-sql.md. Fixtures: fixtures/rules/dynamic-sql/. */
#include "rule.h"

/* migsafe lints the statements a DO block's body spells out, but the statement an EXECUTE runs
 * exists only when the block runs (format('ALTER TABLE %I ...', t), a loop over the catalog):
 * no rule has seen it, whatever lock it takes or data it drops. Silence there means "not looked
 * at", not "safe", so the blind spot is named. */
static void visit_do_stmt(struct ms_ctx *ctx, const PgQuery__DoStmt *node)
{
    (void)node;
    int location;
    const char *expr;
    for (size_t i = 0; ms_ctx_do_dynamic_sql(ctx, i, &location, &expr); i++) {
        size_t line = strcspn(expr, "\n"), n = line > 60 ? 60 : line;
        while (n > 0 && n < line && ((unsigned char)expr[n] & 0xC0) == 0x80)
            n--; /* do not cut a UTF-8 sequence */
        ms_report(ctx, location,
                  "EXECUTE runs SQL built when the DO block runs (%.*s%s): migsafe cannot see "
                  "the statement, and no rule has checked it",
                  (int)n, expr, expr[n] ? "..." : "");
    }
}

const struct ms_rule ms_rule_dynamic_sql = {
    .id = "dynamic-sql",
    .severity = MS_INFO,
    .category = "coverage",
    .summary = "a DO block runs SQL built at run time, which no rule can check",
    .help = "write the statements out in the migration (or review what the EXECUTE runs by hand "
            "and suppress this finding with a reason)",
    .visit_do_stmt = visit_do_stmt,
};
