/* catalog.c: the schema model replayed from migrations (see catalog.h). */
#include "catalog.h"
#include "nodes.h"

#define NAMEDATALEN 64 /* PostgreSQL's: identifiers hold at most 63 bytes */

/* ---- hash sets of objects whose first member is a struct ms_cat_link ---- */

static uint64_t hash_str(uint64_t h, const char *s)
{
    for (; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static uint64_t hash_name(const char *name)
{
    return hash_str(1469598103934665603ULL, name);
}

/* Columns and constraints: the table's address and the name. */
static uint64_t hash_owned(const void *owner, const char *name)
{
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)(uintptr_t)owner;
    h *= 1099511628211ULL;
    return hash_str(h ^ (h >> 29), name);
}

static void set_insert(struct ms_arena *a, struct ms_catalog_set *s, struct ms_cat_link *l,
                       uint64_t hash)
{
    if (s->n + 1 > s->n_buckets) {
        size_t nb = s->n_buckets ? s->n_buckets * 2 : 64;
        struct ms_cat_link **b = ms_arena_alloc(a, nb * sizeof(*b));
        for (size_t i = 0; i < s->n_buckets; i++)
            for (struct ms_cat_link *g = s->buckets[i], *next; g; g = next) {
                next = g->next;
                g->next = b[g->hash & (nb - 1)];
                b[g->hash & (nb - 1)] = g;
            }
        s->buckets = b;
        s->n_buckets = nb;
    }
    l->hash = hash;
    l->next = s->buckets[hash & (s->n_buckets - 1)];
    s->buckets[hash & (s->n_buckets - 1)] = l;
    s->n++;
}

static void set_remove(struct ms_catalog_set *s, struct ms_cat_link *l)
{
    if (!s->n_buckets)
        return;
    for (struct ms_cat_link **p = &s->buckets[l->hash & (s->n_buckets - 1)]; *p; p = &(*p)->next)
        if (*p == l) {
            *p = l->next;
            l->next = NULL;
            s->n--;
            return;
        }
}

/* The chain a hash falls in (NULL when the set is empty). */
static struct ms_cat_link *set_chain(const struct ms_catalog_set *s, uint64_t hash)
{
    return s->n_buckets ? s->buckets[hash & (s->n_buckets - 1)] : NULL;
}

/* ---- names ---- */

static bool has_text(const char *s)
{
    return s && *s;
}

static bool same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* An object without a schema, or a statement naming none, matches any schema. */
static bool schema_matches(const char *object, const char *wanted)
{
    return !has_text(object) || !has_text(wanted) || strcmp(object, wanted) == 0;
}

static const char *copy(struct ms_catalog *cat, const char *s)
{
    return has_text(s) ? ms_arena_strdup(&cat->arena, s) : NULL;
}

static const char *rv_schema(const PgQuery__RangeVar *rv)
{
    return rv && has_text(rv->schemaname) ? rv->schemaname : NULL;
}

/* ---- types ---- */

/* Spellings the parser leaves as written that name a built-in type with another name. */
static const char *canonical_type(const char *name, bool *serial)
{
    static const struct {
        const char *written, *internal;
        bool serial;
    } aliases[] = {
        {"serial", "int4", true},  {"serial4", "int4", true},     {"bigserial", "int8", true},
        {"serial8", "int8", true}, {"smallserial", "int2", true}, {"serial2", "int2", true},
        {"int", "int4", false},    {"integer", "int4", false},    {"smallint", "int2", false},
        {"bigint", "int8", false}, {"decimal", "numeric", false}, {"boolean", "bool", false},
        {"real", "float4", false}, {"float", "float8", false},
    };
    *serial = false;
    for (size_t i = 0; i < MS_ARRAY_LEN(aliases); i++)
        if (strcmp(name, aliases[i].written) == 0) {
            *serial = aliases[i].serial;
            return aliases[i].internal;
        }
    return name;
}

static bool type_parse(const PgQuery__TypeName *tn, struct ms_cat_type *out, bool *serial)
{
    memset(out, 0, sizeof(*out));
    *serial = false;
    const char *schema, *name;
    if (!tn || tn->pct_type || !ms_split_name(tn->n_names, tn->names, &schema, &name))
        return false;
    if (schema && strcmp(schema, "pg_catalog") == 0)
        schema = NULL;
    out->schema = schema;
    out->name = schema ? name : canonical_type(name, serial);
    for (size_t i = 0; i < tn->n_typmods; i++) {
        const PgQuery__Node *m = tn->typmods[i];
        if (i >= 2 || m->node_case != PG_QUERY__NODE__NODE_A_CONST ||
            m->a_const->val_case != PG_QUERY__A__CONST__VAL_IVAL || !m->a_const->ival) {
            out->typmods_opaque = true;
            continue;
        }
        out->typmods[out->n_typmods++] = m->a_const->ival->ival;
    }
    out->array_dims = (int)tn->n_array_bounds;
    return true;
}

bool ms_catalog_type_from_name(const PgQuery__TypeName *tn, struct ms_cat_type *out)
{
    bool serial;
    return type_parse(tn, out, &serial);
}

/* snprintf at buf + *n, counting what would have been written */
static void append(char *buf, size_t size, int *n, const char *fmt, ...) MS_PRINTF(4, 5);
static void append(char *buf, size_t size, int *n, const char *fmt, ...)
{
    size_t at = (size_t)*n < size ? (size_t)*n : size;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + at, size - at, fmt, ap);
    va_end(ap);
    *n += k > 0 ? k : 0;
}

int ms_catalog_type_format(const struct ms_cat_type *t, char *buf, size_t size)
{
    int n = 0;
    if (size)
        buf[0] = '\0';
    if (t->schema)
        append(buf, size, &n, "%s.", t->schema);
    append(buf, size, &n, "%s", t->name ? t->name : "?");
    for (int i = 0; i < t->n_typmods; i++)
        append(buf, size, &n, "%s%d%s", i ? "," : "(", t->typmods[i],
               i + 1 == t->n_typmods ? ")" : "");
    for (int i = 0; i < t->array_dims; i++)
        append(buf, size, &n, "[]");
    return n;
}

