/* effects.h: what a statement creates, drops and renames, by name.
 *
 * A down migration undoes its up when it drops (or renames back) everything the up creates
 * (or renames). This module reads those effects from one statement's parse tree, with no
 * state and no catalog: the objects the issue of reversibility is about (tables, columns,
 * indexes, constraints, types and schemas), named as the statement names them. What the syntax
 * cannot name is left out: an index or constraint created without a name (PostgreSQL picks
 * one), and objects a CASCADE removes. Nothing here allocates; strings point into the tree. */
#ifndef MS_EFFECTS_H
#define MS_EFFECTS_H

#include "arena.h"
#include "migsafe.h"
#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

enum ms_obj_kind {
    MS_OBJ_TABLE,
    MS_OBJ_COLUMN,
    MS_OBJ_INDEX,
    MS_OBJ_CONSTRAINT,
    MS_OBJ_TYPE, /* enum, composite, range types and domains */
    MS_OBJ_SCHEMA,
    MS_OBJ_VIEW, /* views and materialized views: followed so that the indexes on them are */
};

enum ms_effect_op { MS_EFFECT_CREATE, MS_EFFECT_DROP, MS_EFFECT_RENAME };

struct ms_effect {
    enum ms_effect_op op;
    enum ms_obj_kind kind;
    const char *schema;   /* NULL when the statement names none */
    const char *table;    /* columns and constraints: their table; indexes: their table when
                             created (NULL when dropped) */
    const char *name;     /* the object (for a table: the table; for a schema: the schema) */
    const char *new_name; /* MS_EFFECT_RENAME: the new name */
    bool cascade;         /* MS_EFFECT_DROP ... CASCADE: takes dependent objects along */
    bool if_exists;       /* MS_EFFECT_DROP ... IF EXISTS: the object may not have existed */
    /* created indexes and constraints: the columns they use (dropping one drops them) */
    size_t n_cols;
    const char *const *cols;
};

typedef void (*ms_effect_fn)(void *arg, const struct ms_effect *e);

/* Calls fn for each effect of the statement, in the order the statement has them. `arena`
 * holds the column lists of indexes and constraints (valid as long as it is); with a NULL
 * arena the lists are left empty. */
void ms_effects_of(const PgQuery__Node *stmt, struct ms_arena *arena, ms_effect_fn fn, void *arg);

/* Same kind, and the same names (a schema only compared when both name one). */
bool ms_effect_same_object(const struct ms_effect *a, const struct ms_effect *b);

/* "table \"users\"", "column \"users\".\"email\"" ... for messages, into buf. */
const char *ms_effect_describe(const struct ms_effect *e, char *buf, size_t size);

/* Does dropping `d` remove `x`: the object itself, its table, its schema, or (an index or
 * constraint) one of its columns? */
bool ms_effect_drop_covers(const struct ms_effect *d, const struct ms_effect *x);

/* The net effect of an up migration, for judging its down: what it creates (and did not drop
 * again) and what it renames, each with the line that does it. An object the up drops (without
 * IF EXISTS: it surely existed before) and then creates again under the same name is re-created,
 * not created: it was there before the up, and the down must leave it. Owns its memory. */
struct ms_effect_rec {
    struct ms_effect e;
    uint32_t line;
};
struct ms_effect_log {
    bool active;           /* reset for an up migration since the run began */
    const char *migration; /* the migration's name (a down file names the same) */
    const char *path;      /* the up's file */
    size_t n_created, cap_created;
    struct ms_effect_rec *created;
    size_t n_renames, cap_renames;
    struct ms_effect_rec *renames;
    size_t n_dropped, cap_dropped;
    struct ms_effect
        *dropped; /* what existed before the up and is gone (dropped, or renamed away) */
    struct ms_arena arena;
};

/* Starts the log of a new up migration. */
void ms_effect_log_reset(struct ms_effect_log *log, const char *migration, const char *path);
/* Adds one effect of the up (a drop or rename of something it created updates that). */
void ms_effect_log_note(struct ms_effect_log *log, const struct ms_effect *e, uint32_t line);
void ms_effect_log_release(struct ms_effect_log *log);

#endif
