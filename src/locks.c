/* locks.c: the lock table of PostgreSQL 15 (see locks.h). Each answer below is a line of
 * tests/locks/cases.txt, checked on a real server by tests/locks/verify.sh. */
#include "migsafe.h"
#include "rule.h"
#include "volatility.h"

/* ---- names ---- */

const char *ms_lock_mode_name(enum ms_lock_mode mode)
{
    static const char *const names[] = {
        [MS_LOCK_NONE] = "no lock",
        [MS_LOCK_ACCESS_SHARE] = "ACCESS SHARE",
        [MS_LOCK_ROW_SHARE] = "ROW SHARE",
        [MS_LOCK_ROW_EXCLUSIVE] = "ROW EXCLUSIVE",
        [MS_LOCK_SHARE_UPDATE_EXCLUSIVE] = "SHARE UPDATE EXCLUSIVE",
        [MS_LOCK_SHARE] = "SHARE",
        [MS_LOCK_SHARE_ROW_EXCLUSIVE] = "SHARE ROW EXCLUSIVE",
        [MS_LOCK_EXCLUSIVE] = "EXCLUSIVE",
        [MS_LOCK_ACCESS_EXCLUSIVE] = "ACCESS EXCLUSIVE",
    };
    return (size_t)mode < MS_ARRAY_LEN(names) ? names[mode] : "?";
}

const char *ms_lock_mode_blocks(enum ms_lock_mode mode)
{
    switch (mode) {
    case MS_LOCK_ACCESS_EXCLUSIVE:
        return "reads and writes";
    case MS_LOCK_EXCLUSIVE:
    case MS_LOCK_SHARE_ROW_EXCLUSIVE:
    case MS_LOCK_SHARE:
        return "writes";
    case MS_LOCK_SHARE_UPDATE_EXCLUSIVE:
        return "other schema changes and VACUUM";
    case MS_LOCK_ROW_EXCLUSIVE:
    case MS_LOCK_ROW_SHARE:
        return "explicit table locks";
    case MS_LOCK_ACCESS_SHARE:
        return "ACCESS EXCLUSIVE locks";
    case MS_LOCK_NONE:
        break;
    }
    return "nothing";
}

bool ms_lock_conflicts(enum ms_lock_mode a, enum ms_lock_mode b)
{
    /* bit m of conflicts[n]: mode m conflicts with mode n (lock.c's LockConflicts) */
#define BIT(m) (1u << (m))
    static const unsigned conflicts[] = {
        [MS_LOCK_NONE] = 0,
        [MS_LOCK_ACCESS_SHARE] = BIT(MS_LOCK_ACCESS_EXCLUSIVE),
        [MS_LOCK_ROW_SHARE] = BIT(MS_LOCK_EXCLUSIVE) | BIT(MS_LOCK_ACCESS_EXCLUSIVE),
        [MS_LOCK_ROW_EXCLUSIVE] = BIT(MS_LOCK_SHARE) | BIT(MS_LOCK_SHARE_ROW_EXCLUSIVE) |
                                  BIT(MS_LOCK_EXCLUSIVE) | BIT(MS_LOCK_ACCESS_EXCLUSIVE),
        [MS_LOCK_SHARE_UPDATE_EXCLUSIVE] = BIT(MS_LOCK_SHARE_UPDATE_EXCLUSIVE) |
                                           BIT(MS_LOCK_SHARE) | BIT(MS_LOCK_SHARE_ROW_EXCLUSIVE) |
                                           BIT(MS_LOCK_EXCLUSIVE) | BIT(MS_LOCK_ACCESS_EXCLUSIVE),
        [MS_LOCK_SHARE] = BIT(MS_LOCK_ROW_EXCLUSIVE) | BIT(MS_LOCK_SHARE_UPDATE_EXCLUSIVE) |
                          BIT(MS_LOCK_SHARE_ROW_EXCLUSIVE) | BIT(MS_LOCK_EXCLUSIVE) |
                          BIT(MS_LOCK_ACCESS_EXCLUSIVE),
        [MS_LOCK_SHARE_ROW_EXCLUSIVE] = BIT(MS_LOCK_ROW_EXCLUSIVE) |
                                        BIT(MS_LOCK_SHARE_UPDATE_EXCLUSIVE) | BIT(MS_LOCK_SHARE) |
                                        BIT(MS_LOCK_SHARE_ROW_EXCLUSIVE) | BIT(MS_LOCK_EXCLUSIVE) |
                                        BIT(MS_LOCK_ACCESS_EXCLUSIVE),
        [MS_LOCK_EXCLUSIVE] = BIT(MS_LOCK_ROW_SHARE) | BIT(MS_LOCK_ROW_EXCLUSIVE) |
                              BIT(MS_LOCK_SHARE_UPDATE_EXCLUSIVE) | BIT(MS_LOCK_SHARE) |
                              BIT(MS_LOCK_SHARE_ROW_EXCLUSIVE) | BIT(MS_LOCK_EXCLUSIVE) |
                              BIT(MS_LOCK_ACCESS_EXCLUSIVE),
        [MS_LOCK_ACCESS_EXCLUSIVE] = BIT(MS_LOCK_ACCESS_SHARE) | BIT(MS_LOCK_ROW_SHARE) |
                                     BIT(MS_LOCK_ROW_EXCLUSIVE) |
                                     BIT(MS_LOCK_SHARE_UPDATE_EXCLUSIVE) | BIT(MS_LOCK_SHARE) |
                                     BIT(MS_LOCK_SHARE_ROW_EXCLUSIVE) | BIT(MS_LOCK_EXCLUSIVE) |
                                     BIT(MS_LOCK_ACCESS_EXCLUSIVE),
    };
#undef BIT
    if ((size_t)a >= MS_ARRAY_LEN(conflicts) || (size_t)b >= MS_ARRAY_LEN(conflicts))
        return false;
    return (conflicts[a] >> b) & 1u;
}

const char *ms_work_name(enum ms_work work)
{
    switch (work) {
    case MS_WORK_SCAN:
        return "scans";
    case MS_WORK_REWRITE:
        return "rewrites";
    case MS_WORK_NONE:
        break;
    }
    return "";
}

/* ---- building the answer ---- */

