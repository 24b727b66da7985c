/* irreversible-downgrade: a down migration that does not undo its up.
 * Docs: docs/rules/irreversible-downgrade.md.
 * Fixtures: fixtures/rules/irreversible-downgrade/. */
#include "rule.h"

/* A down that leaves a table, column, index, constraint, type or schema the up created (or a
 * rename the up made) in place looks like a way back until it is used: rolling back "works",
 * the up then runs again and fails on the object that is still there, or the application
 * finds the old name gone. Judged on names: what the up creates must be dropped by the down
 * (itself, its table or its schema) and what the up renames must be renamed back. */

struct state {
    bool in_down, opaque;
    bool cascade; /* a DROP ... CASCADE: dependent indexes and constraints may go with it */
    struct ms_mark first;
    size_t n, cap;
    struct ms_effect *down;
    struct ms_ctx *ctx;
};

static void note(void *arg, const struct ms_effect *e)
{
    struct state *s = arg;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        struct ms_effect *grown = ms_ctx_alloc(s->ctx, cap * sizeof(*grown));
        if (s->n)
            memcpy(grown, s->down, s->n * sizeof(*grown));
        s->down = grown;
        s->cap = cap;
    }
    /* strings point into the parse tree, which goes away after the visit */
    s->cascade |= e->cascade;
    struct ms_effect *d = &s->down[s->n++];
    *d = *e;
    d->schema = e->schema ? ms_ctx_strdup(s->ctx, e->schema) : NULL;
    d->table = e->table ? ms_ctx_strdup(s->ctx, e->table) : NULL;
    d->name = ms_ctx_strdup(s->ctx, e->name);
    d->new_name = e->new_name ? ms_ctx_strdup(s->ctx, e->new_name) : NULL;
    d->n_cols = 0; /* what the down creates is not compared */
    d->cols = NULL;
}

/* A drop of what the down renamed earlier drops the object under its old name too (a table
 * renamed aside, then dropped). */
static void note_drop_of_renamed(struct state *s, size_t at)
{
    for (size_t i = at; i-- > 0;) {
        const struct ms_effect *r = &s->down[i], *d = &s->down[at];
        if (r->op != MS_EFFECT_RENAME || r->kind != d->kind || !r->new_name ||
            strcmp(r->new_name, d->name) != 0)
            continue;
        struct ms_effect old = *d;
        old.name = r->name;
        note(s, &old);
        return;
    }
}

/* The down starts from the schema the up left, and a table it renames keeps its columns,
 * constraints and indexes: a later statement naming the table by its new name is about the
 * table the up left under the old one (renamed back, then its column dropped). */
static void name_tables_as_before(struct state *s, size_t at)
{
    struct ms_effect *d = &s->down[at];
    if (!d->table)
        return;
    for (size_t i = at; i-- > 0;) {
        const struct ms_effect *r = &s->down[i];
        if (r->op == MS_EFFECT_RENAME && r->kind == MS_OBJ_TABLE && r->new_name &&
            strcmp(r->new_name, d->table) == 0 &&
            (!r->schema || !d->schema || strcmp(r->schema, d->schema) == 0))
            d->table = r->name;
    }
}

static void visit_stmt(struct ms_ctx *ctx, const PgQuery__Node *node)
{
    if (!ms_ctx_in_down(ctx))
        return;
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    if (!s->in_down)
        s->first = ms_ctx_mark(ctx, -1);
    s->in_down = true;
    s->ctx = ctx;
    size_t first = s->n;
    ms_effects_of(node, NULL, note, s);
    for (size_t i = first, n = s->n; i < n; i++) {
        name_tables_as_before(s, i);
        if (s->down[i].op == MS_EFFECT_DROP)
            note_drop_of_renamed(s, i);
    }
}

/* SQL built at run time (DO blocks, functions called) may undo anything: say nothing. */
static void visit_do_stmt(struct ms_ctx *ctx, const PgQuery__DoStmt *node)
{
    (void)node;
    if (ms_ctx_in_down(ctx))
        ((struct state *)ms_ctx_rule_state(ctx, sizeof(struct state)))->opaque = true;
}

