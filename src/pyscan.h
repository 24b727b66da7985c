/* pyscan.h: a Python 3 tokenizer, so Alembic revision files can be read without running Python.
 *
 * It follows CPython's tokenizer (3.12 rules for f-strings) and yields the tokens a reader
 * needs: NAME, NUMBER, STRING, OP, NEWLINE, INDENT, DEDENT, COMMENT, ENDMARKER. Python's NL
 * token does not exist here: blank lines, comment-only lines and line ends inside brackets or
 * after a backslash produce nothing. Each f-string is one STRING token, as before Python 3.12.
 *
 * Positions: offsets are bytes into the text given to ms_pyscan(). Lines are 1-based and end at
 * "\n" ("\r\n" is one line end), as ms_source counts them. Columns are 1-based and count Unicode
 * code points; a UTF-8 BOM at offset 0 is skipped and not counted.
 *
 * The text is UTF-8 whatever a coding declaration says. A lone "\r" is an error outside a string
 * (CPython would take it as a line end) and an ordinary byte inside one.
 *
 * Deliberate leniencies (the input is assumed to be Python that runs): any non-ASCII code point
 * may appear in a name (XID_Start/XID_Continue are not checked), invalid UTF-8 is not reported,
 * and numbers are not validated beyond their shape ("0777" and "0x" are accepted). */
#ifndef MS_PYSCAN_H
#define MS_PYSCAN_H

#include "arena.h"

/* X-macro list of token kinds; expanded into the enum and ms_py_kind_name(). */
#define MS_PY_KINDS(X)                                                                             \
    X(ENDMARKER)                                                                                   \
    X(NAME)                                                                                        \
    X(NUMBER)                                                                                      \
    X(STRING)                                                                                      \
    X(OP)                                                                                          \
    X(NEWLINE)                                                                                     \
    X(INDENT)                                                                                      \
    X(DEDENT)                                                                                      \
    X(COMMENT)

enum ms_py_kind {
#define MS_PY_KIND_ENUM(k) MS_PY_##k,
    MS_PY_KINDS(MS_PY_KIND_ENUM)
#undef MS_PY_KIND_ENUM
};

/* Flags of a STRING token (and of a joined string, see ms_py_concat_strings()). */
enum {
    MS_PY_STR_RAW = 1 << 0,     /* r prefix: backslashes kept as written */
    MS_PY_STR_BYTES = 1 << 1,   /* b prefix: value holds bytes, not UTF-8 */
    MS_PY_STR_UNICODE = 1 << 2, /* u prefix (no effect in Python 3) */
    MS_PY_STR_F = 1 << 3,       /* f prefix */
    MS_PY_STR_TRIPLE = 1 << 4,  /* ''' or """ */
    /* An f-string with at least one replacement field: its value is a template, see below. */
    MS_PY_STR_FIELDS = 1 << 5,
};

struct ms_py_token {
    enum ms_py_kind kind;
    unsigned flags;             /* MS_PY_STR_* for STRING, 0 otherwise */
    uint32_t line, col;         /* of the first byte */
    uint32_t end_line, end_col; /* just past the last byte (SARIF's exclusive end) */
    size_t offset, len;         /* the token's bytes; a STRING's include prefix and quotes */
    /* NUL-terminated. STRING: the decoded value (see below). NAME, NUMBER, OP, COMMENT: the
     * token's text. NEWLINE, INDENT, DEDENT, ENDMARKER: "". */
    const char *value;
    size_t value_len; /* bytes in value; a decoded string may hold NUL bytes */
};

/* A STRING value is what Python evaluates the literal to: a str as UTF-8 (\xhh, \ooo, \uXXXX,
 * \UXXXXXXXX become that code point), a bytes literal as its bytes. Escapes \a \b \f \n \r \t
 * \v \\ \' \" and backslash-newline are decoded; \N{...}, unknown escapes, escapes of lone
 * surrogates and escapes out of range are kept as written. Line ends inside the literal become
 * "\n", as Python reads source. Raw strings keep every backslash.
 *
 * An f-string without replacement fields decodes like a plain string ("{{" becomes "{"). With
 * fields (MS_PY_STR_FIELDS), the value is a template: literal parts decoded, braces still
 * doubled, each field copied from the source as written ("{name!r:>10}"). */

/* Tokens of one text. NEWLINE ends every logical line (also at the end of a text without a final
 * line end), INDENT/DEDENT follow CPython's rules (tab to the next multiple of 8, form feed
 * resets the column) and the array always ends with an ENDMARKER at the end of the text.
 * INDENT spans the indentation; DEDENT is empty, at the first token of its line (at the end of
 * the text for the final ones). */
struct ms_py_tokens {
    size_t n_tokens;
    struct ms_py_token *tokens;
};

/* A syntax error found while tokenizing. message is lowercase without a final period, in
 * CPython's words where it has some ("unterminated string literal (detected at line 3)"). The
 * position is where CPython points: the start of an unterminated string, the unmatched or
 * unclosed bracket, the first token of a badly indented line. */
struct ms_py_error {
    size_t offset;
    uint32_t line, col;
    char message[160];
};

/* Tokenizes text[0, len). text need not be NUL-terminated; no byte outside it is read, whatever
 * it holds. Time and memory are linear in len. On success fills *out (tokens and values are
 * allocated from arena and valid until it is reset; they do not point into text) and returns 0.
 * On a syntax error (a NUL byte, an invalid character, an unterminated string, an unmatched or
 * unclosed bracket, inconsistent indentation, a bad line continuation, f-strings nested about
 * 150 deep) fills *err, sets *out to no tokens and returns -1. Allocates no memory that
 * outlives the call outside arena. */
int ms_pyscan(const char *text, size_t len, struct ms_arena *arena, struct ms_py_tokens *out,
              struct ms_py_error *err);

/* The kind's name as in Python's token module ("NAME", "STRING", ...). */
const char *ms_py_kind_name(enum ms_py_kind kind);

/* A string joined from adjacent STRING tokens. */
struct ms_py_str {
    const char *value; /* NUL-terminated, from the arena */
    size_t len;
    unsigned flags;    /* OR of the parts' flags */
    size_t first, end; /* the parts are tokens[first, end); COMMENT tokens may sit between */
};

/* Joins the STRING token at toks->tokens[i] with the STRING tokens that follow it, as Python's
 * implicit concatenation ("a" 'b' inside parentheses, also across lines: no NEWLINE separates
 * them there, COMMENT tokens between parts are skipped). If any part has MS_PY_STR_FIELDS the
 * result is a template in the f-string convention: the braces of the other parts are doubled.
 * Returns 0, or -1 when bytes and non-bytes literals are mixed (a Python syntax error) with
 * *err pointing at the first part of the other kind. i must index a STRING token. */
int ms_py_concat_strings(const struct ms_py_tokens *toks, size_t i, struct ms_arena *arena,
                         struct ms_py_str *out, struct ms_py_error *err);

#endif
