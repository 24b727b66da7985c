/* pyscan.c: Python 3 tokenizer (see pyscan.h), modelled on CPython's Parser/tokenizer.c.
 *
 * Every read goes through at(), which yields 0 past the end; a NUL byte is rejected before
 * scanning starts, so 0 always means "end of text". */
#include "migsafe.h"
#include "pyscan.h"

/* Bounds recursion on f-strings nested in fields: each level is a field and a string, and
 * CPython allows 150 levels. */
#define MAX_FSTRING_DEPTH 300

struct buf {
    char *data;
    size_t len, cap;
};

struct indent {
    unsigned col;    /* tabs to the next multiple of 8 */
    unsigned altcol; /* tabs count 1: both must agree on the order, or tabs and spaces mix */
};

struct bracket {
    char c;
    size_t offset;
};

/* The string literal being scanned, for its errors and its quote. */
struct strlit {
    size_t start; /* of the prefix */
    char q;
    bool triple, raw, bytes, f;
};

struct scanner {
    const char *text;
    size_t len;
    size_t body; /* first byte after a BOM */
    size_t pos;
    struct ms_arena *arena;
    struct ms_py_error *err;

    struct ms_py_token *toks;
    size_t n_toks, cap_toks;
    /* Line and column of offset cur; tokens are emitted in order, so positions only move on. */
    size_t cur;
    uint32_t cur_line, cur_col;

    struct indent *indents;
    size_t n_indents, cap_indents;
    struct bracket *brackets;
    size_t n_brackets, cap_brackets;
    struct buf value;
    bool line_has_code; /* a token other than COMMENT since the last NEWLINE */
};

static const char *const ops3[] = {"**=", "//=", ">>=", "<<=", "..."};
static const char *const ops2[] = {"!=", "%=", "&=", "**", "*=", "+=", "-=", "->", "//", "/=",
                                   ":=", "<<", "<=", "==", ">=", ">>", "@=", "^=", "|="};
static const char *const ops1[] = {"%", "&", "(", ")", "*", "+", ",", "-", ".", "/", ":", ";",
                                   "<", "=", ">", "@", "[", "]", "^", "{", "|", "}", "~"};

static const char *const kind_names[] = {
#define MS_PY_KIND_NAME(k) #k,
    MS_PY_KINDS(MS_PY_KIND_NAME)
#undef MS_PY_KIND_NAME
};

const char *ms_py_kind_name(enum ms_py_kind kind)
{
    if ((size_t)kind >= MS_ARRAY_LEN(kind_names))
        ms_die("invalid python token kind %d", (int)kind);
    return kind_names[kind];
}

static void buf_add(struct buf *b, const char *s, size_t n)
{
    if (b->cap - b->len <= n) /* most calls add one byte to a buffer with room */
        MS_GROW(b->data, b->cap, b->len + n + 1);
    memcpy(b->data + b->len, s, n);
    b->len += n;
}

static void buf_addc(struct buf *b, char c)
{
    buf_add(b, &c, 1);
}

static void buf_add_utf8(struct buf *b, uint32_t cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    buf_add(b, u, n);
}

static unsigned char at(const struct scanner *s, size_t off)
{
    return off < s->len ? (unsigned char)s->text[off] : 0;
}

static bool is_ident_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool is_ident_char(unsigned char c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9');
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Line and column of off counted from the start; only for errors, which happen once. */
static void locate(const struct scanner *s, size_t off, uint32_t *line, uint32_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = s->body; i < off && i < s->len; i++) {
        unsigned char c = (unsigned char)s->text[i];
        if (c == '\n') {
            ++*line;
            *col = 1;
        } else if ((c & 0xC0) != 0x80) {
            ++*col;
        }
    }
}

static int fail(struct scanner *s, size_t off, const char *fmt, ...) MS_PRINTF(3, 4);

static int fail(struct scanner *s, size_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err->message, sizeof(s->err->message), fmt, ap);
    va_end(ap);
    s->err->offset = off;
    locate(s, off, &s->err->line, &s->err->col);
    return -1;
}

