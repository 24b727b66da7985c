/* unknown-statement: a statement whose kind migsafe's lock table does not cover (opt-in, for
 * teams that want every statement vetted). Docs: docs/rules/unknown-statement.md.
 * Fixtures: fixtures/rules/unknown-statement/. */
#include "rule.h"

/* migsafe judges statements by what it knows of them: the locks each kind takes and what it does
 * to the rows (src/locks.c, checked against PostgreSQL). A DO block, CALL, CREATE EXTENSION or
 * ALTER SYSTEM can take any lock and run for any time without a finding from any rule: silence
 * there means "not looked at", not "safe". Teams that default-deny get a finding to review. */
static void visit_stmt(struct ms_ctx *ctx, const PgQuery__Node *node)
{
    struct ms_locks locks;
    ms_locks_stmt(node, ms_ctx_pg_version(ctx), &locks);
    if (locks.known)
        return;
    struct ms_diag *d = ms_report(ctx, -1,
                                  "migsafe does not know which locks %s takes or how long it "
                                  "runs: no rule has checked this statement",
                                  locks.tag);
    ms_diag_set_help(ctx, d,
                     "review the %s by hand (the locks it takes, on which tables, for how long); "
                     "then suppress this finding with -- migsafe:ignore unknown-statement: "
                     "<reason>",
                     locks.tag);
}

const struct ms_rule ms_rule_unknown_statement = {
    .id = "unknown-statement",
    .severity = MS_WARNING,
    .category = "review",
    .summary = "a statement of a kind no rule and no lock fact covers",
    .help = "review the statement's locks and run time by hand, then suppress the finding with a "
            "reason",
    .opt_in = true,
    .visit_stmt = visit_stmt,
};
