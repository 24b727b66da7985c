/* Unit tests for Alembic revision files (src/alembic*.c): detection, the header, body
 * classification, the walk over upgrade(), the SQL of every op, positions, transactions and
 * notes. The SQL expected here is what Alembic 1.8 prints (tests/alembic/run.sh checks the
 * fixtures against Alembic itself). */
#include "migsafe.h"
#include "alembic.h"
#include "source.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

struct fixture {
    struct ms_arena arena;
    struct ms_source src;
    struct ms_alembic_result res;
};

static int setup(void **state)
{
    struct fixture *f = ms_xcalloc(1, sizeof(*f));
    ms_arena_init(&f->arena);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    ms_arena_release(&f->arena);
    free(f);
    return 0;
}

#define HEADER                                                                                     \
    "from alembic import op\nimport sqlalchemy as sa\n"                                            \
    "from sqlalchemy.dialects import postgresql\n"                                                 \
    "revision = 'abc'\ndown_revision = None\n\n"

/* Lowers text (from an exact-size copy, so the sanitizer sees reads past its end). */
static int lower_opts(void **state, const char *text, const struct ms_alembic_options *opts)
{
    struct fixture *f = *state;
    char err[256] = "";
    ms_arena_reset(&f->arena);
    if (ms_source_from_text(&f->src, "rev.py", text, strlen(text), &f->arena, err, sizeof(err)) !=
        0)
        fail_msg("source: %s", err);
    return ms_alembic_lower(&f->src, &f->arena, opts, &f->res, err, sizeof(err));
}

static const char *lower(void **state, const char *text)
{
    struct fixture *f = *state;
    assert_int_equal(lower_opts(state, text, NULL), 0);
    return f->src.sql;
}

/* The statements of the upgrade without the synthetic BEGIN/COMMIT, each ending in ";\n". */
static const char *user_sql(void **state, const char *text)
{
    struct fixture *f = *state;
    lower(state, text);
    char *out = ms_arena_alloc(&f->arena, f->src.sql_len + 1);
    size_t n = 0;
    for (size_t k = 0; k < f->src.n_segments; k++) {
        const struct ms_segment *s = &f->src.segments[k];
        if (s->synthetic)
            continue;
        /* a statement is its segments up to the next ";\n" that follows one */
        size_t end = k + 1 < f->src.n_segments ? f->src.segments[k + 1].sql_start : f->src.sql_len;
        memcpy(out + n, f->src.sql + s->sql_start, end - s->sql_start);
        n += end - s->sql_start;
    }
    out[n] = 0;
    return out;
}

static void expect_sql(void **state, const char *body, const char *sql)
{
    struct fixture *f = *state;
    size_t n = strlen(HEADER) + strlen(body) + 32;
    char *text = ms_xmalloc(n);
    snprintf(text, n, "%sdef upgrade():\n%s", HEADER, body);
    const char *got = user_sql(state, text);
    free(text);
    if (strcmp(got, sql) != 0)
        fail_msg("lowered SQL differs\n--- expected\n%s--- got\n%s", sql, got);
    (void)f;
}

/* ---- detection and header ---- */

static void test_alembic__detects_revisions(void **state)
{
    (void)state;
    const char *rev = "revision = 'a1'\ndown_revision = None\n\ndef upgrade():\n    pass\n";
    assert_true(ms_alembic_is_revision(rev, strlen(rev)));
    const char *multidb = "revision: str = 'a1'\ndown_revision: Union[str, None] = 'b'\n"
                          "def upgrade_engine1():\n    pass\n";
    assert_true(ms_alembic_is_revision(multidb, strlen(multidb)));
}

static void test_alembic__env_and_plain_python_are_not_revisions(void **state)
{
    (void)state;
    const char *env = "from alembic import context\nconfig = context.config\n"
                      "def run_migrations_online():\n    context.run_migrations()\n";
    assert_false(ms_alembic_is_revision(env, strlen(env)));
    const char *no_upgrade = "revision = 'a'\ndown_revision = None\n";
    assert_false(ms_alembic_is_revision(no_upgrade, strlen(no_upgrade)));
    const char *indented = "class X:\n    revision = 'a'\n    down_revision = None\n"
                           "def upgrade():\n    pass\n";
    assert_false(ms_alembic_is_revision(indented, strlen(indented)));
}

