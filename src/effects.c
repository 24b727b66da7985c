/* effects.c: creates, drops and renames named by one statement (see effects.h). */
#include "effects.h"
#include "nodes.h"

struct emit {
    ms_effect_fn fn;
    void *arg;
    struct ms_arena *arena;
    bool cascade;
    bool if_exists;
};

static void emit_cols(const struct emit *e, enum ms_effect_op op, enum ms_obj_kind kind,
                      const char *schema, const char *table, const char *name, const char *new_name,
                      const char *const *cols, size_t n_cols)
{
    if (!name || !*name)
        return;
    struct ms_effect x = {.op = op,
                          .kind = kind,
                          .schema = schema && *schema ? schema : NULL,
                          .table = table,
                          .name = name,
                          .new_name = new_name,
                          .cascade = e->cascade,
                          .if_exists = e->if_exists,
                          .n_cols = n_cols,
                          .cols = cols};
    e->fn(e->arg, &x);
}

static void emit(const struct emit *e, enum ms_effect_op op, enum ms_obj_kind kind,
                 const char *schema, const char *table, const char *name, const char *new_name)
{
    emit_cols(e, op, kind, schema, table, name, new_name, NULL, 0);
}

static void list_names(const PgQuery__Node *node, const char **schema, const char **name)
{
    *schema = *name = NULL;
    if (!node)
        return;
    if (node->node_case == PG_QUERY__NODE__NODE_LIST)
        ms_split_list_name(node, schema, name);
    else if (node->node_case == PG_QUERY__NODE__NODE_TYPE_NAME)
        ms_split_name(node->type_name->n_names, node->type_name->names, schema, name);
    else
        *name = ms_node_str(node);
}

struct names {
    const char **v;
    size_t n, cap;
};

static void add_name(struct names *l, const char *s)
{
    if (!s || !*s)
        return;
    MS_GROW(l->v, l->cap, l->n + 1);
    l->v[l->n++] = s;
}

/* The columns an expression names (its ColumnRefs, found through protobuf-c's descriptors so
 * that every node kind is walked). */
static void column_refs(const ProtobufCMessage *m, struct names *l, int depth)
{
    if (!m || depth > 256)
        return;
    if (m->descriptor == &pg_query__column_ref__descriptor) {
        const PgQuery__ColumnRef *c = (const PgQuery__ColumnRef *)m;
        if (c->n_fields)
            add_name(l, ms_node_str(c->fields[c->n_fields - 1]));
        return;
    }
    const ProtobufCMessageDescriptor *d = m->descriptor;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        const char *base = (const char *)m;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)(base + f->quantifier_offset);
            ProtobufCMessage *const *items = *(ProtobufCMessage *const *const *)(base + f->offset);
            for (size_t k = 0; k < n; k++)
                column_refs(items[k], l, depth + 1);
            continue;
        }
        if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
            *(const uint32_t *)(base + f->quantifier_offset) != f->id)
            continue; /* another member of the oneof: the memory is not this field's */
        column_refs(*(ProtobufCMessage *const *)(base + f->offset), l, depth + 1);
    }
}

/* The columns of a key list (String nodes or IndexElems, whose expressions count by the columns
 * they use), of `extra` and of the expression `expr`, copied into the arena. */
static const char *const *names_of(const struct emit *e, PgQuery__Node *const *items, size_t n,
                                   const char *extra, const PgQuery__Node *expr, size_t *n_out)
{
    *n_out = 0;
    if (!e->arena)
        return NULL; /* the caller wants no column lists */
    struct names l = {0};
    add_name(&l, extra);
    for (size_t i = 0; i < n; i++) {
        if (items[i]->node_case == PG_QUERY__NODE__NODE_STRING)
            add_name(&l, items[i]->string->sval);
        else if (items[i]->node_case == PG_QUERY__NODE__NODE_INDEX_ELEM) {
            add_name(&l, items[i]->index_elem->name);
            column_refs((const ProtobufCMessage *)items[i]->index_elem->expr, &l, 0);
        }
    }
    column_refs((const ProtobufCMessage *)expr, &l, 0);
    const char **out = ms_arena_alloc(e->arena, (l.n + 1) * sizeof(char *));
    if (l.n)
        memcpy(out, l.v, l.n * sizeof(char *));
    free(l.v);
    *n_out = l.n;
    return out;
}

