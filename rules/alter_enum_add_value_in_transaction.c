/* alter-enum-add-value-in-transaction: ALTER TYPE ... ADD VALUE inside a transaction block,
 * which PostgreSQL 11 and earlier refuse.
 * Docs: docs/rules/alter-enum-add-value-in-transaction.md.
 * Fixtures: fixtures/rules/alter-enum-add-value-in-transaction/. */
#include "rule.h"

/* Before PostgreSQL 12, ALTER TYPE ... ADD VALUE fails inside a transaction block ("ALTER TYPE
 * ... ADD cannot run inside a transaction block") unless the enum type was created in that same
 * transaction. Migration tools that wrap each migration in a transaction fail on it, and
 * everything before it in the transaction is rolled back. */
#define MAX_TYPES 32

/* Enum types created in the open transaction. */
struct state {
    size_t n;
    const char *schema[MAX_TYPES], *name[MAX_TYPES];
};

static struct state *state(struct ms_ctx *ctx)
{
    return ms_ctx_rule_state(ctx, sizeof(struct state));
}

static bool created_here(const struct state *s, const char *schema, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->name[i], name) == 0 &&
            (!schema || !s->schema[i] || strcmp(schema, s->schema[i]) == 0))
            return true;
    return false;
}

static void visit_stmt(struct ms_ctx *ctx, const PgQuery__Node *node)
{
    (void)node;
    if (!ms_ctx_in_transaction(ctx))
        state(ctx)->n = 0;
}

static void visit_transaction_stmt(struct ms_ctx *ctx, const PgQuery__TransactionStmt *node)
{
    if (node->kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT ||
        node->kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK ||
        node->kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_PREPARE)
        state(ctx)->n = 0;
}

static void visit_create_enum_stmt(struct ms_ctx *ctx, const PgQuery__CreateEnumStmt *node)
{
    struct state *s = state(ctx);
    const char *schema, *name;
    ms_split_name(node->n_type_name, node->type_name, &schema, &name);
    if (!ms_ctx_in_transaction(ctx) || !name || s->n == MAX_TYPES)
        return;
    s->schema[s->n] = schema ? ms_ctx_strdup(ctx, schema) : NULL;
    s->name[s->n++] = ms_ctx_strdup(ctx, name);
}

static void visit_alter_enum_stmt(struct ms_ctx *ctx, const PgQuery__AlterEnumStmt *node)
{
    const char *schema, *name;
    ms_split_name(node->n_type_name, node->type_name, &schema, &name);
    /* protobuf gives "" for an absent string: old_val is set only by RENAME VALUE */
    if (!node->new_val || !*node->new_val || (node->old_val && *node->old_val) || !name ||
        !ms_ctx_in_transaction(ctx) || created_here(state(ctx), schema, name))
        return;
    struct ms_diag *d = ms_report(
        ctx, -1,
        "ALTER TYPE \"%s\" ADD VALUE '%s' runs inside a transaction block, which PostgreSQL %d "
        "refuses (\"ALTER TYPE ... ADD cannot run inside a transaction block\"): the migration "
        "fails",
        name, node->new_val, ms_ctx_pg_version(ctx));
    ms_diag_set_help(ctx, d,
                     "run ALTER TYPE \"%s\" ADD VALUE outside a transaction block, in a migration "
                     "of its own (Alembic: op.get_context().autocommit_block()), or upgrade to "
                     "PostgreSQL 12",
                     name);
}

const struct ms_rule ms_rule_alter_enum_add_value_in_transaction = {
    .id = "alter-enum-add-value-in-transaction",
    .severity = MS_ERROR,
    .category = "failure",
    .summary = "ALTER TYPE ... ADD VALUE runs in a transaction block, which fails before "
               "PostgreSQL 12",
    .help = "run ALTER TYPE ... ADD VALUE outside a transaction block, in a migration of its own",
    .max_pg = 11,
    .visit_stmt = visit_stmt,
    .visit_transaction_stmt = visit_transaction_stmt,
    .visit_create_enum_stmt = visit_create_enum_stmt,
    .visit_alter_enum_stmt = visit_alter_enum_stmt,
};
