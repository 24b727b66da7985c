/* template.c: masking templates, placeholders and psql client syntax (see template.h).
 *
 * One pass over the text with a small SQL lexer of its own: it has to see what libpg_query's
 * scanner cannot (a '"' inside a template inside a quoted identifier, psql's backslash lines),
 * and it only needs to know where strings, quoted identifiers, dollar quotes and comments begin
 * and end. The copy is made at the first edit, so text with nothing to mask is never copied. */
#include "template.h"

enum copy_state {
    COPY_NONE,
    COPY_STMT,  /* the statement began with COPY */
    COPY_FROM,  /* ... and its last word was FROM, outside parentheses */
    COPY_STDIN, /* ... FROM STDIN: data lines follow the statement */
};

struct masker {
    const char *t;
    size_t len;
    struct ms_arena *arena;
    char *out; /* NULL until the first edit */
    size_t n_masked;
    int paren, bracket;
    uint64_t array_brackets; /* bit k: bracket level k+1 is an ARRAY[...] constructor */
    bool prev_array;         /* the last word was ARRAY */
    char prev; /* last significant byte of SQL in this statement; 0 where a statement begins */
    enum copy_state copy;
    bool copy_pending; /* data lines begin after the current line */
};

/* ---- character classes (PostgreSQL's scan.l; bytes >= 0x80 are letters there) ---- */

static bool is_ident_start(unsigned char c)
{
    return isalpha(c) || c == '_' || c >= 0x80;
}

static bool is_ident_cont(unsigned char c)
{
    return is_ident_start(c) || isdigit(c) || c == '$';
}

