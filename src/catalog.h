/* catalog.h: the schema as the migrations linted so far have built it.
 *
 * A catalog is replayed statement by statement (ms_catalog_apply) from the parse trees of the
 * migrations of one history, in the order they run, and answers what a rule needs to know about
 * the objects a statement touches: the tables and their columns (types, NOT NULL, defaults),
 * their indexes and constraints, and enum types. It is a pure library: it prints nothing and
 * knows no rule or engine; a statement it does not model is ignored.
 *
 * A table is "known" when a statement of the history created it. Statements about a table no
 * earlier statement created (ALTER TABLE, CREATE INDEX on a table that predates the history)
 * leave an unknown table behind that remembers what they did, with columns_complete false: a
 * column missing from it may still exist.
 *
 * Names are compared as the parser gives them (already folded to lower case unless quoted). A
 * name without a schema matches an object of any schema, and an object created without a
 * schema matches any schema the statement names, since search_path is not known.
 *
 * Every lookup is O(1) expected (hash tables); applying a statement costs time in proportion to
 * the objects it touches (a dropped schema, its tables), never to the size of the catalog. All
 * memory belongs to the catalog and lives until ms_catalog_clear or ms_catalog_release, so the
 * pointers the queries return stay valid until then (an object dropped since is no longer found,
 * but its memory stays). */
#ifndef MS_CATALOG_H
#define MS_CATALOG_H

#include "arena.h"
#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

/* Private to catalog.c: the hash chain link, first member of each object, and the list of the
 * tables (or enum types) of one schema. */
struct ms_cat_link {
    struct ms_cat_link *next;
    uint64_t hash;
};
struct ms_cat_member {
    struct ms_cat_member *prev, *next;
    struct ms_cat_schema *ns;
};

/* A column type, normalized: built-in types by their internal name (integer -> "int4",
 * character varying -> "varchar", serial -> "int4"), others as written ("public.mood"). */
struct ms_cat_type {
    const char *schema;  /* NULL for built-in types and names without a schema */
    const char *name;    /* "varchar", "numeric", "int4", "mood" */
    int n_typmods;       /* 0 (none given), 1 or 2 */
    int typmods[2];      /* varchar(50): {50}; numeric(10,2): {10, 2} */
    bool typmods_opaque; /* a type modifier that is not an integer constant (or more than two) */
    int array_dims;      /* int4[][]: 2 */
};

/* Fills `out` from a TypeName. Strings point into the tree (or static storage) and live as
 * long as it. Returns false (out zeroed) for %TYPE references and empty names. */
bool ms_catalog_type_from_name(const PgQuery__TypeName *tn, struct ms_cat_type *out);
/* The type as text: "varchar(50)", "numeric(10,2)", "int4[]", "public.mood". Returns the
 * length it needed, like snprintf. */
int ms_catalog_type_format(const struct ms_cat_type *t, char *buf, size_t size);

struct ms_cat_table;

struct ms_cat_column {
    struct ms_cat_link link;
    const struct ms_cat_table *table;
    const char *name;
    struct ms_cat_type type;
    const char *type_text; /* ms_catalog_type_format() of type */
    bool not_null;
    bool has_default; /* DEFAULT, serial, identity or generated */
};

enum ms_cat_constraint_kind {
    MS_CON_PRIMARY,
    MS_CON_UNIQUE,
    MS_CON_FOREIGN,
    MS_CON_CHECK,
    MS_CON_EXCLUSION,
};

struct ms_cat_constraint {
    struct ms_cat_link link;
    struct ms_cat_constraint *next_in_table;
    const struct ms_cat_table *table;
    const char *name; /* as given, or PostgreSQL's default name */
    enum ms_cat_constraint_kind kind;
    size_t n_columns; /* the columns it constrains; none known for CHECK */
    const char **columns;
    bool validated; /* false while NOT VALID */
    /* MS_CON_FOREIGN: the referenced table as named, and its columns (none: its primary key) */
    const char *ref_schema, *ref_table;
    size_t n_ref_columns;
    const char **ref_columns;
};

