/* validate-in-same-transaction: VALIDATE CONSTRAINT in the transaction that added the constraint
 * NOT VALID, and SET NOT NULL relying on a check added in its own transaction.
 * Docs: docs/rules/validate-in-same-transaction.md.
 * Fixtures: fixtures/rules/validate-in-same-transaction/. */
#include "rule.h"

/* ADD CONSTRAINT ... NOT VALID takes its lock only briefly, and VALIDATE CONSTRAINT scans under
 * SHARE UPDATE EXCLUSIVE, which lets reads and writes go on. But locks are held until the
 * transaction ends: validated in the same transaction, the scan runs under the ADD's lock
 * (ACCESS EXCLUSIVE for a CHECK, SHARE ROW EXCLUSIVE on both tables for a foreign key), exactly
 * what NOT VALID was meant to avoid. Likewise SET NOT NULL that relies on a CHECK (col IS NOT
 * NULL) added in its own transaction: the ADD scanned under ACCESS EXCLUSIVE, still held. */
#define MAX_ADDED 64

struct added {
    PgQuery__RangeVar rel; /* names copied to migration memory */
    const char *name;
    const char *not_null_column; /* CHECK (col IS NOT NULL): the column, else NULL */
    bool not_valid;
};

/* A table the open transaction holds a lock on, and the strongest mode so far. */
struct held {
    PgQuery__RangeVar rel;
    enum ms_lock_mode mode;
};

/* Constraints added, and locks taken, in the open transaction. */
struct state {
    size_t n, n_held;
    struct added items[MAX_ADDED];
    struct held held[MAX_ADDED];
};

static struct state *state(struct ms_ctx *ctx)
{
    return ms_ctx_rule_state(ctx, sizeof(struct state));
}

static PgQuery__RangeVar copy_rel(struct ms_ctx *ctx, const PgQuery__RangeVar *rel)
{
    PgQuery__RangeVar r = *rel;
    r.relname = ms_ctx_strdup(ctx, rel->relname);
    r.schemaname = rel->schemaname ? ms_ctx_strdup(ctx, rel->schemaname) : NULL;
    return r;
}

/* Remembers the strongest lock the transaction holds on each table (released at its end). */
static void visit_stmt(struct ms_ctx *ctx, const PgQuery__Node *node)
{
    struct state *s = state(ctx);
    if (!ms_ctx_in_transaction(ctx)) {
        s->n = s->n_held = 0;
        return;
    }
    struct ms_locks locks;
    ms_locks_stmt(node, ms_ctx_pg_version(ctx), &locks);
    for (size_t i = 0; i < locks.n; i++) {
        const struct ms_lock *l = &locks.items[i];
        if (l->kind != MS_REL_TABLE || l->mode == MS_LOCK_NONE)
            continue;
        struct held *h = NULL;
        for (size_t k = 0; k < s->n_held && !h; k++)
            if (ms_same_rel(&s->held[k].rel, &l->rel))
                h = &s->held[k];
        if (!h && s->n_held < MAX_ADDED) {
            h = &s->held[s->n_held++];
            h->rel = copy_rel(ctx, &l->rel);
            h->mode = MS_LOCK_NONE;
        }
        if (h && l->mode > h->mode)
            h->mode = l->mode;
    }
}

static enum ms_lock_mode held_mode(const struct state *s, const PgQuery__RangeVar *rel)
{
    for (size_t i = 0; i < s->n_held; i++)
        if (ms_same_rel(&s->held[i].rel, rel))
            return s->held[i].mode;
    return MS_LOCK_NONE;
}

static void visit_transaction_stmt(struct ms_ctx *ctx, const PgQuery__TransactionStmt *node)
{
    switch (node->kind) {
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_PREPARE:
        state(ctx)->n = state(ctx)->n_held = 0;
        break;
    default:
        break;
    }
}

/* The column of CHECK (col IS NOT NULL), or NULL. */
static const char *not_null_column(const PgQuery__Constraint *c)
{
    const PgQuery__Node *e = c->raw_expr;
    if (c->contype != PG_QUERY__CONSTR_TYPE__CONSTR_CHECK || !e ||
        e->node_case != PG_QUERY__NODE__NODE_NULL_TEST ||
        e->null_test->nulltesttype != PG_QUERY__NULL_TEST_TYPE__IS_NOT_NULL || !e->null_test->arg ||
        e->null_test->arg->node_case != PG_QUERY__NODE__NODE_COLUMN_REF ||
        e->null_test->arg->column_ref->n_fields != 1)
        return NULL;
    return ms_node_str(e->null_test->arg->column_ref->fields[0]);
}

