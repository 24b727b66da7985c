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
};

struct ms_history {
    size_t n;
    struct ms_history_entry *entries; /* in run order */
    struct ms_arena arena;            /* owns entries and their strings */
};

/* Orders list->paths as the tools run them (Alembic revisions of one folder by their
 * down_revision chain, the rest by path) and computes each file's history facts. A .py file
 * that is not an Alembic revision is dropped from the list (with a note when verbose). */
void ms_history_build(struct ms_file_list *list, bool verbose, struct ms_history *out);
void ms_history_release(struct ms_history *h);

/* Is this path an Alembic revision by its name alone (.py, not env.py)? */
bool ms_history_is_python(const char *path);

#endif
