/* require-lock-timeout: a strong lock on an existing table without a lock_timeout set first.
 * Docs: docs/rules/require-lock-timeout.md. Fixtures: fixtures/rules/require-lock-timeout/. */
#include "rule.h"

/* A statement that needs ACCESS EXCLUSIVE (or SHARE ROW EXCLUSIVE and stronger) waits for every
 * transaction already using the table, however long it runs. While it waits, every query that
 * needs a conflicting lock queues behind it: with ACCESS EXCLUSIVE even plain SELECTs, with the
 * SHARE ROW EXCLUSIVE of a foreign key or trigger every write. A few seconds' wait behind a
 * report query takes the application down. lock_timeout makes the statement give up instead
 * (the migration fails and is retried), so the queue never forms. One SET covers every later
 * statement, so the finding is given once, at the first statement that needs it, for each
 * stretch of the migration without a lock_timeout. */
struct state {
    bool pending;        /* a finding waits for the end of the stretch */
    struct ms_mark at;   /* the first statement that needs a lock_timeout */
    const char *message; /* its message, without the count */
    size_t n_more;       /* statements after it that need one too */
};

static const char *relation_words(const struct ms_lock *l)
{
    switch (l->kind) {
    case MS_REL_INDEX:
        return "index";
    case MS_REL_INDEX_TABLE:
        return "the table of index";
    case MS_REL_VIEW:
        return "view";
    case MS_REL_MATVIEW:
        return "materialized view";
    case MS_REL_SEQUENCE:
        return "sequence";
    case MS_REL_TABLE:
        break;
    }
    return "table";
}

static void flush(struct ms_ctx *ctx)
{
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    if (s->pending) {
        if (s->n_more)
            ms_report_at(ctx, s->at,
                         "%s; %zu later statement%s of this migration take%s such "
                         "locks with none set either",
                         s->message, s->n_more, s->n_more == 1 ? "" : "s",
                         s->n_more == 1 ? "s" : "");
        else
            ms_report_at(ctx, s->at, "%s", s->message);
    }
    memset(s, 0, sizeof(*s));
}

static void visit_stmt(struct ms_ctx *ctx, const PgQuery__Node *node)
{
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    if (ms_ctx_lock_timeout_set(ctx)) {
        flush(ctx);
        return;
    }
    struct ms_locks locks;
    ms_locks_stmt(node, ms_ctx_pg_version(ctx), &locks);
    /* sequences are left out: only nextval() waits on them, and migrations alter the ones they
     * have just created */
    const struct ms_lock *l = NULL;
    for (size_t i = 0; i < locks.n; i++) {
        const struct ms_lock *c = &locks.items[i];
        if (c->kind == MS_REL_SEQUENCE || c->mode < MS_LOCK_SHARE_ROW_EXCLUSIVE ||
            (l && c->mode <= l->mode) || ms_ctx_table_is_new(ctx, &c->rel))
            continue;
        l = c;
    }
    if (!l)
        return;
    if (s->pending) {
        s->n_more++;
        return;
    }
    s->pending = true;
    s->at = ms_ctx_mark(ctx, -1);
    char buf[512];
    snprintf(buf, sizeof(buf),
             "%s takes %s on %s \"%s\" with no lock_timeout set: while it waits for running "
             "transactions to finish, all %s on it queue behind it",
             locks.tag, ms_lock_mode_name(l->mode), relation_words(l), ms_ctx_relname(ctx, &l->rel),
             ms_lock_mode_blocks(l->mode));
    s->message = ms_ctx_strdup(ctx, buf);
}

const struct ms_rule ms_rule_require_lock_timeout = {
    .id = "require-lock-timeout",
    .severity = MS_WARNING,
    .category = "locking",
    .summary = "a statement takes a strong lock on an existing table with no lock_timeout set",
    .help = "run SET lock_timeout = '2s' (SET LOCAL inside a transaction) before the statement, "
            "and retry the migration when it times out",
    .visit_stmt = visit_stmt,
    .end_migration = flush,
};
