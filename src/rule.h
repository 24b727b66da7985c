/* rule.h: everything a rule may use, and nothing more.
 *
 * A rule is one file in rules/ that exports one `const struct ms_rule ms_rule_<name>`. It says
 * what it flags (metadata) and supplies visitors for the node kinds it cares about; the engine
 * walks each migration in order and calls the visitors of the enabled rules. A rule never reads
 * files, prints, allocates with malloc or switches on node_case: it asks the context (ms_ctx_*)
 * what the migration has done so far and reports with ms_report().
 *
 * Parse trees are libpg_query's protobuf-c structs (PgQuery__*), valid for the duration of the
 * visit. Locations inside them are byte offsets relative to the statement; pass them to
 * ms_report() as they are. */
#ifndef MS_RULE_H
#define MS_RULE_H

#include "catalog.h"
#include "effects.h"
#include "duration.h"
#include "locks.h"
#include "migration.h"
#include "migsafe.h"
#include "nodes.h"
#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

enum ms_severity { MS_INFO = 1, MS_WARNING = 2, MS_ERROR = 3 };

/* The statement kinds the engine dispatches on: X(field, Type, CASE) where Type is the protobuf
 * struct PgQuery__<Type>, field the member of PgQuery__Node and CASE the node_case suffix. A rule
 * sets .visit_<field>; adding a kind here adds the member and the dispatch at once. */
#define MS_STMT_KINDS(X)                                                                           \
    X(alter_domain_stmt, AlterDomainStmt, ALTER_DOMAIN_STMT)                                       \
    X(alter_enum_stmt, AlterEnumStmt, ALTER_ENUM_STMT)                                             \
    X(alter_table_stmt, AlterTableStmt, ALTER_TABLE_STMT)                                          \
    X(cluster_stmt, ClusterStmt, CLUSTER_STMT)                                                     \
    X(composite_type_stmt, CompositeTypeStmt, COMPOSITE_TYPE_STMT)                                 \
    X(create_domain_stmt, CreateDomainStmt, CREATE_DOMAIN_STMT)                                    \
    X(create_enum_stmt, CreateEnumStmt, CREATE_ENUM_STMT)                                          \
    X(create_function_stmt, CreateFunctionStmt, CREATE_FUNCTION_STMT)                              \
    X(create_policy_stmt, CreatePolicyStmt, CREATE_POLICY_STMT)                                    \
    X(create_schema_stmt, CreateSchemaStmt, CREATE_SCHEMA_STMT)                                    \
    X(create_seq_stmt, CreateSeqStmt, CREATE_SEQ_STMT)                                             \
    X(create_stmt, CreateStmt, CREATE_STMT)                                                        \
    X(create_table_as_stmt, CreateTableAsStmt, CREATE_TABLE_AS_STMT)                               \
    X(create_trig_stmt, CreateTrigStmt, CREATE_TRIG_STMT)                                          \
    X(delete_stmt, DeleteStmt, DELETE_STMT)                                                        \
    X(do_stmt, DoStmt, DO_STMT)                                                                    \
    X(drop_stmt, DropStmt, DROP_STMT)                                                              \
    X(dropdb_stmt, DropdbStmt, DROPDB_STMT)                                                        \
    X(index_stmt, IndexStmt, INDEX_STMT)                                                           \
    X(insert_stmt, InsertStmt, INSERT_STMT)                                                        \
    X(lock_stmt, LockStmt, LOCK_STMT)                                                              \
    X(refresh_mat_view_stmt, RefreshMatViewStmt, REFRESH_MAT_VIEW_STMT)                            \
    X(reindex_stmt, ReindexStmt, REINDEX_STMT)                                                     \
    X(rename_stmt, RenameStmt, RENAME_STMT)                                                        \
    X(transaction_stmt, TransactionStmt, TRANSACTION_STMT)                                         \
    X(truncate_stmt, TruncateStmt, TRUNCATE_STMT)                                                  \
    X(update_stmt, UpdateStmt, UPDATE_STMT)                                                        \
    X(vacuum_stmt, VacuumStmt, VACUUM_STMT)                                                        \
    X(variable_set_stmt, VariableSetStmt, VARIABLE_SET_STMT)                                       \
    X(view_stmt, ViewStmt, VIEW_STMT)

struct ms_ctx;  /* the engine's per-migration state; opaque to rules */
struct ms_diag; /* a finding, see diag.h */