/* The constraints of a table or of one of its columns (`column`: NULL for table
 * constraints). */
static void constraints_of(const struct emit *e, const PgQuery__RangeVar *rel,
                           PgQuery__Node *const *items, size_t n, const char *column)
{
    for (size_t i = 0; i < n; i++) {
        if (items[i]->node_case != PG_QUERY__NODE__NODE_CONSTRAINT)
            continue;
        const PgQuery__Constraint *c = items[i]->constraint;
        if (!c->conname)
            continue;
        size_t n_cols;
        /* a CHECK goes with the columns its expression uses */
        const char *const *cols =
            c->n_fk_attrs ? names_of(e, c->fk_attrs, c->n_fk_attrs, column, NULL, &n_cols)
                          : names_of(e, c->keys, c->n_keys, column, c->raw_expr, &n_cols);
        emit_cols(e, MS_EFFECT_CREATE, MS_OBJ_CONSTRAINT, rel->schemaname, rel->relname, c->conname,
                  NULL, cols, n_cols);
    }
}

static void create_table(const struct emit *e, const PgQuery__CreateStmt *s)
{
    const PgQuery__RangeVar *rel = s->relation;
    if (!rel || (rel->relpersistence && strcmp(rel->relpersistence, "t") == 0))
        return; /* a temporary table goes with the session */
    emit(e, MS_EFFECT_CREATE, MS_OBJ_TABLE, rel->schemaname, NULL, rel->relname, NULL);
    constraints_of(e, rel, s->table_elts, s->n_table_elts, NULL);
    for (size_t i = 0; i < s->n_table_elts; i++)
        if (s->table_elts[i]->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
            const PgQuery__ColumnDef *c = s->table_elts[i]->column_def;
            constraints_of(e, rel, c->constraints, c->n_constraints, c->colname);
        }
}

