/* disable-trigger: ALTER TABLE ... DISABLE TRIGGER (ALL, USER or a named trigger).
 * Docs: docs/rules/disable-trigger.md. Fixtures: fixtures/rules/disable-trigger/. */
#include "rule.h"

/* A disabled trigger is off for every session until it is enabled again, and nothing checks
 * afterwards what happened meanwhile. DISABLE TRIGGER ALL also turns off the internal triggers
 * that enforce the table's foreign keys (and a named trigger may be one, or a constraint
 * trigger): rows written meanwhile, the migration's own backfill included, are never checked,
 * and the database silently holds rows that violate a constraint it reports as valid. The
 * statement takes a SHARE ROW EXCLUSIVE lock, blocking writes until the transaction ends. */

enum which { ALL, USER, NAMED };

struct disabled {
    struct disabled *next;
    struct ms_mark mark;
    const char *schema, *rel, *table; /* table: as named, for messages */
    enum which which;
    const char *trigger; /* NAMED */
    bool enabled_again;
};

struct state {
    struct disabled *list, **tail;
};

static bool same_table(const struct disabled *d, const PgQuery__RangeVar *rel)
{
    const char *schema = rel->schemaname && *rel->schemaname ? rel->schemaname : "";
    return rel->relname && strcmp(d->rel, rel->relname) == 0 &&
           (!*d->schema || !*schema || strcmp(d->schema, schema) == 0);
}

static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    const PgQuery__RangeVar *rel = stmt->relation;
    if (!rel || !rel->relname)
        return;
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    if (!s->tail)
        s->tail = &s->list;
    enum which which;
    bool enable;
    switch (cmd->subtype) {
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigAll:
        which = ALL;
        enable = false;
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigUser:
        which = USER;
        enable = false;
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrig:
        which = NAMED;
        enable = false;
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigAll:
        which = ALL;
        enable = true;
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigUser:
        which = USER;
        enable = true;
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableAlwaysTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableReplicaTrig:
        which = NAMED;
        enable = true;
        break;
    default:
        return;
    }
    if (enable) {
        /* ENABLE ALL covers everything, USER all but internal triggers, a name that trigger */
        for (struct disabled *d = s->list; d; d = d->next)
            if (same_table(d, rel) && (which == ALL || (which == USER && d->which != ALL) ||
                                       (which == NAMED && d->which == NAMED && cmd->name &&
                                        strcmp(d->trigger, cmd->name) == 0)))
                d->enabled_again = true;
        return;
    }
    struct disabled *d = ms_ctx_alloc(ctx, sizeof(*d));
    d->mark = ms_ctx_mark(ctx, -1);
    d->schema = ms_ctx_strdup(ctx, rel->schemaname);
    d->rel = ms_ctx_strdup(ctx, rel->relname);
    d->table = ms_ctx_strdup(ctx, ms_ctx_relname(ctx, rel));
    d->which = which;
    d->trigger = ms_ctx_strdup(ctx, cmd->name);
    *s->tail = d;
    s->tail = &d->next;
}

static void end_migration(struct ms_ctx *ctx)
{
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    for (const struct disabled *d = s->list; d; d = d->next) {
        const char *until = d->enabled_again ? "until it is enabled again later in this migration"
                                             : "and it is not enabled again in this migration";
        if (d->which == ALL)
            ms_report_at(ctx, d->mark,
                         "disabling all triggers of \"%s\" also turns off the internal triggers "
                         "that enforce its foreign keys: rows written meanwhile are never "
                         "checked (%s)",
                         d->table, until);
        else if (d->which == USER)
            ms_report_at(ctx, d->mark,
                         "disabling the user triggers of \"%s\" skips them for every row any "
                         "session writes meanwhile, constraint triggers it defined included (%s)",
                         d->table, until);
        else
            ms_report_at(ctx, d->mark,
                         "disabling trigger \"%s\" of \"%s\" skips it for every row any session "
                         "writes meanwhile, and if it is a constraint trigger the constraint is "
                         "not enforced (%s)",
                         d->trigger, d->table, until);
    }
}

const struct ms_rule ms_rule_disable_trigger = {
    .id = "disable-trigger",
    .severity = MS_WARNING,
    .category = "integrity",
    .summary = "DISABLE TRIGGER turns triggers off for every session; with ALL, foreign keys too",
    .help = "keep triggers enabled; to skip a trigger's work during a backfill, have the "
            "trigger function test a setting the backfill session sets",
    .visit_alter_table_cmd = visit_alter_table_cmd,
    .end_migration = end_migration,
};