struct ms_rule {
    const char *id; /* kebab-case, stable once released */
    enum ms_severity severity;
    const char *category; /* "data-loss", "locking", "failure", "reversibility", "syntax" ... */
    const char *summary;  /* one line: what is flagged */
    const char *help;     /* one line: the safe alternative */
    int min_pg, max_pg;   /* PostgreSQL majors the rule applies to; 0 means unbounded */
    bool opt_in;          /* off unless enabled by --enable or configuration */
    bool final_schema;    /* asks ms_ctx_final_catalog(): the run replays each history once
                             more, ahead of linting it, while the rule is active */
    bool on_down;         /* also runs on down migrations by default: it predicts a failure,
                             and a way back that cannot run is no way back */

#define MS_DECLARE_VISITOR(field, Type, CASE)                                                      \
    void (*visit_##field)(struct ms_ctx * ctx, const PgQuery__##Type *node);
    MS_STMT_KINDS(MS_DECLARE_VISITOR)
#undef MS_DECLARE_VISITOR

    /* Every statement, whatever its kind, before the visitors of its kind: for rules about all
     * statements, which pass it on to ms_locks_stmt() and never switch on node_case. */
    void (*visit_stmt)(struct ms_ctx *ctx, const PgQuery__Node *node);
    /* Each command of an ALTER TABLE, after visit_alter_table_stmt; stmt is its parent. */
    void (*visit_alter_table_cmd)(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd);
    /* Each column a statement declares on a table: the columns of CREATE TABLE (not of a
     * temporary table), ADD COLUMN, and ALTER COLUMN ... TYPE (col->colname is the column's
     * name, col->type_name the new type). Reports point at the command in an ALTER TABLE. */
    void (*visit_column_def)(struct ms_ctx *ctx, const PgQuery__RangeVar *rel,
                             const PgQuery__ColumnDef *col);
    /* Once before the first statement, for rules about the migration itself (its way back,
     * its place in the history); report with ms_report_offset(). */
    void (*check_migration)(struct ms_ctx *ctx, const struct ms_migration *m);
    /* Once after the last statement of a migration, for rules that judge the whole of it. */
    void (*end_migration)(struct ms_ctx *ctx);
};

/* The registry: one extern per line of rules/rules.def, so a misnamed rule fails to link. */
#define MS_RULE(name) extern const struct ms_rule ms_rule_##name;
#include "rules.def"
#undef MS_RULE

/* ---- reporting ---- */

/* Reports a finding of the calling rule. `location` is a byte offset inside the current
 * statement as libpg_query gives it (node->location), or -1 for the statement's first token.
 * The message names the objects, quoted as PostgreSQL quotes them ("users"). */
struct ms_diag *ms_report(struct ms_ctx *ctx, int location, const char *fmt, ...) MS_PRINTF(3, 4);
/* Replaces the rule's static help line for one finding (to name the objects in the recipe). */
void ms_diag_set_help(struct ms_ctx *ctx, struct ms_diag *d, const char *fmt, ...) MS_PRINTF(3, 4);

/* Reports at a byte offset of the migration's source text (not of a statement), for
 * check_migration: the line of a downgrade() definition, a down_revision assignment. */
struct ms_diag *ms_report_offset(struct ms_ctx *ctx, size_t offset, const char *fmt, ...)
    MS_PRINTF(3, 4);

/* ---- what the migration has done so far (state before the current statement) ---- */

/* Was this table created earlier in the migration (CREATE TABLE, CREATE TABLE AS, SELECT INTO,
 * temporary tables), or by an earlier migration of the change set that is not deployed yet (see
 * ms_migration.in_change_set)? A brand-new table holds no rows and no one else is using it. */
bool ms_ctx_table_is_new(const struct ms_ctx *ctx, const PgQuery__RangeVar *rel);
/* Was this index built earlier in the migration on a table the migration created (so nobody
 * uses it yet)? `schema` may be NULL. */
bool ms_ctx_index_is_new(const struct ms_ctx *ctx, const char *schema, const char *name);
/* Does the current statement run inside a transaction block? */
bool ms_ctx_in_transaction(const struct ms_ctx *ctx);
/* What opened the transaction the current statement runs in (MS_TXK_NONE outside one), the
 * tool's name when the tool opened it, and how that tool lets a statement run outside its
 * transaction (NULL when the text opened it, or the tool has no way). */
struct ms_tx_info {
    enum ms_tx_kind kind;
    const char *tool;
    const char *hint;
};
struct ms_tx_info ms_ctx_transaction(const struct ms_ctx *ctx);
/* Is the current statement part of a down migration (a down file or section)? */
bool ms_ctx_in_down(const struct ms_ctx *ctx);
/* What the up of the current migration creates and renames (its net effect, see effects.h):
 * for a down section, the up section of the same file; for a down file, the up file linted
 * just before it (NULL when that was not this migration's up). */
const struct ms_effect_log *ms_ctx_up_effects(const struct ms_ctx *ctx);
/* Was lock_timeout set (SET or SET LOCAL) to a non-zero value earlier in the migration, or does
 * the configuration say the runner sets it (lock_timeout_set_by_runner)? */
bool ms_ctx_lock_timeout_set(const struct ms_ctx *ctx);
/* The longest lock_timeout the configuration accepts, in milliseconds (lock_timeout_limit;
 * 10000 unless configured). */
int ms_ctx_lock_timeout_limit_ms(const struct ms_ctx *ctx);
/* Was statement_timeout set to a non-zero value earlier in the migration (SET, or SET LOCAL in
 * the transaction still open)? */
bool ms_ctx_statement_timeout_set(const struct ms_ctx *ctx);
/* Is there a validated CHECK (column IS NOT NULL) on this table, added or validated earlier in
 * the migration? PostgreSQL 12+ then sets NOT NULL without scanning. */
bool ms_ctx_has_validated_not_null_check(const struct ms_ctx *ctx, const PgQuery__RangeVar *rel,
                                         const char *column);
/* Was constraint `name` on this table added NOT VALID earlier in the transaction the current
 * statement runs in (which may have begun in an earlier migration of the same run, as Alembic
 * runs all pending revisions in one transaction)? False outside a transaction block. */
bool ms_ctx_not_valid_in_transaction(const struct ms_ctx *ctx, const PgQuery__RangeVar *rel,
                                     const char *name);
/* Is the current statement one of a DO block's body? It then runs inside a transaction (the
 * DO's own or the open one), from a function: ms_ctx_in_transaction() is true. */
bool ms_ctx_in_do_block(const struct ms_ctx *ctx);
/* In visit_do_stmt: the i-th EXECUTE (from 0) of a string built at run time in the DO block's
 * PL/pgSQL body, which no rule sees into; false past the last one. *location is for
 * ms_report(), *expr the expression as written. EXECUTE of a string literal holding one
 * statement is not one of them: its statement is visited like the body's others. */
bool ms_ctx_do_dynamic_sql(struct ms_ctx *ctx, size_t i, int *location, const char **expr);
/* The current statement's SQL text: `*len` bytes, not NUL-terminated. Node locations are byte
 * offsets into it. Valid for the duration of the visit. */
const char *ms_ctx_stmt_sql(const struct ms_ctx *ctx, size_t *len);
/* The schema as the earlier migrations of the history and the earlier statements of this one
 * left it (the current statement is applied after the rules saw it); see catalog.h. Empty for
 * a migration linted on its own. */
const struct ms_catalog *ms_ctx_catalog(const struct ms_ctx *ctx);
/* The schema as the whole history leaves it: every migration of the folder replayed, the ones
 * after the current one included. NULL for a migration linted on its own, or when the history
 * holds no other migration: the catalog at the end of this one is then all there is. */
const struct ms_catalog *ms_ctx_final_catalog(const struct ms_ctx *ctx);
/* The migration being linted (tool, way back, history). */
const struct ms_migration *ms_ctx_migration(const struct ms_ctx *ctx);
int ms_ctx_pg_version(const struct ms_ctx *ctx);

/* ---- helpers ---- */

/* Zeroed scratch memory that lives until the end of the migration. */
void *ms_ctx_alloc(struct ms_ctx *ctx, size_t size);
char *ms_ctx_strdup(struct ms_ctx *ctx, const char *s);
/* Per-rule state for the current migration: the same zeroed block of `size` bytes on every call
 * by the same rule, fresh for each migration. */
void *ms_ctx_rule_state(struct ms_ctx *ctx, size_t size);
/* Byte offset (in the statement) of the current statement's first token: for end_migration
 * reports, remember it during the visit with ms_ctx_mark() and report with ms_report_at(). */
struct ms_mark {
    size_t stmt_index;
    int location;
    size_t nested; /* 0, or 1 + the index of the statement in the DO block stmt_index is */
};
/* Were both marks taken during the same statement (a statement of a DO block being one)? */
bool ms_same_stmt(struct ms_mark a, struct ms_mark b);
struct ms_mark ms_ctx_mark(const struct ms_ctx *ctx, int location);
struct ms_diag *ms_report_at(struct ms_ctx *ctx, struct ms_mark mark, const char *fmt, ...)
    MS_PRINTF(3, 4);

/* Names of objects a rule collects during a migration (the views it creates, the functions it
 * drops ...), newest first, and the question "was this name created anywhere in the
 * migration?" answered in O(log n) through a sorted index, so a migration of thousands of
 * drops and creates (a pg_dump --clean) stays fast. */
struct ms_name {
    struct ms_name *next;
    const char *schema; /* NULL when the statement named none */
    const char *name;
    bool flag;           /* the rule's own distinction (materialized view, procedure, domain) */
    struct ms_mark mark; /* where it was named */
};
/* Adds schema.name (schema may be NULL or "") at the current statement; ignores an empty name. */
void ms_names_add(struct ms_ctx *ctx, struct ms_name **list, const char *schema, const char *name,
                  bool flag);
struct ms_name_index;
/* Sorts a list for ms_names_has(); the index lives until the end of the migration. */
const struct ms_name_index *ms_names_index(struct ms_ctx *ctx, const struct ms_name *list);
/* Is n in the index: the same name, and the same schema when both name one? */
bool ms_names_has(const struct ms_name_index *index, const struct ms_name *n);
/* "schema.name" or "name", for messages. */
const char *ms_name_qualified(struct ms_ctx *ctx, const struct ms_name *n);
/* ms_names_add() of a qualified name given as String nodes, or of `newname` (not NULL: a
 * rename's new name) in the schema the list names. */
void ms_names_add_qualified(struct ms_ctx *ctx, struct ms_name **list, size_t n,
                            PgQuery__Node *const *names, const char *newname, bool flag);
/* Walks a list of dropped names statement by statement, leaving out the names in `created`:
 * returns the first kept name of the next statement that has one (advancing *cursor past that
 * statement) with *count kept names in it, or NULL when the list is done. */
const struct ms_name *ms_names_next_kept(const struct ms_name **cursor,
                                         const struct ms_name_index *created, size_t *count);
/* One report per statement of `dropped` that drops a name not in `created`: fn gets the
 * statement's first such name, it qualified ("schema.name"), and "" or " (and N more)". */
typedef void (*ms_names_report_fn)(struct ms_ctx *ctx, const struct ms_name *first,
                                   const char *name, const char *more);
void ms_names_report_kept(struct ms_ctx *ctx, const struct ms_name *dropped,
                          const struct ms_name *created, ms_names_report_fn fn);

/* The constraint of kind `type` that an ALTER TABLE command adds (ADD CONSTRAINT), or NULL. */
const PgQuery__Constraint *ms_added_constraint(const PgQuery__AlterTableCmd *cmd,
                                               PgQuery__ConstrType type);
/* `kind` and the constraint's name for messages: "check constraint \"orders_total\"", or
 * `article` and `kind` ("a check constraint") when the statement names none. */
const char *ms_constraint_phrase(struct ms_ctx *ctx, const char *article, const char *kind,
                                 const PgQuery__Constraint *c);

/* "schema.table" or "table", for messages (quote it yourself: "\"%s\""). */
const char *ms_ctx_relname(struct ms_ctx *ctx, const PgQuery__RangeVar *rel);
/* Same table? Compares relname, and schemaname when both name one. */
bool ms_same_rel(const PgQuery__RangeVar *a, const PgQuery__RangeVar *b);
/* A type's name when it is a built-in one (no schema, or pg_catalog): "varchar", "int4",
 * "timestamp" ... as the parser spells it; NULL for other types. */
const char *ms_type_builtin_name(const PgQuery__TypeName *t);
/* A name from the tree, or NULL when the statement gives none: protobuf-c holds an absent
 * string as "" (an unnamed constraint's conname, say). */
static inline const char *ms_name_or_null(const char *s)
{
    return s && *s ? s : NULL;
}
/* Is a DefElem named `name` with a true (or absent) boolean argument in this list? */
bool ms_has_option(size_t n, PgQuery__Node *const *options, const char *name);

#endif
