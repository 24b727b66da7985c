/* Unit tests for the Python tokenizer (src/pyscan.c). */
#include "migsafe.h"
#include "arena.h"
#include "pyscan.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

struct fixture {
    struct ms_arena arena;
    struct ms_py_tokens toks;
    struct ms_py_error err;
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

/* Scans src from an exact-size heap copy, so the sanitizer sees any read past its end. */
static int scan_len(struct fixture *f, const char *src, size_t len)
{
    char *copy = ms_xmalloc(len);
    memcpy(copy, src, len);
    int rc = ms_pyscan(copy, len, &f->arena, &f->toks, &f->err);
    free(copy);
    return rc;
}

static const struct ms_py_token *scan(void **state, const char *src)
{
    struct fixture *f = *state;
    int rc = scan_len(f, src, strlen(src));
    if (rc != 0)
        fail_msg("unexpected error %u:%u: %s", f->err.line, f->err.col, f->err.message);
    return f->toks.tokens;
}

/* The kinds of all tokens, space-separated, for one readable assertion per input. */
static void assert_kinds(void **state, const char *expected)
{
    struct fixture *f = *state;
    char got[2048] = "";
    size_t used = 0;
    for (size_t i = 0; i < f->toks.n_tokens && used < sizeof(got); i++)
        used += (size_t)snprintf(got + used, sizeof(got) - used, "%s%s", i ? " " : "",
                                 ms_py_kind_name(f->toks.tokens[i].kind));
    assert_string_equal(got, expected);
}

static void assert_tok(const struct ms_py_token *t, enum ms_py_kind kind, uint32_t line,
                       uint32_t col, const char *value)
{
    assert_string_equal(ms_py_kind_name(t->kind), ms_py_kind_name(kind));
    assert_int_equal(t->line, line);
    assert_int_equal(t->col, col);
    assert_int_equal(t->value_len, strlen(value));
    assert_memory_equal(t->value, value, t->value_len + 1);
}

static void assert_end(const struct ms_py_token *t, uint32_t end_line, uint32_t end_col)
{
    assert_int_equal(t->end_line, end_line);
    assert_int_equal(t->end_col, end_col);
}

static void assert_error(void **state, const char *src, size_t len, uint32_t line, uint32_t col,
                         const char *message)
{
    struct fixture *f = *state;
    assert_int_equal(scan_len(f, src, len), -1);
    assert_string_equal(f->err.message, message);
    assert_int_equal(f->err.line, line);
    assert_int_equal(f->err.col, col);
    assert_int_equal(f->toks.n_tokens, 0);
    assert_null(f->toks.tokens);
}

/* src must be a string literal: its length comes from sizeof, so it may hold a NUL. */
#define assert_scan_error(state, src, line, col, message)                                          \
    assert_error(state, src, sizeof(src) - 1, line, col, message)

static void test_pyscan__simple_statement(void **state)
{
    const struct ms_py_token *t = scan(state, "x = 1\n");
    assert_kinds(state, "NAME OP NUMBER NEWLINE ENDMARKER");
    assert_tok(&t[0], MS_PY_NAME, 1, 1, "x");
    assert_tok(&t[1], MS_PY_OP, 1, 3, "=");
    assert_tok(&t[2], MS_PY_NUMBER, 1, 5, "1");
    assert_tok(&t[3], MS_PY_NEWLINE, 1, 6, "");
    assert_int_equal(t[3].offset, 5);
    assert_int_equal(t[3].len, 1);
    assert_end(&t[3], 2, 1);
    assert_tok(&t[4], MS_PY_ENDMARKER, 2, 1, "");
    assert_int_equal(t[4].offset, 6);
    assert_int_equal(t[0].flags, 0);
}

static void test_pyscan__no_final_line_end(void **state)
{
    const struct ms_py_token *t = scan(state, "x = 1");
    assert_kinds(state, "NAME OP NUMBER NEWLINE ENDMARKER");
    assert_tok(&t[3], MS_PY_NEWLINE, 1, 6, "");
    assert_int_equal(t[3].offset, 5);
    assert_int_equal(t[3].len, 0);
    assert_tok(&t[4], MS_PY_ENDMARKER, 1, 6, "");
}

static void test_pyscan__empty_and_blank_inputs(void **state)
{
    const struct ms_py_token *t = scan(state, "");
    assert_kinds(state, "ENDMARKER");
    assert_tok(&t[0], MS_PY_ENDMARKER, 1, 1, "");

    t = scan(state, "\n  \n\t\n# only a comment\n\n");
    assert_kinds(state, "COMMENT ENDMARKER");
    assert_tok(&t[0], MS_PY_COMMENT, 4, 1, "# only a comment");
    assert_tok(&t[1], MS_PY_ENDMARKER, 6, 1, "");
}

static void test_pyscan__all_operators(void **state)
{
    static const char *const ops[] = {
        "**=", "//=", ">>=", "<<=", "...", "!=", "%=", "&=", "**", "*=", "+=", "-=",
        "->",  "//",  "/=",  ":=",  "<<",  "<=", "==", ">=", ">>", "@=", "^=", "|=",
        "%",   "&",   "*",   "+",   ",",   "-",  ".",  "/",  ":",  ";",  "<",  "=",
        ">",   "@",   "^",   "|",   "~",   "(",  ")",  "[",  "]",  "{",  "}"};
    char src[512] = "";
    size_t used = 0;
    for (size_t i = 0; i < MS_ARRAY_LEN(ops); i++)
        used += (size_t)snprintf(src + used, sizeof(src) - used, "%s ", ops[i]);
    const struct ms_py_token *t = scan(state, src);
    struct fixture *f = *state;
    assert_int_equal(f->toks.n_tokens, MS_ARRAY_LEN(ops) + 2);
    uint32_t col = 1;
    for (size_t i = 0; i < MS_ARRAY_LEN(ops); i++) {
        assert_tok(&t[i], MS_PY_OP, 1, col, ops[i]);
        col += (uint32_t)strlen(ops[i]) + 1;
    }
}

static void test_pyscan__operators_take_the_longest_match(void **state)
{
    const struct ms_py_token *t = scan(state, "a**=-b->c<<=d...e!=f:=g\n");
    assert_kinds(state,
                 "NAME OP OP NAME OP NAME OP NAME OP NAME OP NAME OP NAME NEWLINE ENDMARKER");
    assert_tok(&t[1], MS_PY_OP, 1, 2, "**=");
    assert_tok(&t[2], MS_PY_OP, 1, 5, "-");
    assert_tok(&t[4], MS_PY_OP, 1, 7, "->");
    assert_tok(&t[6], MS_PY_OP, 1, 10, "<<=");
    assert_tok(&t[8], MS_PY_OP, 1, 14, "...");
    assert_tok(&t[10], MS_PY_OP, 1, 18, "!=");
    assert_tok(&t[12], MS_PY_OP, 1, 21, ":=");
}

static void test_pyscan__non_ascii_names_count_code_points(void **state)
{
    const struct ms_py_token *t = scan(state, "café = naïve_ß + 名前\n");
    assert_kinds(state, "NAME OP NAME OP NAME NEWLINE ENDMARKER");
    assert_tok(&t[0], MS_PY_NAME, 1, 1, "café");
    assert_end(&t[0], 1, 5);
    assert_tok(&t[1], MS_PY_OP, 1, 6, "=");
    assert_tok(&t[2], MS_PY_NAME, 1, 8, "naïve_ß");
    assert_tok(&t[3], MS_PY_OP, 1, 16, "+");
    assert_tok(&t[4], MS_PY_NAME, 1, 18, "名前");
    assert_int_equal(t[4].offset, 20);
    assert_int_equal(t[4].len, 6);
    assert_end(&t[4], 1, 20);
}

static void test_pyscan__numbers(void **state)
{
    static const char *const nums[] = {"0",       "1_000", "0x_FF",   "0o17",      "0b1010",
                                       "1.5",     "1.",    ".5",      "1e10",      "1E-5",
                                       "1.5e+3j", "10J",   "1_0.0_1", "0XdeadBEEF"};
    char src[256] = "";
    size_t used = 0;
    for (size_t i = 0; i < MS_ARRAY_LEN(nums); i++)
        used += (size_t)snprintf(src + used, sizeof(src) - used, "%s%s", i ? ", " : "", nums[i]);
    const struct ms_py_token *t = scan(state, src);
    for (size_t i = 0; i < MS_ARRAY_LEN(nums); i++)
        assert_tok(&t[2 * i], MS_PY_NUMBER, 1, t[2 * i].col, nums[i]);
    assert_int_equal(t[2 * MS_ARRAY_LEN(nums) - 1].kind, MS_PY_NEWLINE);
}

static void test_pyscan__number_stops_where_its_grammar_ends(void **state)
{
    /* The e of "1else" starts no exponent; "1..2" is "1." then ".2". */
    const struct ms_py_token *t = scan(state, "1else 1_ x.y 1..2\n");
    assert_kinds(state, "NUMBER NAME NUMBER NAME NAME OP NAME NUMBER NUMBER NEWLINE ENDMARKER");
    assert_tok(&t[0], MS_PY_NUMBER, 1, 1, "1");
    assert_tok(&t[1], MS_PY_NAME, 1, 2, "else");
    assert_tok(&t[2], MS_PY_NUMBER, 1, 7, "1");
    assert_tok(&t[3], MS_PY_NAME, 1, 8, "_");
    assert_tok(&t[5], MS_PY_OP, 1, 11, ".");
    assert_tok(&t[7], MS_PY_NUMBER, 1, 14, "1.");
    assert_tok(&t[8], MS_PY_NUMBER, 1, 16, ".2");
}

static void test_pyscan__string_quotes(void **state)
{
    const struct ms_py_token *t = scan(state, "'a' \"b\" '''c''' \"\"\"d\"\"\" '' \"\"\"\"\"\"\n");
    assert_kinds(state, "STRING STRING STRING STRING STRING STRING NEWLINE ENDMARKER");
    assert_tok(&t[0], MS_PY_STRING, 1, 1, "a");
    assert_int_equal(t[0].flags, 0);
    assert_int_equal(t[0].len, 3);
    assert_tok(&t[1], MS_PY_STRING, 1, 5, "b");
    assert_tok(&t[2], MS_PY_STRING, 1, 9, "c");
    assert_int_equal(t[2].flags, MS_PY_STR_TRIPLE);
    assert_int_equal(t[2].len, 7);
    assert_tok(&t[3], MS_PY_STRING, 1, 17, "d");
    assert_int_equal(t[3].flags, MS_PY_STR_TRIPLE);
    assert_tok(&t[4], MS_PY_STRING, 1, 25, "");
    assert_int_equal(t[4].flags, 0);
    assert_tok(&t[5], MS_PY_STRING, 1, 28, "");
    assert_int_equal(t[5].flags, MS_PY_STR_TRIPLE);
}

static void test_pyscan__quotes_inside_strings(void **state)
{
    const struct ms_py_token *t =
        scan(state, "\"it's\" 'say \"hi\"' '''a ' '' b''' \"\"\"a\"b\"\"c\"\"\"\n");
    assert_kinds(state, "STRING STRING STRING STRING NEWLINE ENDMARKER");
    assert_tok(&t[0], MS_PY_STRING, 1, 1, "it's");
    assert_tok(&t[1], MS_PY_STRING, 1, 8, "say \"hi\"");
    assert_tok(&t[2], MS_PY_STRING, 1, 19, "a ' '' b");
    assert_tok(&t[3], MS_PY_STRING, 1, 34, "a\"b\"\"c");
}

static void test_pyscan__string_prefixes_in_any_case(void **state)
{
    static const struct {
        const char *prefix;
        unsigned flags;
    } cases[] = {
        {"r", MS_PY_STR_RAW},
        {"R", MS_PY_STR_RAW},
        {"b", MS_PY_STR_BYTES},
        {"B", MS_PY_STR_BYTES},
        {"u", MS_PY_STR_UNICODE},
        {"U", MS_PY_STR_UNICODE},
        {"f", MS_PY_STR_F},
        {"F", MS_PY_STR_F},
        {"rb", MS_PY_STR_RAW | MS_PY_STR_BYTES},
        {"Rb", MS_PY_STR_RAW | MS_PY_STR_BYTES},
        {"bR", MS_PY_STR_RAW | MS_PY_STR_BYTES},
        {"BR", MS_PY_STR_RAW | MS_PY_STR_BYTES},
        {"fr", MS_PY_STR_RAW | MS_PY_STR_F},
        {"Rf", MS_PY_STR_RAW | MS_PY_STR_F},
        {"rF", MS_PY_STR_RAW | MS_PY_STR_F},
        {"FR", MS_PY_STR_RAW | MS_PY_STR_F},
    };
    for (size_t i = 0; i < MS_ARRAY_LEN(cases); i++) {
        char src[32];
        snprintf(src, sizeof(src), "%s'x' %s\"\"\"y\"\"\"\n", cases[i].prefix, cases[i].prefix);
        const struct ms_py_token *t = scan(state, src);
        assert_kinds(state, "STRING STRING NEWLINE ENDMARKER");
        assert_tok(&t[0], MS_PY_STRING, 1, 1, "x");
        assert_int_equal(t[0].flags, cases[i].flags);
        assert_int_equal(t[0].len, strlen(cases[i].prefix) + 3);
        assert_tok(&t[1], MS_PY_STRING, 1, (uint32_t)strlen(cases[i].prefix) + 5, "y");
        assert_int_equal(t[1].flags, cases[i].flags | MS_PY_STR_TRIPLE);
    }
}

static void test_pyscan__invalid_prefix_is_a_name(void **state)
{
    /* Python 3 has no ur'' or bf'': the letters are a name, then a plain string. */
    const struct ms_py_token *t = scan(state, "ur'a' bf'b' rr'c' rb f\n");
    assert_kinds(state, "NAME STRING NAME STRING NAME STRING NAME NAME NEWLINE ENDMARKER");
    assert_tok(&t[0], MS_PY_NAME, 1, 1, "ur");
    assert_tok(&t[1], MS_PY_STRING, 1, 3, "a");
    assert_tok(&t[2], MS_PY_NAME, 1, 7, "bf");
    assert_tok(&t[4], MS_PY_NAME, 1, 13, "rr");
    assert_tok(&t[6], MS_PY_NAME, 1, 19, "rb");
    assert_tok(&t[7], MS_PY_NAME, 1, 22, "f");
}

static void test_pyscan__string_escapes_decode(void **state)
{
    const struct ms_py_token *t = scan(
        state,
        "'\\n\\t\\\\\\'\\\"\\a\\b\\f\\v\\r|\\x41\\u00e9\\U0001F600\\101\\0|\\N{DASH}\\d\\x4'\n");
    static const char want[] = "\n\t\\'\"\a\b\f\v\r|A\xC3\xA9\xF0\x9F\x98\x80"
                               "A\0|\\N{DASH}\\d\\x4";
    assert_int_equal(t[0].kind, MS_PY_STRING);
    assert_int_equal(t[0].value_len, sizeof(want) - 1);
    assert_memory_equal(t[0].value, want, sizeof(want));
}

static void test_pyscan__str_hex_escape_is_a_code_point(void **state)
{
    /* "\xe9" in a str is U+00E9, UTF-8 C3 A9; a lone surrogate stays as written. */
    const struct ms_py_token *t = scan(state, "'\\xe9\\ud800\\777'\n");
    assert_tok(&t[0], MS_PY_STRING, 1, 1, "\xC3\xA9\\ud800\xC7\xBF");
}

static void test_pyscan__bytes_escapes_are_bytes(void **state)
{
    const struct ms_py_token *t = scan(state, "b'\\xff\\u00e9\\101\\N{X}\\00'\n");
    static const char want[] = "\xff\\u00e9A\\N{X}\0";
    assert_int_equal(t[0].flags, MS_PY_STR_BYTES);
    assert_int_equal(t[0].value_len, sizeof(want) - 1);
    assert_memory_equal(t[0].value, want, sizeof(want));
}

static void test_pyscan__raw_string_keeps_backslashes(void **state)
{
    const struct ms_py_token *t = scan(state, "r'\\d+\\'x' r\"\\\\\" R'''a\\\nb'''\n");
    assert_kinds(state, "STRING STRING STRING NEWLINE ENDMARKER");
    assert_tok(&t[0], MS_PY_STRING, 1, 1, "\\d+\\'x");
    assert_tok(&t[1], MS_PY_STRING, 1, 11, "\\\\");
    assert_tok(&t[2], MS_PY_STRING, 1, 17, "a\\\nb");
    assert_end(&t[2], 2, 5);
}

static void test_pyscan__line_continuation_inside_string(void **state)
{
    const struct ms_py_token *t = scan(state, "x = 'abc\\\ndef' + \"g\\\r\nh\"\ny\n");
    assert_kinds(state, "NAME OP STRING OP STRING NEWLINE NAME NEWLINE ENDMARKER");
    assert_tok(&t[2], MS_PY_STRING, 1, 5, "abcdef");
    assert_end(&t[2], 2, 5);
    assert_tok(&t[3], MS_PY_OP, 2, 6, "+");
    assert_tok(&t[4], MS_PY_STRING, 2, 8, "gh");
    assert_end(&t[4], 3, 3);
    assert_tok(&t[6], MS_PY_NAME, 4, 1, "y");
}

static void test_pyscan__triple_quoted_string_spans_lines(void **state)
{
    const struct ms_py_token *t = scan(state, "s = '''\r\n  one\n\ttwo ''' ; t\n");
    assert_kinds(state, "NAME OP STRING OP NAME NEWLINE ENDMARKER");
    assert_tok(&t[2], MS_PY_STRING, 1, 5, "\n  one\n\ttwo ");
    assert_int_equal(t[2].flags, MS_PY_STR_TRIPLE);
    assert_int_equal(t[2].offset, 4);
    assert_end(&t[2], 3, 9);
    assert_tok(&t[3], MS_PY_OP, 3, 10, ";");
}

static void test_pyscan__fstring_without_fields_decodes(void **state)
{
    const struct ms_py_token *t = scan(state, "f'a{{b}}\\tc' F\"\"\n");
    assert_kinds(state, "STRING STRING NEWLINE ENDMARKER");
    assert_tok(&t[0], MS_PY_STRING, 1, 1, "a{b}\tc");
    assert_int_equal(t[0].flags, MS_PY_STR_F);
    assert_tok(&t[1], MS_PY_STRING, 1, 14, "");
}

static void test_pyscan__fstring_with_fields_is_a_template(void **state)
{
    const struct ms_py_token *t = scan(state, "f\"x{y!r:>{w}}{{z}}\\n{ a['k'] }\" + 1\n");
    assert_kinds(state, "STRING OP NUMBER NEWLINE ENDMARKER");
    assert_tok(&t[0], MS_PY_STRING, 1, 1, "x{y!r:>{w}}{{z}}\n{ a['k'] }");
    assert_int_equal(t[0].flags, MS_PY_STR_F | MS_PY_STR_FIELDS);
    assert_tok(&t[1], MS_PY_OP, 1, 33, "+");
}

static void test_pyscan__fstring_fields_hold_any_expression(void **state)
{
    /* Python 3.12 quotes inside fields, nested f-strings, dicts, format specs with colons and
     * quotes, a named escape whose braces are no field, a raw f-string whose are. */
    const struct ms_py_token *t =
        scan(state, "f\"{d[\"k\"]}\" f'{f\"{x}\"}' f'{ {\"a\": 1}[\"a\"] }' "
                    "f'{now:%H:%M}' f\"{x:'>10}\" f'\\N{DASH}' "
                    "rf'\\{x}' f'''{\nx\n}''' end\n");
    assert_kinds(state, "STRING STRING STRING STRING STRING STRING STRING STRING NAME NEWLINE "
                        "ENDMARKER");
    assert_tok(&t[0], MS_PY_STRING, 1, 1, "{d[\"k\"]}");
    assert_tok(&t[1], MS_PY_STRING, 1, 13, "{f\"{x}\"}");
    assert_tok(&t[2], MS_PY_STRING, 1, 25, "{ {\"a\": 1}[\"a\"] }");
    assert_tok(&t[3], MS_PY_STRING, 1, 46, "{now:%H:%M}");
    assert_tok(&t[4], MS_PY_STRING, 1, 61, "{x:'>10}");
    assert_tok(&t[5], MS_PY_STRING, 1, 73, "\\N{DASH}");
    assert_int_equal(t[5].flags, MS_PY_STR_F);
    assert_tok(&t[6], MS_PY_STRING, 1, 85, "\\{x}");
    assert_int_equal(t[6].flags, MS_PY_STR_F | MS_PY_STR_RAW | MS_PY_STR_FIELDS);
    assert_tok(&t[7], MS_PY_STRING, 1, 94, "{\nx\n}");
    assert_tok(&t[8], MS_PY_NAME, 3, 6, "end");
}

static void test_pyscan__comments(void **state)
{
    const struct ms_py_token *t = scan(state, "x = 1  # note\r\n# full line\ny # last");
    assert_kinds(state, "NAME OP NUMBER COMMENT NEWLINE COMMENT NAME COMMENT NEWLINE ENDMARKER");
    assert_tok(&t[3], MS_PY_COMMENT, 1, 8, "# note");
    assert_end(&t[3], 1, 14);
    assert_tok(&t[4], MS_PY_NEWLINE, 1, 14, "");
    assert_int_equal(t[4].len, 2);
    assert_tok(&t[5], MS_PY_COMMENT, 2, 1, "# full line");
    assert_tok(&t[6], MS_PY_NAME, 3, 1, "y");
    assert_tok(&t[7], MS_PY_COMMENT, 3, 3, "# last");
    assert_tok(&t[8], MS_PY_NEWLINE, 3, 9, "");
}

static void test_pyscan__hash_inside_string_is_no_comment(void **state)
{
    const struct ms_py_token *t = scan(state, "s = '# not a comment'\n");
    assert_kinds(state, "NAME OP STRING NEWLINE ENDMARKER");
    assert_tok(&t[2], MS_PY_STRING, 1, 5, "# not a comment");
}

static void test_pyscan__backslash_joins_lines(void **state)
{
    const struct ms_py_token *t = scan(state, "if a:\n    x = 1 + \\\n  2\n    y\n");
    assert_kinds(state, "NAME NAME OP NEWLINE INDENT NAME OP NUMBER OP NUMBER NEWLINE NAME NEWLINE "
                        "DEDENT ENDMARKER");
    assert_tok(&t[9], MS_PY_NUMBER, 3, 3, "2");
    assert_tok(&t[10], MS_PY_NEWLINE, 3, 4, "");
    assert_tok(&t[11], MS_PY_NAME, 4, 5, "y");
}

static void test_pyscan__brackets_join_lines(void **state)
{
    const struct ms_py_token *t =
        scan(state, "foo(1,\n        [2,\n  {3: 4}],  # why\n\n    )\nbar\n");
    assert_kinds(state, "NAME OP NUMBER OP OP NUMBER OP OP NUMBER OP NUMBER OP OP OP COMMENT OP "
                        "NEWLINE NAME NEWLINE ENDMARKER");
    assert_tok(&t[4], MS_PY_OP, 2, 9, "[");
    assert_tok(&t[7], MS_PY_OP, 3, 3, "{");
    assert_tok(&t[14], MS_PY_COMMENT, 3, 13, "# why");
    assert_tok(&t[15], MS_PY_OP, 5, 5, ")");
    assert_tok(&t[16], MS_PY_NEWLINE, 5, 6, "");
    assert_tok(&t[17], MS_PY_NAME, 6, 1, "bar");
}

static void test_pyscan__blank_and_comment_lines_keep_indentation(void **state)
{
    const struct ms_py_token *t =
        scan(state, "if x:\n\n        # deeper comment\n# outdented comment\n   \n    y\n    z\n");
    assert_kinds(state, "NAME NAME OP NEWLINE COMMENT COMMENT INDENT NAME NEWLINE NAME NEWLINE "
                        "DEDENT ENDMARKER");
    assert_tok(&t[4], MS_PY_COMMENT, 3, 9, "# deeper comment");
    assert_tok(&t[5], MS_PY_COMMENT, 4, 1, "# outdented comment");
    assert_tok(&t[6], MS_PY_INDENT, 6, 1, "");
    assert_int_equal(t[6].len, 4);
    assert_end(&t[6], 6, 5);
    assert_tok(&t[7], MS_PY_NAME, 6, 5, "y");
    assert_tok(&t[11], MS_PY_DEDENT, 8, 1, "");
}

static void test_pyscan__indent_and_dedent(void **state)
{
    const struct ms_py_token *t = scan(state, "class A:\n"
                                              "    def f(self):\n"
                                              "        if x:\n"
                                              "            pass\n"
                                              "    y = 1\n"
                                              "z\n");
    assert_kinds(state, "NAME NAME OP NEWLINE "
                        "INDENT NAME NAME OP NAME OP OP NEWLINE "
                        "INDENT NAME NAME OP NEWLINE "
                        "INDENT NAME NEWLINE "
                        "DEDENT DEDENT NAME OP NUMBER NEWLINE "
                        "DEDENT NAME NEWLINE ENDMARKER");
    assert_tok(&t[4], MS_PY_INDENT, 2, 1, "");
    assert_int_equal(t[4].len, 4);
    assert_tok(&t[12], MS_PY_INDENT, 3, 1, "");
    assert_int_equal(t[12].len, 8);
    assert_tok(&t[20], MS_PY_DEDENT, 5, 5, "");
    assert_tok(&t[21], MS_PY_DEDENT, 5, 5, "");
    assert_tok(&t[22], MS_PY_NAME, 5, 5, "y");
    assert_tok(&t[26], MS_PY_DEDENT, 6, 1, "");
}

static void test_pyscan__dedents_at_end_of_text(void **state)
{
    const struct ms_py_token *t = scan(state, "if a:\n  if b:\n    c");
    assert_kinds(state, "NAME NAME OP NEWLINE INDENT NAME NAME OP NEWLINE INDENT NAME NEWLINE "
                        "DEDENT DEDENT ENDMARKER");
    assert_tok(&t[11], MS_PY_NEWLINE, 3, 6, "");
    assert_tok(&t[12], MS_PY_DEDENT, 3, 6, "");
    assert_tok(&t[14], MS_PY_ENDMARKER, 3, 6, "");
}

static void test_pyscan__tab_indents_to_next_multiple_of_8(void **state)
{
    /* "\t" and "  \t" are both column 8 but differ with tabs of width 1: only a mix that agrees
     * at every width is accepted, as CPython does. */
    const struct ms_py_token *t = scan(state, "if a:\n\tb\n\tif c:\n\t\td\n\te\n\fz\n");
    assert_kinds(state, "NAME NAME OP NEWLINE INDENT NAME NEWLINE NAME NAME OP NEWLINE INDENT NAME "
                        "NEWLINE DEDENT NAME NEWLINE DEDENT NAME NEWLINE ENDMARKER");
    assert_tok(&t[5], MS_PY_NAME, 2, 2, "b");
    assert_tok(&t[12], MS_PY_NAME, 4, 3, "d");
    assert_tok(&t[18], MS_PY_NAME, 6, 2, "z");

    scan(state, "if a:\n  \tb\n  \tc\n");
    assert_kinds(state, "NAME NAME OP NEWLINE INDENT NAME NEWLINE NAME NEWLINE DEDENT ENDMARKER");
}

static void test_pyscan__crlf_line_ends(void **state)
{
    const struct ms_py_token *t = scan(state, "if x:\r\n    y = 'a'\r\n\r\nz\r\n");
    assert_kinds(state, "NAME NAME OP NEWLINE INDENT NAME OP STRING NEWLINE DEDENT NAME NEWLINE "
                        "ENDMARKER");
    assert_tok(&t[3], MS_PY_NEWLINE, 1, 6, "");
    assert_int_equal(t[3].len, 2);
    assert_end(&t[3], 2, 1);
    assert_tok(&t[7], MS_PY_STRING, 2, 9, "a");
    assert_tok(&t[10], MS_PY_NAME, 4, 1, "z");
    assert_tok(&t[12], MS_PY_ENDMARKER, 5, 1, "");
}

static void test_pyscan__utf8_bom_is_skipped(void **state)
{
    const struct ms_py_token *t = scan(state, "\xEF\xBB\xBFx = 'é'\n");
    assert_kinds(state, "NAME OP STRING NEWLINE ENDMARKER");
    assert_tok(&t[0], MS_PY_NAME, 1, 1, "x");
    assert_int_equal(t[0].offset, 3);
    assert_tok(&t[2], MS_PY_STRING, 1, 5, "é");
    assert_end(&t[2], 1, 8);
}

static void test_pyscan__error_unterminated_string(void **state)
{
    assert_scan_error(state, "x = 'abc\ny\n", 1, 5,
                      "unterminated string literal (detected at line 1)");
    assert_scan_error(state, "x = rb\"abc", 1, 5,
                      "unterminated string literal (detected at line 1)");
    assert_scan_error(state, "x = 'abc\\\ndef\n", 1, 5,
                      "unterminated string literal (detected at line 2)");
    assert_scan_error(state, "x = 'ab\\", 1, 5, "unterminated string literal (detected at line 1)");
    assert_scan_error(state, "x = f'{a}\n", 1, 5,
                      "unterminated f-string literal (detected at line 1)");
}

static void test_pyscan__error_unterminated_triple_quoted_string(void **state)
{
    assert_scan_error(state, "x = 1\ny = \"\"\"abc\n\n", 2, 5,
                      "unterminated triple-quoted string literal (detected at line 3)");
    assert_scan_error(state, "'''a''' '''b''", 1, 9,
                      "unterminated triple-quoted string literal (detected at line 1)");
    assert_scan_error(state, "f'''{x\n", 1, 1,
                      "unterminated triple-quoted f-string literal (detected at line 1)");
}

static void test_pyscan__error_fstring_braces(void **state)
{
    assert_scan_error(state, "f'a}b'", 1, 4, "f-string: single '}' is not allowed");
    assert_scan_error(state, "f'{a:>10'", 1, 9, "f-string: expecting '}'");
}

static void test_pyscan__error_inconsistent_dedent(void **state)
{
    assert_scan_error(state, "if x:\n    y\n  z\n", 3, 3,
                      "unindent does not match any outer indentation level");
    assert_scan_error(state, "if a:\n\tb\n        c\n", 3, 9,
                      "inconsistent use of tabs and spaces in indentation");
}

static void test_pyscan__error_unmatched_bracket(void **state)
{
    assert_scan_error(state, "x = 1)\n", 1, 6, "unmatched ')'");
    assert_scan_error(state, "x = (1]\n", 1, 7,
                      "closing parenthesis ']' does not match opening parenthesis '('");
    assert_scan_error(state, "x = (1,\n2}\n", 2, 2,
                      "closing parenthesis '}' does not match opening parenthesis '(' on line 1");
    assert_scan_error(state, "foo(\n  [1,\n", 2, 3, "'[' was never closed");
    assert_scan_error(state, "op.execute(\n  'x'\n", 1, 11, "'(' was never closed");
}

static void test_pyscan__error_bad_characters(void **state)
{
    assert_scan_error(state, "x = 1 \\ y\n", 1, 8,
                      "unexpected character after line continuation character");
    assert_scan_error(state, "x = 1 \\", 1, 7, "unexpected EOF while parsing");
    assert_scan_error(state, "x = $\n", 1, 5, "invalid character '$' (U+0024)");
    assert_scan_error(state, "a\nx = ?", 2, 5, "invalid character '?' (U+003F)");
    assert_scan_error(state, "x = 1\ry = 2\n", 1, 6, "invalid non-printable character U+000D");
    assert_scan_error(state, "x = 'a\0b'\n", 1, 7, "source code cannot contain null bytes");
}

static void test_pyscan__concat_adjacent_strings(void **state)
{
    struct fixture *f = *state;
    const struct ms_py_token *t = scan(state, "x = ('CREATE '  # first\n"
                                              "     \"INDEX \"\n"
                                              "     '''ix''') + 'y'\n");
    assert_kinds(state, "NAME OP OP STRING COMMENT STRING STRING OP OP STRING NEWLINE ENDMARKER");
    struct ms_py_str s;
    assert_int_equal(ms_py_concat_strings(&f->toks, 3, &f->arena, &s, &f->err), 0);
    assert_string_equal(s.value, "CREATE INDEX ix");
    assert_int_equal(s.len, 15);
    assert_int_equal(s.first, 3);
    assert_int_equal(s.end, 7);
    assert_int_equal(s.flags, MS_PY_STR_TRIPLE);

    /* A single part is returned as is. */
    assert_int_equal(ms_py_concat_strings(&f->toks, 9, &f->arena, &s, &f->err), 0);
    assert_ptr_equal(s.value, t[9].value);
    assert_int_equal(s.end, 10);
}

static void test_pyscan__concat_with_fstring_makes_a_template(void **state)
{
    struct fixture *f = *state;
    scan(state, "('{a}' f'{b}' f'{{c}}' '\\x7b')\n");
    struct ms_py_str s;
    assert_int_equal(ms_py_concat_strings(&f->toks, 1, &f->arena, &s, &f->err), 0);
    assert_string_equal(s.value, "{{a}}{b}{{c}}{{");
    assert_int_equal(s.len, 15);
    assert_int_equal(s.flags, MS_PY_STR_F | MS_PY_STR_FIELDS);
}

static void test_pyscan__concat_refuses_bytes_with_str(void **state)
{
    struct fixture *f = *state;
    scan(state, "x = 'a' \\\n    b'b'\n");
    struct ms_py_str s;
    assert_int_equal(ms_py_concat_strings(&f->toks, 2, &f->arena, &s, &f->err), -1);
    assert_string_equal(f->err.message, "cannot mix bytes and nonbytes literals");
    assert_int_equal(f->err.line, 2);
    assert_int_equal(f->err.col, 5);
}

static const char alembic_revision[] =
    "\"\"\"drop the legacy table\n"
    "\n"
    "Revision ID: 3f2a1b\n"
    "Revises: 9c8d7e\n"
    "Create Date: 2024-01-01 00:00:00\n"
    "\n"
    "Runs op.drop_table('legacy') after the backfill.\n"
    "\"\"\"\n"
    "from alembic import op\n"
    "import sqlalchemy as sa\n"
    "\n"
    "# revision identifiers, used by Alembic.\n"
    "revision = '3f2a1b'\n"
    "down_revision = '9c8d7e'\n"
    "\n"
    "\n"
    "def upgrade():\n"
    "    op.add_column('users', sa.Column('x', sa.String(50), nullable=False))\n"
    "    op.execute(\"\"\"\n"
    "        CREATE INDEX CONCURRENTLY ix_users_x ON users (x)\n"
    "    \"\"\")\n"
    "\n"
    "\n"
    "def downgrade():\n"
    "    op.drop_column('users', 'x')\n";

static size_t find_token(const struct ms_py_tokens *toks, enum ms_py_kind kind, const char *value,
                         size_t from)
{
    for (size_t i = from; i < toks->n_tokens; i++)
        if (toks->tokens[i].kind == kind && strcmp(toks->tokens[i].value, value) == 0)
            return i;
    fail_msg("no %s token \"%s\"", ms_py_kind_name(kind), value);
    return 0;
}

static void test_pyscan__alembic_revision(void **state)
{
    struct fixture *f = *state;
    const struct ms_py_token *t = scan(state, alembic_revision);

    /* The docstring is one STRING: "op.drop_table" inside it yields no NAME. */
    assert_int_equal(t[0].kind, MS_PY_STRING);
    assert_int_equal(t[0].flags, MS_PY_STR_TRIPLE);
    assert_non_null(strstr(t[0].value, "Runs op.drop_table('legacy') after"));
    assert_int_equal(t[0].end_line, 8);
    assert_int_equal(t[1].kind, MS_PY_NEWLINE);
    for (size_t i = 0; i < f->toks.n_tokens; i++)
        assert_false(t[i].kind == MS_PY_NAME && strcmp(t[i].value, "drop_table") == 0);

    size_t i = find_token(&f->toks, MS_PY_NAME, "revision", 0);
    assert_tok(&t[i + 2], MS_PY_STRING, 13, 12, "3f2a1b");

    /* sa.Column('x', sa.String(50), nullable=False) */
    i = find_token(&f->toks, MS_PY_NAME, "Column", 0) - 2;
    static const struct {
        enum ms_py_kind kind;
        uint32_t col;
        const char *value;
    } column[] = {
        {MS_PY_NAME, 28, "sa"},    {MS_PY_OP, 30, "."},          {MS_PY_NAME, 31, "Column"},
        {MS_PY_OP, 37, "("},       {MS_PY_STRING, 38, "x"},      {MS_PY_OP, 41, ","},
        {MS_PY_NAME, 43, "sa"},    {MS_PY_OP, 45, "."},          {MS_PY_NAME, 46, "String"},
        {MS_PY_OP, 52, "("},       {MS_PY_NUMBER, 53, "50"},     {MS_PY_OP, 55, ")"},
        {MS_PY_OP, 56, ","},       {MS_PY_NAME, 58, "nullable"}, {MS_PY_OP, 66, "="},
        {MS_PY_NAME, 67, "False"}, {MS_PY_OP, 72, ")"},          {MS_PY_OP, 73, ")"},
        {MS_PY_NEWLINE, 74, ""},
    };
    for (size_t k = 0; k < MS_ARRAY_LEN(column); k++)
        assert_tok(&t[i + k], column[k].kind, 18, column[k].col, column[k].value);

    /* op.execute("""...""") : the string starts on the line of the call. */
    i = find_token(&f->toks, MS_PY_NAME, "execute", 0);
    assert_tok(&t[i - 2], MS_PY_NAME, 19, 5, "op");
    assert_tok(&t[i + 1], MS_PY_OP, 19, 15, "(");
    assert_tok(&t[i + 2], MS_PY_STRING, 19, 16,
               "\n        CREATE INDEX CONCURRENTLY ix_users_x ON users (x)\n    ");
    assert_int_equal(t[i + 2].flags, MS_PY_STR_TRIPLE);
    assert_end(&t[i + 2], 21, 8);
    assert_tok(&t[i + 3], MS_PY_OP, 21, 8, ")");
    assert_int_equal(t[i + 4].kind, MS_PY_NEWLINE);

    i = find_token(&f->toks, MS_PY_NAME, "downgrade", 0);
    assert_tok(&t[i - 2], MS_PY_DEDENT, 24, 1, "");
    assert_tok(&t[i - 1], MS_PY_NAME, 24, 1, "def");
    assert_int_equal(t[f->toks.n_tokens - 2].kind, MS_PY_DEDENT);
    assert_tok(&t[f->toks.n_tokens - 1], MS_PY_ENDMARKER, 26, 1, "");
}

static void test_pyscan__truncated_input_never_overreads(void **state)
{
    /* Every prefix of a text full of constructs that look ahead; each copy has no NUL after it,
     * so the sanitizer catches a read past len. */
    struct fixture *f = *state;
    static const char text[] = "\xEF\xBB\xBF# c\r\nif a:\n\tx = f'{b!r:{w}}' rb'\\x' \\\n"
                               "  '''t\\\r\n''' + 0x_1f + 1.5e-3j\n\fy = (1,\n [2])\n"
                               "z = \"\\N{DASH}\\u00e9\" f\"{'{'}\" ...\n";
    for (size_t n = 0; n < sizeof(text); n++) {
        ms_arena_reset(&f->arena);
        int rc = scan_len(f, text, n);
        if (rc == 0) {
            assert_int_equal(f->toks.tokens[f->toks.n_tokens - 1].kind, MS_PY_ENDMARKER);
        } else {
            assert_int_equal(rc, -1);
            assert_true(f->err.line >= 1 && f->err.col >= 1 && f->err.message[0]);
        }
    }
}

static void test_pyscan__deep_nesting_is_an_error_not_a_crash(void **state)
{
    struct fixture *f = *state;
    size_t depth = 200, used = 0;
    char *src = ms_xmalloc(depth * 8 + 1);
    for (size_t i = 0; i < depth; i++)
        used += (size_t)snprintf(src + used, 8, "f'{");
    assert_int_equal(scan_len(f, src, used), -1);
    assert_string_equal(f->err.message, "f-string: expressions nested too deeply");
    free(src);
}

static void test_pyscan__long_input_is_linear(void **state)
{
    /* 200,000 tokens on one line and 100,000 nested brackets: quadratic work would time out. */
    struct fixture *f = *state;
    size_t n = 100000;
    char *src = ms_xmalloc(4 * n + 2);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(src + len, "\xC3\xA9,", 3);
        len += 3;
    }
    src[len++] = '\n';
    assert_int_equal(scan_len(f, src, len), 0);
    assert_int_equal(f->toks.n_tokens, 2 * n + 2);
    assert_tok(&f->toks.tokens[2 * n - 1], MS_PY_OP, 1, (uint32_t)(2 * n), ",");