static void alter_table(const struct emit *e, const PgQuery__AlterTableStmt *s)
{
    const PgQuery__RangeVar *rel = s->relation;
    if (!rel || s->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
        return;
    for (size_t i = 0; i < s->n_cmds; i++) {
        if (s->cmds[i]->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
            continue;
        const PgQuery__AlterTableCmd *c = s->cmds[i]->alter_table_cmd;
        const PgQuery__Node *def = c->def;
        struct emit with = *e;
        switch (c->subtype) {
        case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn:
            if (def && def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
                emit(e, MS_EFFECT_CREATE, MS_OBJ_COLUMN, rel->schemaname, rel->relname,
                     def->column_def->colname, NULL);
                constraints_of(e, rel, def->column_def->constraints, def->column_def->n_constraints,
                               def->column_def->colname);
            }
            break;
        case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
            with.if_exists = c->missing_ok;
            emit(&with, MS_EFFECT_DROP, MS_OBJ_COLUMN, rel->schemaname, rel->relname, c->name,
                 NULL);
            break;
        case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
            if (def && def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
                constraints_of(e, rel, &c->def, 1, NULL);
            break;
        case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint:
            with.if_exists = c->missing_ok;
            emit(&with, MS_EFFECT_DROP, MS_OBJ_CONSTRAINT, rel->schemaname, rel->relname, c->name,
                 NULL);
            break;
        default:
            break;
        }
    }
}

static void drop(const struct emit *e, const PgQuery__DropStmt *s)
{
    enum ms_obj_kind kind;
    switch (s->remove_type) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
        kind = MS_OBJ_TABLE;
        break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
        kind = MS_OBJ_INDEX;
        break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN:
        kind = MS_OBJ_TYPE;
        break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA:
        kind = MS_OBJ_SCHEMA;
        break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
    case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
        kind = MS_OBJ_VIEW;
        break;
    default:
        return;
    }
    struct emit with = *e;
    with.cascade = s->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE;
    with.if_exists = s->missing_ok;
    e = &with;
    for (size_t i = 0; i < s->n_objects; i++) {
        const char *schema, *name;
        list_names(s->objects[i], &schema, &name);
        emit(e, MS_EFFECT_DROP, kind, kind == MS_OBJ_SCHEMA ? NULL : schema, NULL, name, NULL);
    }
}

static void rename_stmt(const struct emit *e, const PgQuery__RenameStmt *s)
{
    const PgQuery__RangeVar *rel = s->relation;
    const char *schema = rel ? rel->schemaname : NULL, *table = rel ? rel->relname : NULL;
    switch (s->rename_type) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
        emit(e, MS_EFFECT_RENAME, MS_OBJ_TABLE, schema, NULL, table, s->newname);
        break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
        emit(e, MS_EFFECT_RENAME, MS_OBJ_INDEX, schema, NULL, table, s->newname);
        break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN:
        if (s->relation_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
            emit(e, MS_EFFECT_RENAME, MS_OBJ_COLUMN, schema, table, s->subname, s->newname);
        break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT:
        emit(e, MS_EFFECT_RENAME, MS_OBJ_CONSTRAINT, schema, table, s->subname, s->newname);
        break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN: {
        const char *sch, *name;
        list_names(s->object, &sch, &name);
        emit(e, MS_EFFECT_RENAME, MS_OBJ_TYPE, sch, NULL, name, s->newname);
        break;
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA:
        emit(e, MS_EFFECT_RENAME, MS_OBJ_SCHEMA, NULL, NULL, s->subname, s->newname);
        break;
    default:
        break;
    }
}

static void create_type(const struct emit *e, PgQuery__Node *const *names, size_t n)
{
    const char *schema, *name;
    ms_split_name(n, names, &schema, &name);
    emit(e, MS_EFFECT_CREATE, MS_OBJ_TYPE, schema, NULL, name, NULL);
}

void ms_effects_of(const PgQuery__Node *n, struct ms_arena *arena, ms_effect_fn fn, void *arg)
{
    const struct emit e = {fn, arg, arena, false, false};
    if (!n)
        return;
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_CREATE_STMT:
        create_table(&e, n->create_stmt);
        break;
    case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT: {
        const PgQuery__CreateTableAsStmt *s = n->create_table_as_stmt;
        if (s->into && s->into->rel)
            emit(&e, MS_EFFECT_CREATE,
                 s->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW ? MS_OBJ_VIEW : MS_OBJ_TABLE,
                 s->into->rel->schemaname, NULL, s->into->rel->relname, NULL);
        break;
    }
    case PG_QUERY__NODE__NODE_VIEW_STMT: {
        const PgQuery__RangeVar *v = n->view_stmt->view;
        if (v && !n->view_stmt->replace)
            emit(&e, MS_EFFECT_CREATE, MS_OBJ_VIEW, v->schemaname, NULL, v->relname, NULL);
        break;
    }
    case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
        alter_table(&e, n->alter_table_stmt);
        break;
    case PG_QUERY__NODE__NODE_INDEX_STMT: {
        const PgQuery__IndexStmt *s = n->index_stmt;
        size_t n_cols;
        /* an expression or partial index goes with any column it uses */
        const char *const *cols =
            names_of(&e, s->index_params, s->n_index_params, NULL, s->where_clause, &n_cols);
        if (s->relation)
            emit_cols(&e, MS_EFFECT_CREATE, MS_OBJ_INDEX, s->relation->schemaname,
                      s->relation->relname, s->idxname, NULL, cols, n_cols);
        break;
    }
    case PG_QUERY__NODE__NODE_DROP_STMT:
        drop(&e, n->drop_stmt);
        break;
    case PG_QUERY__NODE__NODE_RENAME_STMT:
        rename_stmt(&e, n->rename_stmt);
        break;
    case PG_QUERY__NODE__NODE_CREATE_ENUM_STMT:
        create_type(&e, n->create_enum_stmt->type_name, n->create_enum_stmt->n_type_name);
        break;
    case PG_QUERY__NODE__NODE_CREATE_RANGE_STMT:
        create_type(&e, n->create_range_stmt->type_name, n->create_range_stmt->n_type_name);
        break;
    case PG_QUERY__NODE__NODE_CREATE_DOMAIN_STMT:
        create_type(&e, n->create_domain_stmt->domainname, n->create_domain_stmt->n_domainname);
        break;
    case PG_QUERY__NODE__NODE_COMPOSITE_TYPE_STMT: {
        const PgQuery__RangeVar *t = n->composite_type_stmt->typevar;
        if (t)
            emit(&e, MS_EFFECT_CREATE, MS_OBJ_TYPE, t->schemaname, NULL, t->relname, NULL);
        break;
    }
    case PG_QUERY__NODE__NODE_CREATE_SCHEMA_STMT:
        emit(&e, MS_EFFECT_CREATE, MS_OBJ_SCHEMA, NULL, NULL, n->create_schema_stmt->schemaname,
             NULL);
        break;
    default:
        break;
    }
}

static bool same_name(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

bool ms_effect_same_object(const struct ms_effect *a, const struct ms_effect *b)
{
    if (a->kind != b->kind || !same_name(a->name, b->name))
        return false;
    if (a->schema && b->schema && strcmp(a->schema, b->schema) != 0)
        return false;
    if (a->kind == MS_OBJ_COLUMN || a->kind == MS_OBJ_CONSTRAINT)
        return same_name(a->table, b->table);
    return true;
}

const char *ms_effect_describe(const struct ms_effect *e, char *buf, size_t size)
{
    static const char *const kinds[] = {"table", "column", "index", "constraint",
                                        "type",  "schema", "view"};
    if (e->kind == MS_OBJ_COLUMN || e->kind == MS_OBJ_CONSTRAINT)
        snprintf(buf, size, "%s \"%s\" of \"%s\"", kinds[e->kind], e->name,
                 e->table ? e->table : "?");
    else
        snprintf(buf, size, "%s \"%s%s%s\"", kinds[e->kind], e->schema ? e->schema : "",
                 e->schema ? "." : "", e->name);
    return buf;
}

/* ---- the net effect of an up migration ---- */

static void copy_effect(struct ms_arena *a, struct ms_effect *dst, const struct ms_effect *src)
{
    dst->op = src->op;
    dst->kind = src->kind;
    dst->schema = src->schema ? ms_arena_strdup(a, src->schema) : NULL;
    dst->table = src->table ? ms_arena_strdup(a, src->table) : NULL;
    dst->name = ms_arena_strdup(a, src->name);
    dst->new_name = src->new_name ? ms_arena_strdup(a, src->new_name) : NULL;
    const char **cols = ms_arena_alloc(a, (src->n_cols + 1) * sizeof(char *));
    for (size_t i = 0; i < src->n_cols; i++)
        cols[i] = ms_arena_strdup(a, src->cols[i]);
    dst->cols = cols;
    dst->n_cols = src->n_cols;
}

void ms_effect_log_reset(struct ms_effect_log *log, const char *migration, const char *path)
{
    ms_arena_release(&log->arena);
    free(log->created);
    free(log->renames);
    free(log->dropped);
    memset(log, 0, sizeof(*log));
    ms_arena_init(&log->arena);
    log->migration = migration ? ms_arena_strdup(&log->arena, migration) : NULL;
    log->path = path ? ms_arena_strdup(&log->arena, path) : NULL;
    log->active = true;
}

void ms_effect_log_release(struct ms_effect_log *log)
{
    ms_arena_release(&log->arena);
    free(log->created);
    free(log->renames);
    free(log->dropped);
    memset(log, 0, sizeof(*log));
}

/* Does dropping `d` remove `x` (the object itself, its table, or its schema)? */
bool ms_effect_drop_covers(const struct ms_effect *d, const struct ms_effect *x)
{
    if (ms_effect_same_object(d, x))
        return true;
    if ((d->kind == MS_OBJ_TABLE || d->kind == MS_OBJ_VIEW) && x->table &&
        strcmp(d->name, x->table) == 0 &&
        (!d->schema || !x->schema || strcmp(d->schema, x->schema) == 0))
        return x->kind == MS_OBJ_COLUMN || x->kind == MS_OBJ_CONSTRAINT || x->kind == MS_OBJ_INDEX;
    if (d->kind == MS_OBJ_COLUMN && x->table && d->table && strcmp(d->table, x->table) == 0 &&
        (x->kind == MS_OBJ_INDEX || x->kind == MS_OBJ_CONSTRAINT))
        for (size_t i = 0; i < x->n_cols; i++)
            if (strcmp(x->cols[i], d->name) == 0)
                return true;
    return d->kind == MS_OBJ_SCHEMA && x->schema && strcmp(d->name, x->schema) == 0;
}

void ms_effect_log_note(struct ms_effect_log *log, const struct ms_effect *e, uint32_t line)
{
    switch (e->op) {
    case MS_EFFECT_CREATE:
        for (size_t i = 0; i < log->n_dropped; i++)
            if (ms_effect_same_object(&log->dropped[i], e))
                return; /* dropped and created again: it was there before the up */
        MS_GROW(log->created, log->cap_created, log->n_created + 1);
        copy_effect(&log->arena, &log->created[log->n_created].e, e);
        log->created[log->n_created++].line = line;
        break;
    case MS_EFFECT_DROP: {
        /* created and dropped again by the same up: nothing to undo */
        size_t kept = 0;
        bool own = false; /* the up created it itself */
        for (size_t i = 0; i < log->n_created; i++) {
            own |= ms_effect_same_object(e, &log->created[i].e);
            if (!ms_effect_drop_covers(e, &log->created[i].e))
                log->created[kept++] = log->created[i];
        }
        log->n_created = kept;
        /* renamed aside, then dropped: nothing left to rename back (an enum swapped for a new
         * one of the same name) */
        kept = 0;
        for (size_t i = 0; i < log->n_renames; i++) {
            struct ms_effect now = log->renames[i].e;
            now.name = now.new_name;
            if (!ms_effect_drop_covers(e, &now))
                log->renames[kept++] = log->renames[i];
        }
        log->n_renames = kept;
        if (!e->if_exists && !own) {
            MS_GROW(log->dropped, log->cap_dropped, log->n_dropped + 1);
            copy_effect(&log->arena, &log->dropped[log->n_dropped++], e);
        }
        break;
    }
    case MS_EFFECT_RENAME:
        for (size_t i = 0; i < log->n_created; i++) {
            struct ms_effect *c = &log->created[i].e;
            struct ms_effect as_created = *e;
            as_created.op = MS_EFFECT_CREATE;
            if (ms_effect_same_object(c, &as_created)) {
                c->name = ms_arena_strdup(&log->arena, e->new_name);
                return; /* renamed before it ever ran in production: the new name is created */
            }
            if (e->kind == MS_OBJ_TABLE && c->table && strcmp(c->table, e->name) == 0)
                c->table = ms_arena_strdup(&log->arena, e->new_name);
        }
        /* the old name is free: an object created under it is a replacement */
        MS_GROW(log->dropped, log->cap_dropped, log->n_dropped + 1);
        copy_effect(&log->arena, &log->dropped[log->n_dropped++], e);
        MS_GROW(log->renames, log->cap_renames, log->n_renames + 1);
        copy_effect(&log->arena, &log->renames[log->n_renames].e, e);
        log->renames[log->n_renames++].line = line;
        break;
    }
}