static void advance(struct scanner *s, size_t off, uint32_t *line, uint32_t *col)
{
    assert(off >= s->cur);
    for (; s->cur < off; s->cur++) {
        unsigned char c = (unsigned char)s->text[s->cur];
        if (c == '\n') {
            s->cur_line++;
            s->cur_col = 1;
        } else if ((c & 0xC0) != 0x80) {
            s->cur_col++;
        }
    }
    *line = s->cur_line;
    *col = s->cur_col;
}

static struct ms_py_token *emit(struct scanner *s, enum ms_py_kind kind, size_t off, size_t len)
{
    MS_GROW(s->toks, s->cap_toks, s->n_toks + 1);
    struct ms_py_token *t = &s->toks[s->n_toks++];
    memset(t, 0, sizeof(*t));
    t->kind = kind;
    t->offset = off;
    t->len = len;
    advance(s, off, &t->line, &t->col);
    advance(s, off + len, &t->end_line, &t->end_col);
    t->value = "";
    if (kind == MS_PY_NAME || kind == MS_PY_NUMBER || kind == MS_PY_COMMENT) {
        t->value = ms_arena_strndup(s->arena, s->text + off, len);
        t->value_len = len;
    }
    if (kind == MS_PY_NAME || kind == MS_PY_NUMBER || kind == MS_PY_STRING || kind == MS_PY_OP)
        s->line_has_code = true;
    else if (kind == MS_PY_NEWLINE)
        s->line_has_code = false;
    return t;
}

/* Python's columns for indentation; blank and comment-only lines leave the stack alone. */
static int scan_indentation(struct scanner *s)
{
    unsigned col = 0, altcol = 0;
    size_t p = s->pos;
    for (;; p++) {
        unsigned char c = at(s, p);
        if (c == ' ') {
            col++;
            altcol++;
        } else if (c == '\t') {
            col = (col / 8 + 1) * 8;
            altcol++;
        } else if (c == '\f') {
            col = altcol = 0;
        } else {
            break;
        }
    }
    unsigned char c = at(s, p);
    if (c == 0 || c == '#' || c == '\n' || (c == '\r' && at(s, p + 1) == '\n'))
        return 0;

    const struct indent *top = &s->indents[s->n_indents - 1];
    if (col == top->col) {
        if (altcol != top->altcol)
            return fail(s, p, "inconsistent use of tabs and spaces in indentation");
    } else if (col > top->col) {
        if (altcol <= top->altcol)
            return fail(s, p, "inconsistent use of tabs and spaces in indentation");
        MS_GROW(s->indents, s->cap_indents, s->n_indents + 1);
        s->indents[s->n_indents++] = (struct indent){col, altcol};
        emit(s, MS_PY_INDENT, s->pos, p - s->pos);
    } else {
        size_t n = s->n_indents;
        while (n > 1 && col < s->indents[n - 1].col)
            n--;
        if (col != s->indents[n - 1].col)
            return fail(s, p, "unindent does not match any outer indentation level");
        if (altcol != s->indents[n - 1].altcol)
            return fail(s, p, "inconsistent use of tabs and spaces in indentation");
        for (; s->n_indents > n; s->n_indents--)
            emit(s, MS_PY_DEDENT, p, 0);
    }
    s->pos = p;
    return 0;
}

static bool is_string_prefix(const char *p, size_t n, unsigned *flags)
{
    static const char letters[] = "rbuf";
    static const unsigned letter_flags[] = {MS_PY_STR_RAW, MS_PY_STR_BYTES, MS_PY_STR_UNICODE,
                                            MS_PY_STR_F};
    *flags = 0;
    for (size_t i = 0; i < n; i++) {
        const char *letter = memchr(letters, p[i] | 0x20, sizeof(letters) - 1);
        if (!letter)
            return false;
        unsigned f = letter_flags[letter - letters];
        if (*flags & f)
            return false;
        *flags |= f;
    }
    /* Two letters are r with b or f; u stands alone. */
    return n < 2 || ((*flags & MS_PY_STR_RAW) && !(*flags & MS_PY_STR_UNICODE));
}

static struct strlit make_strlit(const struct scanner *s, size_t start, size_t quote,
                                 unsigned flags)
{
    struct strlit lit = {.start = start, .q = s->text[quote]};
    lit.triple =
        at(s, quote + 1) == (unsigned char)lit.q && at(s, quote + 2) == (unsigned char)lit.q;
    lit.raw = flags & MS_PY_STR_RAW;
    lit.bytes = flags & MS_PY_STR_BYTES;
    lit.f = flags & MS_PY_STR_F;
    return lit;
}

