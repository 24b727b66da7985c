/* drop-trigger: DROP TRIGGER on an existing table, of a trigger the migration does not re-create.
 * Docs: docs/rules/drop-trigger.md. Fixtures: fixtures/rules/drop-trigger/. */
#include "rule.h"

/* A trigger keeps something true that the running code relies on without knowing: an audit
 * row per change, an updated_at column, a denormalized counter, a row copied to a new table
 * during a migration. From the commit on nothing maintains it, silently, and DROP TRIGGER waits
 * for an ACCESS EXCLUSIVE lock on the table. Dropping a trigger to re-create it in the same
 * migration (DROP TRIGGER IF EXISTS t ...; CREATE TRIGGER t ...) is the usual way to change it. */
struct name {
    struct name *next;
    PgQuery__RangeVar table;
    const char *trigger;
    struct ms_mark mark; /* drops only */
};

struct state {
    struct name *dropped, *created;
    struct name *gone_tables; /* tables and views the migration drops (trigger: "") */
};

static void add(struct ms_ctx *ctx, struct name **list, const char *schema, const char *table,
                const char *trigger)
{
    if (!table || !*table || !trigger || !*trigger)
        return;
    struct name *e = ms_ctx_alloc(ctx, sizeof(*e));
    e->table = (PgQuery__RangeVar)PG_QUERY__RANGE_VAR__INIT;
    e->table.schemaname = schema && *schema ? (char *)schema : NULL;
    e->table.relname = (char *)table;
    e->trigger = trigger;
    e->mark = ms_ctx_mark(ctx, -1);
    e->next = *list;
    *list = e;
}

static void visit_create_trig_stmt(struct ms_ctx *ctx, const PgQuery__CreateTrigStmt *node)
{
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    if (node->relation)
        add(ctx, &s->created, node->relation->schemaname, node->relation->relname, node->trigname);
}

/* ALTER TRIGGER t ON tbl RENAME TO u: u takes the place of any trigger of that name. */
static void visit_rename_stmt(struct ms_ctx *ctx, const PgQuery__RenameStmt *node)
{
    if (node->rename_type != PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER || !node->relation)
        return;
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    add(ctx, &s->created, node->relation->schemaname, node->relation->relname, node->newname);
}

/* A table (or view) dropped in the migration takes its triggers with it: drop-table says what
 * matters then. */
static void note_gone_tables(struct ms_ctx *ctx, const PgQuery__DropStmt *node)
{
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    for (size_t i = 0; i < node->n_objects; i++) {
        const char *schema, *name;
        if (ms_split_list_name(node->objects[i], &schema, &name))
            add(ctx, &s->gone_tables, schema, name, "-");
    }
}

static void visit_drop_stmt(struct ms_ctx *ctx, const PgQuery__DropStmt *node)
{
    if (node->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE ||
        node->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_VIEW ||
        node->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW ||
        node->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE) {
        note_gone_tables(ctx, node);
        return;
    }
    if (node->remove_type != PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER)
        return;
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    for (size_t i = 0; i < node->n_objects; i++) {
        const PgQuery__Node *obj = node->objects[i];
        /* [schema.]table.trigger */
        if (obj->node_case != PG_QUERY__NODE__NODE_LIST || obj->list->n_items < 2)
            continue;
        const PgQuery__List *l = obj->list;
        size_t n = l->n_items;
        PgQuery__RangeVar table = PG_QUERY__RANGE_VAR__INIT;
        table.schemaname = n > 2 ? (char *)ms_node_str(l->items[n - 3]) : NULL;
        table.relname = (char *)ms_node_str(l->items[n - 2]);
        /* a new table: nothing relied on its triggers yet */
        if (table.relname && !ms_ctx_table_is_new(ctx, &table))
            add(ctx, &s->dropped, table.schemaname, table.relname, ms_node_str(l->items[n - 1]));
    }
}

