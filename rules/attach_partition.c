/* attach-partition: ALTER TABLE ... ATTACH PARTITION of a table that already holds rows.
 * Docs: docs/rules/attach-partition.md. Fixtures: fixtures/rules/attach-partition/. */
#include "rule.h"

/* ATTACH PARTITION takes an ACCESS EXCLUSIVE lock on the table being attached and reads all of
 * it to prove every row fits the partition bounds (and the parent's default partition, if there
 * is one, to prove none of its rows belongs to the new bounds); the parent is locked SHARE
 * UPDATE EXCLUSIVE from PostgreSQL 12, ACCESS EXCLUSIVE before. The scan is skipped when a
 * validated CHECK constraint on the table implies the bounds, key IS NOT NULL included for range
 * partitions. Which checks a table has is in the database, not in this migration: migsafe counts
 * a CHECK added (validated) or validated earlier in the migration as that proof, and otherwise
 * says it could not know. */

struct checked {
    struct checked *next;
    const char *schema, *rel;
    const char *name; /* constraint name, may be "" */
    bool validated;   /* false: added NOT VALID, not validated yet */
};

struct state {
    struct checked *list;
};

static bool same(const struct checked *c, const PgQuery__RangeVar *rel)
{
    const char *schema = rel->schemaname && *rel->schemaname ? rel->schemaname : "";
    return rel->relname && strcmp(c->rel, rel->relname) == 0 &&
           (!*c->schema || !*schema || strcmp(c->schema, schema) == 0);
}

static void remember(struct ms_ctx *ctx, const PgQuery__RangeVar *rel, const char *name,
                     bool validated)
{
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    struct checked *c = ms_ctx_alloc(ctx, sizeof(*c));
    c->schema = ms_ctx_strdup(ctx, rel->schemaname);
    c->rel = ms_ctx_strdup(ctx, rel->relname);
    c->name = ms_ctx_strdup(ctx, name);
    c->validated = validated;
    c->next = s->list;
    s->list = c;
}

static bool has_validated_check(struct ms_ctx *ctx, const PgQuery__RangeVar *rel)
{
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    for (const struct checked *c = s->list; c; c = c->next)
        if (c->validated && same(c, rel))
            return true;
    return false;
}

/* Keeps track of the CHECK constraints earlier statements add and validate. */
static void note_check(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                       const PgQuery__AlterTableCmd *cmd)
{
    const PgQuery__RangeVar *rel = stmt->relation;
    if (!rel || !rel->relname)
        return;
    if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint && cmd->def &&
        cmd->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT &&
        cmd->def->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK) {
        const PgQuery__Constraint *c = cmd->def->constraint;
        remember(ctx, rel, c->conname, !c->skip_validation);
    } else if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint && cmd->name) {
        struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
        for (struct checked *c = s->list; c; c = c->next)
            if (same(c, rel) && strcmp(c->name, cmd->name) == 0)
                c->validated = true;
    } else if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint && cmd->name) {
        struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
        for (struct checked *c = s->list; c; c = c->next)
            if (same(c, rel) && strcmp(c->name, cmd->name) == 0)
                c->validated = false;
    }
}

static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    if (cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition) {
        note_check(ctx, stmt, cmd);
        return;
    }
    if (!cmd->def || cmd->def->node_case != PG_QUERY__NODE__NODE_PARTITION_CMD ||
        !cmd->def->partition_cmd->name)
        return;
    const PgQuery__RangeVar *part = cmd->def->partition_cmd->name;
    if (ms_ctx_table_is_new(ctx, part) || has_validated_check(ctx, part))
        return;
    const char *name = ms_ctx_relname(ctx, part);
    const char *parent = ms_ctx_relname(ctx, stmt->relation);
    struct ms_diag *d = ms_report(
        ctx, part->location,
        "attaching \"%s\" as a partition of \"%s\" scans all of \"%s\" under an ACCESS "
        "EXCLUSIVE lock (and locks \"%s\" %s) unless a validated CHECK constraint on \"%s\" "
        "implies the partition bounds; migsafe could not know of one, as none was added or "
        "validated earlier in this migration",
        name, parent, name, parent,
        ms_ctx_pg_version(ctx) >= 12 ? "SHARE UPDATE EXCLUSIVE" : "ACCESS EXCLUSIVE", name);
    ms_diag_set_help(ctx, d,
                     "first ALTER TABLE %s ADD CONSTRAINT ... CHECK (<the bounds, with the key "
                     "IS NOT NULL>) NOT VALID, then VALIDATE CONSTRAINT in a later transaction; "
                     "ATTACH PARTITION then skips the scan, and the check can be dropped after",
                     name);
}

const struct ms_rule ms_rule_attach_partition = {
    .id = "attach-partition",
    .severity = MS_WARNING,
    .category = "locking",
    .summary = "ATTACH PARTITION scans the attached table unless a validated CHECK proves the "
               "bounds",
    .help = "add a CHECK matching the bounds NOT VALID and VALIDATE it before ATTACH PARTITION",
    .visit_alter_table_cmd = visit_alter_table_cmd,
};