/* ---- schemas: the tables and enum types each holds, for DROP and RENAME of a schema ---- */

struct ms_cat_schema {
    struct ms_cat_link link;
    const char *name;
    struct ms_cat_member *tables, *enums; /* lists through ms_cat_table/ms_cat_enum.member */
};

#define CONTAINER(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

static struct ms_cat_schema *schema_get(struct ms_catalog *cat, const char *name, bool create)
{
    if (!has_text(name))
        return NULL;
    uint64_t h = hash_name(name);
    for (struct ms_cat_link *l = set_chain(&cat->schemas, h); l; l = l->next)
        if (l->hash == h && same(((struct ms_cat_schema *)l)->name, name))
            return (struct ms_cat_schema *)l;
    if (!create)
        return NULL;
    struct ms_cat_schema *s = ms_arena_alloc(&cat->arena, sizeof(*s));
    s->name = copy(cat, name);
    set_insert(&cat->arena, &cat->schemas, &s->link, h);
    return s;
}

/* Puts an object of a schema on that schema's list (`tables` says which); none without one. */
static void member_link(struct ms_catalog *cat, struct ms_cat_member *m, const char *schema,
                        bool tables)
{
    m->ns = schema_get(cat, schema, true);
    if (!m->ns)
        return;
    struct ms_cat_member **head = tables ? &m->ns->tables : &m->ns->enums;
    m->prev = NULL;
    m->next = *head;
    if (*head)
        (*head)->prev = m;
    *head = m;
}

static void member_unlink(struct ms_cat_member *m, bool tables)
{
    if (!m->ns)
        return;
    if (m->prev)
        m->prev->next = m->next;
    else
        *(tables ? &m->ns->tables : &m->ns->enums) = m->next;
    if (m->next)
        m->next->prev = m->prev;
    memset(m, 0, sizeof(*m));
}

/* ---- lookups ---- */

/* Among the objects named `name` in a chain, the one for `schema`: an exact schema match
 * first; for a statement naming no schema, one without a schema or in public first. */
#define FIND_BY_SCHEMA(type, set, schema_of, name, schema)                                         \
    do {                                                                                           \
        uint64_t h_ = hash_name(name);                                                             \
        type *best_ = NULL;                                                                        \
        for (struct ms_cat_link *l_ = set_chain(set, h_); l_ && (name); l_ = l_->next) {           \
            type *o_ = (type *)l_;                                                                 \
            const char *s_ = schema_of(o_);                                                        \
            if (l_->hash != h_ || !same(o_->name, name) || !schema_matches(s_, schema))            \
                continue;                                                                          \
            if (has_text(schema) ? same(s_, schema) : (!s_ || strcmp(s_, "public") == 0))          \
                return o_;                                                                         \
            if (!best_)                                                                            \
                best_ = o_;                                                                        \
        }                                                                                          \
        return best_;                                                                              \
    } while (0)

#define TABLE_SCHEMA(t) ((t)->schema)
#define INDEX_SCHEMA(i) ((i)->table->schema)

static struct ms_cat_table *table_find(const struct ms_catalog *cat, const char *schema,
                                       const char *name)
{
    FIND_BY_SCHEMA(struct ms_cat_table, &cat->tables, TABLE_SCHEMA, name, schema);
}

static struct ms_cat_index *index_find(const struct ms_catalog *cat, const char *schema,
                                       const char *name)
{
    FIND_BY_SCHEMA(struct ms_cat_index, &cat->indexes, INDEX_SCHEMA, name, schema);
}

static struct ms_cat_enum *enum_find(const struct ms_catalog *cat, const char *schema,
                                     const char *name)
{
    FIND_BY_SCHEMA(struct ms_cat_enum, &cat->enums, TABLE_SCHEMA, name, schema);
}

static struct ms_cat_column *column_find(const struct ms_catalog *cat, const struct ms_cat_table *t,
                                         const char *name)
{
    if (!t || !name)
        return NULL;
    uint64_t h = hash_owned(t, name);
    for (struct ms_cat_link *l = set_chain(&cat->columns, h); l; l = l->next) {
        struct ms_cat_column *c = (struct ms_cat_column *)l;
        if (l->hash == h && c->table == t && same(c->name, name))
            return c;
    }
    return NULL;
}

static struct ms_cat_constraint *constraint_find(const struct ms_catalog *cat,
                                                 const struct ms_cat_table *t, const char *name)
{
    if (!t || !name)
        return NULL;
    uint64_t h = hash_owned(t, name);
    for (struct ms_cat_link *l = set_chain(&cat->constraints, h); l; l = l->next) {
        struct ms_cat_constraint *c = (struct ms_cat_constraint *)l;
        if (l->hash == h && c->table == t && same(c->name, name))
            return c;
    }
    return NULL;
}

/* ---- PostgreSQL's default names (makeObjectName, ChooseRelationName), approximated ---- */