static void add_rel(struct ms_locks *out, const PgQuery__RangeVar *rel, enum ms_relkind kind,
                    enum ms_lock_mode mode, enum ms_work work, bool maybe)
{
    if (!rel || !rel->relname || !*rel->relname)
        return;
    for (size_t i = 0; i < out->n; i++) {
        struct ms_lock *l = &out->items[i];
        if (l->kind != kind || strcmp(l->rel.relname, rel->relname) != 0 ||
            strcmp(l->rel.schemaname ? l->rel.schemaname : "",
                   rel->schemaname ? rel->schemaname : "") != 0)
            continue;
        if (mode > l->mode)
            l->mode = mode;
        if (work > l->work || (work == l->work && !maybe)) {
            l->work_maybe = work > l->work ? maybe : l->work_maybe && maybe;
            l->work = work;
        }
        return;
    }
    if (out->n == MS_LOCKS_MAX) {
        out->n_dropped++;
        return;
    }
    struct ms_lock *l = &out->items[out->n++];
    memset(l, 0, sizeof(*l));
    l->rel = *rel;
    l->kind = kind;
    l->mode = mode;
    l->work = work;
    l->work_maybe = work != MS_WORK_NONE && maybe;
}

static void add(struct ms_locks *out, const PgQuery__RangeVar *rel, enum ms_relkind kind,
                enum ms_lock_mode mode)
{
    add_rel(out, rel, kind, mode, MS_WORK_NONE, false);
}

static void add_node(struct ms_locks *out, const PgQuery__Node *n, enum ms_relkind kind,
                     enum ms_lock_mode mode)
{
    if (n && n->node_case == PG_QUERY__NODE__NODE_RANGE_VAR)
        add(out, n->range_var, kind, mode);
}

/* A qualified name given as String nodes (DROP, COMMENT): [catalog.][schema.]name, with the
 * last `skip` items naming something inside the relation (a trigger, a column). */
static void add_names(struct ms_locks *out, size_t n, PgQuery__Node *const *items, size_t skip,
                      enum ms_relkind kind, enum ms_lock_mode mode)
{
    if (n <= skip)
        return;
    n -= skip;
    const char *schema, *name;
    ms_split_name(n, items, &schema, &name);
    PgQuery__RangeVar rv = PG_QUERY__RANGE_VAR__INIT;
    rv.relname = (char *)name;
    rv.schemaname = (char *)schema;
    rv.inh = true;
    rv.location = -1;
    if (rv.relname)
        add(out, &rv, kind, mode);
}

static void add_name_list(struct ms_locks *out, const PgQuery__Node *list, size_t skip,
                          enum ms_relkind kind, enum ms_lock_mode mode)
{
    if (list && list->node_case == PG_QUERY__NODE__NODE_LIST)
        add_names(out, list->list->n_items, list->list->items, skip, kind, mode);
}

/* The relation kind an object type names, or -1 for objects that are not relations. */
static int relkind_of(PgQuery__ObjectType t)
{
    switch (t) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
    case PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE:
        return MS_REL_TABLE;
    case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
        return MS_REL_INDEX;
    case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
        return MS_REL_VIEW;
    case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
        return MS_REL_MATVIEW;
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
        return MS_REL_SEQUENCE;
    default:
        return -1;
    }
}

/* PostgreSQL's command tags for DROP and ALTER of each object type ("DROP TABLE", "ALTER VIEW"). */
static const struct {
    PgQuery__ObjectType type;
    const char *drop, *alter;
} object_tags[] = {
    {PG_QUERY__OBJECT_TYPE__OBJECT_TABLE, "DROP TABLE", "ALTER TABLE"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE, "DROP FOREIGN TABLE", "ALTER FOREIGN TABLE"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_INDEX, "DROP INDEX", "ALTER INDEX"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_VIEW, "DROP VIEW", "ALTER VIEW"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW, "DROP MATERIALIZED VIEW", "ALTER MATERIALIZED VIEW"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE, "DROP SEQUENCE", "ALTER SEQUENCE"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_TYPE, "DROP TYPE", "ALTER TYPE"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN, "DROP DOMAIN", "ALTER DOMAIN"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION, "DROP FUNCTION", "ALTER FUNCTION"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE, "DROP PROCEDURE", "ALTER PROCEDURE"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE, "DROP ROUTINE", "ALTER ROUTINE"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_AGGREGATE, "DROP AGGREGATE", "ALTER AGGREGATE"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA, "DROP SCHEMA", "ALTER SCHEMA"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER, "DROP TRIGGER", "ALTER TRIGGER"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_RULE, "DROP RULE", "ALTER RULE"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_POLICY, "DROP POLICY", "ALTER POLICY"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_EXTENSION, "DROP EXTENSION", "ALTER EXTENSION"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_STATISTIC_EXT, "DROP STATISTICS", "ALTER STATISTICS"},
};

static const char *tag_for(bool drop, PgQuery__ObjectType t)
{
    for (size_t i = 0; i < MS_ARRAY_LEN(object_tags); i++)
        if (object_tags[i].type == t)
            return drop ? object_tags[i].drop : object_tags[i].alter;
    return drop ? "DROP" : "ALTER";
}

/* ---- ADD COLUMN: does the new column make PostgreSQL touch every row? ---- */

static bool in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

