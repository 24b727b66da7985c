/* locks.h: the table-level locks a statement takes, and what it does to the rows under them.
 *
 * One table of PostgreSQL 15's behaviour, read from the parse tree alone: for each statement
 * kind (and each ALTER TABLE command, after AlterTableGetLockLevel in tablecmds.c), which
 * relations it names get which lock mode, and whether it scans or rewrites them while holding
 * it. Rules ask this module instead of keeping lock facts of their own. Every answer is checked
 * against a real server by tests/locks/verify.sh (see tests/locks/cases.txt) and against this
 * code by tests/test_locks.c.
 *
 * Only relations the statement names are listed. Not listed, because the syntax cannot tell:
 * ACCESS SHARE / ROW SHARE locks of the relations a query reads; partitions and inheritance
 * children an ALTER TABLE recurses to; the table a dropped foreign key references (DROP
 * CONSTRAINT and DROP TABLE take ACCESS EXCLUSIVE on it too); tables that use a dropped type or
 * domain. Nothing here allocates: results are plain values, filled in place (do not copy a
 * struct ms_locks: its `tag` may point into it). */
#ifndef MS_LOCKS_H
#define MS_LOCKS_H

#include "migsafe.h"
#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

/* PostgreSQL's table-level lock modes, weakest first (the order of lockdefs.h). */
enum ms_lock_mode {
    MS_LOCK_NONE,
    MS_LOCK_ACCESS_SHARE,
    MS_LOCK_ROW_SHARE,
    MS_LOCK_ROW_EXCLUSIVE,
    MS_LOCK_SHARE_UPDATE_EXCLUSIVE,
    MS_LOCK_SHARE,
    MS_LOCK_SHARE_ROW_EXCLUSIVE,
    MS_LOCK_EXCLUSIVE,
    MS_LOCK_ACCESS_EXCLUSIVE,
};

/* What the statement does to the relation's rows while it holds the lock. */
enum ms_work {
    MS_WORK_NONE,    /* catalog only: over as soon as the lock is granted */
    MS_WORK_SCAN,    /* reads every row (validation, index build) */
    MS_WORK_REWRITE, /* writes a new copy of the table and its indexes */
};

/* What a lock's relation is, as far as the statement says. */
enum ms_relkind {
    MS_REL_TABLE, /* a table, partitioned table or foreign table */
    MS_REL_INDEX,
    MS_REL_INDEX_TABLE, /* the table the index `rel` belongs to, which the statement does not name
                         */
    MS_REL_VIEW,
    MS_REL_MATVIEW,
    MS_REL_SEQUENCE,
};

struct ms_lock {
    PgQuery__RangeVar rel; /* the relation as named (relname, schemaname, location); its strings
                              point into the parse tree */
    enum ms_relkind kind;
    enum ms_lock_mode mode;
    enum ms_work work;
    bool work_maybe; /* the work is skipped in cases the syntax cannot tell: a binary-compatible
                        type change, a validated CHECK proving NOT NULL, a partition constraint
                        already implied, a plan that probes an index */
};

#define MS_LOCKS_MAX 32

struct ms_locks {
    bool known;       /* the statement kind is in the table (even when it locks nothing named) */
    const char *tag;  /* PostgreSQL's command tag ("ALTER TABLE", "CREATE INDEX"); for unknown
                         kinds one made of the node's name ("CREATE EXTENSION") */
    size_t n;         /* one entry per relation: its strongest mode and work */
    size_t n_dropped; /* relations past MS_LOCKS_MAX (DROP TABLE of very many tables) */
    struct ms_lock items[MS_LOCKS_MAX];
    char tag_buf[48]; /* holds `tag` when it is made of the node's name */
};

/* The locks statement `stmt` takes on PostgreSQL `pg_version` (a major: 11, 15). */
void ms_locks_stmt(const PgQuery__Node *stmt, int pg_version, struct ms_locks *out);
/* The locks one command of an ALTER TABLE takes on its own (the statement takes the strongest
 * of its commands' modes): the altered relation first, then any other (the referenced table of
 * a foreign key, the partition attached). */
void ms_locks_alter_cmd(const PgQuery__AlterTableStmt *stmt, const PgQuery__AlterTableCmd *cmd,
                        int pg_version, struct ms_locks *out);
/* The entry for relation `relname` (and `schema` when not NULL), or NULL. */
const struct ms_lock *ms_locks_find(const struct ms_locks *locks, const char *schema,
                                    const char *relname);

/* "ACCESS EXCLUSIVE", spelled as LOCK TABLE and the documentation spell it; "no lock". */
const char *ms_lock_mode_name(enum ms_lock_mode mode);
/* What the mode keeps others from doing, for messages: "reads and writes", "writes", ... */
const char *ms_lock_mode_blocks(enum ms_lock_mode mode);
/* Do two lock modes conflict (the table in "Explicit Locking")? */
bool ms_lock_conflicts(enum ms_lock_mode a, enum ms_lock_mode b);
/* "scans", "rewrites" or "" */
const char *ms_work_name(enum ms_work work);
/* The command's words for messages: "ADD COLUMN", "SET NOT NULL", "VALIDATE CONSTRAINT". */
const char *ms_alter_cmd_name(const PgQuery__AlterTableCmd *cmd);

#endif