static void test_alembic__docstring_mentioning_revision_is_not_code(void **state)
{
    (void)state;
    const char *doc = "\"\"\"How to write one:\n\nrevision = 'abc'\ndown_revision = None\n\n"
                      "def upgrade():\n    op.drop_table('x')\n\"\"\"\nimport os\n";
    assert_false(ms_alembic_is_revision(doc, strlen(doc)));
    /* a header after a function body: the DEDENT before `def` shares its offset */
    const char *after = "def helper():\n    pass\nrevision = 'a'\ndown_revision = None\n"
                        "def upgrade():\n    pass\n";
    assert_true(ms_alembic_is_revision(after, strlen(after)));
    /* a comment line between an indented block and the header */
    const char *comment = "if x:\n    y = 1\n# ids\nrevision = 'a'\ndown_revision = None\n"
                          "def upgrade():\n    pass\n";
    assert_true(ms_alembic_is_revision(comment, strlen(comment)));
}

static void test_alembic__header_forms(void **state)
{
    struct fixture *f = *state;
    const char *text = "\"\"\"doc\nrevision = 'not-me'\n\"\"\"\n"
                       "from typing import Union\n"
                       "PARENT_A = 'p1'\n"
                       "revision: str = \"r9\"\n"
                       "down_revision: Union[str, None] = (PARENT_A,\n    'p2')\n"
                       "branch_labels = 'reports'\n"
                       "depends_on = ['d1', \"d2\"]\n"
                       "def upgrade():\n    pass\n";
    struct ms_alembic_header h;
    assert_int_equal(ms_alembic_read_header(text, strlen(text), &f->arena, &h), 0);
    assert_string_equal(h.revision, "r9");
    assert_int_equal(h.revision_offset, (size_t)(strstr(text, "\"r9\"") - text));
    assert_int_equal(h.down_offset, (size_t)(strstr(text, "down_revision:") - text));
    assert_int_equal(h.n_down, 2);
    assert_string_equal(h.down[0].name, "p1");
    assert_int_equal(h.down[0].offset, (size_t)(strstr(text, "'p1'") - text));
    assert_string_equal(h.down[1].name, "p2");
    assert_int_equal(h.n_branch_labels, 1);
    assert_string_equal(h.branch_labels[0].name, "reports");
    assert_int_equal(h.n_depends, 2);
    assert_string_equal(h.depends[1].name, "d2");
    const char *root = "revision = 'r'\ndown_revision = None\ndepends_on = None\n";
    assert_int_equal(ms_alembic_read_header(root, strlen(root), &f->arena, &h), 0);
    assert_int_equal(h.n_down, 0);
    assert_int_equal(h.n_depends, 0);
    const char *none = "x = 1\n";
    assert_int_equal(ms_alembic_read_header(none, strlen(none), &f->arena, &h), -1);
}

/* ---- bodies ---- */

static enum ms_alembic_body body_of(void **state, const char *fn)
{
    struct fixture *f = *state;
    size_t n = strlen(fn) + 128;
    char *text = ms_xmalloc(n);
    snprintf(text, n, "revision = 'a'\ndown_revision = None\ndef upgrade():\n    pass\n%s", fn);
    lower(state, text);
    free(text);
    return f->res.downgrade;
}

static void test_alembic__classifies_bodies(void **state)
{
    assert_int_equal(body_of(state, ""), MS_BODY_ABSENT);
    assert_int_equal(body_of(state, "def downgrade():\n    pass\n"), MS_BODY_EMPTY);
    assert_int_equal(body_of(state, "def downgrade():\n    ...\n"), MS_BODY_EMPTY);
    assert_int_equal(body_of(state, "def downgrade() -> None:\n    \"\"\"Nothing.\"\"\"\n"
                                    "    # a comment\n    pass\n"),
                     MS_BODY_EMPTY);
    assert_int_equal(body_of(state, "def downgrade(): pass\n"), MS_BODY_EMPTY);
    assert_int_equal(body_of(state, "def downgrade():\n    \"\"\"No way back.\"\"\"\n"
                                    "    raise NotImplementedError(\n        'irreversible')\n"),
                     MS_BODY_RAISES);
    assert_int_equal(body_of(state, "def downgrade():\n    op.drop_table('t')\n"), MS_BODY_CODE);
    assert_int_equal(body_of(state, "def downgrade():\n    if x:\n        pass\n"), MS_BODY_CODE);
    struct fixture *f = *state;
    assert_int_equal(f->res.upgrade, MS_BODY_EMPTY);
    assert_int_equal(f->res.upgrade_calls, 0);
}

