/* nodes.c: small readers of parse trees (see nodes.h). */
#include "nodes.h"

const char *ms_node_str(const PgQuery__Node *node)
{
    if (node && node->node_case == PG_QUERY__NODE__NODE_STRING && node->string)
        return node->string->sval;
    return NULL;
}

bool ms_split_name(size_t n, PgQuery__Node *const *items, const char **schema, const char **name)
{
    *name = n ? ms_node_str(items[n - 1]) : NULL;
    *schema = n >= 2 ? ms_node_str(items[n - 2]) : NULL;
    return *name != NULL;
}

bool ms_split_list_name(const PgQuery__Node *node, const char **schema, const char **name)
{
    if (!node || node->node_case != PG_QUERY__NODE__NODE_LIST || !node->list) {
        *schema = *name = NULL;
        return false;
    }
    return ms_split_name(node->list->n_items, node->list->items, schema, name);
}

bool ms_is_null_const(const PgQuery__Node *n)
{
    while (n && n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST)
        n = n->type_cast->arg;
    return n && n->node_case == PG_QUERY__NODE__NODE_A_CONST && n->a_const->isnull;
}

const char *ms_type_last_name(const PgQuery__TypeName *t)
{
    return t && t->n_names ? ms_node_str(t->names[t->n_names - 1]) : NULL;
}

bool ms_is_serial_name(const char *name)
{
    static const char *const serials[] = {"serial",  "serial2",   "serial4",
                                          "serial8", "bigserial", "smallserial"};
    for (size_t i = 0; name && i < MS_ARRAY_LEN(serials); i++)
        if (strcmp(name, serials[i]) == 0)
            return true;
    return false;
}

const PgQuery__Constraint *ms_column_constraint(const PgQuery__ColumnDef *col,
                                                PgQuery__ConstrType type)
{
    for (size_t i = 0; i < col->n_constraints; i++)
        if (col->constraints[i]->node_case == PG_QUERY__NODE__NODE_CONSTRAINT &&
            col->constraints[i]->constraint->contype == type)
            return col->constraints[i]->constraint;
    return NULL;
}