static bool is_closing(const struct scanner *s, const struct strlit *lit, size_t p)
{
    return at(s, p) == (unsigned char)lit->q &&
           (!lit->triple ||
            (at(s, p + 1) == (unsigned char)lit->q && at(s, p + 2) == (unsigned char)lit->q));
}

static int fail_unterminated(struct scanner *s, const struct strlit *lit, size_t detected)
{
    /* At the end of the text CPython reports the line of the last byte, not the one after. */
    if (detected >= s->len && s->len > s->body)
        detected = s->len - 1;
    uint32_t line, col;
    locate(s, detected, &line, &col);
    return fail(s, lit->start, "unterminated %s%sstring literal (detected at line %" PRIu32 ")",
                lit->triple ? "triple-quoted " : "", lit->f ? "f-" : "", line);
}

/* Appends the value of the literal bytes [from, to) to out; see pyscan.h for what decodes. */
static void decode(const struct scanner *s, const struct strlit *lit, size_t from, size_t to,
                   struct buf *out)
{
    const char *t = s->text;
    size_t p = from;
    while (p < to) {
        char c = t[p];
        if (c == '\r' && p + 1 < to && t[p + 1] == '\n') {
            buf_addc(out, '\n');
            p += 2;
            continue;
        }
        if (c != '\\' || lit->raw || p + 1 >= to) {
            buf_addc(out, c);
            p++;
            continue;
        }
        char e = t[p + 1];
        size_t esc = p; /* kept as written when it does not decode */
        p += 2;
        if (e == '\n')
            continue;
        if (e == '\r') {
            if (p < to && t[p] == '\n')
                p++;
            continue;
        }
        static const char simple[] = "\\'\"abfnrtv", simple_value[] = "\\'\"\a\b\f\n\r\t\v";
        const char *hit = memchr(simple, e, sizeof(simple) - 1);
        if (hit) {
            buf_addc(out, simple_value[hit - simple]);
            continue;
        }
        if (e >= '0' && e <= '7') {
            uint32_t v = (uint32_t)(e - '0');
            for (int i = 0; i < 2 && p < to && t[p] >= '0' && t[p] <= '7'; i++, p++)
                v = v * 8 + (uint32_t)(t[p] - '0');
            if (lit->bytes)
                buf_addc(out, (char)(v & 0xFF));
            else
                buf_add_utf8(out, v);
            continue;
        }
        size_t digits = e == 'x' ? 2 : lit->bytes ? 0 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
        if (digits && to - p >= digits) {
            uint32_t v = 0;
            size_t i = 0;
            for (; i < digits && hex_value((unsigned char)t[p + i]) >= 0; i++)
                v = v * 16 + (uint32_t)hex_value((unsigned char)t[p + i]);
            if (i == digits && v <= 0x10FFFF && !(v >= 0xD800 && v <= 0xDFFF)) {
                p += digits;
                if (lit->bytes)
                    buf_addc(out, (char)v);
                else
                    buf_add_utf8(out, v);
                continue;
            }
        }
        buf_add(out, t + esc, 2); /* unknown or invalid escape, \N{...} */
    }
}

/* Scans a string without f from *pp (after the opening quote) to past its closing quote. */
static int scan_plain(struct scanner *s, const struct strlit *lit, size_t *pp, size_t *body_end)
{
    size_t p = *pp;
    for (;;) {
        if (p >= s->len)
            return fail_unterminated(s, lit, p);
        char c = s->text[p];
        if (is_closing(s, lit, p)) {
            *body_end = p;
            *pp = p + (lit->triple ? 3 : 1);
            return 0;
        }
        if (c == '\n' && !lit->triple)
            return fail_unterminated(s, lit, p);
        if (c == '\\') {
            if (p + 1 >= s->len)
                return fail_unterminated(s, lit, p + 1);
            p += at(s, p + 1) == '\r' && at(s, p + 2) == '\n' ? 3 : 2;
            continue;
        }
        p++;
    }
}

static int scan_fstring(struct scanner *s, const struct strlit *lit, size_t *pp, int depth,
                        struct buf *out, bool keep_braces, bool *fields);