static bool is_tag_cont(unsigned char c)
{
    return is_ident_start(c) || isdigit(c);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static unsigned char at(const struct masker *m, size_t i)
{
    return i < m->len ? (unsigned char)m->t[i] : 0;
}

static size_t line_end(const struct masker *m, size_t i)
{
    const char *nl = memchr(m->t + i, '\n', m->len - i);
    return nl ? (size_t)(nl - m->t) : m->len;
}

static bool word_is(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

/* ---- edits ---- */

static void edit(struct masker *m, size_t i, char c)
{
    if (!m->out) {
        m->out = ms_arena_alloc(m->arena, m->len + 1);
        memcpy(m->out, m->t, m->len);
        m->out[m->len] = '\0';
    }
    m->out[i] = c;
}

/* Spaces, line breaks kept (a "\r" too: the line index counts "\r\n" as one end). */
static void blank(struct masker *m, size_t s, size_t e)
{
    for (size_t i = s; i < e; i++)
        if (m->t[i] != '\n' && m->t[i] != '\r')
            edit(m, i, ' ');
}

/* Identifier characters: letters and digits lowercased (as PostgreSQL folds an unquoted name,
 * so "{{.S}}" and {{.S}} name the same object), everything else '_'; line breaks kept. */
static void fill_word(struct masker *m, size_t s, size_t e)
{
    for (size_t i = s; i < e; i++) {
        unsigned char c = (unsigned char)m->t[i];
        if (c == '\n' || c == '\r')
            continue;
        edit(m, i, c < 0x80 && isalnum(c) ? (char)tolower(c) : '_');
    }
}

/* An unquoted identifier where [s, e) stood: it cannot span lines, so only the first line's
 * part becomes the identifier and the rest white space. */
static void fill_ident(struct masker *m, size_t s, size_t e)
{
    size_t cut = s;
    while (cut < e && m->t[cut] != '\n' && m->t[cut] != '\r')
        cut++;
    fill_word(m, s, cut);
    blank(m, cut, e);
}

/* ---- statements and COPY ... FROM STDIN ---- */

static void end_statement(struct masker *m)
{
    if (m->copy == COPY_STDIN)
        m->copy_pending = true;
    m->copy = COPY_NONE;
    m->prev = 0;
    m->paren = m->bracket = 0;
}

static void see_word(struct masker *m, const char *w, size_t n)
{
    if (m->prev == 0) {
        m->copy = word_is(w, n, "copy") ? COPY_STMT : COPY_NONE;
        return;
    }
    if (m->copy == COPY_FROM)
        m->copy = word_is(w, n, "stdin") ? COPY_STDIN : COPY_STMT;
    else if (m->copy == COPY_STMT && m->paren == 0 && word_is(w, n, "from"))
        m->copy = COPY_FROM;
}

/* psql reads COPY data from the lines after the command, through a line "\." (or the end of
 * the file). i is the start of the first data line; returns the end of the last one. */
static size_t mask_copy_data(struct masker *m, size_t i)
{
    m->copy_pending = false;
    m->n_masked++;
    while (i < m->len) {
        size_t e = line_end(m, i), content = e;
        if (content > i && m->t[content - 1] == '\r')
            content--;
        bool last = content - i == 2 && m->t[i] == '\\' && m->t[i + 1] == '.';
        blank(m, i, e);
        if (last || e == m->len)
            return e;
        i = e + 1;
    }
    return i;
}

/* ---- Go templates ---- */

/* One past the "}}" that closes the action opened by "{{" at i, or 0 when there is none. Go
 * strings, raw strings and character constants inside the action may hold "}}". Another "{{"
 * first means this is not an action, which also keeps the whole pass linear. */
static size_t action_end(const struct masker *m, size_t i)
{
    size_t p = i + 2;
    if (at(m, p) == '-' && is_space((char)at(m, p + 1)))
        p += 2;
    while (p < m->len && is_space(m->t[p]))
        p++;
    if (at(m, p) == '/' && at(m, p + 1) == '*') { /* a comment: it ends at the first star-slash */
        const char *c = memmem(m->t + p + 2, m->len - p - 2, "*/", 2);
        if (!c)
            return 0;
        p = (size_t)(c - m->t) + 2;
        while (p < m->len && (is_space(m->t[p]) || m->t[p] == '-'))
            p++;
        return at(m, p) == '}' && at(m, p + 1) == '}' ? p + 2 : 0;
    }
    while (p < m->len) {
        char c = m->t[p];
        if (c == '}' && at(m, p + 1) == '}')
            return p + 2;
        if (c == '{' && at(m, p + 1) == '{')
            return 0;
        if (c == '"' || c == '\'') { /* interpreted string, character: one line, \ escapes */
            for (p++; p < m->len && m->t[p] != c; p++) {
                if (m->t[p] == '\n')
                    return 0;
                if (m->t[p] == '\\')
                    p++;
            }
            if (p >= m->len)
                return 0;
        } else if (c == '`') {
            for (p++; p < m->len && m->t[p] != '`'; p++)
                if (m->t[p] == '{' && at(m, p + 1) == '{')
                    return 0;
            if (p >= m->len)
                return 0;
        }
        p++;
    }
    return 0;
}

/* Does the action at [i, e) output nothing or whole statements (if, else, end, range, with,
 * define, block, template, break, continue, a comment, a variable declaration)? */
static bool is_control_action(const struct masker *m, size_t i, size_t e)
{
    static const char *const words[] = {"if",     "else",  "end",      "range", "with",
                                        "define", "block", "template", "break", "continue"};
    size_t p = i + 2;
    if (at(m, p) == '-')
        p++;
    while (p < e && is_space(m->t[p]))
        p++;
    if (at(m, p) == '/' && at(m, p + 1) == '*')
        return true;
    size_t w = p;
    if (at(m, w) == '$')
        w++;
    while (w < e && (isalnum(at(m, w)) || at(m, w) == '_'))
        w++;
    if (m->t[p] == '$') { /* $x := ... or $x = ... */
        size_t q = w;
        while (q < e && is_space(m->t[q]))
            q++;
        return (at(m, q) == ':' && at(m, q + 1) == '=') || (at(m, q) == '=' && at(m, q + 1) != '=');
    }
    for (size_t k = 0; k < MS_ARRAY_LEN(words); k++)
        if (word_is(m->t + p, w - p, words[k]))
            return true;
    return false;
}

/* ---- quoted text ---- */

/* Skips the literal or quoted identifier opened by the quote q at i (backslash: an E'' string,
 * where \ escapes). Template actions inside a quoted identifier are masked: they may hold '"'
 * ("{{ index .Options "Namespace" }}"), and the name must not depend on how it was written.
 * Returns the offset after the closing quote (len when there is none). */
static size_t skip_quoted(struct masker *m, size_t i, char q, bool backslash)
{
    size_t p = i + 1;
    while (p < m->len) {
        char c = m->t[p];
        size_t e;
        if (q == '"' && c == '{' && at(m, p + 1) == '{' && (e = action_end(m, p)) != 0) {
            fill_word(m, p, e);
            m->n_masked++;
            p = e;
        } else if (backslash && c == '\\') {
            p += 2;
        } else if (c == q) {
            if (at(m, p + 1) != (unsigned char)q)
                return p + 1;
            p += 2;
        } else {
            p++;
        }
    }
    return m->len;
}

/* A dollar-quote opener "$tag$" at i: its length, or 0. */
static size_t dollar_opener(const struct masker *m, size_t i)
{
    size_t p = i + 1;
    if (at(m, p) != '$') {
        if (!is_ident_start(at(m, p)))
            return 0;
        while (is_tag_cont(at(m, p)))
            p++;
        if (at(m, p) != '$')
            return 0;
    }
    return p + 1 - i;
}

static size_t skip_block_comment(const struct masker *m, size_t i)
{
    int depth = 0; /* PostgreSQL block comments nest */
    while (i < m->len) {
        if (m->t[i] == '/' && at(m, i + 1) == '*') {
            depth++;
            i += 2;
        } else if (m->t[i] == '*' && at(m, i + 1) == '/') {
            i += 2;
            if (--depth == 0)
                return i;
        } else {
            i++;
        }
    }
    return m->len;
}

/* ---- psql ---- */

/* Meta-commands that send the query buffer: the statement before them ends there. */
static bool sends_buffer(const char *name, size_t n)
{
    static const char *const names[] = {"g",     "gx",           "gset", "gexec",
                                        "gdesc", "crosstabview", "watch"};
    for (size_t k = 0; k < MS_ARRAY_LEN(names); k++)
        if (n == strlen(names[k]) && memcmp(name, names[k], n) == 0)
            return true;
    return false;
}

/* Meta-commands whose argument is the rest of the line (psql's OT_WHOLE_LINE). */
static bool takes_whole_line(const char *name, size_t n)
{
    static const char *const names[] = {"copy", "!", "ef", "ev", "sf", "sv", "h", "help"};
    for (size_t k = 0; k < MS_ARRAY_LEN(names); k++)
        if (n == strlen(names[k]) && memcmp(name, names[k], n) == 0)
            return true;
    return false;
}

/* Does \copy's argument [s, e) read FROM STDIN (the lines after it; pstdin is psql's own)? */
static bool copies_from_stdin(const struct masker *m, size_t s, size_t e)
{
    bool after_from = false;
    for (size_t p = s; p < e;) {
        char c = m->t[p];
        if (c == '\'' || c == '"') {
            const char *close = memchr(m->t + p + 1, c, e - p - 1);
            p = close ? (size_t)(close - m->t) + 1 : e;
            after_from = false;
        } else if (isalpha((unsigned char)c)) {
            size_t w = p;
            while (p < e && (isalnum(at(m, p)) || at(m, p) == '_'))
                p++;
            if (after_from && word_is(m->t + w, p - w, "stdin"))
                return true;
            after_from = word_is(m->t + w, p - w, "from");
        } else {
            if (!is_space(c))
                after_from = false;
            p++;
        }
    }
    return false;
}

static bool is_eol(const struct masker *m, size_t i)
{
    return i >= m->len || m->t[i] == '\n';
}

/* A backslash in SQL text at i: psql's meta-commands, to the end of the line or to the "\\"
 * after which SQL resumes. Returns where SQL resumes. Never looks past that point, so a line of
 * many "\\" stays linear. */
static size_t mask_meta(struct masker *m, size_t i)
{
    if (at(m, i + 1) == ';') { /* \; puts a ';' in the buffer without sending it */
        edit(m, i, ';');
        edit(m, i + 1, ' ');
        m->n_masked++;
        end_statement(m);
        return i + 2;
    }
    size_t p = i, send = SIZE_MAX;
    while (!is_eol(m, p)) { /* p is at a backslash */
        if (at(m, p + 1) == '\\') {
            p += 2;
            break;
        }
        size_t name = p + 1, q = name;
        while (!is_eol(m, q) && !is_space(m->t[q]) && m->t[q] != '\\')
            q++;
        if (sends_buffer(m->t + name, q - name)) {
            send = p;
            end_statement(m);
        }
        if (takes_whole_line(m->t + name, q - name)) {
            size_t eol = line_end(m, q);
            if (word_is(m->t + name, q - name, "copy") && copies_from_stdin(m, q, eol))
                m->copy_pending = true;
            p = eol;
            break;
        }
        /* arguments: quoted ones may hold backslashes; an unquoted backslash starts the next
         * meta-command (or is "\\") */
        while (!is_eol(m, q) && m->t[q] != '\\') {
            char c = m->t[q];
            if (c == '\'') {
                for (q++; !is_eol(m, q) && m->t[q] != '\''; q++)
                    if (m->t[q] == '\\' && !is_eol(m, q + 1))
                        q++;
            } else if (c == '"' || c == '`') {
                for (q++; !is_eol(m, q) && m->t[q] != c;)
                    q++;
            }
            if (!is_eol(m, q))
                q++;
        }
        p = q;
    }
    blank(m, i, p);
    if (send != SIZE_MAX)
        edit(m, send, ';');
    m->n_masked++;
    return p;
}

static bool is_array_bracket(const struct masker *m)
{
    return m->bracket <= 64 && (m->array_brackets >> (m->bracket - 1) & 1);
}

/* ':' in SQL text at i: a psql variable (:name, :'name', :"name", :{?name}) becomes a name, a
 * literal or a quoted identifier of the same length. Returns the offset after it (i + 1 when it
 * is not one). */
static size_t mask_variable(struct masker *m, size_t i)
{
    unsigned char c = at(m, i + 1);
    if (c == '\'' || c == '"') {
        size_t p = i + 2;
        while (is_tag_cont(at(m, p)))
            p++;
        if (p == i + 2 || at(m, p) != c)
            return i + 1;
        edit(m, i, (char)c); /* :'name' -> '_name' */
        edit(m, i + 1, '_');
        m->n_masked++;
        return p + 1;
    }
    if (c == '{' && at(m, i + 2) == '?') {
        size_t p = i + 3;
        while (is_tag_cont(at(m, p)))
            p++;
        if (p == i + 3 || at(m, p) != '}')
            return i + 1;
        fill_word(m, i, p + 1);
        m->n_masked++;
        return p + 1;
    }
    if (!is_ident_start(c))
        return i + 1;
    /* a[lo:hi] and a[:hi] are slices; ARRAY[:a, :b] holds variables */
    if (m->bracket > 0 && !(is_array_bracket(m) && (m->prev == '[' || m->prev == ',')))
        return i + 1;
    size_t p = i + 1;
    while (is_tag_cont(at(m, p)))
        p++;
    edit(m, i, '_');
    m->n_masked++;
    return p;
}

/* ---- the pass ---- */

/* "${...}" at i (nested braces allowed, one line): one past its '}', or 0. Bounded in length
 * and depth, so that a line of unclosed "${" stays linear. */
#define PLACEHOLDER_MAX 256

static size_t placeholder_end(const struct masker *m, size_t i)
{
    int depth = 0;
    size_t stop = m->len - i > PLACEHOLDER_MAX ? i + PLACEHOLDER_MAX : m->len;
    for (size_t p = i + 1; p < stop && m->t[p] != '\n'; p++) {
        if (m->t[p] == '{' && ++depth > 4)
            return 0;
        else if (m->t[p] == '}' && --depth == 0)
            return p + 1;
    }
    return 0;
}

/* '$' in SQL text at i: a parameter, a dollar-quoted body (skipped whole), or a placeholder
 * (masked). Returns the offset after it. */
static size_t at_dollar(struct masker *m, size_t i)
{
    unsigned char c = at(m, i + 1);
    if (isdigit(c)) {
        size_t p = i + 1;
        while (isdigit(at(m, p)))
            p++;
        m->prev = '1';
        return p;
    }
    size_t open = dollar_opener(m, i);
    if (open) {
        m->prev = '\'';
        const char *close = memmem(m->t + i + open, m->len - i - open, m->t + i, open);
        return close ? (size_t)(close - m->t) + open : m->len;
    }
    size_t e = 0;
    if (c == '{') {
        e = placeholder_end(m, i);
    } else if (is_ident_start(c)) { /* goose ENVSUB's $NAME (not a "$tag$": checked above) */
        e = i + 1;
        while (is_tag_cont(at(m, e)))
            e++;
    }
    if (!e) {
        m->prev = '$';
        return i + 1;
    }
    fill_ident(m, i, e);
    m->n_masked++;
    m->prev = 'a';
    return e;
}

static size_t at_template(struct masker *m, size_t i)
{
    size_t e = action_end(m, i);
    if (!e) {
        m->prev = '{';
        return i + 1;
    }
    if (m->prev == 0 || is_control_action(m, i, e)) {
        blank(m, i, e);
    } else {
        fill_ident(m, i, e);
        m->prev = 'a';
    }
    m->n_masked++;
    return e;
}

static void scan(struct masker *m, size_t i)
{
    while (i < m->len) {
        unsigned char c = (unsigned char)m->t[i];
        if (c == '\n') {
            i = m->copy_pending ? mask_copy_data(m, i + 1) : i + 1;
        } else if (is_space((char)c)) {
            i++;
        } else if (c == '-' && at(m, i + 1) == '-') {
            i = line_end(m, i);
        } else if (c == '/' && at(m, i + 1) == '*') {
            i = skip_block_comment(m, i);
        } else if (c == '\'' || c == '"') {
            i = skip_quoted(m, i, (char)c, false);
            m->prev = (char)c;
        } else if (c == '{' && at(m, i + 1) == '{') {
            i = at_template(m, i);
        } else if (c == '$') {
            i = at_dollar(m, i);
        } else if (c == '\\') {
            i = mask_meta(m, i);
        } else if (c == ':') {
            if (at(m, i + 1) == ':' || at(m, i + 1) == '=') {
                i += 2;
                m->prev = ':';
            } else {
                size_t e = mask_variable(m, i);
                m->prev = e == i + 1 ? ':' : 'a';
                i = e;
            }
        } else if (is_ident_start(c)) {
            size_t e = i + 1;
            while (e < m->len && is_ident_cont(at(m, e)) &&
                   !(m->t[e] == '$' && at(m, e + 1) == '{'))
                e++;
            see_word(m, m->t + i, e - i);
            m->prev = 'a';
            m->prev_array = word_is(m->t + i, e - i, "array");
            if (e - i == 1 && (c == 'e' || c == 'E') && at(m, e) == '\'') {
                e = skip_quoted(m, e, '\'', true);
                m->prev = '\'';
            }
            i = e;
        } else if (isdigit(c)) {
            while (i < m->len && (isalnum(at(m, i)) || at(m, i) == '.' || at(m, i) == '_'))
                i++;
            m->prev = '1';
        } else if (c == ';') {
            end_statement(m);
            i++;
        } else {
            if (c == '(')
                m->paren++;
            else if (c == ')' && m->paren > 0)
                m->paren--;
            else if (c == '[' && ++m->bracket <= 64)
                m->array_brackets = (m->array_brackets & ~(UINT64_C(1) << (m->bracket - 1))) |
                                    (uint64_t)(m->prev == 'a' && m->prev_array) << (m->bracket - 1);
            else if (c == ']' && m->bracket > 0)
                m->bracket--;
            if (m->copy == COPY_FROM)
                m->copy = COPY_STMT;
            m->prev = (char)c;
            i++;
        }
    }
}

/* Could the text hold anything to mask? Cheap and conservative: a false "yes" costs a scan. */
static bool may_need_mask(const char *t, size_t len, size_t i)
{
    for (; i < len; i++) {
        unsigned char next = i + 1 < len ? (unsigned char)t[i + 1] : 0;
        switch (t[i]) {
        case '\\':
            return true;
        case '{':
            if (next == '{')
                return true;
            break;
        case '$':
            if (next == '{')
                return true;
            if (is_ident_start(next)) {
                size_t p = i + 1;
                while (p < len && is_tag_cont((unsigned char)t[p]))
                    p++;
                if (p >= len || t[p] != '$')
                    return true;
                i = p; /* "$tag$" */
            }
            break;
        case ':':
            if (next == ':')
                i++;
            else if (is_ident_start(next) || next == '\'' || next == '"' || next == '{')
                return true;
            break;
        default:
            break;
        }
    }
    return false;
}

const char *ms_template_mask(const char *text, size_t len, size_t body, struct ms_arena *arena,
                             size_t *n_masked)
{
    if (n_masked)
        *n_masked = 0;
    if (!may_need_mask(text, len, body))
        return text;
    struct masker m = {.t = text, .len = len, .arena = arena};
    scan(&m, body);
    if (n_masked)
        *n_masked = m.n_masked;
    return m.out ? m.out : text;
}
