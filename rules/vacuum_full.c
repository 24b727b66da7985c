/* vacuum-full: VACUUM FULL.
 * Docs: docs/rules/vacuum-full.md. Fixtures: fixtures/rules/vacuum-full/. */
#include "rule.h"

/* VACUUM FULL rewrites each table into a new file and rebuilds all of its indexes, holding an
 * ACCESS EXCLUSIVE lock for the whole rewrite: no read, no write, for minutes to hours on a
 * large table, and it needs free disk space for a second copy. Without a table list it does
 * this to every table of the database, one after another. */
static void visit_vacuum_stmt(struct ms_ctx *ctx, const PgQuery__VacuumStmt *node)
{
    if (!node->is_vacuumcmd || !ms_has_option(node->n_options, node->options, "full"))
        return;
    if (node->n_rels == 0) {
        ms_report(ctx, -1,
                  "VACUUM FULL without a table rewrites every table of the database, each under "
                  "an ACCESS EXCLUSIVE lock that blocks reads and writes");
        return;
    }
    for (size_t i = 0; i < node->n_rels; i++) {
        const PgQuery__Node *n = node->rels[i];
        if (n->node_case != PG_QUERY__NODE__NODE_VACUUM_RELATION || !n->vacuum_relation->relation ||
            ms_ctx_table_is_new(ctx, n->vacuum_relation->relation))
            continue;
        const char *table = ms_ctx_relname(ctx, n->vacuum_relation->relation);
        ms_report(ctx, -1,
                  "VACUUM FULL rewrites table \"%s\" and its indexes under an ACCESS EXCLUSIVE "
                  "lock, blocking reads and writes until it is done",
                  table);
    }
}

const struct ms_rule ms_rule_vacuum_full = {
    .id = "vacuum-full",
    .severity = MS_ERROR,
    .category = "locking",
    .summary = "VACUUM FULL rewrites tables under an ACCESS EXCLUSIVE lock",
    .help = "use plain VACUUM (no lock on reads and writes), or pg_repack / pg_squeeze to "
            "reclaim space online, outside the schema migration",
    .visit_vacuum_stmt = visit_vacuum_stmt,
};