/* ---- the SQL of each op ---- */

static void test_alembic__create_table(void **state)
{
    expect_sql(state,
               "    op.create_table('users',\n"
               "        sa.Column('id', sa.Integer(), nullable=False),\n"
               "        sa.Column('name', sa.String(50), nullable=False, server_default='x'),\n"
               "        sa.Column('email', sa.String(), unique=True),\n"
               "        sa.Column('org_id', sa.Integer(), sa.ForeignKey('orgs.id', "
               "ondelete='CASCADE')),\n"
               "        sa.Column('created', sa.DateTime(timezone=True), "
               "server_default=sa.text('now()')),\n"
               "        sa.Column('kind', sa.Enum('a', \"b'c\", name='kind_enum')),\n"
               "        sa.Column('user', postgresql.JSONB(), index=True),\n"
               "        sa.PrimaryKeyConstraint('id'),\n"
               "        sa.UniqueConstraint('name', name='uq_name'),\n"
               "        sa.CheckConstraint('id > 0', name='ck_id'),\n"
               "        comment='people')\n",
               "CREATE TYPE kind_enum AS ENUM ('a', 'b''c');\n"
               "CREATE TABLE users (\n"
               "    id SERIAL NOT NULL, \n"
               "    name VARCHAR(50) DEFAULT 'x' NOT NULL, \n"
               "    email VARCHAR, \n"
               "    org_id INTEGER, \n"
               "    created TIMESTAMP WITH TIME ZONE DEFAULT now(), \n"
               "    kind kind_enum, \n"
               "    \"user\" JSONB, \n"
               "    PRIMARY KEY (id), \n"
               "    CONSTRAINT uq_name UNIQUE (name), \n"
               "    CONSTRAINT ck_id CHECK (id > 0), \n"
               "    UNIQUE (email), \n"
               "    FOREIGN KEY(org_id) REFERENCES orgs (id) ON DELETE CASCADE\n"
               ");\n"
               "CREATE INDEX ix_users_user ON users (\"user\");\n"
               "COMMENT ON TABLE users IS 'people';\n");
}

static void test_alembic__create_table_keys_and_identity(void **state)
{
    expect_sql(state,
               "    op.create_table('t',\n"
               "        sa.Column('a', sa.BigInteger(), primary_key=True),\n"
               "        sa.Column('b', sa.SmallInteger(), primary_key=True),\n"
               "        sa.Column('c', sa.Integer(), sa.Identity(always=True, start=5)),\n"
               "        sa.Column('d', sa.Integer(), sa.Computed('c * 2')),\n"
               "        schema='s', postgresql_partition_by='RANGE (a)')\n"
               "    op.create_table('u', sa.Column('id', sa.BigInteger(), primary_key=True))\n"
               "    op.create_table('v', sa.Column('id', sa.Integer(), sa.ForeignKey('u.id'), "
               "primary_key=True))\n",
               "CREATE TABLE s.t (\n"
               "    a BIGINT NOT NULL, \n"
               "    b SMALLINT NOT NULL, \n"
               "    c INTEGER GENERATED ALWAYS AS IDENTITY (START WITH 5), \n"
               "    d INTEGER GENERATED ALWAYS AS (c * 2) STORED, \n"
               "    PRIMARY KEY (a, b)\n"
               ")\n PARTITION BY RANGE (a);\n"
               "CREATE TABLE u (\n    id BIGSERIAL NOT NULL, \n    PRIMARY KEY (id)\n);\n"
               "CREATE TABLE v (\n    id INTEGER NOT NULL, \n    PRIMARY KEY (id), \n"
               "    FOREIGN KEY(id) REFERENCES u (id)\n);\n");
}