/* The work ADD COLUMN does on the table; `referenced` gets the foreign key's table, if any. */
static enum ms_work add_column_work(const PgQuery__ColumnDef *col, int pg_version, bool *maybe,
                                    const PgQuery__RangeVar **referenced, bool *checks_referenced)
{
    const PgQuery__Node *dflt = col->raw_default;
    bool check = false, index = false, rewrite = false;
    for (size_t i = 0; i < col->n_constraints; i++) {
        const PgQuery__Node *n = col->constraints[i];
        if (n->node_case != PG_QUERY__NODE__NODE_CONSTRAINT)
            continue;
        const PgQuery__Constraint *c = n->constraint;
        switch (c->contype) {
        case PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT:
            dflt = c->raw_expr;
            break;
        case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
        case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
            index = true; /* built under the lock */
            break;
        case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
            check = !c->skip_validation;
            break;
        case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
            *referenced = c->pktable;
            break;
        case PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY:
        case PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED:
            rewrite = true; /* every existing row gets its value written */
            break;
        default:
            break;
        }
    }
    *maybe = false;
    if (dflt && ms_is_null_const(dflt))
        dflt = NULL;
    *checks_referenced =
        *referenced && (dflt || rewrite || ms_is_serial_name(ms_type_last_name(col->type_name)));
    if (rewrite || ms_is_serial_name(ms_type_last_name(col->type_name)))
        return MS_WORK_REWRITE;
    if (dflt && pg_version < 11)
        return MS_WORK_REWRITE; /* before 11 every default is written into every row */
    if (dflt) {
        /* a volatile default is evaluated for each row; a function volatility.c does not know
         * (user-defined, from an extension) may be */
        const PgQuery__FuncCall *culprit = NULL;
        if (ms_expr_volatility(dflt, &culprit) == MS_VOL_VOLATILE) {
            *maybe = !culprit ||
                     ms_function_volatility(ms_func_call_builtin(culprit)) != MS_VOL_VOLATILE;
            return MS_WORK_REWRITE;
        }
    }
    /* without a default every row holds NULL: a foreign key has nothing to check, and NOT NULL
     * fails at the first row (PostgreSQL starts a scan, but it never runs long) */
    if (check || index || *checks_referenced)
        return MS_WORK_SCAN;
    return MS_WORK_NONE;
}

/* A type no other type converts to without a rewrite (no binary-coercible cast into it in
 * pg_cast): ALTER COLUMN ... TYPE to it rewrites the table, unless the column has that type
 * already. To text, varchar, numeric, timestamptz and the like PostgreSQL may only change the
 * catalog (from varchar(n), a narrower numeric, timestamp in UTC on 12+). */
static bool always_rewrites_to(const PgQuery__TypeName *t)
{
    static const char *const types[] = {"int2", "int4", "int8",  "float4", "float8",
                                        "bool", "uuid", "jsonb", "date"};
    const char *name = t && t->n_names ? ms_node_str(t->names[t->n_names - 1]) : NULL;
    return name && in_list(name, types, MS_ARRAY_LEN(types)) && t->n_array_bounds == 0;
}

/* ---- ALTER TABLE, command by command (tablecmds.c, AlterTableGetLockLevel) ---- */

/* SET (...) / RESET (...): PostgreSQL 15's reloptions.c gives each option its lock; the ones
 * below take SHARE UPDATE EXCLUSIVE, any other (user_catalog_table, security_barrier,
 * security_invoker, check_option, buffering, unknown names) ACCESS EXCLUSIVE. */
static enum ms_lock_mode reloptions_lock(const PgQuery__Node *def)
{
    static const char *const light[] = {
        "autosummarize",
        "autovacuum_analyze_scale_factor",
        "autovacuum_analyze_threshold",
        "autovacuum_enabled",
        "autovacuum_freeze_max_age",
        "autovacuum_freeze_min_age",
        "autovacuum_freeze_table_age",
        "autovacuum_multixact_freeze_max_age",
        "autovacuum_multixact_freeze_min_age",
        "autovacuum_multixact_freeze_table_age",
        "autovacuum_vacuum_cost_delay",
        "autovacuum_vacuum_cost_limit",
        "autovacuum_vacuum_insert_scale_factor",
        "autovacuum_vacuum_insert_threshold",
        "autovacuum_vacuum_scale_factor",
        "autovacuum_vacuum_threshold",
        "deduplicate_items",
        "effective_io_concurrency",
        "fastupdate",
        "fillfactor",
        "gin_pending_list_limit",
        "log_autovacuum_min_duration",
        "maintenance_io_concurrency",
        "n_distinct",
        "n_distinct_inherited",
        "pages_per_range",
        "parallel_workers",
        "random_page_cost",
        "seq_page_cost",
        "toast_tuple_target",
        "vacuum_index_cleanup",
        "vacuum_truncate",
    };
    if (!def || def->node_case != PG_QUERY__NODE__NODE_LIST || def->list->n_items == 0)
        return MS_LOCK_ACCESS_EXCLUSIVE;
    for (size_t i = 0; i < def->list->n_items; i++) {
        const PgQuery__Node *o = def->list->items[i];
        if (o->node_case != PG_QUERY__NODE__NODE_DEF_ELEM || !o->def_elem->defname ||
            !in_list(o->def_elem->defname, light, MS_ARRAY_LEN(light)))
            return MS_LOCK_ACCESS_EXCLUSIVE;
    }
    return MS_LOCK_SHARE_UPDATE_EXCLUSIVE;
}

/* The constraint a command adds, or NULL. */
static const PgQuery__Constraint *added_constraint(const PgQuery__AlterTableCmd *cmd)
{
    switch (cmd->subtype) {
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraintRecurse:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ReAddConstraint:
        break;
    default:
        return NULL;
    }
    return cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_CONSTRAINT ? cmd->def->constraint
                                                                              : NULL;
}

static const PgQuery__PartitionCmd *partition_cmd(const PgQuery__AlterTableCmd *cmd)
{
    return cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_PARTITION_CMD
               ? cmd->def->partition_cmd
               : NULL;
}

