/* migration.h: what the engine knows about a migration beyond its statements: which tool runs
 * it, what its way back looks like, and where it stands in its history. Loaders (SQL files,
 * Alembic revisions) and the history analysis fill it; rules read it through ms_ctx_migration().
 * All strings and offsets refer to the migration's source (offsets into its text). */
#ifndef MS_MIGRATION_H
#define MS_MIGRATION_H

#include "migsafe.h"

/* Every migration tool, X(CONSTANT, "name"): the name is the one `framework:` takes in
 * .migsafe.yml and the one messages use. MS_TOOL_SQL is a plain SQL file (no tool semantics
 * known), MS_TOOL_ALEMBIC an Alembic revision (.py). tools.h detects the others. */
#define MS_TOOL_KINDS(X)                                                                           \
    X(SQL, "plain")                                                                                \
    X(ALEMBIC, "alembic")                                                                          \
    X(GOLANG_MIGRATE, "golang-migrate")                                                            \
    X(POP, "pop")                                                                                  \
    X(GOOSE, "goose")                                                                              \
    X(DBMATE, "dbmate")                                                                            \
    X(FLYWAY, "flyway")                                                                            \
    X(SQLX, "sqlx")                                                                                \
    X(DIESEL, "diesel")                                                                            \
    X(SQITCH, "sqitch")                                                                            \
    X(PRISMA, "prisma")                                                                            \
    X(SOURCEGRAPH, "sourcegraph")                                                                  \
    X(POSTGRES_MIGRATIONS, "postgres-migrations")

enum ms_tool {
#define MS_TOOL_ENUM(id, name) MS_TOOL_##id,
    MS_TOOL_KINDS(MS_TOOL_ENUM)
#undef MS_TOOL_ENUM
};

/* The tool's name ("golang-migrate"), as `framework:` takes it. */
const char *ms_tool_name(enum ms_tool tool);

/* How the tool runs a part of a migration (a file, or a section of a goose or dbmate file). */
enum ms_tx_mode {
    MS_TX_NONE,              /* statement by statement: each autocommits unless the text itself
                                opens a block with BEGIN */
    MS_TX_EXPLICIT,          /* the tool wraps the part in one transaction (BEGIN ... COMMIT) */
    MS_TX_IMPLICIT_IF_MULTI, /* the part is sent as one Exec (simple query): PostgreSQL runs it
                                as one implicit transaction when it holds several statements */
    MS_TX_BY_STATEMENTS,     /* Flyway: decided from the statements; see ms_tools_resolve_tx() */
};

/* What a statement's transaction is. */
enum ms_tx_kind {
    MS_TXK_NONE,     /* none: the statement autocommits */
    MS_TXK_BLOCK,    /* a BEGIN (or START TRANSACTION) in the text */
    MS_TXK_TOOL,     /* the tool wraps the file or section in BEGIN ... COMMIT */
    MS_TXK_IMPLICIT, /* the tool sends several statements as one Exec: PostgreSQL runs them as
                        one implicit transaction, which COMMIT does not end */
};

/* A part of a migration's text that its tool runs on its own: the whole file, or the Up or
 * Down section of a goose or dbmate file. Statements outside every part (text before the first
 * marker) are not run by the tool. */
struct ms_part {
    size_t start, end;  /* byte offsets in the text */
    bool down;          /* the way back, not the migration */
    enum ms_tx_mode tx; /* never MS_TX_BY_STATEMENTS once loaded */
    bool as_written;    /* the text's own statements say where transactions begin and end
                           (Alembic's lowering emits them): tx is not applied */
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
    /* how the tool runs the text (no parts: as one plain file, see assume_in_transaction) */
    size_t n_parts;
    const struct ms_part *parts; /* a statement belongs to the first that holds it (a goose
                                    StatementBegin block comes before its section) */
    const char *tx_hint;         /* how to run a statement outside the tool's transaction */
    bool is_down;                /* the whole file is another migration's way back */
    bool context_only;           /* read to replay the history, not linted */
    size_t flyway_mixed;         /* Flyway refuses the file: the first statement whose
                                    transaction kind differs (offset + 1; 0 when not mixed) */
    size_t n_sections;           /* sorted by offset; findings before the first have no section */
    const struct ms_section *sections;
    const char *name; /* revision id or version for messages; NULL when the file is enough */
    enum ms_down down;
    size_t down_offset; /* where the downgrade is (or would be) defined */
    bool up_empty;      /* the upgrade does nothing at all (an Alembic upgrade(), an up file
                           or section of only comments and white space) */
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
