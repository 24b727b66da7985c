/* flyway-mixed-transaction: a Flyway migration that mixes statements Flyway runs outside a
 * transaction with statements it runs inside one.
 * Docs: docs/rules/flyway-mixed-transaction.md.
 * Fixtures: fixtures/rules/flyway-mixed-transaction/. */
#include "rule.h"

/* Flyway runs a file outside its transaction when one of its statements cannot run inside one
 * (CREATE INDEX CONCURRENTLY, VACUUM ...). A file that also holds ordinary statements is
 * refused ("Detected both transactional and non-transactional statements within the same
 * migration") unless the project sets mixed = true, and then the ordinary statements run one
 * by one with no transaction to roll them back. */
static void check_migration(struct ms_ctx *ctx, const struct ms_migration *m)
{
    if (m->tool != MS_TOOL_FLYWAY || !m->flyway_mixed)
        return;
    ms_report_offset(ctx, m->flyway_mixed - 1,
                     "Flyway refuses migration \"%s\": it mixes statements Flyway runs outside a "
                     "transaction with ones it runs inside (this one is of the other kind than "
                     "the first statement)",
                     m->name ? m->name : "this migration");
}

const struct ms_rule ms_rule_flyway_mixed_transaction = {
    .id = "flyway-mixed-transaction",
    .severity = MS_ERROR,
    .category = "failure",
    .on_down = true,
    .summary = "a Flyway migration mixes statements that must run outside a transaction with "
               "ones that run inside",
    .help = "move the CONCURRENTLY (or VACUUM ...) statement to a versioned migration of its own",
    .check_migration = check_migration,
};