/* Scans a string literal nested in an f-string field, starting at its prefix. */
static int scan_nested(struct scanner *s, size_t start, size_t quote, unsigned flags, int depth,
                       size_t *pp)
{
    struct strlit lit = make_strlit(s, start, quote, flags);
    *pp = quote + (lit.triple ? 3 : 1);
    if (!lit.f) {
        size_t body_end;
        return scan_plain(s, &lit, pp, &body_end);
    }
    bool fields;
    return scan_fstring(s, &lit, pp, depth, NULL, false, &fields);
}

static int scan_field(struct scanner *s, const struct strlit *lit, size_t *pp, int depth);

/* A format spec after ':' in a field: literal text with nested fields, up to the field's '}'. */
static int scan_spec(struct scanner *s, const struct strlit *lit, size_t *pp, int depth)
{
    size_t p = *pp;
    for (;;) {
        if (p >= s->len)
            return fail_unterminated(s, lit, p);
        if (is_closing(s, lit, p))
            return fail(s, p, "f-string: expecting '}'");
        char c = s->text[p];
        if (c == '\n' && !lit->triple)
            return fail_unterminated(s, lit, p);
        if (c == '}') {
            *pp = p + 1;
            return 0;
        }
        if (c == '{') {
            p++;
            if (scan_field(s, lit, &p, depth + 1) < 0)
                return -1;
            continue;
        }
        if (c == '\\' && at(s, p + 1) != '{' && at(s, p + 1) != '}' && p + 1 < s->len)
            p++;
        p++;
    }
}

/* The expression of a replacement field from *pp (after its '{') to past its '}'. Quotes start
 * nested strings, as in Python 3.12; code older than 3.12 never has its own quote there. */
static int scan_field(struct scanner *s, const struct strlit *lit, size_t *pp, int depth)
{
    if (depth > MAX_FSTRING_DEPTH)
        return fail(s, *pp, "f-string: expressions nested too deeply");
    size_t p = *pp;
    int nest = 0;
    for (;;) {
        if (p >= s->len)
            return fail_unterminated(s, lit, p);
        unsigned char c = (unsigned char)s->text[p];
        if (c == '\'' || c == '"') {
            if (scan_nested(s, p, p, 0, depth + 1, &p) < 0)
                return -1;
            continue;
        }
        if (is_ident_start(c)) {
            size_t start = p;
            while (is_ident_char(at(s, p)))
                p++;
            unsigned flags;
            if (p - start <= 2 && (at(s, p) == '\'' || at(s, p) == '"') &&
                is_string_prefix(s->text + start, p - start, &flags)) {
                if (scan_nested(s, start, p, flags, depth + 1, &p) < 0)
                    return -1;
            }
            continue;
        }
        if (c == '#') {
            while (p < s->len && s->text[p] != '\n')
                p++;
            continue;
        }
        p++;
        if (c == '(' || c == '[' || c == '{') {
            nest++;
        } else if ((c == ')' || c == ']') && nest > 0) {
            nest--;
        } else if (c == '}') {
            if (nest == 0) {
                *pp = p;
                return 0;
            }
            nest--;
        } else if (c == ':' && nest == 0) {
            *pp = p;
            return scan_spec(s, lit, pp, depth);
        }
    }
}

/* Scans an f-string body from *pp to past its closing quote. With out, appends the value: literal
 * parts decoded, fields as written, "{{" kept when keep_braces. Sets *fields if it has any. */