static const struct added *find(struct state *s, const PgQuery__RangeVar *rel, const char *name,
                                const char *column)
{
    for (size_t i = s->n; i-- > 0;) {
        const struct added *a = &s->items[i];
        if (!ms_same_rel(&a->rel, rel))
            continue;
        if (name && strcmp(a->name, name) == 0)
            return a;
        if (column && a->not_null_column && strcmp(a->not_null_column, column) == 0)
            return a;
    }
    return NULL;
}

static void note_added(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                       const PgQuery__Constraint *c)
{
    struct state *s = state(ctx);
    if (!c->conname || !*c->conname || s->n == MAX_ADDED)
        return;
    struct added *a = &s->items[s->n++];
    a->rel = copy_rel(ctx, stmt->relation);
    a->name = ms_ctx_strdup(ctx, c->conname);
    const char *col = not_null_column(c);
    a->not_null_column = col ? ms_ctx_strdup(ctx, col) : NULL;
    a->not_valid = c->skip_validation;
}

static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    if (!ms_ctx_in_transaction(ctx) || !stmt->relation || ms_ctx_table_is_new(ctx, stmt->relation))
        return;
    const char *table = ms_ctx_relname(ctx, stmt->relation);
    switch (cmd->subtype) {
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
        if (cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
            note_added(ctx, stmt, cmd->def->constraint);
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint: {
        if (!cmd->name || !ms_ctx_not_valid_in_transaction(ctx, stmt->relation, cmd->name))
            break;
        /* what the transaction holds on the table: at least what the ADD took, more if a
         * statement of its own took more */
        enum ms_lock_mode held = held_mode(state(ctx), stmt->relation);
        struct ms_diag *d;
        if (held >= MS_LOCK_SHARE)
            d = ms_report(ctx, -1,
                          "constraint \"%s\" is validated in the transaction that added it NOT "
                          "VALID: the transaction holds %s on \"%s\" until COMMIT, so the "
                          "validation scan blocks %s all the same",
                          cmd->name, ms_lock_mode_name(held), table, ms_lock_mode_blocks(held));
        else
            d = ms_report(ctx, -1,
                          "constraint \"%s\" is validated in the transaction that added it NOT "
                          "VALID: the lock ADD CONSTRAINT took on \"%s\" is held until COMMIT, "
                          "so the validation scan runs under it all the same",
                          cmd->name, table);
        ms_diag_set_help(ctx, d,
                         "commit after ADD CONSTRAINT \"%s\" ... NOT VALID, and run VALIDATE "
                         "CONSTRAINT \"%s\" in a later transaction (a migration of its own)",
                         cmd->name, cmd->name);
        break;
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull: {
        /* a check added NOT VALID and validated here was reported at its VALIDATE */
        const char *col = cmd->name;
        const struct added *a = col ? find(state(ctx), stmt->relation, NULL, col) : NULL;
        if (!a || a->not_valid || ms_ctx_pg_version(ctx) < 12 ||
            !ms_ctx_has_validated_not_null_check(ctx, stmt->relation, col))
            break;
        struct ms_diag *d =
            ms_report(ctx, -1,
                      "SET NOT NULL on column \"%s\" of \"%s\" relies on CHECK constraint \"%s\" "
                      "added in the same transaction: adding it scanned the table under ACCESS "
                      "EXCLUSIVE, which is held until COMMIT, so the check saves nothing",
                      col, table, a->name);
        ms_diag_set_help(ctx, d,
                         "add \"%s\" NOT VALID and commit, VALIDATE CONSTRAINT \"%s\" in a later "
                         "transaction, then SET NOT NULL",
                         a->name, a->name);
        break;
    }
    default:
        break;
    }
}

const struct ms_rule ms_rule_validate_in_same_transaction = {
    .id = "validate-in-same-transaction",
    .severity = MS_WARNING,
    .category = "locking",
    .summary = "a constraint is validated in the transaction that added it NOT VALID",
    .help = "commit after ADD CONSTRAINT ... NOT VALID and run VALIDATE CONSTRAINT (or SET NOT "
            "NULL) in a later transaction",
    .visit_stmt = visit_stmt,
    .visit_transaction_stmt = visit_transaction_stmt,
    .visit_alter_table_cmd = visit_alter_table_cmd,
};
