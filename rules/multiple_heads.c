/* multiple-heads: two Alembic revisions share a parent and no merge revision joins them.
 * Docs: docs/rules/multiple-heads.md. Fixtures: fixtures/rules/multiple-heads/. */
#include "rule.h"

/* The classic result of two pull requests that each add a revision on the same parent: both
 * merge cleanly, and then `alembic upgrade head` refuses to run ("Multiple head revisions are
 * present"), blocking every deploy until someone merges the heads. Independent branches with
 * their own base (branch_labels) are not heads of one history and are not reported. */
static void check_migration(struct ms_ctx *ctx, const struct ms_migration *m)
{
    if (!m->is_head || m->n_heads < 2)
        return;
    char list[512];
    size_t used = 0;
    list[0] = '\0';
    for (size_t i = 0; i < m->n_heads && used < sizeof(list); i++) {
        int n = snprintf(list + used, sizeof(list) - used, "%s\"%s\"", i ? ", " : "", m->heads[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    ms_report_offset(ctx, m->parent_offset,
                     "revision \"%s\" is one of %zu heads (%s): `alembic upgrade head` fails until "
                     "they are merged",
                     m->name ? m->name : "?", m->n_heads, list);
}

const struct ms_rule ms_rule_multiple_heads = {
    .id = "multiple-heads",
    .severity = MS_ERROR,
    .category = "history",
    .summary = "the revision history has several heads that no merge revision joins",
    .help = "run `alembic merge heads` to add a merge revision, or point this revision's "
            "down_revision at the other head",
    .check_migration = check_migration,
};