static int scan_fstring(struct scanner *s, const struct strlit *lit, size_t *pp, int depth,
                        struct buf *out, bool keep_braces, bool *fields)
{
    size_t p = *pp, run = p;
    for (;;) {
        if (p >= s->len)
            return fail_unterminated(s, lit, p);
        char c = s->text[p];
        if (is_closing(s, lit, p) || c == '{' || c == '}') {
            if (out)
                decode(s, lit, run, p, out);
        }
        if (is_closing(s, lit, p)) {
            *pp = p + (lit->triple ? 3 : 1);
            return 0;
        }
        if (c == '\n' && !lit->triple)
            return fail_unterminated(s, lit, p);
        if (c == '\\') {
            unsigned char e = at(s, p + 1);
            if (e == 0)
                return fail_unterminated(s, lit, p + 1);
            if (e == '{' || e == '}') {
                p++; /* the brace keeps its meaning */
            } else if (e == 'N' && !lit->raw && at(s, p + 2) == '{') {
                p += 3;
                while (p < s->len && s->text[p] != '}' && s->text[p] != '\n' &&
                       !is_closing(s, lit, p))
                    p++;
                if (at(s, p) == '}')
                    p++;
            } else {
                p += e == '\r' && at(s, p + 2) == '\n' ? 3 : 2;
            }
            continue;
        }
        if ((c == '{' || c == '}') && at(s, p + 1) == (unsigned char)c) {
            if (out)
                buf_add(out, s->text + p, keep_braces ? 2 : 1);
            p += 2;
            run = p;
            continue;
        }
        if (c == '}')
            return fail(s, p, "f-string: single '}' is not allowed");
        if (c == '{') {
            size_t field = p;
            *fields = true;
            p++;
            if (scan_field(s, lit, &p, depth + 1) < 0)
                return -1;
            if (out)
                buf_add(out, s->text + field, p - field);
            run = p;
            continue;
        }
        p++;
    }
}

static int scan_string(struct scanner *s, size_t start, size_t quote, unsigned flags)
{
    struct strlit lit = make_strlit(s, start, quote, flags);
    if (lit.triple)
        flags |= MS_PY_STR_TRIPLE;
    size_t body = quote + (lit.triple ? 3 : 1), p = body;
    s->value.len = 0;
    if (lit.f) {
        bool fields = false;
        if (scan_fstring(s, &lit, &p, 0, NULL, false, &fields) < 0)
            return -1;
        size_t again = body;
        bool ignored = false;
        if (scan_fstring(s, &lit, &again, 0, &s->value, fields, &ignored) < 0)
            ms_die("f-string scanned twice with different results");
        if (fields)
            flags |= MS_PY_STR_FIELDS;
    } else {
        size_t body_end;
        if (scan_plain(s, &lit, &p, &body_end) < 0)
            return -1;
        decode(s, &lit, body, body_end, &s->value);
    }
    struct ms_py_token *t = emit(s, MS_PY_STRING, start, p - start);
    t->flags = flags;
    t->value_len = s->value.len;
    t->value = s->value.len ? ms_arena_strndup(s->arena, s->value.data, s->value.len) : "";
    s->pos = p;
    return 0;
}

/* radix is 'x', 'o' or 'b'. */
static bool is_radix_digit(unsigned char c, unsigned char radix)
{
    if (radix == 'x')
        return hex_value(c) >= 0;
    if (radix == 'o')
        return c >= '0' && c <= '7';
    return c == '0' || c == '1';
}

/* Digits with single underscores between them, as Python writes 1_000. */
static size_t skip_digits(const struct scanner *s, size_t p)
{
    while (is_digit(at(s, p)) || (at(s, p) == '_' && is_digit(at(s, p + 1))))
        p++;
    return p;
}

static void scan_number(struct scanner *s)
{
    size_t start = s->pos, p = start;
    unsigned char x = at(s, p + 1) | 0x20;
    if (at(s, p) == '0' && (x == 'x' || x == 'o' || x == 'b')) {
        p += 2;
        while (at(s, p) == '_' || is_radix_digit(at(s, p), x))
            p++;
    } else {
        if (at(s, p) != '.')
            p = skip_digits(s, p);
        if (at(s, p) == '.')
            p = skip_digits(s, p + 1);
        unsigned char e = at(s, p) | 0x20;
        unsigned char sign = at(s, p + 1);
        if (e == 'e' &&
            (is_digit(sign) || ((sign == '+' || sign == '-') && is_digit(at(s, p + 2)))))
            p = skip_digits(s, p + (is_digit(sign) ? 1 : 2));
        if ((at(s, p) | 0x20) == 'j')
            p++;
    }
    emit(s, MS_PY_NUMBER, start, p - start);
    s->pos = p;
}