/* Names sorted by trigger (or by table, for dropped tables), so that a migration of thousands
 * of drops and creates stays O(n log n). */
struct sorted {
    size_t n;
    const struct name **v;
};

static const char *key_trigger(const struct name *n)
{
    return n->trigger;
}

static const char *key_table(const struct name *n)
{
    return n->table.relname;
}

static int compare_triggers(const void *pa, const void *pb)
{
    return strcmp(key_trigger(*(const struct name *const *)pa),
                  key_trigger(*(const struct name *const *)pb));
}

static int compare_tables(const void *pa, const void *pb)
{
    return strcmp(key_table(*(const struct name *const *)pa),
                  key_table(*(const struct name *const *)pb));
}

static struct sorted sort_names(struct ms_ctx *ctx, const struct name *list,
                                int (*compare)(const void *, const void *))
{
    struct sorted out = {0, NULL};
    for (const struct name *c = list; c; c = c->next)
        out.n++;
    out.v = ms_ctx_alloc(ctx, (out.n + 1) * sizeof(*out.v));
    size_t i = 0;
    for (const struct name *c = list; c; c = c->next)
        out.v[i++] = c;
    qsort(out.v, out.n, sizeof(*out.v), compare);
    return out;
}

/* Is there an entry with key(entry) == key(d), on d's table (and, for triggers, of d's name)? */
static bool has(const struct sorted *s, const struct name *d,
                const char *(*key)(const struct name *), bool same_trigger)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(key(s->v[mid]), key(d)) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < s->n && strcmp(key(s->v[lo]), key(d)) == 0; lo++)
        if (ms_same_rel(&s->v[lo]->table, &d->table) &&
            (!same_trigger || strcmp(s->v[lo]->trigger, d->trigger) == 0))
            return true;
    return false;
}

/* Reported at the end, one finding per DROP statement: a trigger of the same name created on
 * the table anywhere in the migration exempts the drop (before it: the trigger is new; after
 * it: it is redefined), and so does dropping the table itself. */
static void end_migration(struct ms_ctx *ctx)
{
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    if (!s->dropped)
        return;
    struct sorted created = sort_names(ctx, s->created, compare_triggers);
    struct sorted gone = sort_names(ctx, s->gone_tables, compare_tables);
    for (const struct name *d = s->dropped, *next; d; d = next) {
        const struct name *first = NULL;
        size_t n = 0;
        for (next = d; next && ms_same_stmt(next->mark, d->mark); next = next->next)
            if (!has(&created, next, key_trigger, true) && !has(&gone, next, key_table, false)) {
                first = next; /* the list is newest first: the last one seen comes first */
                n++;
            }
        if (!first)
            continue;
        char more[48] = "";
        if (n > 1)
            snprintf(more, sizeof(more), " (and %zu more)", n - 1);
        struct ms_diag *diag = ms_report_at(
            ctx, first->mark,
            "dropping trigger \"%s\" on table \"%s\"%s silently stops what it maintains (audit "
            "rows, derived columns, ...) while the running code may rely on it",
            first->trigger, ms_ctx_relname(ctx, &first->table), more);
        ms_diag_set_help(ctx, diag,
                         "make sure nothing relies on trigger \"%s\" any more (move its work "
                         "into the application and deploy that) before dropping it; to change "
                         "it, re-create it in the same transaction",
                         first->trigger);
    }
}

const struct ms_rule ms_rule_drop_trigger = {
    .id = "drop-trigger",
    .severity = MS_WARNING,
    .category = "compatibility",
    .summary = "a trigger is dropped from an existing table while the running code may rely on it",
    .help = "move the trigger's work into the application and deploy that first; to redefine a "
            "trigger, re-create it in the same transaction",
    .visit_create_trig_stmt = visit_create_trig_stmt,
    .visit_rename_stmt = visit_rename_stmt,
    .visit_drop_stmt = visit_drop_stmt,
    .end_migration = end_migration,
};
