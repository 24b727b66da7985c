/* test_volatility.c: the built-in function table and expression verdicts (src/volatility.c).
 *
 * The expected verdicts are PostgreSQL 15's: each expression below was added as a column DEFAULT
 * to a table holding rows on a PostgreSQL 15.18 server, and the ones marked volatile are exactly
 * those that changed the table's relfilenode (a rewrite). */
#include "migsafe.h"

#include "volatility.h"

#include <pg_query.h>

#include <setjmp.h>
#include <cmocka.h>

/* ---- the table ---- */

static void test_volatility__builtin_functions(void **state)
{
    (void)state;
    assert_int_equal(ms_function_volatility("now"), MS_VOL_STABLE);
    assert_int_equal(ms_function_volatility("statement_timestamp"), MS_VOL_STABLE);
    assert_int_equal(ms_function_volatility("clock_timestamp"), MS_VOL_VOLATILE);
    assert_int_equal(ms_function_volatility("random"), MS_VOL_VOLATILE);
    assert_int_equal(ms_function_volatility("gen_random_uuid"), MS_VOL_VOLATILE);
    assert_int_equal(ms_function_volatility("nextval"), MS_VOL_VOLATILE);
    assert_int_equal(ms_function_volatility("timeofday"), MS_VOL_VOLATILE);
    assert_int_equal(ms_function_volatility("lower"), MS_VOL_IMMUTABLE);
    assert_int_equal(ms_function_volatility("md5"), MS_VOL_IMMUTABLE);
    /* information_schema's functions are built in too */
    assert_int_equal(ms_function_volatility("_pg_expandarray"), MS_VOL_IMMUTABLE);
}

static void test_volatility__overloads_take_the_most_volatile(void **state)
{
    (void)state;
    /* to_tsvector(text) is stable (it reads default_text_search_config), to_tsvector(regconfig,
     * text) immutable; ts_rewrite(tsquery, text) is volatile (it runs a query) */
    assert_int_equal(ms_function_volatility("to_tsvector"), MS_VOL_STABLE);
    assert_int_equal(ms_function_volatility("date_trunc"), MS_VOL_STABLE);
    assert_int_equal(ms_function_volatility("ts_rewrite"), MS_VOL_VOLATILE);
}

static void test_volatility__unknown_names(void **state)
{
    (void)state;
    /* extensions and user functions are not built in; names are exact (PostgreSQL folds case
     * before it looks a function up, so "NOW" is a different, unknown function) */
    assert_int_equal(ms_function_volatility("uuid_generate_v4"), MS_VOL_UNKNOWN);
    assert_int_equal(ms_function_volatility("my_default"), MS_VOL_UNKNOWN);
    assert_int_equal(ms_function_volatility("NOW"), MS_VOL_UNKNOWN);
    assert_int_equal(ms_function_volatility(""), MS_VOL_UNKNOWN);
    assert_int_equal(ms_function_volatility(NULL), MS_VOL_UNKNOWN);
}

static void test_volatility__table_ends_are_found(void **state)
{
    (void)state;
    /* the first and last names in byte order: the search reaches both ends of the table */
    assert_int_equal(ms_function_volatility("RI_FKey_cascade_del"), MS_VOL_VOLATILE);
    assert_int_equal(ms_function_volatility("xpath_exists"), MS_VOL_IMMUTABLE);
    assert_int_equal(ms_function_volatility("abs"), MS_VOL_IMMUTABLE);
    assert_int_equal(ms_function_volatility("zzz"), MS_VOL_UNKNOWN);
    assert_int_equal(ms_function_volatility("A"), MS_VOL_UNKNOWN);
}

/* ---- expressions ---- */

struct parsed_expr {
    PgQueryProtobufParseResult raw;
    PgQuery__ParseResult *tree;
    const PgQuery__Node *expr;
};

