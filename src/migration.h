/* migration.h: what the engine knows about a migration beyond its statements: which tool runs
 * it, what its way back looks like, and where it stands in its history. Loaders (SQL files,
 * Alembic revisions) and the history analysis fill it; rules read it through ms_ctx_migration().
 * All strings and offsets refer to the migration's source (offsets into its text). */
#ifndef MS_MIGRATION_H
#define MS_MIGRATION_H

#include "migsafe.h"

enum ms_tool {
    MS_TOOL_SQL,     /* a plain SQL file: no tool semantics known */
    MS_TOOL_ALEMBIC, /* an Alembic revision (.py) */
};

/* The state of a migration's way back (downgrade() for Alembic). */
enum ms_down {
    MS_DOWN_NOT_APPLICABLE, /* the tool has no downs, or the file is plain SQL */
    MS_DOWN_PRESENT,
    MS_DOWN_ABSENT, /* no downgrade at all */
    MS_DOWN_EMPTY,  /* only pass, ..., a docstring or comments */
    MS_DOWN_RAISES, /* raise NotImplementedError */
};

/* A part of one file that is a migration of its own: `alembic upgrade --sql` output holds one
 * "-- Running upgrade a -> b" section per revision. */
struct ms_section {
    size_t offset; /* where the section starts in the text */
    const char *name;
};

struct ms_migration {
    enum ms_tool tool;
    size_t n_sections; /* sorted by offset; findings before the first have no section */
    const struct ms_section *sections;
    const char *name; /* revision id or version for messages; NULL when the file is enough */
    enum ms_down down;
    size_t down_offset; /* where the downgrade is (or would be) defined */
    bool up_empty;      /* the upgrade does nothing at all */
    size_t up_offset;
    bool is_merge; /* an Alembic merge revision: empty bodies are correct */
    /* history, for tools whose migrations name their parent (Alembic) */
    size_t revision_offset;   /* the revision assignment */
    size_t parent_offset;     /* the down_revision assignment */
    size_t n_unknown_parents; /* parents (down_revision, depends_on) not in the folder */
    const char **unknown_parents;
    const size_t *unknown_offsets;     /* where each is named */
    const bool *unknown_is_dependency; /* named by depends_on, not down_revision */
    const char *duplicate_of;          /* another file with the same revision id, or NULL */
    size_t n_heads;                    /* > 1: this revision is one of several unmerged heads */
    const char **heads;                /* all of them, sorted */
    bool is_head;
    /* not deployed yet (part of the change under review): the tables it creates count as new
     * in the migrations after it */
    bool in_change_set;
};

#endif
