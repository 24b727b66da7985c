/* identifier-too-long: a name created over PostgreSQL's 63-byte limit.
 * Docs: docs/rules/identifier-too-long.md. Fixtures: fixtures/rules/identifier-too-long/. */
#include "rule.h"

/* PostgreSQL keeps at most NAMEDATALEN - 1 = 63 bytes of an identifier and silently cuts the rest
 * (a NOTICE nobody reads in a migration log). The table, index or constraint then exists under
 * another name than the one written: two long names sharing their first 63 bytes collide
 * ("relation ... already exists"), and schema-diff tools and ORMs comparing names see a
 * difference on every run. The parser truncates before the tree is built, so the rule finds the
 * long spelling in the statement's text and matches its truncation with the names the tree
 * creates. References to existing long names (DROP INDEX, a function call) are truncated the
 * same way and work: only names the statement creates are reported. */
#define NAME_MAX_BYTES 63
/* A truncated name is 63 bytes, or down to 60 when a multibyte character was cut whole. */
#define TRUNCATED_MIN_BYTES 60
#define MAX_CANDIDATES      32

struct candidates {
    size_t n;
    const char *names[MAX_CANDIDATES];
};

static void add(struct candidates *c, const char *name)
{
    size_t len = name ? strlen(name) : 0;
    if (len >= TRUNCATED_MIN_BYTES && len <= NAME_MAX_BYTES && c->n < MAX_CANDIDATES)
        c->names[c->n++] = name;
}

static void add_last(struct candidates *c, size_t n, PgQuery__Node *const *names)
{
    if (n)
        add(c, ms_node_str(names[n - 1]));
}

static void add_rel(struct candidates *c, const PgQuery__RangeVar *rel)
{
    if (rel)
        add(c, rel->relname);
}