/* Parses "SELECT <expr>" and points at the expression. */
static void parse_expr(struct parsed_expr *p, const char *expr)
{
    char sql[512];
    snprintf(sql, sizeof(sql), "SELECT %s", expr);
    p->raw = pg_query_parse_protobuf(sql);
    if (p->raw.error)
        fail_msg("%s does not parse: %s", sql, p->raw.error->message);
    p->tree = pg_query__parse_result__unpack(NULL, p->raw.parse_tree.len,
                                             (const uint8_t *)p->raw.parse_tree.data);
    assert_non_null(p->tree);
    assert_int_equal(p->tree->n_stmts, 1);
    const PgQuery__Node *stmt = p->tree->stmts[0]->stmt;
    assert_int_equal(stmt->node_case, PG_QUERY__NODE__NODE_SELECT_STMT);
    assert_int_equal(stmt->select_stmt->n_target_list, 1);
    p->expr = stmt->select_stmt->target_list[0]->res_target->val;
}

static void free_expr(struct parsed_expr *p)
{
    pg_query__parse_result__free_unpacked(p->tree, NULL);
    pg_query_free_protobuf_parse_result(p->raw);
}

/* The verdict on expr, and the name of the call that decided a volatile one ("" for none). */
static enum ms_volatility judge(const char *expr, char *culprit, size_t size)
{
    struct parsed_expr p;
    parse_expr(&p, expr);
    const PgQuery__FuncCall *fc = (const PgQuery__FuncCall *)1;
    enum ms_volatility v = ms_expr_volatility(p.expr, &fc);
    const char *name = "";
    if (fc && fc->n_funcname > 0 && fc->funcname[fc->n_funcname - 1]->string)
        name = fc->funcname[fc->n_funcname - 1]->string->sval;
    snprintf(culprit, size, "%s", name);
    free_expr(&p);
    return v;
}

static void assert_verdict(const char *expr, enum ms_volatility want, const char *want_culprit)
{
    char culprit[128];
    enum ms_volatility got = judge(expr, culprit, sizeof(culprit));
    if (got != want || strcmp(culprit, want_culprit) != 0)
        fail_msg("%s: got '%c' (culprit \"%s\"), want '%c' (culprit \"%s\")", expr, (char)got,
                 culprit, (char)want, want_culprit);
}

static void test_volatility__defaults_postgresql_stores_once(void **state)
{
    (void)state;
    assert_verdict("0", MS_VOL_IMMUTABLE, "");
    assert_verdict("-1", MS_VOL_IMMUTABLE, "");
    assert_verdict("'x'", MS_VOL_IMMUTABLE, "");
    assert_verdict("true", MS_VOL_IMMUTABLE, "");
    assert_verdict("1 + 2", MS_VOL_IMMUTABLE, "");
    assert_verdict("'a' || 'b'", MS_VOL_IMMUTABLE, "");
    assert_verdict("ARRAY[]::text[]", MS_VOL_IMMUTABLE, "");
    assert_verdict("'{}'::jsonb", MS_VOL_IMMUTABLE, "");
    assert_verdict("CAST('1' AS int)", MS_VOL_IMMUTABLE, "");
    assert_verdict("'x'::character varying", MS_VOL_IMMUTABLE, "");
    assert_verdict("upper('x')", MS_VOL_IMMUTABLE, "");
    assert_verdict("CASE WHEN true THEN 1 ELSE 2 END", MS_VOL_IMMUTABLE, "");
    assert_verdict("COALESCE(NULL, 1)", MS_VOL_IMMUTABLE, "");
    assert_verdict("now()", MS_VOL_STABLE, "");
    assert_verdict("pg_catalog.now()", MS_VOL_STABLE, "");
    assert_verdict("CURRENT_TIMESTAMP", MS_VOL_STABLE, "");
    assert_verdict("CURRENT_DATE", MS_VOL_STABLE, "");
    assert_verdict("LOCALTIMESTAMP", MS_VOL_STABLE, "");
    assert_verdict("current_user", MS_VOL_STABLE, "");
    assert_verdict("now() - interval '1 day'", MS_VOL_STABLE, "");
    assert_verdict("timezone('utc', now())", MS_VOL_STABLE, "");
    assert_verdict("now() AT TIME ZONE 'utc'", MS_VOL_STABLE, "");
    assert_verdict("statement_timestamp()", MS_VOL_STABLE, "");
    assert_verdict("txid_current()::text", MS_VOL_STABLE, "");
    assert_verdict("current_setting('x.y', true)", MS_VOL_STABLE, "");
    assert_verdict("to_tsvector('x')", MS_VOL_STABLE, "");
    assert_verdict("make_interval(days => 1)", MS_VOL_IMMUTABLE, "");
    assert_verdict("EXTRACT(year FROM now())", MS_VOL_STABLE, "");
}