static void test_alembic__types(void **state)
{
    expect_sql(
        state,
        "    op.add_column('t', sa.Column('a', postgresql.ARRAY(sa.String(20), dimensions=2)))\n"
        "    op.add_column('t', sa.Column('b', sa.Numeric(10, 2)))\n"
        "    op.add_column('t', sa.Column('c', postgresql.TIMESTAMP(timezone=True, precision=3)))\n"
        "    op.add_column('t', sa.Column('d', sa.Time()))\n"
        "    op.add_column('t', sa.Column('e', sa.LargeBinary))\n"
        "    op.add_column('t', sa.Column('f', sa.Enum('x', 'yy', name='e', native_enum=False)))\n"
        "    op.add_column('t', sa.Column('g', postgresql.UUID(as_uuid=True)))\n"
        "    op.add_column('t', sa.Column('h', sa.JSON().with_variant(postgresql.JSONB(), "
        "'postgresql')))\n"
        "    op.add_column('t', sa.Column('i', sa.Float(precision=53)))\n"
        "    op.add_column('t', sa.Column('j', sa.String(5, collation='C')))\n"
        "    op.add_column('t', sa.Column('k', sqlalchemy_utils.UUIDType(binary=False)))\n"
        "    op.add_column('t', sa.Column('l', myapp.types.Money()))\n",
        "ALTER TABLE t ADD COLUMN a VARCHAR(20)[][];\n"
        "ALTER TABLE t ADD COLUMN b NUMERIC(10, 2);\n"
        "ALTER TABLE t ADD COLUMN c TIMESTAMP(3) WITH TIME ZONE;\n"
        "ALTER TABLE t ADD COLUMN d TIME WITHOUT TIME ZONE;\n"
        "ALTER TABLE t ADD COLUMN e BYTEA;\n"
        "ALTER TABLE t ADD COLUMN f VARCHAR(2);\n"
        "ALTER TABLE t ADD COLUMN g UUID;\n"
        "ALTER TABLE t ADD COLUMN h JSONB;\n"
        "ALTER TABLE t ADD COLUMN i FLOAT(53);\n"
        "ALTER TABLE t ADD COLUMN j VARCHAR(5) COLLATE \"C\";\n"
        "ALTER TABLE t ADD COLUMN k UUID;\n"
        "ALTER TABLE t ADD COLUMN l \"Money\";\n");
}

static void test_alembic__add_and_drop_column(void **state)
{
    expect_sql(state,
               "    op.add_column('t', sa.Column('a', sa.Integer(), nullable=False, "
               "server_default='0'))\n"
               "    op.add_column('t', sa.Column('f', sa.Integer(), sa.ForeignKey('o.id'), "
               "unique=True, comment='c'), schema='s')\n"
               "    op.add_column('t', sa.Column('i', sa.Integer(), index=True))\n"
               "    op.drop_column('t', 'a')\n"
               "    op.drop_column('t', column_name='Upper', schema='s')\n",
               "ALTER TABLE t ADD COLUMN a INTEGER DEFAULT '0' NOT NULL;\n"
               "ALTER TABLE s.t ADD COLUMN f INTEGER;\n"
               "ALTER TABLE s.t ADD UNIQUE (f);\n"
               "ALTER TABLE s.t ADD FOREIGN KEY(f) REFERENCES o (id);\n"
               "COMMENT ON COLUMN s.t.f IS 'c';\n"
               "ALTER TABLE t ADD COLUMN i INTEGER;\n"
               "CREATE INDEX ix_t_i ON t (i);\n"
               "ALTER TABLE t DROP COLUMN a;\n"
               "ALTER TABLE s.t DROP COLUMN \"Upper\";\n");
}

