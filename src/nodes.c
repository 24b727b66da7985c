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
