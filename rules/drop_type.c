/* drop-type: DROP TYPE or DROP DOMAIN of a type the migration does not re-create.
 * Docs: docs/rules/drop-type.md. Fixtures: fixtures/rules/drop-type/. */
#include "rule.h"

/* Running code that casts to the type ('active'::order_status) or passes it as a parameter type
 * fails from the commit on. While a column still uses the type the drop fails; with CASCADE it
 * drops those columns instead, data included (drop-cascade reports that). A type renamed or
 * created in the same migration is the usual enum-rebuild recipe and is not reported. */

struct state {
    struct ms_name *dropped, *created;
};

static bool is_type(PgQuery__ObjectType t)
{
    return t == PG_QUERY__OBJECT_TYPE__OBJECT_TYPE || t == PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN;
}

static void visit_create_enum_stmt(struct ms_ctx *ctx, const PgQuery__CreateEnumStmt *node)
{
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    ms_names_add_qualified(ctx, &s->created, node->n_type_name, node->type_name, NULL, false);
}

static void visit_create_domain_stmt(struct ms_ctx *ctx, const PgQuery__CreateDomainStmt *node)
{
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    ms_names_add_qualified(ctx, &s->created, node->n_domainname, node->domainname, NULL, true);
}

/* ALTER TYPE status RENAME TO status_old gives the migration a type of its own to drop once the
 * columns use a new status; a type renamed to a name also takes that name's place. */
static void visit_rename_stmt(struct ms_ctx *ctx, const PgQuery__RenameStmt *node)
{
    if (!is_type(node->rename_type) || !node->newname || !*node->newname || !node->object ||
        node->object->node_case != PG_QUERY__NODE__NODE_LIST)
        return;
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    const PgQuery__List *l = node->object->list;
    ms_names_add_qualified(ctx, &s->created, l->n_items, l->items, node->newname, false);
}

static void visit_drop_stmt(struct ms_ctx *ctx, const PgQuery__DropStmt *node)
{
    if (!is_type(node->remove_type))
        return;
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    for (size_t i = 0; i < node->n_objects; i++) {
        const PgQuery__Node *obj = node->objects[i];
        if (obj->node_case != PG_QUERY__NODE__NODE_TYPE_NAME)
            continue;
        const PgQuery__TypeName *t = obj->type_name;
        ms_names_add_qualified(ctx, &s->dropped, t->n_names, t->names, NULL,
                               node->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN);
    }
}

/* Reported at the end, one finding per DROP statement: a type created anywhere in the
 * migration under the dropped name (before: it is new; after: it is redefined) exempts the drop.
 */
static void report(struct ms_ctx *ctx, const struct ms_name *first, const char *name,
                   const char *more)
{
    struct ms_diag *diag = ms_report_at(
        ctx, first->mark,
        "dropping %s \"%s\"%s breaks the running code that still casts to it or uses it, "
        "and fails while a column is of that type",
        first->flag ? "domain" : "type", name, more);
    ms_diag_set_help(ctx, diag,
                     "move the columns off \"%s\" and stop using it in the application, deploy "
                     "that, then drop it in a later migration",
                     name);
}

static void end_migration(struct ms_ctx *ctx)
{
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    ms_names_report_kept(ctx, s->dropped, s->created, report);
}

const struct ms_rule ms_rule_drop_type = {
    .id = "drop-type",
    .severity = MS_WARNING,
    .category = "compatibility",
    .summary = "a type or domain is dropped while columns or running code may still use it",
    .help = "move the columns off the type and stop using it in the application, deploy that, "
            "then drop it in a later migration",
    .visit_create_enum_stmt = visit_create_enum_stmt,
    .visit_create_domain_stmt = visit_create_domain_stmt,
    .visit_rename_stmt = visit_rename_stmt,
    .visit_drop_stmt = visit_drop_stmt,
    .end_migration = end_migration,
};
