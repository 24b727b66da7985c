/* add-column-rewrite: ADD COLUMN that makes PostgreSQL rewrite an existing table.
 * Docs: docs/rules/add-column-rewrite.md. Fixtures: fixtures/rules/add-column-rewrite/. */
#include "rule.h"
#include "volatility.h"

/* From PostgreSQL 11, ADD COLUMN ... DEFAULT evaluates a non-volatile default once and keeps the
 * value in the catalog: no row is touched. A volatile default (random(), gen_random_uuid(),
 * clock_timestamp(), nextval() and so serial types), an identity or a GENERATED ... STORED column
 * needs a value computed for each row, a domain type with constraints needs each row checked,
 * and before 11 any default is written into each row: PostgreSQL then rewrites the whole table
 * and its indexes under an ACCESS EXCLUSIVE lock, blocking reads and writes for the duration and
 * needing disk for a second copy of the table. */

/* Domains with a CHECK or NOT NULL created earlier in the migration (their names). */
struct domains {
    size_t n, cap;
    const char **names;
};

static bool is_serial(const PgQuery__TypeName *t)
{
    const char *name = ms_type_builtin_name(t);
    static const char *const serials[] = {"serial",  "serial2",   "serial4",
                                          "serial8", "bigserial", "smallserial"};
    for (size_t i = 0; name && i < MS_ARRAY_LEN(serials); i++)
        if (strcmp(name, serials[i]) == 0)
            return true;
    return false;
}

static const char *last_name(size_t n, PgQuery__Node *const *names)
{
    return n ? ms_node_str(names[n - 1]) : NULL;
}

static void visit_create_domain_stmt(struct ms_ctx *ctx, const PgQuery__CreateDomainStmt *stmt)
{
    bool constrained = false;
    for (size_t i = 0; i < stmt->n_constraints; i++) {
        const PgQuery__Node *n = stmt->constraints[i];
        if (n->node_case == PG_QUERY__NODE__NODE_CONSTRAINT &&
            (n->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK ||
             n->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL))
            constrained = true;
    }
    const char *name = last_name(stmt->n_domainname, stmt->domainname);
    if (!constrained || !name)
        return;
    struct domains *d = ms_ctx_rule_state(ctx, sizeof(*d));
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        const char **names = ms_ctx_alloc(ctx, cap * sizeof(*names));
        if (d->n)
            memcpy(names, d->names, d->n * sizeof(*names));
        d->names = names;
        d->cap = cap;
    }
    d->names[d->n++] = ms_ctx_strdup(ctx, name);
}

static bool is_constrained_domain(struct ms_ctx *ctx, const PgQuery__TypeName *t)
{
    const char *name = t ? last_name(t->n_names, t->names) : NULL;
    struct domains *d = ms_ctx_rule_state(ctx, sizeof(*d));
    for (size_t i = 0; name && i < d->n; i++)
        if (strcmp(d->names[i], name) == 0)
            return true;
    return false;
}

/* NULL, also cast (NULL::text): stores nothing, in every version */
static bool is_null_const(const PgQuery__Node *n)
{
    while (n && n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST)
        n = n->type_cast->arg;
    return n && n->node_case == PG_QUERY__NODE__NODE_A_CONST && n->a_const->isnull;
}

static const PgQuery__Constraint *find_constraint(const PgQuery__ColumnDef *col,
                                                  PgQuery__ConstrType type)
{
    for (size_t i = 0; i < col->n_constraints; i++)
        if (col->constraints[i]->node_case == PG_QUERY__NODE__NODE_CONSTRAINT &&
            col->constraints[i]->constraint->contype == type)
            return col->constraints[i]->constraint;
    return NULL;
}

static const char *func_name(const PgQuery__FuncCall *fc)
{
    const char *name = fc ? last_name(fc->n_funcname, fc->funcname) : NULL;
    return name ? name : "?";
}

static void set_recipe(struct ms_ctx *ctx, struct ms_diag *d, const char *name)
{
    ms_diag_set_help(ctx, d,
                     "add \"%s\" without a default, then ALTER COLUMN \"%s\" SET DEFAULT (for new "
                     "rows only), then backfill existing rows in batches",
                     name, name);
}