static void alter_cmd(const PgQuery__AlterTableStmt *stmt, const PgQuery__AlterTableCmd *cmd,
                      int pg_version, struct ms_locks *out)
{
    const PgQuery__RangeVar *rel = stmt->relation;
    int k = relkind_of(stmt->objtype);
    if (k < 0) /* ALTER TYPE ... ADD ATTRIBUTE: a composite type, no table */
        return;
    enum ms_relkind kind = (enum ms_relkind)k;
    enum ms_lock_mode mode = MS_LOCK_ACCESS_EXCLUSIVE;
    enum ms_work work = MS_WORK_NONE;
    bool maybe = false;
    switch (cmd->subtype) {
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumnRecurse:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumnToView:
        if (cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF &&
            kind == MS_REL_TABLE) {
            const PgQuery__RangeVar *referenced = NULL;
            bool checks = false;
            work = add_column_work(cmd->def->column_def, pg_version, &maybe, &referenced, &checks);
            add_rel(out, rel, kind, mode, work, maybe);
            /* with values in the new column they are checked against the referenced table */
            add_rel(out, referenced, MS_REL_TABLE, MS_LOCK_SHARE_ROW_EXCLUSIVE,
                    checks ? MS_WORK_SCAN : MS_WORK_NONE, true);
            return;
        }
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull:
        work = MS_WORK_SCAN;
        maybe = pg_version >= 12; /* a validated CHECK (col IS NOT NULL) skips the scan */
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType:
        work = MS_WORK_REWRITE;
        /* binary-compatible changes (varchar(n) to text) rewrite nothing */
        maybe = !(cmd->def && cmd->def->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF &&
                  always_rewrites_to(cmd->def->column_def->type_name));
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetLogged:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetUnLogged:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetAccessMethod:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetTableSpace:
        work = MS_WORK_REWRITE;
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_CheckNotNull:
        mode = MS_LOCK_ACCESS_SHARE;
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetStatistics:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetOptions:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetOptions:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ClusterOn:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropCluster:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartitionFinalize:
        mode = MS_LOCK_SHARE_UPDATE_EXCLUSIVE;
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraintRecurse:
        mode = MS_LOCK_SHARE_UPDATE_EXCLUSIVE;
        work = MS_WORK_SCAN;
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions:
        mode = reloptions_lock(cmd->def);
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableAlwaysTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableReplicaTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigAll:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigUser:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigAll:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigUser:
        mode = MS_LOCK_SHARE_ROW_EXCLUSIVE;
        break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddInherit:
        add(out, rel, kind, mode);
        add_node(out, cmd->def, MS_REL_TABLE, MS_LOCK_SHARE_UPDATE_EXCLUSIVE);
        return;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropInherit:
        add(out, rel, kind, mode);
        add_node(out, cmd->def, MS_REL_TABLE, MS_LOCK_ACCESS_SHARE);
        return;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition: {
        /* the parent: SHARE UPDATE EXCLUSIVE; the table attached: ACCESS EXCLUSIVE, scanned
         * unless a validated CHECK implies the partition bound */
        const PgQuery__PartitionCmd *pc = partition_cmd(cmd);
        add(out, rel, kind, MS_LOCK_SHARE_UPDATE_EXCLUSIVE);
        if (pc)
            add_rel(out, pc->name, kind, MS_LOCK_ACCESS_EXCLUSIVE,
                    kind == MS_REL_TABLE ? MS_WORK_SCAN : MS_WORK_NONE, true);
        return;
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition: {
        const PgQuery__PartitionCmd *pc = partition_cmd(cmd);
        mode = pc && pc->concurrent ? MS_LOCK_SHARE_UPDATE_EXCLUSIVE : MS_LOCK_ACCESS_EXCLUSIVE;
        add(out, rel, kind, mode);
        if (pc)
            add(out, pc->name, kind, mode);
        return;
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraintRecurse:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ReAddConstraint: {
        const PgQuery__Constraint *c = added_constraint(cmd);
        if (!c)
            break;
        switch (c->contype) {
        case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
            /* triggers go on both tables: SHARE ROW EXCLUSIVE, as CREATE TRIGGER */
            mode = MS_LOCK_SHARE_ROW_EXCLUSIVE;
            work = c->skip_validation ? MS_WORK_NONE : MS_WORK_SCAN;
            add_rel(out, rel, kind, mode, work, false);
            add_rel(out, c->pktable, MS_REL_TABLE, mode, work, true);
            return;
        case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
            work = c->skip_validation ? MS_WORK_NONE : MS_WORK_SCAN;
            break;
        case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
        case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
        case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION:
            if (c->indexname && *c->indexname) {
                /* USING INDEX: the index exists; a primary key still proves its columns
                 * NOT NULL by a scan unless they already are */
                work = c->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY ? MS_WORK_SCAN
                                                                           : MS_WORK_NONE;
                maybe = true;
            } else {
                work = MS_WORK_SCAN; /* the index is built under the lock */
            }
            break;
        default:
            break;
        }
        break;
    }
    default:
        /* everything else takes ACCESS EXCLUSIVE and touches only the catalog: ADD/DROP
         * DEFAULT, DROP NOT NULL, DROP COLUMN, DROP/ALTER CONSTRAINT, SET STORAGE/COMPRESSION,
         * OWNER TO, identity, replica identity, row level security, rules, OF, OPTIONS */
        break;
    }
    add_rel(out, rel, kind, mode, work, maybe);
}

void ms_locks_alter_cmd(const PgQuery__AlterTableStmt *stmt, const PgQuery__AlterTableCmd *cmd,
                        int pg_version, struct ms_locks *out)
{
    memset(out, 0, offsetof(struct ms_locks, items));
    out->known = true;
    out->tag = tag_for(false, stmt->objtype);
    alter_cmd(stmt, cmd, pg_version, out);
}

/* ---- statements ---- */

static void create_stmt(const PgQuery__CreateStmt *s, struct ms_locks *out)
{
    /* the new table is nobody's yet; what it refers to is */
    for (size_t i = 0; i < s->n_inh_relations; i++)
        add_node(out, s->inh_relations[i], MS_REL_TABLE,
                 s->partbound ? MS_LOCK_ACCESS_EXCLUSIVE : MS_LOCK_SHARE_UPDATE_EXCLUSIVE);
    for (size_t i = 0; i < s->n_table_elts + s->n_constraints; i++) {
        PgQuery__Node *e =
            i < s->n_table_elts ? s->table_elts[i] : s->constraints[i - s->n_table_elts];
        if (e->node_case == PG_QUERY__NODE__NODE_TABLE_LIKE_CLAUSE) {
            add(out, e->table_like_clause->relation, MS_REL_TABLE, MS_LOCK_ACCESS_SHARE);
            continue;
        }
        size_t n = 1;
        PgQuery__Node *const *cons = &e;
        if (e->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
            n = e->column_def->n_constraints;
            cons = e->column_def->constraints;
        }
        for (size_t j = 0; j < n; j++) {
            if (cons[j]->node_case != PG_QUERY__NODE__NODE_CONSTRAINT ||
                cons[j]->constraint->contype != PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN)
                continue;
            const PgQuery__RangeVar *pk = cons[j]->constraint->pktable;
            if (!ms_same_rel(pk, s->relation)) /* a self-reference is to the new table */
                add(out, pk, MS_REL_TABLE, MS_LOCK_SHARE_ROW_EXCLUSIVE);
        }
    }
}

static void drop_stmt(const PgQuery__DropStmt *s, struct ms_locks *out)
{
    out->tag = tag_for(true, s->remove_type);
    int k = relkind_of(s->remove_type);
    for (size_t i = 0; i < s->n_objects; i++) {
        const PgQuery__Node *o = s->objects[i];
        switch (s->remove_type) {
        case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX: {
            /* the index and its table; CONCURRENTLY: SHARE UPDATE EXCLUSIVE on both */
            enum ms_lock_mode m =
                s->concurrent ? MS_LOCK_SHARE_UPDATE_EXCLUSIVE : MS_LOCK_ACCESS_EXCLUSIVE;
            add_name_list(out, o, 0, MS_REL_INDEX_TABLE, m);
            add_name_list(out, o, 0, MS_REL_INDEX, m);
            break;
        }
        case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER:
        case PG_QUERY__OBJECT_TYPE__OBJECT_RULE:
        case PG_QUERY__OBJECT_TYPE__OBJECT_POLICY:
            add_name_list(out, o, 1, MS_REL_TABLE, MS_LOCK_ACCESS_EXCLUSIVE);
            break;
        default:
            if (k >= 0)
                add_name_list(out, o, 0, (enum ms_relkind)k, MS_LOCK_ACCESS_EXCLUSIVE);
            break;
        }
    }
}

static void rename_stmt(const PgQuery__RenameStmt *s, int pg_version, struct ms_locks *out)
{
    switch (s->rename_type) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
        /* PostgreSQL 12 lowered ALTER INDEX ... RENAME to SHARE UPDATE EXCLUSIVE */
        out->tag = "ALTER INDEX";
        add(out, s->relation, MS_REL_INDEX,
            pg_version >= 12 ? MS_LOCK_SHARE_UPDATE_EXCLUSIVE : MS_LOCK_ACCESS_EXCLUSIVE);
        return;
    case PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN:
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT: {
        PgQuery__ObjectType t = s->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN
                                    ? s->relation_type
                                    : PG_QUERY__OBJECT_TYPE__OBJECT_TABLE;
        int k = relkind_of(t);
        out->tag = tag_for(false, t);
        add(out, s->relation, k >= 0 ? (enum ms_relkind)k : MS_REL_TABLE, MS_LOCK_ACCESS_EXCLUSIVE);
        return;
    }
    case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER:
    case PG_QUERY__OBJECT_TYPE__OBJECT_POLICY:
    case PG_QUERY__OBJECT_TYPE__OBJECT_RULE:
        out->tag = tag_for(false, s->rename_type);
        add(out, s->relation, MS_REL_TABLE, MS_LOCK_ACCESS_EXCLUSIVE);
        return;
    default: {
        int k = relkind_of(s->rename_type);
        out->tag = tag_for(false, s->rename_type);
        if (k >= 0)
            add(out, s->relation, (enum ms_relkind)k, MS_LOCK_ACCESS_EXCLUSIVE);
        return; /* types, functions, schemas...: no table */
    }
    }
}

static void reindex_stmt(const PgQuery__ReindexStmt *s, struct ms_locks *out)
{
    bool concurrently = ms_has_option(s->n_params, s->params, "concurrently");
    enum ms_lock_mode table = concurrently ? MS_LOCK_SHARE_UPDATE_EXCLUSIVE : MS_LOCK_SHARE;
    out->tag = "REINDEX";
    switch (s->kind) {
    case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_INDEX:
        /* the index is built anew from a scan of its table */
        add_rel(out, s->relation, MS_REL_INDEX,
                concurrently ? MS_LOCK_SHARE_UPDATE_EXCLUSIVE : MS_LOCK_ACCESS_EXCLUSIVE,
                MS_WORK_REWRITE, false);
        add_rel(out, s->relation, MS_REL_INDEX_TABLE, table, MS_WORK_SCAN, false);
        break;
    case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_TABLE:
        add_rel(out, s->relation, MS_REL_TABLE, table, MS_WORK_SCAN, false);
        break;
    default: /* SCHEMA, DATABASE, SYSTEM: every table in them, one at a time */
        break;
    }
}

static void vacuum_stmt(const PgQuery__VacuumStmt *s, struct ms_locks *out)
{
    bool full = s->is_vacuumcmd && ms_has_option(s->n_options, s->options, "full");
    out->tag = s->is_vacuumcmd ? "VACUUM" : "ANALYZE";
    for (size_t i = 0; i < s->n_rels; i++) {
        const PgQuery__Node *r = s->rels[i];
        if (r->node_case != PG_QUERY__NODE__NODE_VACUUM_RELATION)
            continue;
        add_rel(out, r->vacuum_relation->relation, MS_REL_TABLE,
                full ? MS_LOCK_ACCESS_EXCLUSIVE : MS_LOCK_SHARE_UPDATE_EXCLUSIVE,
                full ? MS_WORK_REWRITE : MS_WORK_SCAN, !full);
    }
}

static void comment_stmt(const PgQuery__CommentStmt *s, struct ms_locks *out)
{
    out->tag = "COMMENT";
    int k = relkind_of(s->objtype);
    switch (s->objtype) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN:
        add_name_list(out, s->object, 1, MS_REL_TABLE, MS_LOCK_SHARE_UPDATE_EXCLUSIVE);
        break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT:
    case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER:
    case PG_QUERY__OBJECT_TYPE__OBJECT_POLICY:
    case PG_QUERY__OBJECT_TYPE__OBJECT_RULE:
        add_name_list(out, s->object, 1, MS_REL_TABLE, MS_LOCK_ACCESS_SHARE);
        break;
    default:
        if (k >= 0)
            add_name_list(out, s->object, 0, (enum ms_relkind)k, MS_LOCK_SHARE_UPDATE_EXCLUSIVE);
        break;
    }
}

