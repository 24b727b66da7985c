/* enum-drop-or-rename-value: ALTER TYPE ... RENAME VALUE on an existing enum, and the ways
 * migrations take a value away: recreating the type under its name, deleting from pg_enum.
 * Docs: docs/rules/enum-drop-or-rename-value.md.
 * Fixtures: fixtures/rules/enum-drop-or-rename-value/. */
#include "rule.h"

/* Running code sends enum labels as strings. After RENAME VALUE the old label is no value of the
 * type any more: every INSERT, UPDATE or comparison that still uses it fails ("invalid input
 * value for enum") until the new code is deployed everywhere, and the old code cannot be rolled
 * back to. PostgreSQL has no DROP VALUE: migrations recreate the type (rename the old one away
 * or drop it, create the new one, move every column with ALTER COLUMN ... TYPE, which rewrites
 * each table under ACCESS EXCLUSIVE) or delete rows from pg_enum, which leaves rows and indexes
 * holding an enum value that no longer exists. A type recreated with no column moved to it in
 * the migration is not flagged: DROP TYPE without CASCADE proves no column used it. */
#define MAX_TYPES 32

struct name {
    const char *schema, *name;
};

/* An enum type created in this migration, and the first column moved to it in a way that
 * shows values go: its rows were changed first, or the USING expression maps them. */
struct made {
    struct name name; /* its name now (a later RENAME TO changes it) */
    bool converted;
    struct ms_mark first; /* the ALTER COLUMN ... TYPE of that column */
    const char *table, *column;
    size_t n_columns;
};

/* A value added in this migration: no running code can use it yet. */
struct added {
    struct name type;
    const char *label;
};

/* Rows changed before a column moves: an UPDATE that sets the column, or a DELETE. */
struct changed {
    PgQuery__RangeVar table;
    const char *column; /* NULL: rows deleted */
};

struct state {
    size_t n_gone, n_made, n_added, n_changed;
    struct changed changed[MAX_TYPES];
    struct name gone[MAX_TYPES]; /* existing types dropped or renamed away in this migration */
    struct made made[MAX_TYPES];
    struct added added[MAX_TYPES];
};

static struct state *state(struct ms_ctx *ctx)
{
    return ms_ctx_rule_state(ctx, sizeof(struct state));
}

static struct name name_of(size_t n, PgQuery__Node *const *parts)
{
    struct name out;
    ms_split_name(n, parts, &out.schema, &out.name);
    return out;
}

static bool same(struct name a, struct name b)
{
    return a.name && b.name && strcmp(a.name, b.name) == 0 &&
           (!a.schema || !b.schema || !*a.schema || !*b.schema || strcmp(a.schema, b.schema) == 0);
}

static struct name copy(struct ms_ctx *ctx, struct name x)
{
    return (struct name){x.schema ? ms_ctx_strdup(ctx, x.schema) : NULL,
                         ms_ctx_strdup(ctx, x.name)};
}

static struct made *find_made(struct state *s, struct name x)
{
    for (size_t i = 0; i < s->n_made; i++)
        if (same(s->made[i].name, x))
            return &s->made[i];
    return NULL;
}

static bool is_gone(const struct state *s, struct name x)
{
    for (size_t i = 0; i < s->n_gone; i++)
        if (same(s->gone[i], x))
            return true;
    return false;
}

static void add_gone(struct ms_ctx *ctx, struct state *s, struct name x)
{
    if (x.name && s->n_gone < MAX_TYPES)
        s->gone[s->n_gone++] = copy(ctx, x);
}

static void visit_create_enum_stmt(struct ms_ctx *ctx, const PgQuery__CreateEnumStmt *node)
{
    struct state *s = state(ctx);
    struct name x = name_of(node->n_type_name, node->type_name);
    if (x.name && s->n_made < MAX_TYPES)
        s->made[s->n_made++] = (struct made){.name = copy(ctx, x)};
}