static void test_alembic__alter_column(void **state)
{
    expect_sql(state,
               "    op.alter_column('t', 'c', nullable=False, existing_type=sa.Integer())\n"
               "    op.alter_column('t', 'c', server_default=None)\n"
               "    op.alter_column('t', 'c', server_default=sa.text(\"now()\"))\n"
               "    op.alter_column('t', 'c', server_default=False, existing_nullable=True)\n"
               "    op.alter_column('t', 'c', type_=sa.BigInteger(), postgresql_using='c::bigint',"
               " nullable=True, new_column_name='d', comment='x')\n",
               "ALTER TABLE t ALTER COLUMN c SET NOT NULL;\n"
               "ALTER TABLE t ALTER COLUMN c DROP DEFAULT;\n"
               "ALTER TABLE t ALTER COLUMN c SET DEFAULT now();\n"
               "ALTER TABLE t ALTER COLUMN c TYPE BIGINT USING c::bigint;\n"
               "ALTER TABLE t ALTER COLUMN c DROP NOT NULL;\n"
               "COMMENT ON COLUMN t.c IS 'x';\n"
               "ALTER TABLE t RENAME c TO d;\n");
}

static void test_alembic__indexes(void **state)
{
    expect_sql(
        state,
        "    op.create_index(op.f('ix_a'), 't', ['a', 'B'], unique=True)\n"
        "    op.create_index('ix_b', 't', [sa.text('lower(b)')], postgresql_using='GIN',\n"
        "                    postgresql_where=sa.text('b IS NOT NULL'),\n"
        "                    postgresql_concurrently=True, postgresql_include=['c'])\n"
        "    op.create_index('ix_c', 't', ['c'], schema='s', if_not_exists=True,\n"
        "                    postgresql_ops={'c': 'text_pattern_ops'})\n"
        "    op.drop_index('ix_a', table_name='t')\n"
        "    op.drop_index('ix_b', 't', 's', postgresql_concurrently=True, if_exists=True)\n",
        "CREATE UNIQUE INDEX ix_a ON t (a, \"B\");\n"
        "CREATE INDEX CONCURRENTLY ix_b ON t USING gin (lower(b)) INCLUDE (c) "
        "WHERE b IS NOT NULL;\n"
        "CREATE INDEX IF NOT EXISTS ix_c ON s.t (c text_pattern_ops);\n"
        "DROP INDEX ix_a;\n"
        "DROP INDEX CONCURRENTLY IF EXISTS s.ix_b;\n");
}

static void test_alembic__constraints(void **state)
{
    expect_sql(state,
               "    op.create_unique_constraint('uq', 't', ['a', 'b'], deferrable=True)\n"
               "    op.create_unique_constraint(None, 't', ['a'])\n"
               "    op.create_foreign_key('fk', 't', 'o', ['a'], ['id'], ondelete='CASCADE',\n"
               "        source_schema='s', referent_schema='r', postgresql_not_valid=True)\n"
               "    op.create_check_constraint('ck', 't', 'a > 0')\n"
               "    op.create_primary_key('pk', 't', ['a'])\n"
               "    op.create_exclude_constraint('ex', 't', ('p', '&&'), where='a > 1')\n"
               "    op.drop_constraint('uq', 't', type_='unique')\n",
               "ALTER TABLE t ADD CONSTRAINT uq UNIQUE (a, b) DEFERRABLE;\n"
               "ALTER TABLE t ADD UNIQUE (a);\n"
               "ALTER TABLE s.t ADD CONSTRAINT fk FOREIGN KEY(a) REFERENCES r.o (id) "
               "ON DELETE CASCADE NOT VALID;\n"
               "ALTER TABLE t ADD CONSTRAINT ck CHECK (a > 0);\n"
               "ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY (a);\n"
               "ALTER TABLE t ADD CONSTRAINT ex EXCLUDE USING gist (p WITH &&) WHERE (a > 1);\n"
               "ALTER TABLE t DROP CONSTRAINT uq;\n");
}