static void test_volatility__defaults_evaluated_per_row(void **state)
{
    (void)state;
    assert_verdict("random()", MS_VOL_VOLATILE, "random");
    assert_verdict("gen_random_uuid()", MS_VOL_VOLATILE, "gen_random_uuid");
    assert_verdict("gen_random_uuid()::text", MS_VOL_VOLATILE, "gen_random_uuid");
    assert_verdict("clock_timestamp()", MS_VOL_VOLATILE, "clock_timestamp");
    assert_verdict("nextval('s1')", MS_VOL_VOLATILE, "nextval");
    assert_verdict("nextval('s1'::regclass)", MS_VOL_VOLATILE, "nextval");
    /* the volatile call is found under others */
    assert_verdict("md5(random()::text)", MS_VOL_VOLATILE, "random");
    assert_verdict("COALESCE(NULL, clock_timestamp())", MS_VOL_VOLATILE, "clock_timestamp");
    assert_verdict("CASE WHEN true THEN 1 ELSE floor(random() * 10) END", MS_VOL_VOLATILE,
                   "random");
    assert_verdict("ARRAY[random()]", MS_VOL_VOLATILE, "random");
    assert_verdict("now() + random() * interval '1 s'", MS_VOL_VOLATILE, "random");
}

static void test_volatility__unknown_counts_as_volatile(void **state)
{
    (void)state;
    /* functions that are not built in: an extension's, a user's, one in another schema */
    assert_verdict("uuid_generate_v4()", MS_VOL_VOLATILE, "uuid_generate_v4");
    assert_verdict("my_default()", MS_VOL_VOLATILE, "my_default");
    assert_verdict("public.now()", MS_VOL_VOLATILE, "now");
    assert_verdict("upper(my_default())", MS_VOL_VOLATILE, "my_default");
    /* an expression kind the walk does not judge: a sub-select, with no call to blame */
    assert_verdict("(SELECT 1)", MS_VOL_VOLATILE, "");
}

static void test_volatility__builtin_name_of_a_call(void **state)
{
    (void)state;
    struct parsed_expr p;
    parse_expr(&p, "pg_catalog.now()");
    assert_string_equal(ms_func_call_builtin(p.expr->func_call), "now");
    free_expr(&p);
    parse_expr(&p, "information_schema._pg_expandarray(ARRAY[1])");
    assert_string_equal(ms_func_call_builtin(p.expr->func_call), "_pg_expandarray");
    free_expr(&p);
    parse_expr(&p, "extensions.gen_random_uuid()");
    assert_null(ms_func_call_builtin(p.expr->func_call));
    free_expr(&p);
    parse_expr(&p, "db.pg_catalog.now()");
    assert_null(ms_func_call_builtin(p.expr->func_call));
    free_expr(&p);
    assert_null(ms_func_call_builtin(NULL));
    assert_int_equal(ms_expr_volatility(NULL, NULL), MS_VOL_IMMUTABLE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_volatility__builtin_functions),
        cmocka_unit_test(test_volatility__overloads_take_the_most_volatile),
        cmocka_unit_test(test_volatility__unknown_names),
        cmocka_unit_test(test_volatility__table_ends_are_found),
        cmocka_unit_test(test_volatility__defaults_postgresql_stores_once),
        cmocka_unit_test(test_volatility__defaults_evaluated_per_row),
        cmocka_unit_test(test_volatility__unknown_counts_as_volatile),
        cmocka_unit_test(test_volatility__builtin_name_of_a_call),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    pg_query_exit();
    return failed;
}