static void visit_drop_stmt(struct ms_ctx *ctx, const PgQuery__DropStmt *node)
{
    struct state *s = state(ctx);
    if (node->remove_type != PG_QUERY__OBJECT_TYPE__OBJECT_TYPE)
        return;
    for (size_t i = 0; i < node->n_objects; i++) {
        const PgQuery__Node *o = node->objects[i];
        if (o->node_case != PG_QUERY__NODE__NODE_TYPE_NAME)
            continue;
        struct name x = name_of(o->type_name->n_names, o->type_name->names);
        if (!find_made(s, x))
            add_gone(ctx, s, x);
    }
}

static void visit_rename_stmt(struct ms_ctx *ctx, const PgQuery__RenameStmt *node)
{
    struct state *s = state(ctx);
    if (node->rename_type != PG_QUERY__OBJECT_TYPE__OBJECT_TYPE || !node->newname ||
        !*node->newname || !node->object || node->object->node_case != PG_QUERY__NODE__NODE_LIST)
        return;
    struct name from = name_of(node->object->list->n_items, node->object->list->items);
    struct made *m = find_made(s, from);
    if (m) /* the new type takes its final name */
        m->name = copy(ctx, (struct name){from.schema, node->newname});
    else
        add_gone(ctx, s, from);
}

static void note_changed(struct ms_ctx *ctx, const PgQuery__RangeVar *rel, const char *column)
{
    struct state *s = state(ctx);
    if (!rel || !rel->relname || s->n_changed == MAX_TYPES)
        return;
    struct changed *c = &s->changed[s->n_changed++];
    c->table = *rel;
    c->table.relname = ms_ctx_strdup(ctx, rel->relname);
    c->table.schemaname = rel->schemaname ? ms_ctx_strdup(ctx, rel->schemaname) : NULL;
    c->column = column ? ms_ctx_strdup(ctx, column) : NULL;
}

static void visit_update_stmt(struct ms_ctx *ctx, const PgQuery__UpdateStmt *node)
{
    for (size_t i = 0; i < node->n_target_list; i++) {
        const PgQuery__Node *t = node->target_list[i];
        if (t->node_case == PG_QUERY__NODE__NODE_RES_TARGET && t->res_target->name)
            note_changed(ctx, node->relation, t->res_target->name);
    }
}

/* Does USING do more than cast the column (old::text::new_type)? A CASE, a function or a
 * literal maps values, which means some old ones have no place in the new type. */
static bool maps_values(const PgQuery__Node *using_expr)
{
    const PgQuery__Node *e = using_expr;
    while (e && e->node_case == PG_QUERY__NODE__NODE_TYPE_CAST)
        e = e->type_cast->arg;
    return e && e->node_case != PG_QUERY__NODE__NODE_COLUMN_REF;
}

/* ALTER COLUMN ... TYPE to an enum type created in this migration, after an UPDATE set that
 * column or a DELETE removed rows of its table, or with a USING that maps values. A plain cast with
 * no data change first is how migrations add or reorder values too (before PostgreSQL 12 ADD VALUE
 * could not run in a transaction): without the old type's values that is not known to drop any. */
static void visit_alter_table_cmd(struct ms_ctx *ctx, const PgQuery__AlterTableStmt *stmt,
                                  const PgQuery__AlterTableCmd *cmd)
{
    if (cmd->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType || !cmd->def ||
        cmd->def->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF || !stmt->relation ||
        ms_ctx_table_is_new(ctx, stmt->relation))
        return;
    struct state *s = state(ctx);
    const PgQuery__TypeName *t = cmd->def->column_def->type_name;
    struct made *m = t ? find_made(s, name_of(t->n_names, t->names)) : NULL;
    if (!m)
        return;
    bool changed = maps_values(cmd->def->column_def->raw_default);
    for (size_t i = 0; i < s->n_changed && !changed; i++)
        changed =
            ms_same_rel(&s->changed[i].table, stmt->relation) &&
            (!s->changed[i].column || (cmd->name && !strcmp(s->changed[i].column, cmd->name)));
    if (!changed)
        return;
    if (m->n_columns++ == 0) {
        m->first = ms_ctx_mark(ctx, -1);
        m->table = ms_ctx_strdup(ctx, ms_ctx_relname(ctx, stmt->relation));
        m->column = ms_ctx_strdup(ctx, cmd->name);
        m->converted = true;
    }
}

