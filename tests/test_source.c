/* test_source.c: reading files, validating text, and offsets to lines and columns
 * (src/source.c). */
#include "source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

struct fixture {
    struct ms_arena arena;
    struct ms_source src;
    char err[512];
    char dir[64]; /* a fresh temporary folder per test */
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    ms_arena_init(&f->arena);
    snprintf(f->dir, sizeof(f->dir), "/tmp/ms-test-source-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    ms_arena_release(&f->arena);
    free(f);
    return 0;
}

/* Loads `len` bytes of text as "t.sql"; asserts it is accepted. */
static struct ms_source *load(struct fixture *f, const char *text, size_t len)
{
    int rc = ms_source_from_text(&f->src, "t.sql", text, len, &f->arena, f->err, sizeof(f->err));
    if (rc != 0)
        fail_msg("rejected: %s", f->err);
    return &f->src;
}

/* Loads text that must be rejected; returns the message. */
static const char *reject(struct fixture *f, const char *text, size_t len)
{
    f->err[0] = '\0';
    int rc = ms_source_from_text(&f->src, "t.sql", text, len, &f->arena, f->err, sizeof(f->err));
    assert_int_equal(rc, -1);
    return f->err;
}

static char *write_file(struct fixture *f, const char *name, const char *text, size_t len)
{
    char *path = ms_arena_printf(&f->arena, "%s/%s", f->dir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
    return path;
}

#define assert_pos(src, offset, l, c)                                                              \
    do {                                                                                           \
        struct ms_pos p_ = ms_source_pos((src), (offset));                                         \
        assert_int_equal(p_.line, (l));                                                            \
        assert_int_equal(p_.col, (c));                                                             \
    } while (0)

#define assert_line(src, line, expect)                                                             \
    do {                                                                                           \
        size_t n_;                                                                                 \
        const char *s_ = ms_source_line((src), (line), &n_);                                       \
        assert_int_equal(n_, strlen(expect));                                                      \
        assert_memory_equal(s_, (expect), n_);                                                     \
    } while (0)

#define LIT(s) (s), (sizeof(s) - 1)

static void test_source__lf_line_index(void **state)
{
    struct fixture *f = *state;
    const struct ms_source *s = load(f, LIT("SELECT 1;\n\nALTER TABLE t;\n"));
    assert_int_equal(s->len, 26);
    assert_int_equal(s->body, 0);
    assert_int_equal(s->n_lines, 4);
    assert_int_equal(s->line_starts[0], 0);
    assert_int_equal(s->line_starts[1], 10);
    assert_int_equal(s->line_starts[2], 11);
    assert_int_equal(s->line_starts[3], 26);
    assert_pos(s, 0, 1, 1);
    assert_pos(s, 7, 1, 8);
    assert_pos(s, 9, 1, 10); /* the '\n' ends line 1 */
    assert_pos(s, 10, 2, 1); /* the empty line */
    assert_pos(s, 11, 3, 1);
    assert_pos(s, 17, 3, 7); /* "TABLE" */
    assert_pos(s, 26, 4, 1); /* end of text, after the final newline */
    assert_line(s, 1, "SELECT 1;");
    assert_line(s, 2, "");
    assert_line(s, 3, "ALTER TABLE t;");
    assert_line(s, 4, "");
    assert_string_equal(s->path, "t.sql");
    assert_int_equal(s->text[s->len], '\0');
}

static void test_source__crlf(void **state)
{
    struct fixture *f = *state;
    /* a0 b1 \r2 \n3 | c4 d5 \r6 \n7 | \r8 \n9 | x10 é11-12 \r13 \n14 | (15) */
    const struct ms_source *s = load(f, LIT("ab\r\ncd\r\n\r\nx\xC3\xA9\r\n"));
    assert_int_equal(s->n_lines, 5);
    assert_int_equal(s->line_starts[1], 4);
    assert_int_equal(s->line_starts[2], 8);
    assert_int_equal(s->line_starts[3], 10);
    assert_int_equal(s->line_starts[4], 15);
    assert_pos(s, 1, 1, 2);
    assert_pos(s, 4, 2, 1);
    assert_pos(s, 5, 2, 2);
    assert_pos(s, 6, 2, 3);  /* the '\r': one past the last character */
    assert_pos(s, 13, 4, 3); /* "xé" then '\r' */
    assert_pos(s, 15, 5, 1);
    assert_line(s, 1, "ab");
    assert_line(s, 2, "cd");
    assert_line(s, 3, "");
    assert_line(s, 4, "x\xC3\xA9");
    assert_line(s, 5, "");
}

static void test_source__crlf_line_end_column_does_not_count_cr(void **state)
{
    struct fixture *f = *state;
    const struct ms_source *s = load(f, LIT("ab\r\ncd\r\n"));
    /* "\r\n" is one line end: its '\n' is at the same column as its '\r' */
    assert_pos(s, 2, 1, 3);
    assert_pos(s, 3, 1, 3);
    assert_pos(s, 7, 2, 3);
    /* a lone '\r' inside a line is a character like any other */
    s = load(f, LIT("a\rb\n"));
    assert_pos(s, 2, 1, 3);
    assert_pos(s, 3, 1, 4);
}

static void test_source__bom(void **state)
{
    struct fixture *f = *state;
    const struct ms_source *s = load(f, LIT("\xEF\xBB\xBFSELECT 1;\nSELECT 2;"));
    assert_int_equal(s->body, 3);
    assert_int_equal(s->n_lines, 2);
    assert_int_equal(s->line_starts[0], 3);
    assert_pos(s, 3, 1, 1); /* the first character after the BOM */
    assert_pos(s, 4, 1, 2);
    assert_pos(s, 0, 1, 1); /* inside the BOM: clamped to the start of line 1 */
    assert_pos(s, 13, 2, 1);
    assert_line(s, 1, "SELECT 1;");
    assert_line(s, 2, "SELECT 2;");
    /* the bytes are kept as read */
    assert_memory_equal(s->text, "\xEF\xBB\xBF", 3);
    /* a BOM alone */
    s = load(f, LIT("\xEF\xBB\xBF"));
    assert_int_equal(s->body, 3);
    assert_pos(s, 3, 1, 1);
    assert_line(s, 1, "");
    /* a BOM sequence later in the file is an ordinary character (U+FEFF) */
    s = load(f, LIT("a\xEF\xBB\xBFz"));
    assert_int_equal(s->body, 0);
    assert_pos(s, 4, 1, 3);
}

static void test_source__multibyte_columns_count_code_points(void **state)
{
    struct fixture *f = *state;
    /* é (2 bytes), € (3), 😀 (4), then x */
    const struct ms_source *s = load(f, LIT("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80x\n\xC3\xA9y"));
    assert_pos(s, 0, 1, 1);
    assert_pos(s, 2, 1, 2);
    assert_pos(s, 5, 1, 3);
    assert_pos(s, 9, 1, 4);
    assert_pos(s, 10, 1, 5); /* the '\n' */
    assert_pos(s, 11, 2, 1);
    assert_pos(s, 13, 2, 2);
    assert_pos(s, 14, 2, 3); /* end of text */
}

static void test_source__nul_byte(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(reject(f, LIT("SELECT 1;\nab\0cd")),
                        "t.sql:2:3: not a text file (NUL byte)");
    assert_string_equal(reject(f, LIT("\0")), "t.sql:1:1: not a text file (NUL byte)");
    /* columns before the NUL count code points */
    assert_string_equal(reject(f, LIT("\xC3\xA9\xC3\xA9\0")),
                        "t.sql:1:3: not a text file (NUL byte)");
    /* after a BOM */
    assert_string_equal(reject(f, LIT("\xEF\xBB\xBF\0")), "t.sql:1:1: not a text file (NUL byte)");
}

#define UTF8_MSG "not valid UTF-8 (migsafe reads UTF-8 text; convert the file with iconv)"

static void test_source__invalid_utf8(void **state)
{
    struct fixture *f = *state;
    /* overlong encodings of '/' and NUL */
    assert_string_equal(reject(f, LIT("SELECT 1;\n\xC3\xA9 \xC0\xAF")), "t.sql:2:3: " UTF8_MSG);
    assert_string_equal(reject(f, LIT("ab\xE0\x80\x80")), "t.sql:1:3: " UTF8_MSG);
    assert_string_equal(reject(f, LIT("ab\xF0\x80\x80\x80")), "t.sql:1:3: " UTF8_MSG);
    /* UTF-16 surrogates U+D800 and U+DFFF */
    assert_string_equal(reject(f, LIT("x\n\nab\xED\xA0\x80")), "t.sql:3:3: " UTF8_MSG);
    assert_string_equal(reject(f, LIT("\xED\xBF\xBF")), "t.sql:1:1: " UTF8_MSG);
    /* truncated at the end of the text */
    assert_string_equal(reject(f, LIT("SELECT '\xE2\x82")), "t.sql:1:9: " UTF8_MSG);
    assert_string_equal(reject(f, LIT("\xF0\x9F\x98")), "t.sql:1:1: " UTF8_MSG);
    assert_string_equal(reject(f, LIT("\xC3")), "t.sql:1:1: " UTF8_MSG);
    /* truncated by a line end */
    assert_string_equal(reject(f, LIT("a\xE2\x82\nb")), "t.sql:1:2: " UTF8_MSG);
    /* stray continuation bytes */
    assert_string_equal(reject(f, LIT("\x80")), "t.sql:1:1: " UTF8_MSG);
    assert_string_equal(reject(f, LIT("l1\n\xE2\x82\xAC\xAC")), "t.sql:2:2: " UTF8_MSG);
    /* beyond U+10FFFF, and bytes that never occur in UTF-8 */
    assert_string_equal(reject(f, LIT("\xF4\x90\x80\x80")), "t.sql:1:1: " UTF8_MSG);
    assert_string_equal(reject(f, LIT("a\xFF")), "t.sql:1:2: " UTF8_MSG);
    /* Latin-1 text, the usual culprit */
    assert_string_equal(reject(f, LIT("-- caf\xE9\n")), "t.sql:1:7: " UTF8_MSG);
    /* after a BOM, columns still count from the first character after it */
    assert_string_equal(reject(f, LIT("\xEF\xBB\xBF"
                                      "ab\x80")),
                        "t.sql:1:3: " UTF8_MSG);
}

static void test_source__valid_utf8_edges(void **state)
{
    struct fixture *f = *state;
    /* U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFF, U+10000, U+10FFFF */
    const struct ms_source *s = load(
        f, LIT("\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF\xF0\x90\x80\x80"
               "\xF4\x8F\xBF\xBF!"));
    assert_pos(s, s->len - 1, 1, 9);
}

static void test_source__empty_text(void **state)
{
    struct fixture *f = *state;
    const struct ms_source *s = load(f, "", 0);
    assert_int_equal(s->len, 0);
    assert_int_equal(s->n_lines, 1);
    assert_int_equal(s->line_starts[0], 0);
    assert_string_equal(s->text, "");
    assert_pos(s, 0, 1, 1);
    assert_pos(s, 5, 1, 1);
    assert_line(s, 1, "");
}

static void test_source__no_final_newline(void **state)
{
    struct fixture *f = *state;
    const struct ms_source *s = load(f, LIT("SELECT 1;\nDROP TABLE t"));
    assert_int_equal(s->n_lines, 2);
    assert_pos(s, 22, 2, 13); /* end of text */
    assert_line(s, 2, "DROP TABLE t");
}

static void test_source__offsets_at_and_past_end(void **state)
{
    struct fixture *f = *state;
    const struct ms_source *s = load(f, LIT("ab\ncd"));
    assert_pos(s, 5, 2, 3);
    assert_pos(s, 6, 2, 3);
    assert_pos(s, SIZE_MAX, 2, 3);
    s = load(f, LIT("ab\n"));
    assert_pos(s, 3, 2, 1);
    assert_pos(s, 100, 2, 1);
}

static void test_source__line_out_of_range(void **state)
{
    struct fixture *f = *state;
    const struct ms_source *s = load(f, LIT("a\nb\n"));
    assert_line(s, 0, "");
    assert_line(s, 4, "");
    assert_line(s, UINT32_MAX, "");
    assert_line(s, 3, "");
}

static void test_source__many_lines(void **state)
{
    struct fixture *f = *state;
    /* line i (1-based) is i-1 spaces then 'x': the binary search must find every one */
    enum { N = 3000 };
    size_t cap = (size_t)N * (N + 1) / 2 + N + 1, len = 0;
    char *text = malloc(cap);
    size_t *x_at = malloc(N * sizeof(size_t));
    for (size_t i = 0; i < N; i++) {
        memset(text + len, ' ', i);
        len += i;
        x_at[i] = len;
        text[len++] = 'x';
        text[len++] = '\n';
    }
    const struct ms_source *s = load(f, text, len);
    assert_int_equal(s->n_lines, N + 1);
    for (size_t i = 0; i < N; i++)
        assert_pos(s, x_at[i], i + 1, i + 1);
    free(text);
    free(x_at);
}

static void test_source__size_limit_from_text(void **state)
{
    struct fixture *f = *state;
    /* the length alone decides: the buffer (one byte here) must not be read */
    static const char one[1] = {'x'};
    assert_string_equal(reject(f, one, MS_SOURCE_MAX_BYTES + 1),
                        "t.sql: file too large (268435457 bytes; the limit is 256 MiB)");
}

static void test_source__read_file(void **state)
{
    struct fixture *f = *state;
    char *path = write_file(f, "m.sql", LIT("SELECT 1;\r\nSELECT 2;\n"));
    int rc = ms_source_read(&f->src, path, NULL, &f->arena, f->err, sizeof(f->err));
    assert_int_equal(rc, 0);
    assert_string_equal(f->src.path, path);
    assert_int_equal(f->src.len, 21);
    assert_string_equal(f->src.text, "SELECT 1;\r\nSELECT 2;\n");
    assert_int_equal(f->src.n_lines, 3);
    assert_pos(&f->src, 11, 2, 1);
    /* the display name is what messages and the source carry */
    rc = ms_source_read(&f->src, path, "db/m.sql", &f->arena, f->err, sizeof(f->err));
    assert_int_equal(rc, 0);
    assert_string_equal(f->src.path, "db/m.sql");
}

static void test_source__read_empty_file(void **state)
{
    struct fixture *f = *state;
    char *path = write_file(f, "empty.sql", "", 0);
    int rc = ms_source_read(&f->src, path, "empty.sql", &f->arena, f->err, sizeof(f->err));
    assert_int_equal(rc, 0);
    assert_int_equal(f->src.len, 0);
    assert_string_equal(f->src.text, "");
    assert_int_equal(f->src.n_lines, 1);
}

static void test_source__read_larger_than_a_read_buffer(void **state)
{
    struct fixture *f = *state;
    /* 300 KB: several read() calls */
    size_t len = 300 * 1024;
    char *text = malloc(len);
    for (size_t i = 0; i < len; i++)
        text[i] = i % 100 == 99 ? '\n' : 'a' + (char)(i % 26);
    char *path = write_file(f, "big.sql", text, len);
    int rc = ms_source_read(&f->src, path, "big.sql", &f->arena, f->err, sizeof(f->err));
    assert_int_equal(rc, 0);
    assert_int_equal(f->src.len, len);
    assert_memory_equal(f->src.text, text, len);
    assert_int_equal(f->src.n_lines, len / 100 + 1);
    free(text);
}

static void test_source__read_errors_carry_the_display_name(void **state)
{
    struct fixture *f = *state;
    char *path = write_file(f, "bad.sql", LIT("SELECT 1;\n\xC3\xA9\xFF"));
    int rc = ms_source_read(&f->src, path, "db/bad.sql", &f->arena, f->err, sizeof(f->err));
    assert_int_equal(rc, -1);
    assert_string_equal(f->err, "db/bad.sql:2:2: " UTF8_MSG);
    path = write_file(f, "bin.sql",
                      LIT("\x7F"
                          "ELF\0\0"));
    rc = ms_source_read(&f->src, path, "bin.sql", &f->arena, f->err, sizeof(f->err));
    assert_int_equal(rc, -1);
    assert_string_equal(f->err, "bin.sql:1:5: not a text file (NUL byte)");
}

static void test_source__read_file_over_the_size_limit(void **state)
{
    struct fixture *f = *state;
    /* a sparse file: its size is checked before anything is read */
    char *path = write_file(f, "huge.sql", "", 0);
    assert_int_equal(truncate(path, (off_t)MS_SOURCE_MAX_BYTES + 1), 0);
    int rc = ms_source_read(&f->src, path, "huge.sql", &f->arena, f->err, sizeof(f->err));
    assert_int_equal(rc, -1);
    assert_string_equal(f->err, "huge.sql: file too large (268435457 bytes; the limit is 256 MiB)");
}

static void test_source__read_directory(void **state)
{
    struct fixture *f = *state;
    int rc = ms_source_read(&f->src, f->dir, "migrations", &f->arena, f->err, sizeof(f->err));
    assert_int_equal(rc, -1);
    assert_string_equal(f->err, "migrations: is a directory");
}

static void test_source__read_nonexistent(void **state)
{
    struct fixture *f = *state;
    char *path = ms_arena_printf(&f->arena, "%s/missing.sql", f->dir);
    int rc = ms_source_read(&f->src, path, NULL, &f->arena, f->err, sizeof(f->err));
    assert_int_equal(rc, -1);
    char *expect = ms_arena_printf(&f->arena, "%s: cannot open: No such file or directory", path);
    assert_string_equal(f->err, expect);
}

static void test_source__sql_file_is_its_own_sql(void **state)
{
    struct fixture *f = *state;
    const struct ms_source *s = load(f, LIT("\xEF\xBB\xBFSELECT 1;\n"));
    /* a SQL file is parsed as it is: no segments, offsets map to themselves */
    assert_ptr_equal(s->sql, s->text);
    assert_int_equal(s->sql_len, s->len);
    assert_int_equal(s->sql_body, 3);
    assert_int_equal(s->n_segments, 0);
    const struct ms_segment *seg = (const struct ms_segment *)1;
    assert_int_equal(ms_source_map(s, 7, &seg), 7);
    assert_null(seg);
    assert_int_equal(ms_source_map(s, 0, NULL), 0);
}

static void test_source__error_message_is_truncated_safely(void **state)
{
    struct fixture *f = *state;
    char small[12];
    int rc = ms_source_from_text(&f->src, "t.sql", LIT("a\0"), &f->arena, small, sizeof(small));
    assert_int_equal(rc, -1);
    assert_string_equal(small, "t.sql:1:2: ");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_source__lf_line_index),
        T(test_source__crlf),
        T(test_source__crlf_line_end_column_does_not_count_cr),
        T(test_source__bom),
        T(test_source__multibyte_columns_count_code_points),
        T(test_source__nul_byte),
        T(test_source__invalid_utf8),
        T(test_source__valid_utf8_edges),
        T(test_source__empty_text),
        T(test_source__no_final_newline),
        T(test_source__offsets_at_and_past_end),
        T(test_source__line_out_of_range),
        T(test_source__many_lines),
        T(test_source__size_limit_from_text),
        T(test_source__read_file),
        T(test_source__read_empty_file),
        T(test_source__read_larger_than_a_read_buffer),
        T(test_source__read_errors_carry_the_display_name),
        T(test_source__read_file_over_the_size_limit),
        T(test_source__read_directory),
        T(test_source__read_nonexistent),
        T(test_source__sql_file_is_its_own_sql),
        T(test_source__error_message_is_truncated_safely),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
