/* drop-cascade: DROP ... CASCADE, and ALTER TABLE ... DROP COLUMN/CONSTRAINT ... CASCADE.
 * Docs: docs/rules/drop-cascade.md. Fixtures: fixtures/rules/drop-cascade/. */
#include "rule.h"

/* CASCADE drops, besides the object named, every object that depends on it: views over a
 * table or column, foreign keys of other tables, columns and defaults of a type, functions of
 * an extension, objects in a schema. PostgreSQL lists them only in a NOTICE, so the migration
 * removes things nobody reviewed (a column of another table, with its data, when a type goes). */

/* "a.b.c" from a list of String nodes; NULL when any item is not a string. */
static const char *join_names(struct ms_ctx *ctx, size_t n, PgQuery__Node *const *items)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++) {
        const char *s = ms_node_str(items[i]);
        if (!s)
            return NULL;
        len += strlen(s) + 1;
    }
    char *out = ms_ctx_alloc(ctx, len), *p = out;
    for (size_t i = 0; i < n; i++)
        p += snprintf(p, len - (size_t)(p - out), "%s%s", i ? "." : "", ms_node_str(items[i]));
    return n ? out : NULL;
}

/* The name of one object of a DROP, however the grammar shaped it. */
static const char *object_name(struct ms_ctx *ctx, const PgQuery__Node *obj)
{
    switch (obj->node_case) {
    case PG_QUERY__NODE__NODE_STRING:
        return obj->string->sval;
    case PG_QUERY__NODE__NODE_LIST:
        return join_names(ctx, obj->list->n_items, obj->list->items);
    case PG_QUERY__NODE__NODE_TYPE_NAME:
        return join_names(ctx, obj->type_name->n_names, obj->type_name->names);
    case PG_QUERY__NODE__NODE_OBJECT_WITH_ARGS:
        return join_names(ctx, obj->object_with_args->n_objname, obj->object_with_args->objname);
    default:
        return NULL;
    }
}

/* What the object kind is called, and what typically depends on one. */
static void describe(PgQuery__ObjectType t, const char **kind, const char **dependents)
{
    *dependents = "every object that uses it";
    switch (t) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE:
        *kind = t == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE ? "table" : "foreign table";
        *dependents = "views over it and foreign keys of other tables";
        return;
    case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
    case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
        *kind = t == PG_QUERY__OBJECT_TYPE__OBJECT_VIEW ? "view" : "materialized view";
        *dependents = "views built on it";
        return;
    case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN:
        *kind = t == PG_QUERY__OBJECT_TYPE__OBJECT_TYPE ? "type" : "domain";
        *dependents = "columns of that type, with their data, and functions using it";
        return;
    case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
    case PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE:
        *kind = t == PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE ? "procedure" : "function";
        *dependents = "triggers, column defaults, views and indexes that use it";
        return;
    case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
        *kind = "index";
        *dependents = "foreign keys that rely on it";
        return;
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
        *kind = "sequence";
        *dependents = "column defaults that draw from it";
        return;
    case PG_QUERY__OBJECT_TYPE__OBJECT_EXTENSION:
        *kind = "extension";
        *dependents = "columns, indexes and functions that use its types and functions";
        return;
    default:
        *kind = "object";
        return;
    }
}

/* A table or materialized view created earlier in the migration has no dependents but those
 * the migration made itself. */
static bool is_new_relation(struct ms_ctx *ctx, PgQuery__ObjectType t, const PgQuery__Node *obj)
{
    const char *schema, *name;
    if ((t != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE && t != PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW) ||
        !ms_split_list_name(obj, &schema, &name))
        return false;
    PgQuery__RangeVar rel = PG_QUERY__RANGE_VAR__INIT;
    rel.relname = (char *)name;
    rel.schemaname = (char *)schema;
    return ms_ctx_table_is_new(ctx, &rel);
}

static void visit_drop_stmt(struct ms_ctx *ctx, const PgQuery__DropStmt *node)
{
    /* DROP SCHEMA ... CASCADE is drop-schema's, which says what goes with the schema; nothing
     * depends on a trigger, a policy or a rule */
    if (node->behavior != PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE ||
        node->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA ||
        node->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER ||
        node->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_POLICY ||
        node->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_RULE)
        return;
    const char *first = NULL;
    for (size_t i = 0; i < node->n_objects; i++) {
        if (is_new_relation(ctx, node->remove_type, node->objects[i]))
            continue;
        first = object_name(ctx, node->objects[i]);
        if (!first)
            first = "?";
        break;
    }
    if (!first)
        return;
    const char *kind, *dependents;
    describe(node->remove_type, &kind, &dependents);
    struct ms_diag *d =
        ms_report(ctx, -1,
                  "dropping %s \"%s\"%s with CASCADE also drops, without naming them, the "
                  "objects that depend on it: %s",
                  kind, first, node->n_objects > 1 ? " and the others" : "", dependents);
    ms_diag_set_help(ctx, d,
                     "drop the dependents of \"%s\" explicitly first, each one reviewed, then drop "
                     "it without CASCADE (RESTRICT fails if anything was missed)",
                     first);
}

static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    bool column = cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn;
    if ((!column && cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint) ||
        cmd->behavior != PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE ||
        ms_ctx_table_is_new(ctx, stmt->relation))
        return;
    const char *name = cmd->name && *cmd->name ? cmd->name : "?";
    struct ms_diag *d =
        ms_report(ctx, -1,
                  "dropping %s \"%s\" of \"%s\" with CASCADE also drops, without naming them, the "
                  "objects that depend on it: %s",
                  column ? "column" : "constraint", name, ms_ctx_relname(ctx, stmt->relation),
                  column ? "views and constraints that use it"
                         : "foreign keys of other tables that rely "
                           "on it");
    ms_diag_set_help(ctx, d,
                     "drop the dependents of \"%s\" explicitly first, each one reviewed, then "
                     "drop it without CASCADE (RESTRICT fails if anything was missed)",
                     name);
}

const struct ms_rule ms_rule_drop_cascade = {
    .id = "drop-cascade",
    .severity = MS_WARNING,
    .category = "data-loss",
    .summary = "DROP ... CASCADE silently drops every object that depends on the one named",
    .help = "drop the dependent objects explicitly first, then drop without CASCADE",
    .visit_drop_stmt = visit_drop_stmt,
    .visit_alter_table_cmd = visit_alter_table_cmd,
};
