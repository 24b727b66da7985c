/* duplicate-revision: two revision files with the same revision id.
 * Docs: docs/rules/duplicate-revision.md. Fixtures: fixtures/rules/duplicate-revision/. */
#include "rule.h"

/* Alembic keys revisions by id: with two files of one id, one silently wins (or the history
 * fails to load), so a migration is skipped in some environments and not in others. A copied
 * file whose id was not changed is the usual cause. */
static void check_migration(struct ms_ctx *ctx, const struct ms_migration *m)
{
    if (!m->duplicate_of)
        return;
    ms_report_offset(ctx, m->revision_offset, "revision id \"%s\" is also used by %s",
                     m->name ? m->name : "?", m->duplicate_of);
}

const struct ms_rule ms_rule_duplicate_revision = {
    .id = "duplicate-revision",
    .severity = MS_ERROR,
    .category = "history",
    .summary = "two revision files share one revision id",
    .help = "give one of the revisions a new id (and update down_revision in its children)",
    .check_migration = check_migration,
};