/* CREATE AGGREGATE, OPERATOR, TYPE (a base type), COLLATION, TEXT SEARCH ... */
static const char *define_tag(PgQuery__ObjectType kind)
{
    switch (kind) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_AGGREGATE:
        return "CREATE AGGREGATE";
    case PG_QUERY__OBJECT_TYPE__OBJECT_OPERATOR:
        return "CREATE OPERATOR";
    case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
        return "CREATE TYPE";
    case PG_QUERY__OBJECT_TYPE__OBJECT_COLLATION:
        return "CREATE COLLATION";
    default:
        return "CREATE TEXT SEARCH";
    }
}

/* "CREATE EXTENSION" from the node's field name "create_extension_stmt", into out->tag_buf. */
static const char *tag_from_node_name(const PgQuery__Node *n, struct ms_locks *out)
{
    if (n->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_MOVE_ALL_STMT)
        return "ALTER TABLE ALL IN TABLESPACE";
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field(&pg_query__node__descriptor, n->node_case);
    if (!f)
        return "statement";
    size_t len = strlen(f->name);
    if (len > 5 && strcmp(f->name + len - 5, "_stmt") == 0)
        len -= 5;
    if (len >= sizeof(out->tag_buf))
        len = sizeof(out->tag_buf) - 1;
    for (size_t i = 0; i < len; i++)
        out->tag_buf[i] = f->name[i] == '_' ? ' ' : (char)toupper((unsigned char)f->name[i]);
    out->tag_buf[len] = '\0';
    return out->tag_buf;
}

