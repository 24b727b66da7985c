/* tools.h: which migration tool runs each file, and how.
 *
 * Given the files of one folder tree, ms_tools_detect() tells for each file which tool runs it
 * (from file names, markers in the files, and the tool's own files beside them: sqitch.plan,
 * metadata.toml, metadata.yaml, <script>.sql.conf, migration_lock.toml), groups the files into
 * migrations (an up and its way back: a twin file, a section, a Flyway U file, a sqitch revert
 * script), orders them as the tool does, and says how the tool runs each part: inside a
 * transaction of its own, as one Exec (one implicit transaction when it holds several
 * statements), or statement by statement. Tool by tool, the rules are in docs/frameworks.md.
 *
 * A pure library: it reads files, never prints, and knows no engine, rule or reporter. It
 * never parses SQL; what depends on the statements (Flyway decides per file from them) is
 * resolved afterwards with ms_tools_resolve_tx(), fed with what the parser found. Alembic
 * revisions are recognised (kind MS_KIND_ALEMBIC) but analysed by src/history.c. */
#ifndef MS_TOOLS_H
#define MS_TOOLS_H

#include "arena.h"
#include "migration.h"

/* Every tool, in the order of enum ms_tool (MS_TOOL_KINDS in migration.h): a kind converts to
 * an ms_tool by a cast. */
enum ms_tool_kind {
#define MS_TOOL_KIND_ENUM(id, name) MS_KIND_##id,
    MS_TOOL_KINDS(MS_TOOL_KIND_ENUM)
#undef MS_TOOL_KIND_ENUM
        MS_KIND_COUNT
};

/* The tool's name ("golang-migrate"); "?" for a value out of range. */
const char *ms_tools_kind_name(enum ms_tool_kind kind);
/* The kind a `framework:` value names (the names above, case-insensitive, and the aliases
 * "sql" for plain, "migrate" for golang-migrate, "popx" for pop). Returns -1 for an unknown
 * name, 0 otherwise. */
int ms_tools_kind_parse(const char *name, enum ms_tool_kind *out);

/* What a file is to its migration. */
enum ms_tools_role {
    MS_ROLE_UP,      /* the migration's up, and only that */
    MS_ROLE_DOWN,    /* its way back: a .down.sql twin, down.sql, a Flyway U file, a sqitch
                        revert script */
    MS_ROLE_UP_DOWN, /* both, as sections of one file (goose, dbmate) */
    MS_ROLE_VERIFY,  /* a sqitch verify script: run after deploy, changes nothing */
    MS_ROLE_IGNORED, /* in the tool's folder but not run by it (see note): another database's
                        file, a name the tool does not accept, a file another one supersedes;
                        also every Alembic revision (MS_KIND_ALEMBIC), left to src/history.c */
};

#define MS_TOOLS_NONE ((size_t)-1)

/* A StatementBegin ... StatementEnd block of a goose file: goose sends its content as one
 * statement (one Exec), whatever it holds. */
struct ms_tools_block {
    size_t start, end; /* the content: from the line after StatementBegin to the start of the
                          StatementEnd line */
    bool in_down;      /* inside the Down section */
};

/* The up or the down part of a file. For MS_ROLE_UP and MS_ROLE_DOWN files the part is the
 * whole file; for MS_ROLE_UP_DOWN files it is the text after the marker up to the next marker
 * or the end. Offsets are bytes of the file as read (a UTF-8 BOM included). */
struct ms_tools_section {
    bool present;       /* the marker (or the file) exists */
    bool empty;         /* only white space and comments */
    size_t marker;      /* where a finding about the section belongs: the marker line, or 0 */
    size_t start, end;  /* the section's text */
    enum ms_tx_mode tx; /* how the tool runs it */
    const char *hint;   /* how to run a statement outside a transaction with this tool, for
                           messages ("add -- +goose NO TRANSACTION ..."); set for every part */
};

struct ms_tools_file {
    const char *path; /* as given */
    enum ms_tool_kind tool;
    enum ms_tools_role role;
    size_t migration;             /* index in ms_tools_result.migrations; MS_TOOLS_NONE for
                                     MS_ROLE_IGNORED files and Alembic revisions */
    struct ms_tools_section up;   /* MS_ROLE_UP and MS_ROLE_UP_DOWN */
    struct ms_tools_section down; /* MS_ROLE_DOWN and MS_ROLE_UP_DOWN */
    size_t n_blocks;              /* goose StatementBegin/End blocks, in file order */
    const struct ms_tools_block *blocks;
    const char *note; /* why it is ignored, or what migsafe read differently from
                         the tool (a marker in unusual case, a missing Up); NULL */
};

