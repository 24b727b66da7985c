/* alembic.h: Alembic revision files, read statically (migsafe never runs Python).
 *
 * A revision is lowered to the SQL Alembic emits for PostgreSQL: each op call in upgrade() (and
 * downgrade() when asked) becomes one SQL segment mapped back to the call, so the rule engine
 * lints it like any SQL file and findings point at the Python line. Alembic's transaction
 * handling becomes synthetic BEGIN/COMMIT segments: the revision runs in a transaction, an
 * autocommit_block() commits before and begins after, op.execute("COMMIT") ends it. */
#ifndef MS_ALEMBIC_H
#define MS_ALEMBIC_H

#include "source.h"

/* A name with where it stands in the text (for findings). */
struct ms_alembic_ref {
    const char *name;
    size_t offset; /* byte offset in the file's text of the string literal (for a name bound to
                      a module-level constant: the constant's literal) */
};

/* The module-level header: revision = "...", down_revision = ... (None, a string, or a tuple
 * or list for a merge), depends_on, branch_labels. Read with PCRE2, no Python evaluation;
 * names bound to module-level string constants are resolved. */
struct ms_alembic_header {
    const char *revision;   /* NULL if absent or not a string */
    size_t revision_offset; /* of its string literal */
    size_t down_offset;     /* of the down_revision assignment (the name at column 1) */
    size_t n_down;          /* 0: down_revision = None (a root), or not resolvable */
    struct ms_alembic_ref *down;
    size_t n_depends;
    struct ms_alembic_ref *depends;
    size_t n_branch_labels;
    struct ms_alembic_ref *branch_labels;
};

/* Is text an Alembic revision: module-level `revision` and `down_revision` assignments and a
 * `def upgrade` (or `def upgrade_<name>`) function? (env.py and other Python files are not.)
 * PCRE2 finds the candidate lines; the tokenizer confirms they are code and not text inside a
 * docstring (a file that does not tokenize keeps the PCRE2 verdict). Thread-safe. */
bool ms_alembic_is_revision(const char *text, size_t len);
/* Reads the header; strings are allocated from arena. Returns -1 if text does not tokenize or
 * lacks a module-level revision or down_revision assignment (*out is then partly filled). */
int ms_alembic_read_header(const char *text, size_t len, struct ms_arena *arena,
                           struct ms_alembic_header *out);

/* What the body of upgrade() or downgrade() holds. */
enum ms_alembic_body {
    MS_BODY_ABSENT, /* no such function */
    MS_BODY_EMPTY,  /* only pass, ..., a docstring or comments */
    MS_BODY_RAISES, /* only raise NotImplementedError (or another raise) */
    MS_BODY_CODE,   /* anything else */
};

struct ms_alembic_options {
    bool lint_downgrade; /* lower downgrade() too (after upgrade()) */
    bool verbose;        /* collect a note for each call that could not be lowered */
    /* The synthetic BEGIN that opens the revision's transaction, and the COMMIT that closes it.
     * When Alembic runs several pending revisions in one transaction, the run leaves out the
     * COMMIT of each but the last and the BEGIN of each but the first. */
    bool open_transaction, close_transaction;
};

struct ms_alembic_note {
    size_t offset;       /* in the file's text */
    const char *message; /* "op.foo(...) skipped: ..." */
};

struct ms_alembic_result {
    struct ms_alembic_header header;
    /* With upgrade_<name>() variants, the most telling body of all (CODE over RAISES over
     * EMPTY) and the first def's offset. */
    enum ms_alembic_body upgrade, downgrade;
    /* of the `def` (or of the `revision` assignment when absent; 0 without one) */
    size_t upgrade_offset, downgrade_offset;
    size_t n_ops;         /* op calls lowered to SQL (in the functions lowered) */
    size_t n_skipped;     /* op and helper calls that could not be resolved statically */
    size_t upgrade_calls; /* op and helper calls found in upgrade(): 0 is an empty upgrade */
    size_t n_notes;       /* only with opts->verbose */
    struct ms_alembic_note *notes;
};

/* Lowers the revision in src->text: sets src->sql, src->sql_len, src->sql_body (0) and the
 * segments (sorted, one per generated statement, synthetic for the transaction statements
 * Alembic issues), all from arena, and fills *out. upgrade() and each upgrade_<name>() become
 * "BEGIN; ...; COMMIT;" in file order (then the downgrades when opts->lint_downgrade), the
 * first BEGIN only with opts->open_transaction and the last COMMIT only with
 * opts->close_transaction (NULL opts: both, nothing else); an
 * op.execute() string is one segment per literal, verbatim when its value is its source bytes.
 * opts may be NULL (defaults). A Python syntax error returns -1 with "line:col: message" in
 * err, src->sql empty. Never reads outside src->text[0, src->len). */
int ms_alembic_lower(struct ms_source *src, struct ms_arena *arena,
                     const struct ms_alembic_options *opts, struct ms_alembic_result *out,
                     char *err, size_t errlen);

#endif
