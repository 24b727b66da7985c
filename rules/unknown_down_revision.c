/* unknown-down-revision: a down_revision or depends_on naming a revision not in the folder.
 * Docs: docs/rules/unknown-down-revision.md. Fixtures: fixtures/rules/unknown-down-revision/. */
#include "rule.h"

/* Alembic cannot place a revision whose parent it cannot find: every command fails with "Can't
 * locate revision". It happens after a rebase that renamed or squashed the parent, or a copy
 * of a revision from another branch. */
static void check_migration(struct ms_ctx *ctx, const struct ms_migration *m)
{
    for (size_t i = 0; i < m->n_unknown_parents; i++)
        ms_report_offset(ctx, m->unknown_offsets[i],
                         m->unknown_is_dependency[i]
                             ? "revision \"%s\" depends on \"%s\", but no revision in this "
                               "folder has that id or branch label"
                             : "revision \"%s\" names \"%s\" as its parent, but no revision in "
                               "this folder has that id",
                         m->name ? m->name : "?", m->unknown_parents[i]);
}

const struct ms_rule ms_rule_unknown_down_revision = {
    .id = "unknown-down-revision",
    .severity = MS_ERROR,
    .category = "history",
    .summary = "a revision's parent is not in the revision folder",
    .help = "point down_revision (or depends_on) at an existing revision id; `alembic heads` "
            "and `alembic history` show the chain",
    .check_migration = check_migration,
};