/* Bytes of s to keep so that at most `max` remain, not cutting a UTF-8 sequence. */
static size_t clip(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

static char *object_name(struct ms_catalog *cat, const char *name1, const char *name2,
                         const char *label)
{
    size_t overhead = (label ? strlen(label) + 1 : 0) + (name2 ? 1 : 0);
    size_t avail = NAMEDATALEN - 1 - overhead;
    size_t n1 = strlen(name1), n2 = name2 ? strlen(name2) : 0;
    while (n1 + n2 > avail) {
        if (n1 > n2)
            n1--;
        else
            n2--;
    }
    n1 = clip(name1, strlen(name1), n1);
    n2 = name2 ? clip(name2, strlen(name2), n2) : 0;
    return ms_arena_printf(&cat->arena, "%.*s%s%.*s%s%s", (int)n1, name1, name2 ? "_" : "", (int)n2,
                           name2 ? name2 : "", label ? "_" : "", label ? label : "");
}

/* Is `name` taken by a relation (table or index) in the schema? */
static bool relation_name_taken(const struct ms_catalog *cat, const char *schema, const char *name)
{
    return table_find(cat, schema, name) || index_find(cat, schema, name);
}

/* table_<columns>_<label>, numbered (label1, label2 ...) while the name is taken. */
static const char *choose_name(struct ms_catalog *cat, const struct ms_cat_table *t,
                               const char *columns, const char *label)
{
    const char *name = object_name(cat, t->name, columns, label);
    for (int n = 1; relation_name_taken(cat, t->schema, name) && n < 10000; n++)
        name = object_name(cat, t->name, columns, ms_arena_printf(&cat->arena, "%s%d", label, n));
    return name;
}

/* The column part of a default name: the names joined with "_". */
static const char *join_columns(struct ms_catalog *cat, size_t n, const char *const *columns)
{
    char *out = NULL;
    for (size_t i = 0; i < n; i++)
        out = ms_arena_printf(&cat->arena, "%s%s%s", out ? out : "", out ? "_" : "",
                              columns[i] ? columns[i] : "expr");
    return out;
}

/* ---- objects ---- */

static const char **copy_names(struct ms_catalog *cat, size_t n, PgQuery__Node *const *items,
                               size_t *out_n)
{
    const char **v = ms_arena_alloc(&cat->arena, (n + 1) * sizeof(*v));
    *out_n = 0;
    for (size_t i = 0; i < n; i++)
        if (ms_node_str(items[i]))
            v[(*out_n)++] = copy(cat, ms_node_str(items[i]));
    return v;
}

static void grow(struct ms_catalog *cat, void *items, size_t *cap, size_t need, size_t elem)
{
    void **p = items;
    if (need <= *cap)
        return;
    size_t nc = *cap ? *cap * 2 : 8;
    while (nc < need)
        nc *= 2;
    void *v = ms_arena_alloc(&cat->arena, nc * elem);
    if (*cap)
        memcpy(v, *p, *cap * elem);
    *p = v;
    *cap = nc;
}

static struct ms_cat_table *table_new(struct ms_catalog *cat, const char *schema, const char *name,
                                      bool known, const struct ms_catalog_origin *origin)
{
    struct ms_cat_table *t = ms_arena_alloc(&cat->arena, sizeof(*t));
    t->schema = copy(cat, schema);
    t->name = copy(cat, name);
    t->known = known;
    t->columns_complete = known;
    if (known && origin) {
        t->change_set_new = origin->in_change_set;
        t->origin = copy(cat, origin->migration);
    }
    set_insert(&cat->arena, &cat->tables, &t->link, hash_name(t->name));
    member_link(cat, &t->member, t->schema, true);
    return t;
}

static void index_remove(struct ms_catalog *cat, struct ms_cat_index *ix)
{
    struct ms_cat_table *t = (struct ms_cat_table *)ix->table;
    for (struct ms_cat_index **p = &t->indexes; *p; p = &(*p)->next_in_table)
        if (*p == ix) {
            *p = ix->next_in_table;
            break;
        }
    set_remove(&cat->indexes, &ix->link);
}

static void constraint_remove(struct ms_catalog *cat, struct ms_cat_constraint *c)
{
    struct ms_cat_table *t = (struct ms_cat_table *)c->table;
    for (struct ms_cat_constraint **p = &t->constraints; *p; p = &(*p)->next_in_table)
        if (*p == c) {
            *p = c->next_in_table;
            break;
        }
    set_remove(&cat->constraints, &c->link);
    /* the index of a PRIMARY KEY, UNIQUE or EXCLUDE constraint goes with it */
    struct ms_cat_index *ix = index_find(cat, t->schema, c->name);
    if (ix && ix->table == t && same(ix->constraint, c->name))
        index_remove(cat, ix);
}

static void table_drop(struct ms_catalog *cat, struct ms_cat_table *t)
{
    for (size_t i = 0; i < t->n_columns; i++)
        set_remove(&cat->columns, &t->columns[i]->link);
    for (struct ms_cat_index *ix = t->indexes; ix; ix = ix->next_in_table)
        set_remove(&cat->indexes, &ix->link);
    for (struct ms_cat_constraint *c = t->constraints; c; c = c->next_in_table)
        set_remove(&cat->constraints, &c->link);
    t->indexes = NULL;
    t->constraints = NULL;
    t->n_columns = 0;
    member_unlink(&t->member, true);
    set_remove(&cat->tables, &t->link);
}

static void rename_table(struct ms_catalog *cat, struct ms_cat_table *t, const char *name)
{
    set_remove(&cat->tables, &t->link);
    t->name = copy(cat, name);
    set_insert(&cat->arena, &cat->tables, &t->link, hash_name(t->name));
}

static void set_table_schema(struct ms_catalog *cat, struct ms_cat_table *t, const char *schema)
{
    member_unlink(&t->member, true);
    t->schema = copy(cat, schema);
    member_link(cat, &t->member, t->schema, true);
}

/* The table a statement alters: known, or an unknown one that remembers what it learns. A
 * statement with IF EXISTS on an unknown table may have done nothing: none is made then. */
static struct ms_cat_table *table_for(struct ms_catalog *cat, const PgQuery__RangeVar *rv,
                                      bool if_exists)
{
    if (!rv || !has_text(rv->relname))
        return NULL;
    struct ms_cat_table *t = table_find(cat, rv_schema(rv), rv->relname);
    if (!t && !if_exists)
        t = table_new(cat, rv_schema(rv), rv->relname, false, NULL);
    return t;
}

static struct ms_cat_column *column_add(struct ms_catalog *cat, struct ms_cat_table *t,
                                        const char *name, const PgQuery__TypeName *type)
{
    struct ms_cat_column *c = ms_arena_alloc(&cat->arena, sizeof(*c));
    c->table = t;
    c->name = copy(cat, name);
    bool serial = false;
    if (type_parse(type, &c->type, &serial)) {
        c->type.schema = copy(cat, c->type.schema);
        c->type.name = copy(cat, c->type.name);
        char buf[256];
        ms_catalog_type_format(&c->type, buf, sizeof(buf));
        c->type_text = copy(cat, buf);
    }
    c->not_null = c->has_default = serial;
    grow(cat, &t->columns, &t->cap_columns, t->n_columns + 1, sizeof(*t->columns));
    t->columns[t->n_columns++] = c;
    set_insert(&cat->arena, &cat->columns, &c->link, hash_owned(t, c->name));
    return c;
}

static void set_column_type(struct ms_catalog *cat, struct ms_cat_column *c,
                            const PgQuery__TypeName *type)
{
    bool serial;
    struct ms_cat_type ty;
    if (!type_parse(type, &ty, &serial)) {
        memset(&c->type, 0, sizeof(c->type));
        c->type_text = NULL;
        return;
    }
    c->type = ty;
    c->type.schema = copy(cat, ty.schema);
    c->type.name = copy(cat, ty.name);
    char buf[256];
    ms_catalog_type_format(&c->type, buf, sizeof(buf));
    c->type_text = copy(cat, buf);
}

static bool names_contain(size_t n, const char *const *names, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (same(names[i], name))
            return true;
    return false;
}

/* DROP COLUMN takes the indexes and constraints that use the column with it. */
static void column_drop(struct ms_catalog *cat, struct ms_cat_table *t, struct ms_cat_column *c)
{
    set_remove(&cat->columns, &c->link);
    size_t k = 0;
    for (size_t i = 0; i < t->n_columns; i++)
        if (t->columns[i] != c)
            t->columns[k++] = t->columns[i];
    t->n_columns = k;
    for (struct ms_cat_constraint *con = t->constraints, *next; con; con = next) {
        next = con->next_in_table;
        if (names_contain(con->n_columns, con->columns, c->name))
            constraint_remove(cat, con);
    }
    for (struct ms_cat_index *ix = t->indexes, *next; ix; ix = next) {
        next = ix->next_in_table;
        if (names_contain(ix->n_columns, ix->columns, c->name))
            index_remove(cat, ix);
    }
}

static void rename_in(size_t n, const char **names, const char *from, const char *to)
{
    for (size_t i = 0; i < n; i++)
        if (same(names[i], from))
            names[i] = to;
}

static void column_rename(struct ms_catalog *cat, struct ms_cat_table *t, struct ms_cat_column *c,
                          const char *name)
{
    const char *old = c->name, *to = copy(cat, name);
    set_remove(&cat->columns, &c->link);
    c->name = to;
    set_insert(&cat->arena, &cat->columns, &c->link, hash_owned(t, to));
    for (struct ms_cat_constraint *con = t->constraints; con; con = con->next_in_table)
        rename_in(con->n_columns, con->columns, old, to);
    for (struct ms_cat_index *ix = t->indexes; ix; ix = ix->next_in_table)
        rename_in(ix->n_columns, ix->columns, old, to);
}

static struct ms_cat_index *index_add(struct ms_catalog *cat, struct ms_cat_table *t,
                                      const char *name, size_t n, const char **columns)
{
    struct ms_cat_index *ix = ms_arena_alloc(&cat->arena, sizeof(*ix));
    ix->table = t;
    ix->name = copy(cat, name);
    ix->n_columns = n;
    ix->columns = columns;
    for (size_t i = 0; i < n; i++)
        ix->has_expressions |= columns[i] == NULL;
    ix->next_in_table = t->indexes;
    t->indexes = ix;
    set_insert(&cat->arena, &cat->indexes, &ix->link, hash_name(ix->name));
    return ix;
}

static void index_rename(struct ms_catalog *cat, struct ms_cat_index *ix, const char *name)
{
    set_remove(&cat->indexes, &ix->link);
    ix->name = copy(cat, name);
    set_insert(&cat->arena, &cat->indexes, &ix->link, hash_name(ix->name));
}

static void constraint_rename(struct ms_catalog *cat, struct ms_cat_constraint *c, const char *name)
{
    set_remove(&cat->constraints, &c->link);
    c->name = copy(cat, name);
    set_insert(&cat->arena, &cat->constraints, &c->link, hash_owned(c->table, c->name));
}

/* ---- constraints ---- */

static void mark_not_null(struct ms_catalog *cat, struct ms_cat_table *t, size_t n,
                          const char *const *columns)
{
    for (size_t i = 0; i < n; i++) {
        struct ms_cat_column *c = column_find(cat, t, columns[i]);
        if (c)
            c->not_null = true;
    }
}

/* A PRIMARY KEY, UNIQUE, FOREIGN KEY, CHECK or EXCLUDE constraint; `column` is the column an
 * inline constraint is declared on (NULL for a table constraint). */
static void constraint_add(struct ms_catalog *cat, struct ms_cat_table *t,
                           const PgQuery__Constraint *con, const char *column)
{
    struct ms_cat_constraint *c = ms_arena_alloc(&cat->arena, sizeof(*c));
    c->table = t;
    c->validated = !con->skip_validation;
    const char *label = NULL;
    size_t n_keys = 0;
    PgQuery__Node *const *keys = NULL;
    struct ms_cat_index *using_index = NULL;
    switch (con->contype) {
    case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
    case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
        c->kind =
            con->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY ? MS_CON_PRIMARY : MS_CON_UNIQUE;
        label = c->kind == MS_CON_PRIMARY ? "pkey" : "key";
        n_keys = con->n_keys;
        keys = con->keys;
        if (has_text(con->indexname)) {
            using_index = index_find(cat, t->schema, con->indexname);
            if (using_index && using_index->table != t)
                using_index = NULL;
        }
        break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
        c->kind = MS_CON_FOREIGN;
        label = "fkey";
        n_keys = con->n_fk_attrs;
        keys = con->fk_attrs;
        if (con->pktable) {
            c->ref_schema = copy(cat, rv_schema(con->pktable));
            c->ref_table = copy(cat, con->pktable->relname);
        }
        c->ref_columns = copy_names(cat, con->n_pk_attrs, con->pk_attrs, &c->n_ref_columns);
        break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
        c->kind = MS_CON_CHECK;
        label = "check";
        break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION:
        c->kind = MS_CON_EXCLUSION;
        label = "excl";
        break;
    default:
        return;
    }
    if (using_index) {
        c->columns = using_index->columns;
        c->n_columns = using_index->n_columns;
    } else if (c->kind == MS_CON_EXCLUSION) {
        /* EXCLUDE (col WITH =, ...): each element is a list of an IndexElem and an operator */
        c->columns = ms_arena_alloc(&cat->arena, (con->n_exclusions + 1) * sizeof(*c->columns));
        for (size_t i = 0; i < con->n_exclusions; i++) {
            const PgQuery__Node *pair = con->exclusions[i];
            const PgQuery__Node *elem =
                pair->node_case == PG_QUERY__NODE__NODE_LIST && pair->list->n_items > 0
                    ? pair->list->items[0]
                    : NULL;
            c->columns[c->n_columns++] = elem && elem->node_case == PG_QUERY__NODE__NODE_INDEX_ELEM
                                             ? copy(cat, elem->index_elem->name)
                                             : NULL;
        }
    } else if (n_keys) {
        c->columns = copy_names(cat, n_keys, keys, &c->n_columns);
    } else if (column && c->kind != MS_CON_CHECK) {
        c->columns = ms_arena_alloc(&cat->arena, sizeof(*c->columns));
        c->columns[c->n_columns++] = copy(cat, column);
    }
    if (has_text(con->conname))
        c->name = copy(cat, con->conname);
    else if (c->kind == MS_CON_PRIMARY)
        c->name = choose_name(cat, t, NULL, label);
    else if (c->kind == MS_CON_CHECK)
        c->name = choose_name(cat, t, column, label);
    else
        c->name = choose_name(cat, t, join_columns(cat, c->n_columns, c->columns), label);
    if (constraint_find(cat, t, c->name))
        return; /* PostgreSQL refuses a second constraint of the same name */
    c->next_in_table = t->constraints;
    t->constraints = c;
    set_insert(&cat->arena, &cat->constraints, &c->link, hash_owned(t, c->name));
    if (c->kind == MS_CON_PRIMARY)
        mark_not_null(cat, t, c->n_columns, c->columns);
    if (c->kind == MS_CON_FOREIGN || c->kind == MS_CON_CHECK)
        return;
    struct ms_cat_index *ix = using_index;
    if (ix && !same(ix->name, c->name))
        index_rename(cat, ix, c->name); /* USING INDEX renames the index to the constraint */
    if (!ix)
        ix = index_add(cat, t, c->name, c->n_columns, c->columns);
    ix->unique = c->kind != MS_CON_EXCLUSION;
    ix->constraint = c->name;
}

/* ---- columns as CREATE TABLE and ADD COLUMN declare them ---- */

static void column_define(struct ms_catalog *cat, struct ms_cat_table *t,
                          const PgQuery__ColumnDef *def)
{
    if (!has_text(def->colname) || column_find(cat, t, def->colname))
        return;
    struct ms_cat_column *c = column_add(cat, t, def->colname, def->type_name);
    c->not_null |= def->is_not_null;
    c->has_default |=
        def->raw_default != NULL || has_text(def->identity) || has_text(def->generated);
    for (size_t i = 0; i < def->n_constraints; i++) {
        const PgQuery__Node *n = def->constraints[i];
        if (n->node_case != PG_QUERY__NODE__NODE_CONSTRAINT)
            continue;
        const PgQuery__Constraint *con = n->constraint;
        switch (con->contype) {
        case PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL:
            c->not_null = true;
            break;
        case PG_QUERY__CONSTR_TYPE__CONSTR_NULL:
            c->not_null = false;
            break;
        case PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY:
            c->not_null = true;
            c->has_default = true;
            break;
        case PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT:
        case PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED:
            c->has_default = true;
            break;
        default:
            constraint_add(cat, t, con, c->name);
            break;
        }
    }
}

/* ---- statements ---- */

static void apply_create(struct ms_catalog *cat, const PgQuery__CreateStmt *s,
                         const struct ms_catalog_origin *origin)
{
    const PgQuery__RangeVar *rv = s->relation;
    if (!rv || !has_text(rv->relname) || same(rv->relpersistence, "t"))
        return; /* a temporary table is gone at the end of the session */
    struct ms_cat_table *t = table_find(cat, rv_schema(rv), rv->relname);
    if (t && s->if_not_exists)
        return;
    if (t)
        table_drop(cat, t);
    t = table_new(cat, rv_schema(rv), rv->relname, true, origin);
    bool partition = s->partbound != NULL;
    t->columns_complete = !partition && s->n_inh_relations == 0 && !s->of_typename;
    for (size_t i = 0; i < s->n_table_elts; i++) {
        const PgQuery__Node *e = s->table_elts[i];
        if (e->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF && !partition)
            column_define(cat, t, e->column_def);
        else if (e->node_case == PG_QUERY__NODE__NODE_TABLE_LIKE_CLAUSE)
            t->columns_complete = false;
    }
    /* table constraints after the columns, which they may name */
    for (size_t i = 0; i < s->n_table_elts; i++)
        if (s->table_elts[i]->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
            constraint_add(cat, t, s->table_elts[i]->constraint, NULL);
}

static void apply_create_as(struct ms_catalog *cat, const PgQuery__IntoClause *into,
                            bool if_not_exists, const struct ms_catalog_origin *origin)
{
    const PgQuery__RangeVar *rv = into ? into->rel : NULL;
    if (!rv || !has_text(rv->relname) || same(rv->relpersistence, "t"))
        return;
    struct ms_cat_table *t = table_find(cat, rv_schema(rv), rv->relname);
    if (t && if_not_exists)
        return;
    if (t)
        table_drop(cat, t);
    t = table_new(cat, rv_schema(rv), rv->relname, true, origin);
    t->columns_complete = false;
}

static void apply_alter_cmd(struct ms_catalog *cat, struct ms_cat_table *t,
                            const PgQuery__AlterTableCmd *cmd)
{
    struct ms_cat_column *col = column_find(cat, t, cmd->name);
    const PgQuery__Node *def = cmd->def;
    switch (cmd->subtype) {
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn:
        if (def && def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
            column_define(cat, t, def->column_def);
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
        if (col)
            column_drop(cat, t, col);
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType:
        if (!col && has_text(cmd->name) && !t->columns_complete)
            col = column_add(cat, t, cmd->name, NULL); /* learnt: the column exists */
        if (col && def && def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
            set_column_type(cat, col, def->column_def->type_name);
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull:
        if (col)
            col->not_null = cmd->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull;
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ColumnDefault:
        if (col)
            col->has_default = def != NULL;
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddIdentity:
        if (col)
            col->has_default = col->not_null = true;
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropIdentity:
        if (col)
            col->has_default = false;
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
        if (def && def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
            constraint_add(cat, t, def->constraint, NULL);
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint: {
        struct ms_cat_constraint *c = constraint_find(cat, t, cmd->name);
        if (c)
            constraint_remove(cat, c);
        break;
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint: {
        struct ms_cat_constraint *c = constraint_find(cat, t, cmd->name);
        if (c)
            c->validated = true;
        break;
    }
    default:
        break;
    }
}

static bool is_table_kind(PgQuery__ObjectType k)
{
    return k == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE || k == PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW ||
           k == PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE;
}

static void apply_alter_table(struct ms_catalog *cat, const PgQuery__AlterTableStmt *s)
{
    if (!is_table_kind(s->objtype))
        return;
    struct ms_cat_table *t = table_for(cat, s->relation, s->missing_ok);
    for (size_t i = 0; t && i < s->n_cmds; i++)
        if (s->cmds[i]->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
            apply_alter_cmd(cat, t, s->cmds[i]->alter_table_cmd);
}

/* What an index key is called in the index's default name: the column, the function of an
 * expression (lower(email) -> "lower"), else "expr". */
static const char *key_name_part(const PgQuery__IndexElem *e)
{
    if (has_text(e->name))
        return e->name;
    if (e->expr && e->expr->node_case == PG_QUERY__NODE__NODE_FUNC_CALL) {
        const PgQuery__FuncCall *f = e->expr->func_call;
        if (f->n_funcname > 0 && ms_node_str(f->funcname[f->n_funcname - 1]))
            return ms_node_str(f->funcname[f->n_funcname - 1]);
    }
    return "expr";
}

static void apply_index(struct ms_catalog *cat, const PgQuery__IndexStmt *s)
{
    struct ms_cat_table *t = table_for(cat, s->relation, false);
    if (!t)
        return;
    if (has_text(s->idxname) && index_find(cat, t->schema, s->idxname)) {
        if (s->if_not_exists)
            return;
        index_remove(cat, index_find(cat, t->schema, s->idxname));
    }
    size_t n = s->n_index_params;
    const char **columns = ms_arena_alloc(&cat->arena, (n + 1) * sizeof(*columns));
    const char **parts =
        ms_arena_alloc(&cat->arena, (n + s->n_index_including_params + 1) * sizeof(*parts));
    size_t n_parts = 0;
    for (size_t i = 0; i < n; i++) {
        const PgQuery__Node *p = s->index_params[i];
        const PgQuery__IndexElem *e =
            p->node_case == PG_QUERY__NODE__NODE_INDEX_ELEM ? p->index_elem : NULL;
        columns[i] = e ? copy(cat, e->name) : NULL;
        parts[n_parts++] = e ? key_name_part(e) : "expr";
    }
    for (size_t i = 0; i < s->n_index_including_params; i++) {
        const PgQuery__Node *p = s->index_including_params[i];
        if (p->node_case == PG_QUERY__NODE__NODE_INDEX_ELEM)
            parts[n_parts++] = key_name_part(p->index_elem);
    }
    const char *name = s->idxname;
    if (!has_text(name))
        name = choose_name(cat, t, join_columns(cat, n_parts, parts),
                           s->primary  ? "pkey"
                           : s->unique ? "key"
                                       : "idx");
    struct ms_cat_index *ix = index_add(cat, t, name, n, columns);
    ix->unique = s->unique || s->primary;
    ix->partial = s->where_clause != NULL;
}

static void drop_schema(struct ms_catalog *cat, const char *name)
{
    struct ms_cat_schema *ns = schema_get(cat, name, false);
    if (!ns)
        return;
    while (ns->tables)
        table_drop(cat, CONTAINER(ns->tables, struct ms_cat_table, member));
    while (ns->enums) {
        struct ms_cat_enum *e = CONTAINER(ns->enums, struct ms_cat_enum, member);
        member_unlink(&e->member, false);
        set_remove(&cat->enums, &e->link);
    }
}

static void apply_drop(struct ms_catalog *cat, const PgQuery__DropStmt *s)
{
    for (size_t i = 0; i < s->n_objects; i++) {
        const PgQuery__Node *o = s->objects[i];
        const char *schema = NULL, *name = NULL;
        if (is_table_kind(s->remove_type)) {
            struct ms_cat_table *t =
                ms_split_list_name(o, &schema, &name) ? table_find(cat, schema, name) : NULL;
            if (t)
                table_drop(cat, t);
        } else if (s->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX) {
            struct ms_cat_index *ix =
                ms_split_list_name(o, &schema, &name) ? index_find(cat, schema, name) : NULL;
            if (ix && !ix->constraint)
                index_remove(cat, ix);
        } else if (s->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_TYPE) {
            struct ms_cat_enum *e = NULL;
            if (o->node_case == PG_QUERY__NODE__NODE_TYPE_NAME &&
                ms_split_name(o->type_name->n_names, o->type_name->names, &schema, &name))
                e = enum_find(cat, schema, name);
            if (e) {
                member_unlink(&e->member, false);
                set_remove(&cat->enums, &e->link);
            }
        } else if (s->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA) {
            drop_schema(cat, ms_node_str(o));
        }
    }
}

static void rename_schema(struct ms_catalog *cat, const char *from, const char *to)
{
    struct ms_cat_schema *ns = schema_get(cat, from, false);
    if (!ns || !has_text(to) || schema_get(cat, to, false))
        return;
    set_remove(&cat->schemas, &ns->link);
    ns->name = copy(cat, to);
    set_insert(&cat->arena, &cat->schemas, &ns->link, hash_name(ns->name));
    for (struct ms_cat_member *m = ns->tables; m; m = m->next)
        CONTAINER(m, struct ms_cat_table, member)->schema = ns->name;
    for (struct ms_cat_member *m = ns->enums; m; m = m->next)
        CONTAINER(m, struct ms_cat_enum, member)->schema = ns->name;
}

static void apply_rename(struct ms_catalog *cat, const PgQuery__RenameStmt *s)
{
    const PgQuery__RangeVar *rv = s->relation;
    const char *to = s->newname;
    if (!has_text(to))
        return;
    struct ms_cat_table *t =
        rv && has_text(rv->relname) ? table_find(cat, rv_schema(rv), rv->relname) : NULL;
    switch (s->rename_type) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
    case PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX: {
        /* ALTER TABLE renames an index too, and ALTER INDEX a table */
        struct ms_cat_index *ix =
            rv && has_text(rv->relname) ? index_find(cat, rv_schema(rv), rv->relname) : NULL;
        if (s->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX ? ix != NULL : t == NULL) {
            if (!ix)
                break;
            struct ms_cat_constraint *c =
                ix->constraint ? constraint_find(cat, ix->table, ix->constraint) : NULL;
            index_rename(cat, ix, to);
            if (c) {
                constraint_rename(cat, c, to);
                ix->constraint = c->name;
            }
        } else if (t) {
            rename_table(cat, t, to);
        }
        break;
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN: {
        if (!t && !s->missing_ok)
            t = table_for(cat, rv, false);
        struct ms_cat_column *c = column_find(cat, t, s->subname);
        if (c && !column_find(cat, t, to))
            column_rename(cat, t, c, to);
        else if (!c && t && !t->columns_complete && has_text(s->subname))
            column_add(cat, t, to, NULL); /* learnt: it exists under its new name */
        break;
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT: {
        struct ms_cat_constraint *c = constraint_find(cat, t, s->subname);
        if (!c)
            break;
        struct ms_cat_index *ix = index_find(cat, t->schema, c->name);
        if (ix && ix->table == t && same(ix->constraint, c->name))
            index_rename(cat, ix, to);
        constraint_rename(cat, c, to);
        if (ix && ix->table == t && ix->constraint)
            ix->constraint = c->name;
        break;
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE: {
        const char *schema, *name;
        struct ms_cat_enum *e =
            ms_split_list_name(s->object, &schema, &name) ? enum_find(cat, schema, name) : NULL;
        if (e) {
            set_remove(&cat->enums, &e->link);
            e->name = copy(cat, to);
            set_insert(&cat->arena, &cat->enums, &e->link, hash_name(e->name));
        }
        break;
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA:
        rename_schema(cat, s->subname, to);
        break;
    default:
        break;
    }
}

static void apply_set_schema(struct ms_catalog *cat, const PgQuery__AlterObjectSchemaStmt *s)
{
    if (!has_text(s->newschema))
        return;
    if (is_table_kind(s->object_type) && s->relation && has_text(s->relation->relname)) {
        struct ms_cat_table *t = table_find(cat, rv_schema(s->relation), s->relation->relname);
        if (t)
            set_table_schema(cat, t, s->newschema);
    } else if (s->object_type == PG_QUERY__OBJECT_TYPE__OBJECT_TYPE) {
        const char *schema, *name;
        struct ms_cat_enum *e =
            ms_split_list_name(s->object, &schema, &name) ? enum_find(cat, schema, name) : NULL;
        if (e) {
            member_unlink(&e->member, false);
            e->schema = copy(cat, s->newschema);
            member_link(cat, &e->member, e->schema, false);
        }
    }
}

static void enum_insert(struct ms_catalog *cat, struct ms_cat_enum *e, size_t at, const char *v)
{
    grow(cat, &e->values, &e->cap_values, e->n_values + 1, sizeof(*e->values));
    memmove(e->values + at + 1, e->values + at, (e->n_values - at) * sizeof(*e->values));
    e->values[at] = copy(cat, v);
    e->n_values++;
}

/* Where value v is, or n_values. */
static size_t enum_position(const struct ms_cat_enum *e, const char *v)
{
    size_t i = 0;
    while (i < e->n_values && !same(e->values[i], v))
        i++;
    return i;
}

static void apply_create_enum(struct ms_catalog *cat, const PgQuery__CreateEnumStmt *s)
{
    const char *schema, *name;
    if (!ms_split_name(s->n_type_name, s->type_name, &schema, &name))
        return;
    struct ms_cat_enum *old = enum_find(cat, schema, name);
    if (old) {
        member_unlink(&old->member, false);
        set_remove(&cat->enums, &old->link);
    }
    struct ms_cat_enum *e = ms_arena_alloc(&cat->arena, sizeof(*e));
    e->schema = copy(cat, schema);
    e->name = copy(cat, name);
    for (size_t i = 0; i < s->n_vals; i++)
        if (ms_node_str(s->vals[i]))
            enum_insert(cat, e, e->n_values, ms_node_str(s->vals[i]));
    set_insert(&cat->arena, &cat->enums, &e->link, hash_name(e->name));
    member_link(cat, &e->member, e->schema, false);
}

static void apply_alter_enum(struct ms_catalog *cat, const PgQuery__AlterEnumStmt *s)
{
    const char *schema, *name;
    struct ms_cat_enum *e = ms_split_name(s->n_type_name, s->type_name, &schema, &name)
                                ? enum_find(cat, schema, name)
                                : NULL;
    if (!e || !has_text(s->new_val))
        return;
    if (has_text(s->old_val)) { /* RENAME VALUE */
        size_t at = enum_position(e, s->old_val);
        if (at < e->n_values)
            e->values[at] = copy(cat, s->new_val);
        return;
    }
    if (enum_position(e, s->new_val) < e->n_values)
        return; /* IF NOT EXISTS, or an error in PostgreSQL */
    size_t at = e->n_values;
    if (has_text(s->new_val_neighbor)) {
        size_t k = enum_position(e, s->new_val_neighbor);
        if (k < e->n_values)
            at = s->new_val_is_after ? k + 1 : k;
    }
    enum_insert(cat, e, at, s->new_val);
}

void ms_catalog_apply(struct ms_catalog *cat, const PgQuery__Node *n,
                      const struct ms_catalog_origin *origin)
{
    if (!n)
        return;
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_CREATE_STMT:
        apply_create(cat, n->create_stmt, origin);
        break;
    case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
        if (is_table_kind(n->create_table_as_stmt->objtype))
            apply_create_as(cat, n->create_table_as_stmt->into,
                            n->create_table_as_stmt->if_not_exists, origin);
        break;
    case PG_QUERY__NODE__NODE_SELECT_STMT:
        if (n->select_stmt->into_clause)
            apply_create_as(cat, n->select_stmt->into_clause, false, origin);
        break;
    case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
        apply_alter_table(cat, n->alter_table_stmt);
        break;
    case PG_QUERY__NODE__NODE_INDEX_STMT:
        apply_index(cat, n->index_stmt);
        break;
    case PG_QUERY__NODE__NODE_DROP_STMT:
        apply_drop(cat, n->drop_stmt);
        break;
    case PG_QUERY__NODE__NODE_RENAME_STMT:
        apply_rename(cat, n->rename_stmt);
        break;
    case PG_QUERY__NODE__NODE_ALTER_OBJECT_SCHEMA_STMT:
        apply_set_schema(cat, n->alter_object_schema_stmt);
        break;
    case PG_QUERY__NODE__NODE_CREATE_ENUM_STMT:
        apply_create_enum(cat, n->create_enum_stmt);
        break;
    case PG_QUERY__NODE__NODE_ALTER_ENUM_STMT:
        apply_alter_enum(cat, n->alter_enum_stmt);
        break;
    default:
        break;
    }
}

/* ---- lifecycle and queries ---- */

void ms_catalog_init(struct ms_catalog *cat)
{
    memset(cat, 0, sizeof(*cat));
    ms_arena_init(&cat->arena);
}

void ms_catalog_clear(struct ms_catalog *cat)
{
    ms_catalog_release(cat);
    ms_catalog_init(cat);
}

void ms_catalog_release(struct ms_catalog *cat)
{
    ms_arena_release(&cat->arena);
    memset(cat, 0, sizeof(*cat));
}

const struct ms_cat_table *ms_catalog_find_table(const struct ms_catalog *cat, const char *schema,
                                                 const char *name)
{
    return has_text(name) ? table_find(cat, schema, name) : NULL;
}

const struct ms_cat_column *ms_catalog_find_column(const struct ms_catalog *cat,
                                                   const struct ms_cat_table *t, const char *name)
{
    return column_find(cat, t, name);
}

const struct ms_cat_constraint *ms_catalog_find_constraint(const struct ms_catalog *cat,
                                                           const struct ms_cat_table *t,
                                                           const char *name)
{
    return constraint_find(cat, t, name);
}

const struct ms_cat_index *ms_catalog_find_index(const struct ms_catalog *cat, const char *schema,
                                                 const char *name)
{
    return has_text(name) ? index_find(cat, schema, name) : NULL;
}

bool ms_catalog_has_leading_index(const struct ms_catalog *cat, const struct ms_cat_table *t,
                                  size_t n, const char *const *columns)
{
    (void)cat;
    if (!t || n == 0)
        return false;
    for (const struct ms_cat_index *ix = t->indexes; ix; ix = ix->next_in_table) {
        if (ix->partial || ix->n_columns < n)
            continue;
        bool all = true;
        for (size_t i = 0; i < n && all; i++)
            all = ix->columns[i] && names_contain(n, columns, ix->columns[i]);
        /* and each wanted column once: (a, a) does not lead with (a, b) */
        for (size_t i = 0; i < n && all; i++)
            all = names_contain(n, ix->columns, columns[i]);
        if (all)
            return true;
    }
    return false;
}

const struct ms_cat_enum *ms_catalog_find_enum(const struct ms_catalog *cat, const char *schema,
                                               const char *name)
{
    return has_text(name) ? enum_find(cat, schema, name) : NULL;
}

bool ms_catalog_table_is_change_set_new(const struct ms_catalog *cat, const char *schema,
                                        const char *name)
{
    const struct ms_cat_table *t = ms_catalog_find_table(cat, schema, name);
    return t && t->known && t->change_set_new;
}
