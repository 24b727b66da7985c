/* alembic_impl.h: internals shared by alembic.c (header, API, transactions), alembic_extract.c
 * (Python expressions and the walk over upgrade()/downgrade()) and alembic_lower.c (the op ->
 * SQL table). Not for use outside these three files.
 *
 * Python is never evaluated: an argument is parsed into a small expression tree (struct ax)
 * and a value is only used when it is a literal or a name bound to one. */
#ifndef MS_ALEMBIC_IMPL_H
#define MS_ALEMBIC_IMPL_H

#include "alembic.h"
#include "pyscan.h"

enum ax_kind {
    AX_STR,   /* a string literal (implicit concatenation joined); s/len is the value */
    AX_NUM,   /* s is the text of the number ("-1" for a negated one) */
    AX_NAME,  /* a dotted name: s is "sa.Column", "op", "TABLE" */
    AX_ATTR,  /* attribute of a non-name: fn.s, e.g. op.get_bind().execute */
    AX_CALL,  /* fn(args, kw=kwv) */
    AX_LIST,  /* [args] */
    AX_TUPLE, /* (args) */
    AX_DICT,  /* {args[i]: kwv[i]} */
    AX_ADD,   /* args[0] + args[1] + ... (strings concatenate when all are strings) */
    AX_TRUE,
    AX_FALSE,
    AX_NONE,
    AX_OTHER, /* anything else (operators, subscripts, lambdas, comprehensions, *args) */
};

/* One literal of a (possibly implicitly concatenated) string. */
struct ax_part {
    size_t tok, tok_end; /* the literal's bytes in the text, prefix and quotes included */
    size_t val, val_len; /* its bytes in the joined value */
    size_t origin;       /* where its value starts in the text (after prefix and quotes) */
    bool verbatim;       /* value bytes == text bytes: positions map one to one */
};

struct ax {
    enum ax_kind kind;
    size_t start, end; /* bytes in the text */
    const char *s;     /* see the kinds */
    size_t len;
    unsigned flags; /* AX_STR: MS_PY_STR_* */
    size_t n_parts; /* AX_STR */
    struct ax_part *parts;
    struct ax *fn; /* AX_CALL: callee; AX_ATTR: the object */
    size_t n_args;
    struct ax **args;
    size_t n_kw;
    const char **kw; /* AX_CALL: keyword names (NULL for **kwargs) */
    struct ax **kwv;
    bool star; /* AX_CALL: has *args or **kwargs */
};

/* A name bound to a value in the module or in the function being walked. */
struct ax_binding {
    const char *name;
    const struct ax *val; /* NULL: bound to something unknown (assigned in a loop, ...) */
};

struct ax_env {
    size_t n, cap;
    struct ax_binding *items;
};

/* One pending statement of a batch_alter_table block (they run when the block ends). */
struct alx_pending {
    char *sql;
    size_t origin, origin_end;
};

/* The state of lowering one revision. */
struct alx {
    const struct ms_source *src;
    struct ms_arena *arena;
    const struct ms_py_tokens *toks;
    const struct ms_alembic_options *opts;
    struct ms_alembic_result *res;
    struct ax_env module_env, local_env;
    /* output (malloc'ed while building, copied to the arena at the end) */
    char *sql;
    size_t sql_len, sql_cap;
    struct ms_segment *segs;
    size_t n_segs, segs_cap;
    size_t n_notes, notes_cap;
    struct ms_alembic_note *notes;
    /* the enclosing batch_alter_table block, if any */
    const char *batch_table, *batch_schema;
    const char *batch_alias;
    bool batch_unsupported; /* recreate="always" or an unresolved table */
    size_t n_pending, pending_cap;
    struct alx_pending *pending;
    bool in_autocommit;
    const char *bind_alias[8]; /* names bound to op.get_bind() */
    size_t n_bind_alias;
    size_t n_emitted;          /* statements generated, against runaway input */
    bool counting_only;        /* walking a function whose SQL is not wanted (downgrade) */
    size_t fn_ops, fn_skipped; /* counts of the function being walked */
};

/* Upper bound on generated statements per file (loop unrolling cannot blow up). */
#define ALX_MAX_STATEMENTS 100000

/* ---- alembic_extract.c ---- */

/* Parses the expression starting at token *i (COMMENT tokens are skipped); *i ends past it. */
struct ax *alx_parse_expr(struct alx *cx, size_t *i);
/* Follows a bare name through the local then module bindings (a few steps at most); returns
 * the value, or e itself when it is not a bound name. NULL when bound to something unknown. */
const struct ax *alx_resolve(const struct alx *cx, const struct ax *e);
/* A string value: a literal, a name bound to one, an f-string whose fields are names bound to
 * strings or numbers, "a" + "b", or op.f("..."). NULL otherwise. */
const char *alx_str(struct alx *cx, const struct ax *e);
/* Walks the body of a function def starting at token `body` (the token after the def's ':'). */
void alx_walk_function(struct alx *cx, size_t body);
/* Adds a module-level binding. */
void alx_bind(struct alx *cx, struct ax_env *env, const char *name, const struct ax *val);

/* ---- alembic_lower.c ---- */

/* Lowers one op call (`name` is the method name; batch is true for batch_op.X) and appends
 * its statements. Returns false when the call was skipped (a note says why). */
bool alx_lower_call(struct alx *cx, const char *name, const struct ax *call, bool batch);
/* sa.Enum(...).create(bind) / .drop(bind) (`type` is the Enum call): CREATE TYPE or DROP
 * TYPE, as offline Alembic emits them whatever checkfirst says. */
bool alx_lower_enum_ddl(struct alx *cx, const struct ax *call, const struct ax *type, bool create);
/* Is `name` an op method alx_lower_call() knows (lowered or deliberately ignored)? */
bool alx_is_known_op(const char *name);

/* ---- alembic.c ---- */

/* Appends one generated statement (no ';') mapped to text[origin, origin_end). Inside a
 * batch block (and when `deferrable`) it is held until the block ends, as Alembic does. */
void alx_emit(struct alx *cx, size_t origin, size_t origin_end, const char *sql, bool deferrable);
/* Appends a string's value as SQL, mapped part by part (verbatim where possible). */
void alx_emit_string(struct alx *cx, const struct ax *str, size_t origin, size_t origin_end);
/* Appends a synthetic BEGIN or COMMIT. */
void alx_emit_synthetic(struct alx *cx, const char *sql, size_t origin, size_t origin_end);
/* Releases the statements a batch block held. */
void alx_flush_batch(struct alx *cx);
/* Records a note at `offset` (kept only when opts->verbose). */
void alx_note(struct alx *cx, size_t offset, const char *fmt, ...) MS_PRINTF(3, 4);

#endif
