/* enum-value-used-in-same-transaction: a value added with ALTER TYPE ... ADD VALUE used as a
 * literal later in the same transaction.
 * Docs: docs/rules/enum-value-used-in-same-transaction.md.
 * Fixtures: fixtures/rules/enum-value-used-in-same-transaction/. */
#include "rule.h"

/* From PostgreSQL 12, ALTER TYPE ... ADD VALUE may run in a transaction block, but the new value
 * cannot be used until that transaction commits: turning the literal into the enum value fails
 * with "unsafe use of new value" (an uncommitted value could end up in an index). An INSERT,
 * UPDATE, WHERE clause or DEFAULT that names it in the same transaction fails the migration. */
#define MAX_VALUES 64

struct value {
    const char *schema, *type, *label;
};

/* Values added in the open transaction. */
struct state {
    size_t n;
    struct value v[MAX_VALUES];
};

static struct state *state(struct ms_ctx *ctx)
{
    return ms_ctx_rule_state(ctx, sizeof(struct state));
}

static bool same_type(const struct value *v, const char *schema, const char *type)
{
    return strcmp(v->type, type) == 0 && (!schema || !v->schema || strcmp(schema, v->schema) == 0);
}

/* The added value a literal names, if any. A cast to another type (text, say) is not a use;
 * a cast to the enum type is one whatever else the statement says. */
static const struct value *added_value(const struct state *s, const char *label,
                                       const PgQuery__TypeName *cast)
{
    const char *schema = NULL, *type = NULL;
    if (cast)
        ms_split_name(cast->n_names, cast->names, &schema, &type);
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i].label, label) == 0 && (!type || same_type(&s->v[i], schema, type)))
            return &s->v[i];
    return NULL;
}

/* Finds the first string literal naming an added value anywhere in a parse tree, walking the
 * protobuf messages generically (a use can hide in any expression: VALUES, SET, WHERE, a
 * DEFAULT, an index predicate). */
static const PgQuery__AConst *find_use(const ProtobufCMessage *m, const struct state *s,
                                       const PgQuery__TypeName *cast, const struct value **found)
{
    if (!m)
        return NULL;
    const ProtobufCMessageDescriptor *desc = m->descriptor;
    if (desc == &pg_query__a__const__descriptor) {
        const PgQuery__AConst *c = (const PgQuery__AConst *)m;
        if (c->val_case == PG_QUERY__A__CONST__VAL_SVAL && c->sval && c->sval->sval &&
            (*found = added_value(s, c->sval->sval, cast)) != NULL)
            return c;
        return NULL;
    }
    if (desc == &pg_query__type_cast__descriptor) {
        const PgQuery__TypeCast *tc = (const PgQuery__TypeCast *)m;
        return find_use((const ProtobufCMessage *)tc->arg, s, tc->type_name, found);
    }
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        if (f->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        const char *base = (const char *)m;
        if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
            *(const uint32_t *)(base + f->quantifier_offset) != f->id)
            continue; /* another member of the oneof holds the storage */
        /* a cast applies to its argument only, not to what lies deeper inside it */
        const PgQuery__TypeName *inner = desc == &pg_query__node__descriptor ? cast : NULL;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)(base + f->quantifier_offset);
            const ProtobufCMessage *const *items =
                *(const ProtobufCMessage *const *const *)(base + f->offset);
            for (size_t k = 0; k < n; k++) {
                const PgQuery__AConst *c = find_use(items[k], s, inner, found);
                if (c)
                    return c;
            }
        } else {
            const PgQuery__AConst *c =
                find_use(*(const ProtobufCMessage *const *)(base + f->offset), s, inner, found);
            if (c)
                return c;
        }
    }
    return NULL;
}

static void visit_stmt(struct ms_ctx *ctx, const PgQuery__Node *node)
{
    struct state *s = state(ctx);
    if (!ms_ctx_in_transaction(ctx)) {
        s->n = 0;
        return;
    }
    const struct value *v = NULL;
    const PgQuery__AConst *use = s->n ? find_use(&node->base, s, NULL, &v) : NULL;
    if (!use)
        return;
    struct ms_diag *d = ms_report(
        ctx, use->location,
        "value '%s' of enum type \"%s\" is used in the transaction that added it: PostgreSQL "
        "rejects it (\"unsafe use of new value\") until ALTER TYPE ... ADD VALUE commits, and "
        "the migration fails",
        v->label, v->type);
    ms_diag_set_help(ctx, d,
                     "commit after ALTER TYPE \"%s\" ADD VALUE '%s' (a migration of its own, or "
                     "op.get_context().autocommit_block() in Alembic) before using the value",
                     v->type, v->label);
}

static void visit_transaction_stmt(struct ms_ctx *ctx, const PgQuery__TransactionStmt *node)
{
    if (node->kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT ||
        node->kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK ||
        node->kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_PREPARE)
        state(ctx)->n = 0;
}

static void visit_alter_enum_stmt(struct ms_ctx *ctx, const PgQuery__AlterEnumStmt *node)
{
    struct state *s = state(ctx);
    const char *schema, *type;
    ms_split_name(node->n_type_name, node->type_name, &schema, &type);
    if (!ms_ctx_in_transaction(ctx) || !type || !node->new_val || !*node->new_val)
        return;
    if (node->old_val && *node->old_val) { /* protobuf gives "" for an absent string */
        /* RENAME VALUE of a value added in this transaction: the new label is just as new */
        for (size_t i = 0; i < s->n; i++)
            if (same_type(&s->v[i], schema, type) && strcmp(s->v[i].label, node->old_val) == 0)
                s->v[i].label = ms_ctx_strdup(ctx, node->new_val);
        return;
    }
    if (s->n == MAX_VALUES)
        return;
    s->v[s->n++] = (struct value){schema ? ms_ctx_strdup(ctx, schema) : NULL,
                                  ms_ctx_strdup(ctx, type), ms_ctx_strdup(ctx, node->new_val)};
}

const struct ms_rule ms_rule_enum_value_used_in_same_transaction = {
    .id = "enum-value-used-in-same-transaction",
    .severity = MS_ERROR,
    .category = "failure",
    .summary = "a new enum value is used in the transaction that added it",
    .help = "commit after ALTER TYPE ... ADD VALUE, then use the new value in a later "
            "transaction",
    .min_pg = 12,
    .visit_stmt = visit_stmt,
    .visit_transaction_stmt = visit_transaction_stmt,
    .visit_alter_enum_stmt = visit_alter_enum_stmt,
};