static void test_alembic__tables_and_data(void **state)
{
    expect_sql(state,
               "    op.rename_table('t', 'u', schema='s')\n"
               "    op.drop_table('u')\n"
               "    op.create_table_comment('t', \"it's\")\n"
               "    op.drop_table_comment('t')\n"
               "    t = sa.table('t', sa.column('id', sa.Integer), sa.column('name'))\n"
               "    op.bulk_insert(t, [{'name': 'a', 'id': 1}, {'id': 2, 'name': None}])\n"
               "    sa.Enum(name='mood').drop(op.get_bind(), checkfirst=False)\n",
               "ALTER TABLE s.t RENAME TO u;\n"
               "DROP TABLE u;\n"
               "COMMENT ON TABLE t IS 'it''s';\n"
               "COMMENT ON TABLE t IS NULL;\n"
               "INSERT INTO t (id, name) VALUES (1, 'a');\n"
               "INSERT INTO t (id, name) VALUES (2, NULL);\n"
               "DROP TYPE mood;\n");
}

static void test_alembic__execute_forms(void **state)
{
    expect_sql(state,
               "    op.execute('SELECT 1')\n"
               "    op.execute(\"SELECT 2;\")\n"
               "    op.execute(sa.text('SELECT 3 -- note'))\n"
               "    op.execute('SELECT '\n               \"4\")\n"
               "    conn = op.get_bind()\n"
               "    conn.execute(text(r'SELECT 5'))\n"
               "    op.get_bind().execute('SELECT 6')\n"
               "    op.execute(f'SELECT {N}')\n"
               "    op.execute(SQL)\n"
               "N = 7\nSQL = 'SELECT 8'\n",
               "SELECT 1;\n"
               "SELECT 2;\n"
               "SELECT 3 -- note\n;\n"
               "SELECT 4;\n"
               "SELECT 5;\n"
               "SELECT 6;\n"
               "SELECT 7;\n"
               "SELECT 8;\n");
}

static void test_alembic__batch_ops_run_when_the_block_ends(void **state)
{
    expect_sql(state,
               "    with op.batch_alter_table('t', schema='s') as b:\n"
               "        b.add_column(sa.Column('a', sa.Integer()))\n"
               "        b.execute('SELECT 1')\n"
               "        b.drop_index('ix')\n"
               "        b.create_foreign_key('fk', 'o', ['a'], ['id'])\n"
               "        b.alter_column('a', new_column_name='z')\n"
               "    op.execute('SELECT 2')\n",
               "SELECT 1;\n"
               "ALTER TABLE s.t ADD COLUMN a INTEGER;\n"
               "DROP INDEX s.ix;\n"
               "ALTER TABLE s.t ADD CONSTRAINT fk FOREIGN KEY(a) REFERENCES o (id);\n"
               "ALTER TABLE s.t RENAME a TO z;\n"
               "SELECT 2;\n");
}

static void test_alembic__constants_loops_and_branches(void **state)
{
    expect_sql(state,
               "    for name in TABLES:\n"
               "        op.drop_column(name, COL)\n"
               "    for t, c in [('x', 'y')]:\n"
               "        op.create_index(f'ix_{t}_{c}', t, [c])\n"
               "    if op.get_context().dialect.name == 'sqlite':\n"
               "        op.drop_table('never')\n"
               "    else:\n"
               "        op.drop_table('always')\n"
               "    try:\n"
               "        op.drop_table('tried')\n"
               "    except Exception:\n"
               "        op.drop_table('on_failure')\n"
               "    return\n"
               "    op.drop_table('dead')\n"
               "TABLES = ['a', 'b']\nCOL: str = 'c'\n",
               "ALTER TABLE a DROP COLUMN c;\n"
               "ALTER TABLE b DROP COLUMN c;\n"
               "CREATE INDEX ix_x_y ON x (y);\n"
               "DROP TABLE always;\n"
               "DROP TABLE tried;\n");
}