struct ms_tools_migration {
    enum ms_tool_kind tool;
    const char *group;        /* the folder whose migrations form one history */
    const char *version;      /* the version as written ("1_2_10", "20240101120000"); NULL when
                                 the tool has none (Flyway R__, sqitch, plain files) */
    const char *name;         /* the description or change name; may be "" */
    const char *id;           /* how messages name it: "V1.2.10", "20240101120000_users",
                                 "users@v1.0", the folder name (diesel, Prisma) */
    size_t up_file;           /* index in ms_tools_result.files; MS_TOOLS_NONE when absent */
    size_t down_file;         /* the same index as up_file for MS_ROLE_UP_DOWN files */
    size_t verify_file;       /* sqitch */
    enum ms_down down;        /* NOT_APPLICABLE, PRESENT, ABSENT or EMPTY (never RAISES) */
    size_t down_offset;       /* where a missing-downgrade finding goes, in up_file: goose and
                                 dbmate, the Down marker line when there is one, else the first
                                 statement of the up section; other tools, the up file's first
                                 statement (0 when it has none) */
    bool up_empty;            /* the up file or section holds only comments and white space */
    bool repeatable;          /* Flyway R__: runs after every versioned one, again on change */
    bool baseline;            /* Flyway B: replaces the versioned ones up to its version on a
                                 fresh database */
    bool flyway_mixed;        /* flyway.conf / flyway.toml: mixed = true */
    bool flyway_group;        /* ...: group = true (all pending migrations in one transaction) */
    const char *duplicate_of; /* the up of another migration of the group with the same version
                                 (the tool refuses both); NULL */
};

struct ms_tools_options {
    /* The `framework:` of each path's .migsafe.yml, parallel to the paths (NULL entries, or a
     * NULL array: detect). A file with an override is read as that tool's file whatever its
     * name; an unknown name counts as no override. */
    const char *const *frameworks;
};

struct ms_tools_result {
    size_t n_files;
    struct ms_tools_file *files; /* parallel to the paths given */
    size_t n_migrations;
    struct ms_tools_migration *migrations; /* in run order: groups by path, then each group in
                                              its tool's order */
    struct ms_arena arena;                 /* owns every string, block and note */
};

/* Detects the tool of each of paths[0..n) (.sql files and Alembic revisions of one folder tree
 * given on the command line: evidence found in one folder, such as an sqlx marker, decides the
 * folders of the same tree whose names alone are ambiguous, so call it once per tree) and fills
 * `out`, which the caller releases with ms_tools_release(). Reads the files and the tool files
 * beside and above them; a file that cannot be read keeps the tool its name gives (with a
 * note). Never fails. */
void ms_tools_detect(const char *const *paths, size_t n, const struct ms_tools_options *opts,
                     struct ms_tools_result *out);
void ms_tools_release(struct ms_tools_result *r);

/* Compares two digit strings (la and lb digits long) as the numbers they spell, leading zeros
 * and all, without overflow: <0, 0 or >0. */
int ms_tools_compare_numbers(const char *a, size_t la, const char *b, size_t lb);

/* ---- what depends on the statements ---- */

/* Does Flyway run this statement outside a transaction? Flyway decides from the first keywords
 * of the statement's text (PostgreSQLParser): CREATE/DROP [UNIQUE] INDEX CONCURRENTLY,
 * CREATE/DROP DATABASE|TABLESPACE|SUBSCRIPTION, ALTER SYSTEM, REINDEX [VERBOSE]
 * SCHEMA|DATABASE|SYSTEM, VACUUM, DISCARD ALL, and on PostgreSQL before 12 ALTER TYPE ... ADD
 * VALUE. Not detected, so run inside Flyway's transaction: REINDEX TABLE|INDEX ...
 * CONCURRENTLY, ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY. `stmt` is the statement's
 * text (leading comments allowed), `len` its length. */
bool ms_tools_flyway_outside_tx(const char *stmt, size_t len, int pg_version);

struct ms_tools_tx {
    enum ms_tx_mode tx; /* never MS_TX_BY_STATEMENTS */
    bool mixed;         /* Flyway refuses the file: it mixes statements it runs outside a
                           transaction with ones it runs inside, and mixed is not allowed */
    size_t offending;   /* with mixed: the first statement whose kind differs from the first
                           statement's (the one Flyway's error names) */
};

/* How the part `s` of migration `m` runs, given for each of its n statements whether Flyway
 * runs it outside a transaction (ms_tools_flyway_outside_tx(); `outside` may be NULL for tools
 * other than Flyway). For other tools the answer is s->tx. For Flyway: an executeInTransaction
 * in <script>.sql.conf decides when there is one; otherwise a file with any statement Flyway
 * runs outside a transaction runs statement by statement (MS_TX_NONE), else in one
 * transaction; the mixed check applies either way. */
void ms_tools_resolve_tx(const struct ms_tools_migration *m, const struct ms_tools_section *s,
                         const bool *outside, size_t n, struct ms_tools_tx *out);

#endif