static int scan_op(struct scanner *s)
{
    size_t p = s->pos;
    const char *op = NULL;
    for (size_t i = 0; !op && i < MS_ARRAY_LEN(ops3); i++)
        if (at(s, p) == ops3[i][0] && at(s, p + 1) == ops3[i][1] && at(s, p + 2) == ops3[i][2])
            op = ops3[i];
    for (size_t i = 0; !op && i < MS_ARRAY_LEN(ops2); i++)
        if (at(s, p) == ops2[i][0] && at(s, p + 1) == ops2[i][1])
            op = ops2[i];
    for (size_t i = 0; !op && i < MS_ARRAY_LEN(ops1); i++)
        if (at(s, p) == ops1[i][0])
            op = ops1[i];
    unsigned char c = at(s, p);
    if (!op) {
        if (c < 0x20 || c == 0x7F)
            return fail(s, p, "invalid non-printable character U+%04X", (unsigned)c);
        return fail(s, p, "invalid character '%c' (U+%04X)", c, (unsigned)c);
    }
    if (c == '(' || c == '[' || c == '{') {
        MS_GROW(s->brackets, s->cap_brackets, s->n_brackets + 1);
        s->brackets[s->n_brackets++] = (struct bracket){(char)c, p};
    } else if (c == ')' || c == ']' || c == '}') {
        if (s->n_brackets == 0)
            return fail(s, p, "unmatched '%c'", c);
        const struct bracket *open = &s->brackets[s->n_brackets - 1];
        char want = open->c == '(' ? ')' : open->c == '[' ? ']' : '}';
        if (c != want) {
            uint32_t line, col, open_line, open_col;
            locate(s, p, &line, &col);
            locate(s, open->offset, &open_line, &open_col);
            if (line == open_line)
                return fail(s, p,
                            "closing parenthesis '%c' does not match opening parenthesis '%c'", c,
                            open->c);
            return fail(s, p,
                        "closing parenthesis '%c' does not match opening parenthesis '%c' on "
                        "line %" PRIu32,
                        c, open->c, open_line);
        }
        s->n_brackets--;
    }
    size_t n = strlen(op);
    struct ms_py_token *t = emit(s, MS_PY_OP, p, n);
    t->value = op;
    t->value_len = n;
    s->pos = p + n;
    return 0;
}

static int scan_end(struct scanner *s)
{
    if (s->n_brackets)
        return fail(s, s->brackets[s->n_brackets - 1].offset, "'%c' was never closed",
                    s->brackets[s->n_brackets - 1].c);
    if (s->line_has_code)
        emit(s, MS_PY_NEWLINE, s->len, 0);
    for (; s->n_indents > 1; s->n_indents--)
        emit(s, MS_PY_DEDENT, s->len, 0);
    emit(s, MS_PY_ENDMARKER, s->len, 0);
    return 0;
}

static int scan(struct scanner *s)
{
    bool at_line_start = true;
    for (;;) {
        if (at_line_start && s->n_brackets == 0 && scan_indentation(s) < 0)
            return -1;
        at_line_start = false;
        while (at(s, s->pos) == ' ' || at(s, s->pos) == '\t' || at(s, s->pos) == '\f')
            s->pos++;
        size_t start = s->pos;
        unsigned char c = at(s, start);
        if (start >= s->len)
            return scan_end(s);
        if (c == '#') {
            size_t end = start;
            while (end < s->len && s->text[end] != '\n')
                end++;
            if (end > start && s->text[end - 1] == '\r')
                end--;
            emit(s, MS_PY_COMMENT, start, end - start);
            s->pos = end;
        } else if (c == '\n' || (c == '\r' && at(s, start + 1) == '\n')) {
            size_t n = c == '\r' ? 2 : 1;
            if (s->n_brackets == 0 && s->line_has_code)
                emit(s, MS_PY_NEWLINE, start, n);
            s->pos = start + n;
            at_line_start = true;
        } else if (c == '\\') {
            unsigned char next = at(s, start + 1);
            if (next == '\n')
                s->pos = start + 2;
            else if (next == '\r' && at(s, start + 2) == '\n')
                s->pos = start + 3;
            else if (start + 1 >= s->len)
                return fail(s, start, "unexpected EOF while parsing");
            else
                return fail(s, start + 1, "unexpected character after line continuation character");
        } else if (is_ident_start(c)) {
            size_t p = start;
            while (is_ident_char(at(s, p)))
                p++;
            unsigned flags;
            if (p - start <= 2 && (at(s, p) == '\'' || at(s, p) == '"') &&
                is_string_prefix(s->text + start, p - start, &flags)) {
                if (scan_string(s, start, p, flags) < 0)
                    return -1;
            } else {
                emit(s, MS_PY_NAME, start, p - start);
                s->pos = p;
            }
        } else if (c == '\'' || c == '"') {
            if (scan_string(s, start, start, 0) < 0)
                return -1;
        } else if (is_digit(c) || (c == '.' && is_digit(at(s, start + 1)))) {
            scan_number(s);
        } else if (scan_op(s) < 0) {
            return -1;
        }
    }
}