void ms_locks_stmt(const PgQuery__Node *n, int pg_version, struct ms_locks *out)
{
    memset(out, 0, offsetof(struct ms_locks, items));
    out->known = true;
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT: {
        const PgQuery__AlterTableStmt *s = n->alter_table_stmt;
        out->tag = tag_for(false, s->objtype);
        for (size_t i = 0; i < s->n_cmds; i++)
            if (s->cmds[i]->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
                alter_cmd(s, s->cmds[i]->alter_table_cmd, pg_version, out);
        break;
    }
    case PG_QUERY__NODE__NODE_INDEX_STMT: {
        const PgQuery__IndexStmt *s = n->index_stmt;
        out->tag = "CREATE INDEX";
        /* ON ONLY a partitioned table builds nothing */
        add_rel(out, s->relation, MS_REL_TABLE,
                s->concurrent ? MS_LOCK_SHARE_UPDATE_EXCLUSIVE : MS_LOCK_SHARE,
                s->relation && !s->relation->inh ? MS_WORK_NONE : MS_WORK_SCAN, false);
        break;
    }
    case PG_QUERY__NODE__NODE_DROP_STMT:
        drop_stmt(n->drop_stmt, out);
        break;
    case PG_QUERY__NODE__NODE_TRUNCATE_STMT:
        out->tag = "TRUNCATE TABLE";
        for (size_t i = 0; i < n->truncate_stmt->n_relations; i++)
            add_node(out, n->truncate_stmt->relations[i], MS_REL_TABLE, MS_LOCK_ACCESS_EXCLUSIVE);
        break;
    case PG_QUERY__NODE__NODE_RENAME_STMT:
        rename_stmt(n->rename_stmt, pg_version, out);
        break;
    case PG_QUERY__NODE__NODE_ALTER_OBJECT_SCHEMA_STMT: {
        const PgQuery__AlterObjectSchemaStmt *s = n->alter_object_schema_stmt;
        int k = relkind_of(s->object_type);
        out->tag = tag_for(false, s->object_type);
        if (k >= 0)
            add(out, s->relation, (enum ms_relkind)k, MS_LOCK_ACCESS_EXCLUSIVE);
        break;
    }
    case PG_QUERY__NODE__NODE_CREATE_STMT:
        out->tag = "CREATE TABLE";
        create_stmt(n->create_stmt, out);
        break;
    case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
        out->tag = n->create_table_as_stmt->objtype == PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW
                       ? "CREATE MATERIALIZED VIEW"
                       : "CREATE TABLE AS";
        break;
    case PG_QUERY__NODE__NODE_VIEW_STMT:
        out->tag = "CREATE VIEW";
        if (n->view_stmt->replace) /* an existing view is replaced under ACCESS EXCLUSIVE */
            add(out, n->view_stmt->view, MS_REL_VIEW, MS_LOCK_ACCESS_EXCLUSIVE);
        break;
    case PG_QUERY__NODE__NODE_REFRESH_MAT_VIEW_STMT: {
        const PgQuery__RefreshMatViewStmt *s = n->refresh_mat_view_stmt;
        out->tag = "REFRESH MATERIALIZED VIEW";
        /* CONCURRENTLY computes the new contents and applies the difference in place */
        add_rel(out, s->relation, MS_REL_MATVIEW,
                s->concurrent ? MS_LOCK_EXCLUSIVE : MS_LOCK_ACCESS_EXCLUSIVE,
                s->concurrent ? MS_WORK_SCAN : MS_WORK_REWRITE, false);
        break;
    }
    case PG_QUERY__NODE__NODE_REINDEX_STMT:
        reindex_stmt(n->reindex_stmt, out);
        break;
    case PG_QUERY__NODE__NODE_CLUSTER_STMT:
        out->tag = "CLUSTER";
        add_rel(out, n->cluster_stmt->relation, MS_REL_TABLE, MS_LOCK_ACCESS_EXCLUSIVE,
                MS_WORK_REWRITE, false);
        break;
    case PG_QUERY__NODE__NODE_VACUUM_STMT:
        vacuum_stmt(n->vacuum_stmt, out);
        break;
    case PG_QUERY__NODE__NODE_LOCK_STMT: {
        const PgQuery__LockStmt *s = n->lock_stmt;
        out->tag = "LOCK TABLE";
        /* the mode is lockdefs.h's number, AccessShareLock = 1 .. AccessExclusiveLock = 8 */
        enum ms_lock_mode m =
            s->mode >= 1 && s->mode <= 8 ? (enum ms_lock_mode)s->mode : MS_LOCK_ACCESS_EXCLUSIVE;
        for (size_t i = 0; i < s->n_relations; i++)
            add_node(out, s->relations[i], MS_REL_TABLE, m);
        break;
    }
    case PG_QUERY__NODE__NODE_CREATE_TRIG_STMT:
        out->tag = "CREATE TRIGGER";
        add(out, n->create_trig_stmt->relation, MS_REL_TABLE, MS_LOCK_SHARE_ROW_EXCLUSIVE);
        break;
    case PG_QUERY__NODE__NODE_RULE_STMT:
        out->tag = "CREATE RULE";
        add(out, n->rule_stmt->relation, MS_REL_TABLE, MS_LOCK_ACCESS_EXCLUSIVE);
        break;
    case PG_QUERY__NODE__NODE_CREATE_POLICY_STMT:
        out->tag = "CREATE POLICY";
        add(out, n->create_policy_stmt->table, MS_REL_TABLE, MS_LOCK_ACCESS_EXCLUSIVE);
        break;
    case PG_QUERY__NODE__NODE_ALTER_POLICY_STMT:
        out->tag = "ALTER POLICY";
        add(out, n->alter_policy_stmt->table, MS_REL_TABLE, MS_LOCK_ACCESS_EXCLUSIVE);
        break;
    case PG_QUERY__NODE__NODE_CREATE_STATS_STMT:
        out->tag = "CREATE STATISTICS";
        for (size_t i = 0; i < n->create_stats_stmt->n_relations; i++)
            add_node(out, n->create_stats_stmt->relations[i], MS_REL_TABLE,
                     MS_LOCK_SHARE_UPDATE_EXCLUSIVE);
        break;
    case PG_QUERY__NODE__NODE_COMMENT_STMT:
        comment_stmt(n->comment_stmt, out);
        break;
    case PG_QUERY__NODE__NODE_ALTER_SEQ_STMT:
        out->tag = "ALTER SEQUENCE";
        add(out, n->alter_seq_stmt->sequence, MS_REL_SEQUENCE, MS_LOCK_SHARE_ROW_EXCLUSIVE);
        break;
    /* DML: ROW EXCLUSIVE on the target; what the query reads gets ACCESS SHARE (not listed) */
    case PG_QUERY__NODE__NODE_INSERT_STMT:
        out->tag = "INSERT";
        add(out, n->insert_stmt->relation, MS_REL_TABLE, MS_LOCK_ROW_EXCLUSIVE);
        break;
    case PG_QUERY__NODE__NODE_UPDATE_STMT:
        out->tag = "UPDATE";
        add(out, n->update_stmt->relation, MS_REL_TABLE, MS_LOCK_ROW_EXCLUSIVE);
        break;
    case PG_QUERY__NODE__NODE_DELETE_STMT:
        out->tag = "DELETE";
        add(out, n->delete_stmt->relation, MS_REL_TABLE, MS_LOCK_ROW_EXCLUSIVE);
        break;
    case PG_QUERY__NODE__NODE_MERGE_STMT:
        out->tag = "MERGE";
        add(out, n->merge_stmt->relation, MS_REL_TABLE, MS_LOCK_ROW_EXCLUSIVE);
        break;
    case PG_QUERY__NODE__NODE_COPY_STMT:
        out->tag = "COPY";
        add(out, n->copy_stmt->relation, MS_REL_TABLE,
            n->copy_stmt->is_from ? MS_LOCK_ROW_EXCLUSIVE : MS_LOCK_ACCESS_SHARE);
        break;
    case PG_QUERY__NODE__NODE_SELECT_STMT:
        out->tag = n->select_stmt->into_clause ? "SELECT INTO" : "SELECT";
        break;
    /* no lock on any table: the objects are types, functions, schemas, roles, settings */
    case PG_QUERY__NODE__NODE_ALTER_ENUM_STMT:
        out->tag = "ALTER TYPE";
        break;
    case PG_QUERY__NODE__NODE_CREATE_ENUM_STMT:
    case PG_QUERY__NODE__NODE_COMPOSITE_TYPE_STMT:
    case PG_QUERY__NODE__NODE_CREATE_RANGE_STMT:
        out->tag = "CREATE TYPE";
        break;
    case PG_QUERY__NODE__NODE_CREATE_DOMAIN_STMT:
        out->tag = "CREATE DOMAIN";
        break;
    case PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT:
        out->tag = n->create_function_stmt->is_procedure ? "CREATE PROCEDURE" : "CREATE FUNCTION";
        break;
    case PG_QUERY__NODE__NODE_ALTER_FUNCTION_STMT:
        out->tag = "ALTER FUNCTION";
        break;
    case PG_QUERY__NODE__NODE_CREATE_SCHEMA_STMT:
        out->tag = "CREATE SCHEMA";
        break;
    case PG_QUERY__NODE__NODE_CREATE_SEQ_STMT:
        out->tag = "CREATE SEQUENCE";
        break;
    case PG_QUERY__NODE__NODE_GRANT_STMT:
        out->tag = n->grant_stmt->is_grant ? "GRANT" : "REVOKE";
        break;
    case PG_QUERY__NODE__NODE_GRANT_ROLE_STMT:
        out->tag = n->grant_role_stmt->is_grant ? "GRANT ROLE" : "REVOKE ROLE";
        break;
    case PG_QUERY__NODE__NODE_ALTER_DEFAULT_PRIVILEGES_STMT:
        out->tag = "ALTER DEFAULT PRIVILEGES";
        break;
    case PG_QUERY__NODE__NODE_ALTER_OWNER_STMT:
        out->tag = "ALTER OWNER";
        break;
    case PG_QUERY__NODE__NODE_CREATE_ROLE_STMT:
        out->tag = "CREATE ROLE";
        break;
    case PG_QUERY__NODE__NODE_ALTER_ROLE_STMT:
        out->tag = "ALTER ROLE";
        break;
    case PG_QUERY__NODE__NODE_DROP_ROLE_STMT:
        out->tag = "DROP ROLE";
        break;
    case PG_QUERY__NODE__NODE_DROPDB_STMT:
        out->tag = "DROP DATABASE";
        break;
    case PG_QUERY__NODE__NODE_TRANSACTION_STMT:
        out->tag = "transaction control";
        break;
    case PG_QUERY__NODE__NODE_VARIABLE_SET_STMT:
        out->tag = "SET";
        break;
    case PG_QUERY__NODE__NODE_VARIABLE_SHOW_STMT:
        out->tag = "SHOW";
        break;
    case PG_QUERY__NODE__NODE_NOTIFY_STMT:
        out->tag = "NOTIFY";
        break;
    case PG_QUERY__NODE__NODE_DEFINE_STMT:
        out->tag = define_tag(n->define_stmt->kind);
        break;
    case PG_QUERY__NODE__NODE_CONSTRAINTS_SET_STMT:
        out->tag = "SET CONSTRAINTS";
        break;
    case PG_QUERY__NODE__NODE_ALTER_ROLE_SET_STMT:
        out->tag = "ALTER ROLE";
        break;
    case PG_QUERY__NODE__NODE_CREATE_CAST_STMT:
        out->tag = "CREATE CAST";
        break;
    case PG_QUERY__NODE__NODE_CREATE_CONVERSION_STMT:
        out->tag = "CREATE CONVERSION";
        break;
    case PG_QUERY__NODE__NODE_CREATE_OP_CLASS_STMT:
        out->tag = "CREATE OPERATOR CLASS";
        break;
    case PG_QUERY__NODE__NODE_CREATE_OP_FAMILY_STMT:
        out->tag = "CREATE OPERATOR FAMILY";
        break;
    case PG_QUERY__NODE__NODE_ALTER_OP_FAMILY_STMT:
        out->tag = "ALTER OPERATOR FAMILY";
        break;
    case PG_QUERY__NODE__NODE_CREATE_PLANG_STMT:
        out->tag = "CREATE LANGUAGE";
        break;
    case PG_QUERY__NODE__NODE_CREATE_FDW_STMT:
        out->tag = "CREATE FOREIGN DATA WRAPPER";
        break;
    case PG_QUERY__NODE__NODE_CREATE_FOREIGN_SERVER_STMT:
        out->tag = "CREATE SERVER";
        break;
    case PG_QUERY__NODE__NODE_CREATE_EVENT_TRIG_STMT:
        out->tag = "CREATE EVENT TRIGGER";
        break;
    case PG_QUERY__NODE__NODE_CREATEDB_STMT:
        out->tag = "CREATE DATABASE";
        break;
    case PG_QUERY__NODE__NODE_ALTER_DOMAIN_STMT:
        /* ADD CONSTRAINT / SET NOT NULL check every column of the domain, in tables the
         * statement does not name (SHARE on each) */
        out->tag = "ALTER DOMAIN";
        break;
    default:
        /* DO blocks, CALL, CREATE EXTENSION, ALTER SYSTEM, EXPLAIN, publications, foreign
         * servers, ...: their locks are not in the table */
        out->known = false;
        out->tag = tag_from_node_name(n, out);
        break;
    }
}