static void test_alembic__unresolvable_calls_are_skipped_with_notes(void **state)
{
    struct fixture *f = *state;
    const char *text = HEADER "def upgrade():\n"
                              "    op.drop_table(table_name)\n"
                              "    helper()\n"
                              "    op.execute(orders.update().values(x=1))\n"
                              "    op.create_index('ix', 't', cols)\n"
                              "    logger.info('done')\n"
                              "    op.drop_column('t', 'c')\n";
    struct ms_alembic_options quiet = {.open_transaction = true, .close_transaction = true};
    assert_int_equal(lower_opts(state, text, &quiet), 0);
    assert_int_equal(f->res.n_ops, 1);
    assert_int_equal(f->res.n_skipped, 4);
    assert_int_equal(f->res.upgrade_calls, 5);
    assert_int_equal(f->res.n_notes, 0);
    assert_string_equal(f->src.sql, "BEGIN;\nALTER TABLE t DROP COLUMN c;\nCOMMIT;\n");
    struct ms_alembic_options verbose = quiet;
    verbose.verbose = true;
    assert_int_equal(lower_opts(state, text, &verbose), 0);
    assert_int_equal(f->res.n_notes, 4);
    assert_string_equal(f->res.notes[0].message,
                        "op.drop_table(...) skipped: the table name is not a literal");
    assert_int_equal(ms_source_pos(&f->src, f->res.notes[0].offset).line, 8);
    assert_string_equal(f->res.notes[1].message,
                        "helper() skipped: a call to a helper function is not followed");
    assert_non_null(strstr(f->res.notes[2].message, "op.execute(...) skipped"));
    assert_non_null(strstr(f->res.notes[3].message, "the columns are not a literal list"));
}

static void test_alembic__bind_parameters_are_not_sql(void **state)
{
    struct fixture *f = *state;
    const char *text = HEADER "def upgrade():\n"
                              "    conn = op.get_bind()\n"
                              "    q = sa.text('UPDATE t SET a = :a WHERE id = :id')\n"
                              "    conn.execute(q, a=1, id=2)\n"
                              "    op.execute(\"UPDATE t SET b = :b\")\n"
                              "    op.execute(\"SELECT '10:30'::time, x::text, a[1:2]\")\n";
    struct ms_alembic_options o = {.verbose = true};
    assert_int_equal(lower_opts(state, text, &o), 0);
    assert_string_equal(f->src.sql, "SELECT '10:30'::time, x::text, a[1:2];\n");
    assert_int_equal(f->res.n_skipped, 2);
    assert_string_equal(f->res.notes[0].message,
                        "conn.execute(...) skipped: it is executed with bind parameters");
    assert_string_equal(f->res.notes[1].message, "op.execute(...) skipped: the SQL holds the "
                                                 "bind parameter :b, known only when it runs");
}

/* ---- transactions ---- */

static void test_alembic__transactions(void **state)
{
    struct fixture *f = *state;
    const char *text =
        HEADER "def upgrade():\n"
               "    op.execute('SELECT 1')\n"
               "    with op.get_context().autocommit_block():\n"
               "        op.create_index('ix', 't', ['a'], postgresql_concurrently=True)\n"
               "    op.execute('COMMIT')\n"
               "def downgrade():\n"
               "    op.execute('SELECT 2')\n";
    assert_string_equal(lower(state, text),
                        "BEGIN;\nSELECT 1;\nCOMMIT;\n"
                        "CREATE INDEX CONCURRENTLY ix ON t (a);\nBEGIN;\nCOMMIT;\nCOMMIT;\n");
    size_t synthetic = 0;
    for (size_t k = 0; k < f->src.n_segments; k++)
        synthetic += f->src.segments[k].synthetic;
    assert_int_equal(synthetic, 4); /* the user's COMMIT is not synthetic */
    const char *bound = HEADER "def upgrade():\n"
                               "    ctx = op.get_context()\n"
                               "    with ctx.autocommit_block():\n"
                               "        op.execute('VACUUM t')\n";
    assert_string_equal(lower(state, bound), "BEGIN;\nCOMMIT;\nVACUUM t;\nBEGIN;\nCOMMIT;\n");
    struct ms_alembic_options shared = {.lint_downgrade = true};
    assert_int_equal(lower_opts(state, text, &shared), 0);
    assert_string_equal(f->src.sql, "SELECT 1;\nCOMMIT;\nCREATE INDEX CONCURRENTLY ix ON t (a);\n"
                                    "BEGIN;\nCOMMIT;\nCOMMIT;\nBEGIN;\nSELECT 2;\n");
}

/* ---- positions ---- */