/* A type created here that ends up with the name of one the migration removed, with columns
 * moved to it: the recreate pattern, the only way to drop an enum value. */
static void end_migration(struct ms_ctx *ctx)
{
    struct state *s = state(ctx);
    for (size_t i = 0; i < s->n_made; i++) {
        const struct made *m = &s->made[i];
        if (!m->converted || !is_gone(s, m->name))
            continue;
        struct ms_diag *d = ms_report_at(
            ctx, m->first,
            "column \"%s\" of \"%s\" is moved to enum type \"%s\", recreated in this migration "
            "in place of the old type of that name (%zu column%s) with values remapped or "
            "dropped: running code that still writes an old value fails",
            m->column, m->table, m->name.name, m->n_columns, m->n_columns == 1 ? "" : "s");
        ms_diag_set_help(ctx, d,
                         "keep the old values of \"%s\" (stop writing them in the application); "
                         "to really drop one, migrate the rows first and recreate the type in a "
                         "maintenance window",
                         m->name.name);
    }
}

static struct added *find_added(struct state *s, struct name type, const char *label)
{
    for (size_t i = 0; i < s->n_added; i++)
        if (same(s->added[i].type, type) && strcmp(s->added[i].label, label) == 0)
            return &s->added[i];
    return NULL;
}

static void visit_alter_enum_stmt(struct ms_ctx *ctx, const PgQuery__AlterEnumStmt *node)
{
    struct state *s = state(ctx);
    struct name x = name_of(node->n_type_name, node->type_name);
    if (!node->new_val || !*node->new_val || !x.name)
        return;
    /* protobuf gives "" for an absent string: old_val is set only by RENAME VALUE */
    if (!node->old_val || !*node->old_val) {
        if (s->n_added < MAX_TYPES)
            s->added[s->n_added++] =
                (struct added){copy(ctx, x), ms_ctx_strdup(ctx, node->new_val)};
        return;
    }
    struct added *a = find_added(s, x, node->old_val);
    if (a) { /* a value this migration added: renaming it is still free */
        a->label = ms_ctx_strdup(ctx, node->new_val);
        return;
    }
    if (find_made(s, x))
        return;
    struct ms_diag *d = ms_report(
        ctx, -1,
        "renaming value '%s' of enum type \"%s\" to '%s' breaks running code: every query that "
        "still sends '%s' fails (\"invalid input value for enum\") until all of it is deployed",
        node->old_val, x.name, node->new_val, node->old_val);
    ms_diag_set_help(ctx, d,
                     "add '%s' with ALTER TYPE \"%s\" ADD VALUE, deploy code that reads both and "
                     "writes '%s', migrate the rows, and keep '%s' as an unused value",
                     node->new_val, x.name, node->new_val, node->old_val);
}

static void visit_delete_stmt(struct ms_ctx *ctx, const PgQuery__DeleteStmt *node)
{
    note_changed(ctx, node->relation, NULL);
    const PgQuery__RangeVar *r = node->relation;
    if (!r || !r->relname || strcmp(r->relname, "pg_enum") != 0 ||
        (r->schemaname && *r->schemaname && strcmp(r->schemaname, "pg_catalog") != 0))
        return;
    ms_report(ctx, -1,
              "deleting from pg_enum removes enum values behind PostgreSQL's back: rows and "
              "indexes that still hold one become unreadable (\"invalid internal value for "
              "enum\")");
}

const struct ms_rule ms_rule_enum_drop_or_rename_value = {
    .id = "enum-drop-or-rename-value",
    .severity = MS_WARNING,
    .category = "compatibility",
    .summary = "an enum value is renamed or removed",
    .help = "keep enum values once running code may use them: add new ones, stop writing the "
            "old ones",
    .visit_create_enum_stmt = visit_create_enum_stmt,
    .visit_drop_stmt = visit_drop_stmt,
    .visit_rename_stmt = visit_rename_stmt,
    .visit_alter_enum_stmt = visit_alter_enum_stmt,
    .visit_alter_table_cmd = visit_alter_table_cmd,
    .visit_delete_stmt = visit_delete_stmt,
    .visit_update_stmt = visit_update_stmt,
    .end_migration = end_migration,
};