struct ms_cat_index {
    struct ms_cat_link link;
    struct ms_cat_index *next_in_table;
    const struct ms_cat_table *table;
    const char *name; /* as given, or PostgreSQL's default name (approximated) */
    size_t n_columns; /* key columns in order; NULL for an expression */
    const char **columns;
    bool unique;
    bool partial;           /* WHERE ... */
    bool has_expressions;   /* some key is an expression */
    const char *constraint; /* the PRIMARY KEY, UNIQUE or EXCLUDE constraint it backs, or NULL */
};

struct ms_cat_table {
    struct ms_cat_link link;
    const char *schema; /* NULL when the statement named none */
    const char *name;
    bool known;            /* created by a statement of the history */
    bool columns_complete; /* every column is listed (false for PARTITION OF, AS, LIKE, unknown) */
    bool change_set_new;   /* created by a migration that is not deployed yet */
    const char *origin;    /* display id of the migration that created it (NULL if unknown) */
    size_t n_columns, cap_columns;
    struct ms_cat_column **columns; /* in order */
    struct ms_cat_index *indexes;   /* newest first */
    struct ms_cat_constraint *constraints;
    struct ms_cat_member member; /* private */
};

struct ms_cat_enum {
    struct ms_cat_link link;
    const char *schema;
    const char *name;
    size_t n_values, cap_values;
    const char **values;         /* in sort order */
    struct ms_cat_member member; /* private */
};

/* Where a statement comes from. */
struct ms_catalog_origin {
    const char *migration; /* display id: revision, version or file path */
    bool in_change_set;    /* the migration is not deployed yet: what it creates counts as new */
};

struct ms_catalog_set {
    size_t n, n_buckets;
    struct ms_cat_link **buckets;
};

struct ms_catalog {
    struct ms_arena arena;
    struct ms_catalog_set tables, columns, indexes, constraints, enums, schemas;
};

void ms_catalog_init(struct ms_catalog *cat);
/* Forgets every object: a new history begins. */
void ms_catalog_clear(struct ms_catalog *cat);
void ms_catalog_release(struct ms_catalog *cat);

/* Replays one parsed statement (a PgQuery__Node as in ParseResult.stmts[i]->stmt). Statements
 * it does not model are ignored; a statement that would fail in PostgreSQL (a missing object
 * without IF EXISTS) changes nothing it cannot find. Strings are copied: the tree may be freed
 * afterwards. `origin` may be NULL. */
void ms_catalog_apply(struct ms_catalog *cat, const PgQuery__Node *stmt,
                      const struct ms_catalog_origin *origin);

/* The table (or materialized view) schema.name, known or not; schema may be NULL or "". When
 * several match a name without a schema, one without a schema or in "public" is preferred. */
const struct ms_cat_table *ms_catalog_find_table(const struct ms_catalog *cat, const char *schema,
                                                 const char *name);
/* A column of the table, or NULL (which means "no such column" only when columns_complete). */
const struct ms_cat_column *ms_catalog_find_column(const struct ms_catalog *cat,
                                                   const struct ms_cat_table *t, const char *name);
/* A constraint of the table by name, or NULL. */
const struct ms_cat_constraint *ms_catalog_find_constraint(const struct ms_catalog *cat,
                                                           const struct ms_cat_table *t,
                                                           const char *name);
/* An index by name (index names are unique per schema), or NULL. */
const struct ms_cat_index *ms_catalog_find_index(const struct ms_catalog *cat, const char *schema,
                                                 const char *name);
/* Does a complete (not partial) index of the table, including those that back PRIMARY KEY,
 * UNIQUE and EXCLUDE constraints, have exactly these n columns, in any order, as its first n
 * keys? Such an index serves lookups by those columns (a foreign key's checks). */
bool ms_catalog_has_leading_index(const struct ms_catalog *cat, const struct ms_cat_table *t,
                                  size_t n, const char *const *columns);
/* The enum type schema.name, or NULL. */
const struct ms_cat_enum *ms_catalog_find_enum(const struct ms_catalog *cat, const char *schema,
                                               const char *name);
/* Was schema.name created by a migration of the change set (not deployed yet)? */
bool ms_catalog_table_is_change_set_new(const struct ms_catalog *cat, const char *schema,
                                        const char *name);

#endif