    len = 0;
    for (size_t i = 0; i < n; i++)
        src[len++] = '(';
    for (size_t i = 0; i < n; i++)
        src[len++] = ')';
    assert_int_equal(scan_len(f, src, len), 0);
    assert_int_equal(f->toks.n_tokens, 2 * n + 2);
    free(src);
}

static void test_pyscan__kind_names(void **state)
{
    (void)state;
    assert_string_equal(ms_py_kind_name(MS_PY_ENDMARKER), "ENDMARKER");
    assert_string_equal(ms_py_kind_name(MS_PY_NAME), "NAME");
    assert_string_equal(ms_py_kind_name(MS_PY_NUMBER), "NUMBER");
    assert_string_equal(ms_py_kind_name(MS_PY_STRING), "STRING");
    assert_string_equal(ms_py_kind_name(MS_PY_OP), "OP");
    assert_string_equal(ms_py_kind_name(MS_PY_NEWLINE), "NEWLINE");
    assert_string_equal(ms_py_kind_name(MS_PY_INDENT), "INDENT");
    assert_string_equal(ms_py_kind_name(MS_PY_DEDENT), "DEDENT");
    assert_string_equal(ms_py_kind_name(MS_PY_COMMENT), "COMMENT");
}

#define T(name) cmocka_unit_test_setup_teardown(test_pyscan__##name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(simple_statement),
        T(no_final_line_end),
        T(empty_and_blank_inputs),
        T(all_operators),
        T(operators_take_the_longest_match),
        T(non_ascii_names_count_code_points),
        T(numbers),
        T(number_stops_where_its_grammar_ends),
        T(string_quotes),
        T(quotes_inside_strings),
        T(string_prefixes_in_any_case),
        T(invalid_prefix_is_a_name),
        T(string_escapes_decode),
        T(str_hex_escape_is_a_code_point),
        T(bytes_escapes_are_bytes),
        T(raw_string_keeps_backslashes),
        T(line_continuation_inside_string),
        T(triple_quoted_string_spans_lines),
        T(fstring_without_fields_decodes),
        T(fstring_with_fields_is_a_template),
        T(fstring_fields_hold_any_expression),
        T(comments),
        T(hash_inside_string_is_no_comment),
        T(backslash_joins_lines),
        T(brackets_join_lines),
        T(blank_and_comment_lines_keep_indentation),
        T(indent_and_dedent),
        T(dedents_at_end_of_text),
        T(tab_indents_to_next_multiple_of_8),
        T(crlf_line_ends),
        T(utf8_bom_is_skipped),
        T(error_unterminated_string),
        T(error_unterminated_triple_quoted_string),
        T(error_fstring_braces),
        T(error_inconsistent_dedent),
        T(error_unmatched_bracket),
        T(error_bad_characters),
        T(concat_adjacent_strings),
        T(concat_with_fstring_makes_a_template),
        T(concat_refuses_bytes_with_str),
        T(alembic_revision),
        T(truncated_input_never_overreads),
        T(deep_nesting_is_an_error_not_a_crash),
        T(long_input_is_linear),
        T(kind_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
