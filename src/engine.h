/* engine.h: runs the enabled rules over the parsed statements of one migration.
 *
 * The engine walks the statements in order, calls each rule's visitors for the statement's node
 * kind, and keeps the per-migration context rules query (tables created so far, transaction
 * blocks, lock_timeout, constraints added NOT VALID and validated). It knows no file, format or
 * output: it turns parse trees into a sorted list of diagnostics. */
#ifndef MS_ENGINE_H
#define MS_ENGINE_H

#include "catalog.h"
#include "diag.h"
#include "effects.h"
#include "parse.h"

/* The registry (rules/registry.c): every rule, sorted by id. */
extern const struct ms_rule *const ms_rules[];
extern const size_t ms_n_rules;
/* Index of the rule with this id in ms_rules, or -1. */
int ms_rule_find(const char *id);

/* The default lock_timeout limit: a few seconds is what an application tolerates. */
#define MS_LOCK_TIMEOUT_LIMIT_MS 10000

struct ms_engine {
    int pg_version;              /* PostgreSQL major the migrations run on */
    bool lock_timeout_by_runner; /* the role or connection sets lock_timeout (configuration) */
    bool lint_downgrade;         /* every rule runs on down migrations, not only the failure
                                    rules (configuration) */
    int lock_timeout_limit_ms;   /* the longest lock_timeout accepted (configuration) */
    bool *enabled;               /* per registry index */
    enum ms_severity *severity;  /* per registry index: effective severity */
    /* dispatch lists, built by ms_engine_prepare() */
    struct ms_dispatch *dispatch;
    struct ms_dispatch *down_dispatch; /* for the statements of down migrations */
};

/* Every rule at its default: enabled unless opt-in, default severity, PostgreSQL 15, a
 * lock_timeout limit of 10 seconds. */
void ms_engine_init(struct ms_engine *e);
/* Enables or disables a rule by id; returns -1 (with a message) for an unknown id. */
int ms_engine_set_enabled(struct ms_engine *e, const char *id, bool enabled);
/* Builds the per-kind dispatch lists; call after configuring, before linting. */
void ms_engine_prepare(struct ms_engine *e);
/* What outlives one migration: the transaction a run of migrations may share (Alembic runs
 * every pending revision in one transaction), and the schema the migrations of one history have
 * built so far. Owns its memory. */
struct ms_fact_set;
struct ms_session {
    struct ms_arena arena;
    bool in_tx;
    enum ms_tx_kind tx_kind; /* what opened the transaction in_tx says is open */
    const char *tx_tool;     /* the tool that wraps the part, for messages */
    const char *tx_hint;     /* how that tool runs a statement outside it */
    /* the net effect of the last up migration, for judging its down file; owned by the
     * caller, kept across ms_session_reset() by the caller setting it again; NULL: each
     * migration keeps its own */
    struct ms_effect_log *effects;
    bool lock_timeout_local;      /* SET LOCAL lock_timeout: ends with the transaction */
    bool statement_timeout_local; /* SET LOCAL statement_timeout: likewise */
    size_t tx_serial;             /* bumped whenever a transaction ends */
    struct ms_fact_set *tx_facts; /* constraints added NOT VALID in the open transaction */
    struct ms_catalog *catalog;   /* every statement linted since the history began */
    /* the schema the whole history leaves (see ms_ctx_final_catalog), owned by the caller and
     * kept across ms_session_reset(); NULL when not known */
    const struct ms_catalog *final_catalog;
};

void ms_session_init(struct ms_session *s);
/* Forgets the transaction: the next migration starts outside any transaction block. The
 * catalog stays: the next migration of the same history sees what this one built. */
void ms_session_reset(struct ms_session *s);
/* Empties the catalog: the migrations of another history (another folder) begin. */
void ms_session_new_history(struct ms_session *s);
void ms_session_release(struct ms_session *s);

/* Lints one migration: appends its findings to `out`, sorted by (offset, rule id). Strings are
 * allocated from `arena`, which must outlive the diagnostics. `m` may be NULL (a plain SQL
 * file); `session` may be NULL (a fresh one: the migration runs on its own). */
void ms_engine_lint_migration(const struct ms_engine *e, const struct ms_source *src,
                              const struct ms_parsed *parsed, const struct ms_migration *m,
                              struct ms_session *session, struct ms_arena *arena,
                              struct ms_diags *out);
/* ms_engine_lint_migration() for a plain SQL file on its own. */
void ms_engine_lint(const struct ms_engine *e, const struct ms_source *src,
                    const struct ms_parsed *parsed, struct ms_arena *arena, struct ms_diags *out);
/* Is this rule enabled and does it apply to the configured PostgreSQL version? */
bool ms_engine_rule_active(const struct ms_engine *e, size_t index);
/* Does an active rule judge the schema a whole history leaves (ms_rule.final_schema)? */
bool ms_engine_wants_final_catalog(const struct ms_engine *e);
void ms_engine_release(struct ms_engine *e);

#endif