int ms_pyscan(const char *text, size_t len, struct ms_arena *arena, struct ms_py_tokens *out,
              struct ms_py_error *err)
{
    struct scanner s = {.text = text, .len = len, .arena = arena, .err = err};
    memset(out, 0, sizeof(*out));
    memset(err, 0, sizeof(*err));
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        s.body = 3;
    s.pos = s.cur = s.body;
    s.cur_line = s.cur_col = 1;
    MS_GROW(s.indents, s.cap_indents, 1);
    s.indents[s.n_indents++] = (struct indent){0, 0};

    int rc;
    const char *nul = len ? memchr(text, '\0', len) : NULL;
    if (nul)
        rc = fail(&s, (size_t)(nul - text), "source code cannot contain null bytes");
    else
        rc = scan(&s);
    if (rc == 0) {
        out->n_tokens = s.n_toks;
        out->tokens = ms_arena_alloc(arena, s.n_toks * sizeof(*s.toks));
        memcpy(out->tokens, s.toks, s.n_toks * sizeof(*s.toks));
    }
    free(s.toks);
    free(s.indents);
    free(s.brackets);
    free(s.value.data);
    return rc;
}

/* Appends v to *dst, doubling its braces when the result is an f-string template. */
static char *append_part(char *dst, const struct ms_py_token *t, bool template)
{
    bool double_braces = template && !(t->flags & MS_PY_STR_FIELDS);
    for (size_t i = 0; i < t->value_len; i++) {
        *dst++ = t->value[i];
        if (double_braces && (t->value[i] == '{' || t->value[i] == '}'))
            *dst++ = t->value[i];
    }
    return dst;
}

int ms_py_concat_strings(const struct ms_py_tokens *toks, size_t i, struct ms_arena *arena,
                         struct ms_py_str *out, struct ms_py_error *err)
{
    if (i >= toks->n_tokens || toks->tokens[i].kind != MS_PY_STRING)
        ms_die("ms_py_concat_strings: token %zu is not a string", i);
    const struct ms_py_token *first = &toks->tokens[i];
    memset(out, 0, sizeof(*out));
    out->first = i;
    unsigned flags = 0;
    size_t end = i;
    for (size_t j = i; j < toks->n_tokens; j++) {
        const struct ms_py_token *t = &toks->tokens[j];
        if (t->kind == MS_PY_COMMENT)
            continue;
        if (t->kind != MS_PY_STRING)
            break;
        if ((t->flags & MS_PY_STR_BYTES) != (first->flags & MS_PY_STR_BYTES)) {
            memset(err, 0, sizeof(*err));
            err->offset = t->offset;
            err->line = t->line;
            err->col = t->col;
            snprintf(err->message, sizeof(err->message), "cannot mix bytes and nonbytes literals");
            return -1;
        }
        flags |= t->flags;
        end = j + 1;
    }
    out->end = end;
    out->flags = flags;
    if (end == i + 1) {
        out->value = first->value;
        out->len = first->value_len;
        return 0;
    }
    bool template = flags & MS_PY_STR_FIELDS;
    size_t len = 0;
    for (size_t j = i; j < end; j++) {
        const struct ms_py_token *t = &toks->tokens[j];
        if (t->kind != MS_PY_STRING)
            continue;
        len += t->value_len;
        if (template && !(t->flags & MS_PY_STR_FIELDS))
            for (size_t k = 0; k < t->value_len; k++)
                len += t->value[k] == '{' || t->value[k] == '}';
    }
    char *value = ms_arena_alloc(arena, len + 1);
    char *dst = value;
    for (size_t j = i; j < end; j++)
        if (toks->tokens[j].kind == MS_PY_STRING)
            dst = append_part(dst, &toks->tokens[j], template);
    *dst = '\0';
    out->value = value;
    out->len = len;
    return 0;
}
