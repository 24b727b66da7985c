/* empty-upgrade: an Alembic revision whose upgrade() does nothing.
 * Docs: docs/rules/empty-upgrade.md. Fixtures: fixtures/rules/empty-upgrade/. */
#include "rule.h"

/* `alembic revision --autogenerate` writes an empty upgrade() when it sees no difference, for
 * instance when the model change was not imported in env.py: the revision ships, the version
 * table moves on, and the schema change never happens. Merge revisions are empty by design. */
static void check_migration(struct ms_ctx *ctx, const struct ms_migration *m)
{
    if (m->tool != MS_TOOL_ALEMBIC || !m->up_empty || m->is_merge)
        return;
    ms_report_offset(ctx, m->up_offset,
                     "upgrade() of revision \"%s\" does nothing: autogenerate found no change, or "
                     "the change was lost",
                     m->name ? m->name : "?");
}

const struct ms_rule ms_rule_empty_upgrade = {
    .id = "empty-upgrade",
    .severity = MS_WARNING,
    .category = "correctness",
    .summary = "an Alembic revision's upgrade() does nothing",
    .help = "write the operations the revision is for (check that env.py imports the models "
            "autogenerate compares), or delete the revision",
    .check_migration = check_migration,
};
