/* ban-alter-domain-add-constraint: ALTER DOMAIN ... ADD CONSTRAINT, SET NOT NULL or VALIDATE.
 * Docs: docs/rules/ban-alter-domain-add-constraint.md.
 * Fixtures: fixtures/rules/ban-alter-domain-add-constraint/. */
#include "rule.h"

/* A new domain constraint is checked against every column of that type in every table, and
 * PostgreSQL holds a SHARE lock on each of those tables during the scan: no INSERT, UPDATE or
 * DELETE on any of them runs until it is done. ADD CONSTRAINT ... NOT VALID skips the scan, but
 * VALIDATE CONSTRAINT on a domain takes the same SHARE locks (unlike a table's, which takes SHARE
 * UPDATE EXCLUSIVE), so the two steps only move the blocking. A domain created earlier in the
 * migration is used by no existing table. */

struct created {
    struct created *next;
    const char *name;
};

static const char *last_name(size_t n, PgQuery__Node *const *names)
{
    return n ? ms_node_str(names[n - 1]) : NULL;
}

static void visit_create_domain_stmt(struct ms_ctx *ctx, const PgQuery__CreateDomainStmt *stmt)
{
    const char *name = last_name(stmt->n_domainname, stmt->domainname);
    if (!name)
        return;
    struct created **list = ms_ctx_rule_state(ctx, sizeof(*list));
    struct created *c = ms_ctx_alloc(ctx, sizeof(*c));
    c->name = ms_ctx_strdup(ctx, name);
    c->next = *list;
    *list = c;
}

static bool is_new(struct ms_ctx *ctx, const char *name)
{
    struct created **list = ms_ctx_rule_state(ctx, sizeof(*list));
    for (const struct created *c = *list; c; c = c->next)
        if (strcmp(c->name, name) == 0)
            return true;
    return false;
}

static void visit_alter_domain_stmt(struct ms_ctx *ctx, const PgQuery__AlterDomainStmt *stmt)
{
    const char *domain = last_name(stmt->n_type_name, stmt->type_name);
    if (!stmt->subtype || !domain || is_new(ctx, domain))
        return;
    const char *what;
    char buf[160];
    int location = -1;
    switch (stmt->subtype[0]) {
    case 'C': { /* ADD CONSTRAINT */
        if (!stmt->def || stmt->def->node_case != PG_QUERY__NODE__NODE_CONSTRAINT ||
            stmt->def->constraint->skip_validation)
            return;
        const PgQuery__Constraint *c = stmt->def->constraint;
        location = c->location;
        if (ms_name_or_null(c->conname))
            snprintf(buf, sizeof(buf), "adding constraint \"%s\" to", c->conname);
        else
            snprintf(buf, sizeof(buf), "adding a constraint to");
        what = buf;
        break;
    }
    case 'O': /* SET NOT NULL */
        what = "setting NOT NULL on";
        break;
    case 'V': /* VALIDATE CONSTRAINT */
        snprintf(buf, sizeof(buf), "validating constraint \"%s\" of",
                 stmt->name ? stmt->name : "?");
        what = buf;
        break;
    default:
        return;
    }
    ms_report(ctx, location,
              "%s domain \"%s\" scans every column of that type in every table, holding a SHARE "
              "lock on each table (blocking writes) until it is done",
              what, domain);
}

const struct ms_rule ms_rule_ban_alter_domain_add_constraint = {
    .id = "ban-alter-domain-add-constraint",
    .severity = MS_WARNING,
    .category = "locking",
    .summary = "a constraint added to a domain scans every table using it while blocking writes",
    .help = "put the rule in CHECK constraints on the table columns instead, added NOT VALID and "
            "validated table by table",
    .visit_create_domain_stmt = visit_create_domain_stmt,
    .visit_alter_domain_stmt = visit_alter_domain_stmt,
};
