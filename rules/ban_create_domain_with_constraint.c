/* ban-create-domain-with-constraint: CREATE DOMAIN with a CHECK or NOT NULL constraint.
 * Docs: docs/rules/ban-create-domain-with-constraint.md.
 * Fixtures: fixtures/rules/ban-create-domain-with-constraint/. */
#include "rule.h"

/* A domain's constraints are hard to live with once tables use it: adding a column of a
 * constrained domain to an existing table rewrites the table (PostgreSQL checks the constraint
 * on every row), and adding or validating a domain constraint later scans every column of that
 * type in every table while holding a SHARE lock on each, blocking their writes; NOT VALID does
 * not help, as VALIDATE takes the same lock. Table CHECK constraints have none of this. */
static void visit_create_domain_stmt(struct ms_ctx *ctx, const PgQuery__CreateDomainStmt *stmt)
{
    const PgQuery__Constraint *first = NULL;
    for (size_t i = 0; i < stmt->n_constraints && !first; i++) {
        const PgQuery__Node *n = stmt->constraints[i];
        if (n->node_case == PG_QUERY__NODE__NODE_CONSTRAINT &&
            (n->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK ||
             n->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL))
            first = n->constraint;
    }
    if (!first)
        return;
    const char *name =
        stmt->n_domainname ? ms_node_str(stmt->domainname[stmt->n_domainname - 1]) : NULL;
    ms_report(ctx, first->location,
              "domain \"%s\" has a %s constraint: adding a column of this type to an existing "
              "table rewrites it, and changing the constraint later scans every table using the "
              "domain while blocking their writes",
              name ? name : "?",
              first->contype == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK ? "CHECK" : "NOT NULL");
}

const struct ms_rule ms_rule_ban_create_domain_with_constraint = {
    .id = "ban-create-domain-with-constraint",
    .severity = MS_WARNING,
    .category = "locking",
    .summary = "a domain is created with a CHECK or NOT NULL constraint",
    .help = "create the domain without constraints (or use its base type) and put CHECK "
            "constraints on the table columns, where NOT VALID and VALIDATE work",
    .visit_create_domain_stmt = visit_create_domain_stmt,
};
