/* missing-downgrade: a migration with no way back (no downgrade, or one that does nothing).
 * Docs: docs/rules/missing-downgrade.md. Fixtures: fixtures/rules/missing-downgrade/. */
#include "rule.h"

/* When a deploy goes wrong, the way back is the downgrade. One that is missing, empty or raises
 * is found out at the worst moment: during an incident, with the schema half changed. A merge
 * revision is exempt: it changes nothing, so an empty downgrade is its correct undo. */
/* Where the tool keeps a migration's way back, for the help line. */
static const char *where_down(enum ms_tool tool)
{
    switch (tool) {
    case MS_TOOL_GOOSE:
        return "the -- +goose Down section";
    case MS_TOOL_DBMATE:
        return "the -- migrate:down section";
    case MS_TOOL_DIESEL:
    case MS_TOOL_SOURCEGRAPH:
        return "the migration's down.sql";
    case MS_TOOL_FLYWAY:
        return "the U<version>__<description>.sql undo file";
    case MS_TOOL_SQITCH:
        return "the change's revert/ script";
    default:
        return "the .down.sql twin";
    }
}

static void check_migration(struct ms_ctx *ctx, const struct ms_migration *m)
{
    if (m->is_merge)
        return;
    const char *name = m->name ? m->name : "this migration";
    if (m->tool != MS_TOOL_ALEMBIC) {
        /* an up that holds no statement (a placeholder keeping a version) changes nothing: no
         * down is its correct undo */
        if (m->up_empty)
            return;
        /* a down file or a down section (goose, dbmate) */
        struct ms_diag *d = NULL;
        if (m->down == MS_DOWN_ABSENT)
            d = ms_report_offset(ctx, m->down_offset,
                                 "migration \"%s\" has no down migration: %s cannot roll it back",
                                 name, ms_tool_name(m->tool));
        else if (m->down == MS_DOWN_EMPTY)
            d = ms_report_offset(ctx, m->down_offset,
                                 "the down migration of \"%s\" holds no statement: rolling back "
                                 "leaves this migration's changes in place",
                                 name);
        if (d)
            ms_diag_set_help(ctx, d,
                             "write %s so that it undoes this migration (drop what it creates, "
                             "restore what it changes); if it truly cannot be undone, say why in "
                             "a migsafe:ignore comment",
                             where_down(m->tool));
        return;
    }
    switch (m->down) {
    case MS_DOWN_ABSENT:
        ms_report_offset(ctx, m->down_offset,
                         "revision \"%s\" has no downgrade(): it cannot be "
                         "rolled back",
                         name);
        break;
    case MS_DOWN_EMPTY:
        ms_report_offset(ctx, m->down_offset,
                         "downgrade() of revision \"%s\" does nothing: rolling back leaves the "
                         "upgrade's changes in place",
                         name);
        break;
    case MS_DOWN_RAISES:
        ms_report_offset(
            ctx, m->down_offset,
            "downgrade() of revision \"%s\" raises: the revision cannot be rolled back", name);
        break;
    case MS_DOWN_NOT_APPLICABLE:
    case MS_DOWN_PRESENT:
        break;
    }
}

const struct ms_rule ms_rule_missing_downgrade = {
    .id = "missing-downgrade",
    .severity = MS_ERROR,
    .category = "reversibility",
    .summary = "a migration has no working downgrade",
    .help = "write a downgrade() (or down migration) that undoes the upgrade (drop what it "
            "creates, restore what it changes); if the change truly cannot be undone, say why in "
            "a migsafe:ignore comment",
    .check_migration = check_migration,
};
