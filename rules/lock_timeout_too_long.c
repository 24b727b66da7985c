/* lock-timeout-too-long: SET lock_timeout to 0 (no timeout) or above the configured limit
 * (lock_timeout_limit, 10 seconds by default).
 * Docs: docs/rules/lock-timeout-too-long.md. Fixtures: fixtures/rules/lock-timeout-too-long/. */
#include "rule.h"

/* lock_timeout bounds how long a statement waits for its lock, and so how long the queries
 * queued behind it wait: with ACCESS EXCLUSIVE pending, even plain SELECTs on the table queue.
 * 0 turns the bound off; a long bound lets the queue grow for that long before the migration
 * gives up. A few seconds is what an application tolerates. */
static void visit_variable_set_stmt(struct ms_ctx *ctx, const PgQuery__VariableSetStmt *node)
{
    if (!node->name || strcmp(node->name, "lock_timeout") != 0 ||
        node->kind != PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE || node->n_args != 1 ||
        node->args[0]->node_case != PG_QUERY__NODE__NODE_A_CONST)
        return;
    const PgQuery__AConst *c = node->args[0]->a_const;
    char buf[64];
    const char *text = NULL;
    if (c->val_case == PG_QUERY__A__CONST__VAL_IVAL) {
        snprintf(buf, sizeof(buf), "%d", c->ival ? c->ival->ival : 0);
        text = buf;
    } else if (c->val_case == PG_QUERY__A__CONST__VAL_FVAL && c->fval) {
        text = c->fval->fval;
    } else if (c->val_case == PG_QUERY__A__CONST__VAL_SVAL && c->sval) {
        text = c->sval->sval;
    }
    double ms;
    if (!text || !ms_duration_ms(text, &ms) || ms < 0)
        return; /* PostgreSQL rejects it; nothing to judge */
    if (ms == 0) {
        ms_report(ctx, c->location,
                  "lock_timeout = %s turns the lock timeout off: a statement waiting for its "
                  "lock holds every query on the table in a queue behind it for as long as it "
                  "waits",
                  text);
    } else if (ms > ms_ctx_lock_timeout_limit_ms(ctx)) {
        struct ms_diag *d = ms_report(ctx, c->location,
                                      "lock_timeout = %s lets a statement wait %g seconds for its "
                                      "lock (the limit is %g), and every query on the table "
                                      "queues behind it all that time",
                                      text, ms / 1000, ms_ctx_lock_timeout_limit_ms(ctx) / 1000.0);
        ms_diag_set_help(ctx, d,
                         "set lock_timeout to at most %gs and retry the migration when it times "
                         "out",
                         ms_ctx_lock_timeout_limit_ms(ctx) / 1000.0);
    }
}

const struct ms_rule ms_rule_lock_timeout_too_long = {
    .id = "lock-timeout-too-long",
    .severity = MS_WARNING,
    .category = "locking",
    .summary = "lock_timeout is set to 0 or above the limit (10 seconds unless configured)",
    .help = "set lock_timeout to a few seconds (at most the limit, 10s unless configured) and "
            "retry the migration when it times out",
    .visit_variable_set_stmt = visit_variable_set_stmt,
};