static void add_constraint(struct candidates *c, const PgQuery__Node *n)
{
    if (n && n->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
        add(c, n->constraint->conname);
}

static void add_column(struct candidates *c, const PgQuery__Node *n)
{
    if (!n || n->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF)
        return;
    add(c, n->column_def->colname);
    for (size_t i = 0; i < n->column_def->n_constraints; i++)
        add_constraint(c, n->column_def->constraints[i]);
}

/* The identifier token `tok` (len bytes) as PostgreSQL reads it, into out (NUL-terminated):
 * quotes removed and doubled quotes undone, or ASCII letters downcased. Returns its length. */
static size_t normalize(const char *tok, size_t len, char *out)
{
    size_t n = 0;
    if (len >= 2 && tok[0] == '"') {
        for (size_t i = 1; i + 1 < len; i++) {
            out[n++] = tok[i];
            if (tok[i] == '"' && tok[i + 1] == '"')
                i++;
        }
    } else {
        for (size_t i = 0; i < len; i++)
            out[n++] = tok[i] >= 'A' && tok[i] <= 'Z' ? (char)(tok[i] - 'A' + 'a') : tok[i];
    }
    out[n] = '\0';
    return n;
}

/* Where PostgreSQL cuts a UTF-8 name: at 63 bytes, moved back to a character boundary. */
static size_t clip(const char *s, size_t len)
{
    size_t cut = len < NAME_MAX_BYTES ? len : NAME_MAX_BYTES;
    while (cut > 0 && cut < len && ((unsigned char)s[cut] & 0xC0) == 0x80)
        cut--;
    return cut;
}

static void *arena_alloc(void *ctx, size_t size)
{
    return ms_ctx_alloc(ctx, size);
}

static void arena_free(void *ctx, void *p)
{
    (void)ctx;
    (void)p; /* the migration's arena frees it */
}

/* Finds the long spellings of the candidate names in the statement's text and reports each. */
static void check(struct ms_ctx *ctx, const struct candidates *c)
{
    if (c->n == 0)
        return;
    size_t len;
    const char *text = ms_ctx_stmt_sql(ctx, &len);
    char *sql = ms_ctx_alloc(ctx, len + 1);
    memcpy(sql, text, len);
    sql[len] = '\0';
    PgQueryScanResult r = pg_query_scan(sql);
    ProtobufCAllocator alloc = {arena_alloc, arena_free, ctx};
    PgQuery__ScanResult *sr =
        r.error ? NULL
                : pg_query__scan_result__unpack(&alloc, r.pbuf.len, (const uint8_t *)r.pbuf.data);
    bool reported[MAX_CANDIDATES] = {false};
    for (size_t t = 0; sr && t < sr->n_tokens; t++) {
        const PgQuery__ScanToken *tok = sr->tokens[t];
        size_t tlen = (size_t)(tok->end - tok->start);
        if (tok->token != PG_QUERY__TOKEN__IDENT || tlen <= NAME_MAX_BYTES || tok->start < 0 ||
            (size_t)tok->end > len)
            continue;
        char *name = ms_ctx_alloc(ctx, tlen + 1);
        size_t nlen = normalize(sql + tok->start, tlen, name);
        if (nlen <= NAME_MAX_BYTES)
            continue;
        size_t cut = clip(name, nlen);
        for (size_t i = 0; i < c->n; i++) {
            if (reported[i] || strlen(c->names[i]) != cut || memcmp(c->names[i], name, cut) != 0)
                continue;
            reported[i] = true;
            struct ms_diag *d = ms_report(
                ctx, tok->start,
                "the name \"%s\" is %zu bytes: PostgreSQL silently cuts it to its first %zu "
                "(\"%s\"), so it can collide with another name and differs from what tools expect",
                name, nlen, cut, c->names[i]);
            ms_diag_set_help(ctx, d, "shorten \"%s\" to at most 63 bytes", name);
            break;
        }
    }
    pg_query_free_scan_result(r);
}

static void visit_create_stmt(struct ms_ctx *ctx, const PgQuery__CreateStmt *node)
{
    struct candidates c = {0};
    add_rel(&c, node->relation);
    for (size_t i = 0; i < node->n_table_elts; i++) {
        add_column(&c, node->table_elts[i]);
        add_constraint(&c, node->table_elts[i]);
    }
    check(ctx, &c);
}

static void visit_alter_table_stmt(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *node)
{
    struct candidates c = {0};
    for (size_t i = 0; i < node->n_cmds; i++) {
        if (node->cmds[i]->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
            continue;
        const PgQuery__AlterTableCmd *cmd = node->cmds[i]->alter_table_cmd;
        if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn)
            add_column(&c, cmd->def);
        else if (cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint)
            add_constraint(&c, cmd->def);
    }
    check(ctx, &c);
}

static void visit_index_stmt(struct ms_ctx *ctx, const PgQuery__IndexStmt *node)
{
    struct candidates c = {0};
    add(&c, node->idxname);
    check(ctx, &c);
}

/* Any rename: table, column, index, constraint, sequence, view, type, function, schema, ... */
static void visit_rename_stmt(struct ms_ctx *ctx, const PgQuery__RenameStmt *node)
{
    struct candidates c = {0};
    add(&c, node->newname);
    check(ctx, &c);
}

static void visit_view_stmt(struct ms_ctx *ctx, const PgQuery__ViewStmt *node)
{
    struct candidates c = {0};
    add_rel(&c, node->view);
    for (size_t i = 0; i < node->n_aliases; i++)
        add(&c, ms_node_str(node->aliases[i]));
    check(ctx, &c);
}

static void visit_create_table_as_stmt(struct ms_ctx *ctx, const PgQuery__CreateTableAsStmt *node)
{
    struct candidates c = {0};
    if (node->into) {
        add_rel(&c, node->into->rel);
        for (size_t i = 0; i < node->into->n_col_names; i++)
            add(&c, ms_node_str(node->into->col_names[i]));
    }
    check(ctx, &c);
}

static void visit_create_function_stmt(struct ms_ctx *ctx, const PgQuery__CreateFunctionStmt *node)
{
    struct candidates c = {0};
    add_last(&c, node->n_funcname, node->funcname);
    for (size_t i = 0; i < node->n_parameters; i++)
        if (node->parameters[i]->node_case == PG_QUERY__NODE__NODE_FUNCTION_PARAMETER)
            add(&c, node->parameters[i]->function_parameter->name);
    check(ctx, &c);
}

static void visit_create_trig_stmt(struct ms_ctx *ctx, const PgQuery__CreateTrigStmt *node)
{
    struct candidates c = {0};
    add(&c, node->trigname);
    check(ctx, &c);
}

static void visit_create_enum_stmt(struct ms_ctx *ctx, const PgQuery__CreateEnumStmt *node)
{
    struct candidates c = {0};
    add_last(&c, node->n_type_name, node->type_name);
    check(ctx, &c);
}

static void visit_create_domain_stmt(struct ms_ctx *ctx, const PgQuery__CreateDomainStmt *node)
{
    struct candidates c = {0};
    add_last(&c, node->n_domainname, node->domainname);
    for (size_t i = 0; i < node->n_constraints; i++)
        add_constraint(&c, node->constraints[i]);
    check(ctx, &c);
}

static void visit_composite_type_stmt(struct ms_ctx *ctx, const PgQuery__CompositeTypeStmt *node)
{
    struct candidates c = {0};
    add_rel(&c, node->typevar);
    for (size_t i = 0; i < node->n_coldeflist; i++)
        add_column(&c, node->coldeflist[i]);
    check(ctx, &c);
}

static void visit_create_seq_stmt(struct ms_ctx *ctx, const PgQuery__CreateSeqStmt *node)
{
    struct candidates c = {0};
    add_rel(&c, node->sequence);
    check(ctx, &c);
}

static void visit_create_schema_stmt(struct ms_ctx *ctx, const PgQuery__CreateSchemaStmt *node)
{
    struct candidates c = {0};
    add(&c, node->schemaname);
    check(ctx, &c);
}

static void visit_create_policy_stmt(struct ms_ctx *ctx, const PgQuery__CreatePolicyStmt *node)
{
    struct candidates c = {0};
    add(&c, node->policy_name);
    check(ctx, &c);
}

const struct ms_rule ms_rule_identifier_too_long = {
    .id = "identifier-too-long",
    .severity = MS_WARNING,
    .category = "naming",
    .summary = "a name over 63 bytes is created, which PostgreSQL silently truncates",
    .help = "shorten the name to at most 63 bytes",
    .visit_create_stmt = visit_create_stmt,
    .visit_alter_table_stmt = visit_alter_table_stmt,
    .visit_index_stmt = visit_index_stmt,
    .visit_rename_stmt = visit_rename_stmt,
    .visit_view_stmt = visit_view_stmt,
    .visit_create_table_as_stmt = visit_create_table_as_stmt,
    .visit_create_function_stmt = visit_create_function_stmt,
    .visit_create_trig_stmt = visit_create_trig_stmt,
    .visit_create_enum_stmt = visit_create_enum_stmt,
    .visit_create_domain_stmt = visit_create_domain_stmt,
    .visit_composite_type_stmt = visit_composite_type_stmt,
    .visit_create_seq_stmt = visit_create_seq_stmt,
    .visit_create_schema_stmt = visit_create_schema_stmt,
    .visit_create_policy_stmt = visit_create_policy_stmt,
};