static void test_alembic__segments_map_to_calls(void **state)
{
    struct fixture *f = *state;
    const char *text = HEADER "def upgrade():\n"
                              "    op.create_table('t', sa.Column('id', sa.Integer()),\n"
                              "        sa.Column('e', sa.Enum('a', name='e')))\n"
                              "    with op.batch_alter_table('t') as batch_op:\n"
                              "        batch_op.drop_column('x')\n";
    lower(state, text);
    assert_int_equal(f->src.n_segments, 5);
    const struct ms_segment *s = f->src.segments;
    assert_true(s[0].synthetic);
    assert_int_equal(ms_source_pos(&f->src, s[0].origin).line, 7);
    assert_int_equal(s[1].origin, (size_t)(strstr(text, "op.create_table") - text));
    assert_int_equal(s[1].origin_end, (size_t)(strstr(text, "))\n    with") - text) + 2);
    assert_int_equal(s[2].origin, s[1].origin); /* CREATE TABLE after CREATE TYPE */
    struct ms_pos p = ms_source_pos(&f->src, s[3].origin);
    assert_int_equal(p.line, 11);
    assert_int_equal(p.col, 9);
    assert_false(s[3].verbatim);
}

static void test_alembic__verbatim_strings_map_inside_the_literal(void **state)
{
    struct fixture *f = *state;
    const char *text = HEADER "def upgrade():\n"
                              "    op.execute(\"\"\"\n"
                              "        UPDATE t SET a = 1;\n"
                              "        DROP TABLE old;\n"
                              "    \"\"\")\n"
                              "    op.execute('SELECT \\'x\\'' \"; SELECT 2\")\n";
    lower(state, text);
    const char *sql = f->src.sql;
    size_t drop = (size_t)(strstr(sql, "DROP TABLE") - sql);
    const struct ms_segment *seg;
    size_t at = ms_source_map(&f->src, drop, &seg);
    assert_non_null(seg);
    assert_true(seg->verbatim);
    struct ms_pos p = ms_source_pos(&f->src, at);
    assert_int_equal(p.line, 10);
    assert_int_equal(p.col, 9);
    /* an escaped literal maps to the literal; the next literal of the join is verbatim */
    size_t x = (size_t)(strstr(sql, "SELECT 'x'") - sql);
    at = ms_source_map(&f->src, x + 8, &seg);
    assert_false(seg->verbatim);
    assert_int_equal(at, (size_t)(strstr(text, "'SELECT \\'") - text));
    size_t two = (size_t)(strstr(sql, "SELECT 2") - sql);
    at = ms_source_map(&f->src, two, &seg);
    assert_true(seg->verbatim);
    assert_int_equal(at, (size_t)(strstr(text, "SELECT 2\"") - text));
}

static void test_alembic__python_syntax_error(void **state)
{
    struct fixture *f = *state;
    char err[256] = "";
    const char *text = "revision = 'a'\ndown_revision = None\ndef upgrade():\n"
                       "    op.execute('unterminated)\n";
    assert_int_equal(
        ms_source_from_text(&f->src, "rev.py", text, strlen(text), &f->arena, err, sizeof(err)), 0);
    assert_int_equal(ms_alembic_lower(&f->src, &f->arena, NULL, &f->res, err, sizeof(err)), -1);
    assert_string_equal(err, "4:16: unterminated string literal (detected at line 4)");
    assert_int_equal(f->src.sql_len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alembic__detects_revisions),
        cmocka_unit_test(test_alembic__env_and_plain_python_are_not_revisions),
        cmocka_unit_test(test_alembic__docstring_mentioning_revision_is_not_code),
        cmocka_unit_test_setup_teardown(test_alembic__header_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alembic__classifies_bodies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alembic__create_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alembic__create_table_keys_and_identity, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_alembic__types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alembic__add_and_drop_column, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alembic__alter_column, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alembic__indexes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alembic__constraints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alembic__tables_and_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alembic__execute_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alembic__batch_ops_run_when_the_block_ends, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_alembic__constants_loops_and_branches, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_alembic__unresolvable_calls_are_skipped_with_notes,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_alembic__bind_parameters_are_not_sql, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alembic__transactions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alembic__segments_map_to_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alembic__verbatim_strings_map_inside_the_literal,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_alembic__python_syntax_error, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
