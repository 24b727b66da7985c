/* history.h: the migrations of a run as their tools see them: which files belong together,
 * in what order they run, and what their history says (Alembic's revision graph).
 *
 * Built once per run, before linting, from the headers of the files (no parsing of SQL): the
 * run then lints the files in the order returned here and hands each file's ms_migration to
 * the engine. */
#ifndef MS_HISTORY_H
#define MS_HISTORY_H

#include "arena.h"
#include "discover.h"
#include "migration.h"
#include "tools.h"

struct ms_alembic_header;

struct ms_history_entry {
    const char *path;
    const char *group; /* files of one history: an Alembic versions folder, else the folder */
    const struct ms_alembic_header *header; /* Alembic revisions: the module header */
    struct ms_migration migration; /* tool, name and history facts; the loader adds the rest */
    /* Alembic: this revision runs in the same transaction as the previous entry (all pending
     * revisions of one `alembic upgrade` share one, unless env.py asks for one per revision) */
    bool shares_transaction;
    /* a revision of the same folder that was not asked for: read for the history (its parent
     * links, heads, duplicates), not linted */
    bool context_only;
    /* SQL tools: the migration and the part as the tool detection found them (Flyway's
     * transaction is decided from the statements, once they are parsed); NULL otherwise */
    const struct ms_tools_migration *tool_migration;
    const struct ms_tools_section *tool_section;
    const struct ms_tools_file *tool_file;
};

struct ms_history {
    size_t n;
    struct ms_history_entry *entries; /* in run order */
    struct ms_arena arena;            /* owns entries and their strings */
    struct ms_tools_result tools;     /* the SQL files' tools (entries point into it) */
};

/* A setting for a path, from its .migsafe.yml (and the command line): `framework:` (NULL:
 * detect) or `new_since:` (NULL: every migration is deployed). */
typedef const char *(*ms_framework_fn)(void *arg, const char *path);

/* Orders list->paths as the tools run them (Alembic revisions of one folder by their
 * down_revision chain, SQL files as their tool does, see tools.h) and computes each file's
 * history facts. A .py file that is not an Alembic revision is dropped from the list (with a
 * note when verbose), and so is an SQL file its tool does not run. The other migrations of
 * the folders of the files given are added as context-only entries, so that their history
 * (the schema they build) is known. `framework` may be NULL. With `new_since` (may be NULL),
 * the migrations of a history that run after the one new_since names (by version, revision or
 * name) are marked in_change_set: not deployed yet. */
void ms_history_build(struct ms_file_list *list, bool verbose, ms_framework_fn framework,
                      ms_framework_fn new_since, void *framework_arg, struct ms_history *out);
void ms_history_release(struct ms_history *h);

/* Is this path an Alembic revision by its name alone (.py, not env.py)? */
bool ms_history_is_python(const char *path);

#endif
