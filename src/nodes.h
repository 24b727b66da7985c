/* nodes.h: small readers of libpg_query's parse trees that every layer uses (the engine, the
 * rules, the lock table, the catalog, the effects of a statement). */
#ifndef MS_NODES_H
#define MS_NODES_H

#include "migsafe.h"
#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

/* The string of a String node, or NULL for any other node. */
const char *ms_node_str(const PgQuery__Node *node);

/* A qualified name given as String nodes ([catalog.][schema.]name): *name is the last part,
 * *schema the one before it (NULL when there is none). Returns whether there is a name. */
bool ms_split_name(size_t n, PgQuery__Node *const *items, const char **schema, const char **name);

/* ms_split_name() of a List node; false (both NULL) for any other node. */
bool ms_split_list_name(const PgQuery__Node *node, const char **schema, const char **name);

/* NULL, also cast (NULL::text). */
bool ms_is_null_const(const PgQuery__Node *node);

/* The last part of a type's name ("int4" of pg_catalog.int4, "serial"), or NULL. */
const char *ms_type_last_name(const PgQuery__TypeName *t);

/* Is this a serial pseudo-type's name ("serial", "bigserial", "serial4" ...)? They carry an
 * implicit DEFAULT nextval(...). NULL is none. */
bool ms_is_serial_name(const char *name);

/* The constraint of kind `type` written in a column definition, or NULL. */
const PgQuery__Constraint *ms_column_constraint(const PgQuery__ColumnDef *col,
                                                PgQuery__ConstrType type);

#endif