const struct ms_lock *ms_locks_find(const struct ms_locks *locks, const char *schema,
                                    const char *relname)
{
    for (size_t i = 0; i < locks->n; i++) {
        const PgQuery__RangeVar *r = &locks->items[i].rel;
        if (strcmp(r->relname, relname) != 0)
            continue;
        if (schema && strcmp(r->schemaname ? r->schemaname : "", schema) != 0)
            continue;
        return &locks->items[i];
    }
    return NULL;
}

/* ---- ALTER TABLE command names, for messages ---- */

const char *ms_alter_cmd_name(const PgQuery__AlterTableCmd *cmd)
{
    switch (cmd->subtype) {
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumnRecurse:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumnToView:
        return "ADD COLUMN";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ColumnDefault:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_CookedColumnDefault:
        return cmd->def ? "SET DEFAULT" : "DROP DEFAULT";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull:
        return "DROP NOT NULL";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull:
        return "SET NOT NULL";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropExpression:
        return "DROP EXPRESSION";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetStatistics:
        return "SET STATISTICS";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetOptions:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions:
        return "SET (...)";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetOptions:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions:
        return "RESET (...)";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetStorage:
        return "SET STORAGE";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetCompression:
        return "SET COMPRESSION";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumnRecurse:
        return "DROP COLUMN";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraintRecurse:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ReAddConstraint: {
        const PgQuery__Constraint *c = added_constraint(cmd);
        switch (c ? c->contype : PG_QUERY__CONSTR_TYPE__CONSTR_TYPE_UNDEFINED) {
        case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
            return "ADD FOREIGN KEY";
        case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
            return "ADD CHECK";
        case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
            return "ADD PRIMARY KEY";
        case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
            return "ADD UNIQUE";
        case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION:
            return "ADD EXCLUDE";
        default:
            return "ADD CONSTRAINT";
        }
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterConstraint:
        return "ALTER CONSTRAINT";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraintRecurse:
        return "VALIDATE CONSTRAINT";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraintRecurse:
        return "DROP CONSTRAINT";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType:
        return "ALTER COLUMN TYPE";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ChangeOwner:
        return "OWNER TO";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ClusterOn:
        return "CLUSTER ON";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropCluster:
        return "SET WITHOUT CLUSTER";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetLogged:
        return "SET LOGGED";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetUnLogged:
        return "SET UNLOGGED";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetAccessMethod:
        return "SET ACCESS METHOD";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetTableSpace:
        return "SET TABLESPACE";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableAlwaysTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableReplicaTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigAll:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigUser:
        return "ENABLE TRIGGER";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigAll:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigUser:
        return "DISABLE TRIGGER";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableRule:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableAlwaysRule:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableReplicaRule:
        return "ENABLE RULE";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableRule:
        return "DISABLE RULE";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddInherit:
        return "INHERIT";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropInherit:
        return "NO INHERIT";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddOf:
        return "OF";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropOf:
        return "NOT OF";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ReplicaIdentity:
        return "REPLICA IDENTITY";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableRowSecurity:
        return "ENABLE ROW LEVEL SECURITY";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableRowSecurity:
        return "DISABLE ROW LEVEL SECURITY";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ForceRowSecurity:
        return "FORCE ROW LEVEL SECURITY";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_NoForceRowSecurity:
        return "NO FORCE ROW LEVEL SECURITY";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_GenericOptions:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnGenericOptions:
        return "OPTIONS";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition:
        return "ATTACH PARTITION";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition:
        return "DETACH PARTITION";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartitionFinalize:
        return "DETACH PARTITION FINALIZE";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddIdentity:
        return "ADD GENERATED AS IDENTITY";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetIdentity:
        return "SET GENERATED";
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropIdentity:
        return "DROP IDENTITY";
    default:
        return "ALTER";
    }
}