/* Dropped, or renamed away: either way the name is free again and the up can run again (a
 * table renamed away takes its columns and constraints along; its indexes keep their names). */
static bool undone(const struct state *s, const struct ms_effect *created)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct ms_effect *d = &s->down[i];
        if (d->op == MS_EFFECT_DROP && ms_effect_drop_covers(d, created))
            return true;
        if (d->op != MS_EFFECT_RENAME)
            continue;
        struct ms_effect as_renamed = *created;
        as_renamed.op = MS_EFFECT_RENAME;
        if (ms_effect_same_object(d, &as_renamed))
            return true;
        if (d->kind == MS_OBJ_TABLE && created->table && strcmp(d->name, created->table) == 0 &&
            (!d->schema || !created->schema || strcmp(d->schema, created->schema) == 0) &&
            (created->kind == MS_OBJ_COLUMN || created->kind == MS_OBJ_CONSTRAINT))
            return true;
    }
    return false;
}

static bool renamed_back(const struct state *s, const struct ms_effect *r)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct ms_effect *d = &s->down[i];
        if (d->op == MS_EFFECT_RENAME && d->kind == r->kind && d->new_name &&
            strcmp(d->name, r->new_name) == 0 && strcmp(d->new_name, r->name) == 0)
            return true;
        /* the renamed column's table (or the object itself) is dropped */
        struct ms_effect now = *r;
        now.name = r->new_name;
        if (d->op == MS_EFFECT_DROP && ms_effect_drop_covers(d, &now))
            return true;
        /* the down creates the old name again (the up dropped a column and renamed another
         * into its place; the down adds the old one back) */
        struct ms_effect old = *r;
        old.op = MS_EFFECT_CREATE;
        if (d->op == MS_EFFECT_CREATE && ms_effect_same_object(d, &old))
            return true;
    }
    return false;
}

static void end_migration(struct ms_ctx *ctx)
{
    struct state *s = ms_ctx_rule_state(ctx, sizeof(*s));
    const struct ms_effect_log *up = ms_ctx_up_effects(ctx);
    if (!s->in_down || s->opaque || !up)
        return;
    const struct ms_migration *m = ms_ctx_migration(ctx);
    const char *where = m->is_down ? up->path : NULL;
    char what[512];
    for (size_t i = 0; i < up->n_created; i++) {
        const struct ms_effect_rec *c = &up->created[i];
        if (undone(s, &c->e) ||
            (s->cascade && (c->e.kind == MS_OBJ_INDEX || c->e.kind == MS_OBJ_CONSTRAINT ||
                            c->e.kind == MS_OBJ_VIEW)))
            continue;
        ms_effect_describe(&c->e, what, sizeof(what));
        ms_report_at(ctx, s->first,
                     "the down migration leaves %s in place: the up creates it (%s%sline %" PRIu32
                     "), and running the up again fails on it",
                     what, where ? where : "", where ? ", " : "", c->line);
    }
    for (size_t i = 0; i < up->n_renames; i++) {
        const struct ms_effect_rec *r = &up->renames[i];
        if (renamed_back(s, &r->e))
            continue;
        ms_effect_describe(&r->e, what, sizeof(what));
        ms_report_at(ctx, s->first,
                     "the down migration does not rename %s back: the up renames it to \"%s\" "
                     "(%s%sline %" PRIu32 ")",
                     what, r->e.new_name, where ? where : "", where ? ", " : "", r->line);
    }
}

const struct ms_rule ms_rule_irreversible_downgrade = {
    .id = "irreversible-downgrade",
    .severity = MS_WARNING,
    .category = "reversibility",
    .on_down = true,
    .summary = "a down migration does not undo what its up creates or renames",
    .help = "make the down drop every table, column, index, constraint, type and schema the up "
            "creates, and rename back what it renames",
    .visit_stmt = visit_stmt,
    .visit_do_stmt = visit_do_stmt,
    .end_migration = end_migration,
};