static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    if (cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn || !cmd->def ||
        cmd->def->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF ||
        stmt->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE ||
        ms_ctx_table_is_new(ctx, stmt->relation))
        return;
    const PgQuery__ColumnDef *col = cmd->def->column_def;
    const char *name = col->colname ? col->colname : "?";
    const char *table = ms_ctx_relname(ctx, stmt->relation);
    const char *lock = "rewrites the whole table and its indexes under an ACCESS EXCLUSIVE lock, "
                       "blocking reads and writes until it commits";
    struct ms_diag *d;

    if (find_constraint(col, PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY)) {
        d = ms_report(ctx, col->location,
                      "adding identity column \"%s\" to table \"%s\" %s: every existing row gets "
                      "a value from the sequence",
                      name, table, lock);
        ms_diag_set_help(ctx, d,
                         "add \"%s\" as a nullable bigint, backfill it in batches, make it NOT "
                         "NULL (through a validated CHECK), then ALTER COLUMN \"%s\" ADD "
                         "GENERATED BY DEFAULT AS IDENTITY (START WITH max + 1), which rewrites "
                         "nothing",
                         name, name);
        return;
    }
    if (find_constraint(col, PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED)) {
        d = ms_report(ctx, col->location,
                      "adding generated column \"%s\" to table \"%s\" %s: the expression is "
                      "computed and stored for every existing row",
                      name, table, lock);
        ms_diag_set_help(ctx, d,
                         "add \"%s\" as a plain column kept up to date by a trigger (or by the "
                         "application), and backfill existing rows in batches",
                         name);
        return;
    }
    if (is_serial(col->type_name)) {
        d = ms_report(ctx, col->location,
                      "adding %s column \"%s\" to table \"%s\" %s: its default nextval() is "
                      "volatile, so every existing row gets a value of its own",
                      ms_type_builtin_name(col->type_name), name, table, lock);
        ms_diag_set_help(ctx, d,
                         "add \"%s\" as a nullable bigint without a default, create the sequence "
                         "and SET DEFAULT nextval(...) (new rows only), backfill existing rows in "
                         "batches, then enforce NOT NULL (or use an identity column the same way)",
                         name);
        return;
    }
    if (is_constrained_domain(ctx, col->type_name)) {
        d = ms_report(ctx, col->location,
                      "adding column \"%s\" of domain \"%s\" to table \"%s\" %s: the domain's "
                      "constraints are checked against every existing row",
                      name, last_name(col->type_name->n_names, col->type_name->names), table, lock);
        ms_diag_set_help(ctx, d,
                         "use the domain's base type for \"%s\" with a table CHECK constraint "
                         "added NOT VALID and validated in a later transaction",
                         name);
        return;
    }

    const PgQuery__Node *def = col->raw_default;
    const PgQuery__Constraint *dc = find_constraint(col, PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT);
    if (!def && dc)
        def = dc->raw_expr;
    if (!def || is_null_const(def))
        return;
    if (ms_ctx_pg_version(ctx) < 11) {
        d = ms_report(ctx, col->location,
                      "adding column \"%s\" with a DEFAULT to table \"%s\" %s: before PostgreSQL "
                      "11 the default is written into every existing row",
                      name, table, lock);
        set_recipe(ctx, d, name);
        return;
    }
    const PgQuery__FuncCall *culprit = NULL;
    if (ms_expr_volatility(def, &culprit) != MS_VOL_VOLATILE)
        return;
    if (!culprit)
        d = ms_report(ctx, col->location,
                      "adding column \"%s\" to table \"%s\" with a DEFAULT migsafe cannot judge "
                      "(so assumed volatile) %s: a volatile default is evaluated for every "
                      "existing row",
                      name, table, lock);
    else if (ms_function_volatility(ms_func_call_builtin(culprit)) == MS_VOL_UNKNOWN)
        d = ms_report(ctx, col->location,
                      "adding column \"%s\" to table \"%s\" with a DEFAULT calling %s(), not a "
                      "built-in function (so assumed volatile), %s: a volatile default is "
                      "evaluated for every existing row",
                      name, table, func_name(culprit), lock);
    else
        d = ms_report(ctx, col->location,
                      "adding column \"%s\" to table \"%s\" with a DEFAULT calling the volatile "
                      "function %s() %s: the default is evaluated for every existing row",
                      name, table, func_name(culprit), lock);
    set_recipe(ctx, d, name);
}

const struct ms_rule ms_rule_add_column_rewrite = {
    .id = "add-column-rewrite",
    .severity = MS_ERROR,
    .category = "locking",
    .summary = "ADD COLUMN rewrites an existing table under an ACCESS EXCLUSIVE lock",
    .help = "add the column without a default, SET DEFAULT for new rows, then backfill existing "
            "rows in batches",
    .visit_create_domain_stmt = visit_create_domain_stmt,
    .visit_alter_table_cmd = visit_alter_table_cmd,
};
