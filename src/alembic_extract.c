/* alembic_extract.c: Python expressions as trees, and the walk over a function body that finds
 * the op calls (see alembic_impl.h). Nothing is evaluated: literals, names bound to literals,
 * and simple f-strings and concatenations are the only values. */
#include "migsafe.h"
#include "alembic_impl.h"

/* ---- tokens ---- */

static const struct ms_py_token *tok(const struct alx *cx, size_t i)
{
    size_t n = cx->toks->n_tokens;
    return &cx->toks->tokens[i < n ? i : n - 1];
}

static size_t skip_comments(const struct alx *cx, size_t i)
{
    while (i < cx->toks->n_tokens && cx->toks->tokens[i].kind == MS_PY_COMMENT)
        i++;
    return i;
}

static bool is_op(const struct ms_py_token *t, const char *op)
{
    return t->kind == MS_PY_OP && strcmp(t->value, op) == 0;
}

static bool is_kw(const struct ms_py_token *t, const char *name)
{
    return t->kind == MS_PY_NAME && strcmp(t->value, name) == 0;
}

static bool at_end(const struct ms_py_token *t)
{
    return t->kind == MS_PY_NEWLINE || t->kind == MS_PY_ENDMARKER || t->kind == MS_PY_DEDENT ||
           t->kind == MS_PY_INDENT;
}

static size_t tok_end(const struct ms_py_token *t)
{
    return t->offset + t->len;
}

/* ---- expression trees ---- */

static struct ax *new_ax(struct alx *cx, enum ax_kind kind, size_t start, size_t end)
{
    struct ax *e = ms_arena_alloc(cx->arena, sizeof(*e));
    e->kind = kind;
    e->start = start;
    e->end = end;
    return e;
}

/* Growable pointer list in the arena (expressions are small; doubling copies are cheap). */
struct plist {
    size_t n, cap;
    void **items;
};

static void plist_push(struct alx *cx, struct plist *l, void *p)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4;
        void **items = ms_arena_alloc(cx->arena, cap * sizeof(void *));
        if (l->n)
            memcpy(items, l->items, l->n * sizeof(void *));
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = p;
}

/* Skips to the end of the current expression: a ',' ':' '=' or closing bracket at depth 0, or
 * the end of the line. `through_colon` passes one ':' at depth 0 (a lambda's). */
static void skip_expr(const struct alx *cx, size_t *i, bool through_colon)
{
    int depth = 0;
    for (;;) {
        const struct ms_py_token *t = tok(cx, *i);
        if (at_end(t))
            return;
        if (t->kind == MS_PY_OP) {
            const char *v = t->value;
            if (strchr("([{", v[0]) && v[1] == 0) {
                depth++;
            } else if (strchr(")]}", v[0]) && v[1] == 0) {
                if (depth == 0)
                    return;
                depth--;
            } else if (depth == 0 && (strcmp(v, ",") == 0 || strcmp(v, "=") == 0)) {
                return;
            } else if (depth == 0 && strcmp(v, ":") == 0) {
                if (!through_colon)
                    return;
                through_colon = false;
            }
        }
        (*i)++;
    }
}

static struct ax *other_from(struct alx *cx, size_t first, size_t *i, bool through_colon)
{
    skip_expr(cx, i, through_colon);
    size_t end = *i > first ? tok_end(tok(cx, *i - 1)) : tok(cx, first)->offset;
    return new_ax(cx, AX_OTHER, tok(cx, first)->offset, end);
}

/* Length of a string token's prefix and of its quote. */
static void string_shape(const struct ms_py_token *t, const char *text, size_t *prefix,
                         size_t *quote)
{
    size_t p = 0;
    while (p < t->len && text[t->offset + p] != '\'' && text[t->offset + p] != '"')
        p++;
    *prefix = p;
    *quote = (t->flags & MS_PY_STR_TRIPLE) ? 3 : 1;
}

static struct ax *parse_string(struct alx *cx, size_t *i)
{
    struct ms_py_str s;
    struct ms_py_error err;
    size_t first = *i;
    if (ms_py_concat_strings(cx->toks, first, cx->arena, &s, &err) != 0) {
        *i = s.end > first ? s.end : first + 1;
        return new_ax(cx, AX_OTHER, tok(cx, first)->offset, tok_end(tok(cx, *i - 1)));
    }
    *i = s.end;
    struct ax *e = new_ax(cx, AX_STR, tok(cx, first)->offset, tok_end(tok(cx, s.end - 1)));
    e->s = s.value;
    e->len = s.len;
    e->flags = s.flags;
    if (s.flags & (MS_PY_STR_FIELDS | MS_PY_STR_BYTES))
        return e;
    size_t n = 0;
    for (size_t k = first; k < s.end; k++)
        n += tok(cx, k)->kind == MS_PY_STRING;
    e->parts = ms_arena_alloc(cx->arena, n * sizeof(struct ax_part));
    size_t at = 0;
    for (size_t k = first; k < s.end; k++) {
        const struct ms_py_token *t = tok(cx, k);
        if (t->kind != MS_PY_STRING)
            continue;
        size_t prefix, quote;
        string_shape(t, cx->src->text, &prefix, &quote);
        struct ax_part *p = &e->parts[e->n_parts++];
        p->tok = t->offset;
        p->tok_end = tok_end(t);
        p->val = at;
        p->val_len = t->value_len;
        p->origin = t->offset + prefix + quote;
        size_t body = t->len >= prefix + 2 * quote ? t->len - prefix - 2 * quote : 0;
        p->verbatim =
            body == t->value_len && memcmp(cx->src->text + p->origin, t->value, t->value_len) == 0;
        at += t->value_len;
    }
    if (at != s.len) /* not a plain join (cannot happen without fields): map to the literal */
        e->n_parts = 0;
    return e;
}

static void parse_call_args(struct alx *cx, size_t *i, struct ax *call)
{
    struct plist args = {0}, kw = {0}, kwv = {0};
    (*i)++; /* ( */
    for (;;) {
        *i = skip_comments(cx, *i);
        const struct ms_py_token *t = tok(cx, *i);
        if (is_op(t, ")")) {
            (*i)++;
            break;
        }
        if (at_end(t))
            break;
        size_t before = *i;
        if (is_op(t, "*") || is_op(t, "**")) {
            call->star = true;
            (*i)++;
            struct ax *v = alx_parse_expr(cx, i);
            if (t->value[1] == '*') {
                plist_push(cx, &kw, NULL);
                plist_push(cx, &kwv, v);
            } else {
                struct ax *starred = new_ax(cx, AX_OTHER, t->offset, v->end);
                starred->fn = v; /* *VALUES: the list may be a known constant */
                plist_push(cx, &args, starred);
            }
        } else if (t->kind == MS_PY_NAME && is_op(tok(cx, skip_comments(cx, *i + 1)), "=")) {
            plist_push(cx, &kw, (void *)t->value);
            *i = skip_comments(cx, *i + 1) + 1;
            plist_push(cx, &kwv, alx_parse_expr(cx, i));
        } else {
            plist_push(cx, &args, alx_parse_expr(cx, i));
        }
        *i = skip_comments(cx, *i);
        t = tok(cx, *i);
        if (is_op(t, ","))
            (*i)++;
        else if (!is_op(t, ")") && *i == before)
            (*i)++; /* never loop in place on text the parser does not expect */
        else if (!is_op(t, ")"))
            skip_expr(cx, i, false);
    }
    call->n_args = args.n;
    call->args = (struct ax **)args.items;
    call->n_kw = kw.n;
    call->kw = (const char **)kw.items;
    call->kwv = (struct ax **)kwv.items;
    call->end = tok_end(tok(cx, *i - 1));
}

/* A bracketed display: ( ) tuple or parenthesised expression, [ ] list, { } dict or set. */
static struct ax *parse_display(struct alx *cx, size_t *i)
{
    size_t first = *i;
    const struct ms_py_token *open = tok(cx, first);
    const char *close = open->value[0] == '(' ? ")" : open->value[0] == '[' ? "]" : "}";
    enum ax_kind kind = open->value[0] == '('   ? AX_TUPLE
                        : open->value[0] == '[' ? AX_LIST
                                                : AX_DICT;
    struct plist items = {0}, values = {0};
    bool comma = false, bad = false;
    (*i)++;
    for (;;) {
        *i = skip_comments(cx, *i);
        const struct ms_py_token *t = tok(cx, *i);
        if (is_op(t, close)) {
            (*i)++;
            break;
        }
        if (at_end(t)) {
            bad = true;
            break;
        }
        if (is_op(t, "*") || is_op(t, "**")) {
            bad = true;
            (*i)++;
        }
        size_t before = *i;
        struct ax *e = alx_parse_expr(cx, i);
        plist_push(cx, &items, e);
        *i = skip_comments(cx, *i);
        t = tok(cx, *i);
        if (kind == AX_DICT && is_op(t, ":")) {
            (*i)++;
            plist_push(cx, &values, alx_parse_expr(cx, i));
            t = tok(cx, skip_comments(cx, *i));
        } else if (kind == AX_DICT) {
            bad = true; /* a set */
        }
        *i = skip_comments(cx, *i);
        t = tok(cx, *i);
        if (is_op(t, ",")) {
            comma = true;
            (*i)++;
        } else if (is_kw(t, "for") || is_kw(t, "async")) {
            bad = true; /* a comprehension */
            skip_expr(cx, i, false);
        } else if (!is_op(t, close)) {
            bad = true;
            if (*i == before)
                (*i)++;
            else
                skip_expr(cx, i, false);
        }
    }
    size_t end = tok_end(tok(cx, *i - 1));
    if (bad)
        return new_ax(cx, AX_OTHER, open->offset, end);
    if (kind == AX_TUPLE && items.n == 1 && !comma) {
        struct ax *inner = items.items[0]; /* parenthesised expression */
        return inner;
    }
    struct ax *e = new_ax(cx, kind, open->offset, end);
    e->n_args = items.n;
    e->args = (struct ax **)items.items;
    if (kind == AX_DICT) {
        e->n_kw = values.n;
        e->kwv = (struct ax **)values.items;
    }
    return e;
}

static struct ax *parse_primary(struct alx *cx, size_t *i)
{
    *i = skip_comments(cx, *i);
    size_t first = *i;
    const struct ms_py_token *t = tok(cx, first);
    switch (t->kind) {
    case MS_PY_STRING:
        return parse_string(cx, i);
    case MS_PY_NUMBER: {
        (*i)++;
        struct ax *e = new_ax(cx, AX_NUM, t->offset, tok_end(t));
        e->s = t->value;
        e->len = t->value_len;
        return e;
    }
    case MS_PY_NAME: {
        if (is_kw(t, "lambda"))
            return other_from(cx, first, i, true);
        if (is_kw(t, "not") || is_kw(t, "await") || is_kw(t, "yield"))
            return other_from(cx, first, i, false);
        (*i)++;
        enum ax_kind k = strcmp(t->value, "True") == 0    ? AX_TRUE
                         : strcmp(t->value, "False") == 0 ? AX_FALSE
                         : strcmp(t->value, "None") == 0  ? AX_NONE
                                                          : AX_NAME;
        struct ax *e = new_ax(cx, k, t->offset, tok_end(t));
        e->s = t->value;
        e->len = t->value_len;
        return e;
    }
    case MS_PY_OP:
        if (is_op(t, "(") || is_op(t, "[") || is_op(t, "{"))
            return parse_display(cx, i);
        if (is_op(t, "-") && tok(cx, first + 1)->kind == MS_PY_NUMBER) {
            const struct ms_py_token *n = tok(cx, first + 1);
            *i = first + 2;
            struct ax *e = new_ax(cx, AX_NUM, t->offset, tok_end(n));
            e->s = ms_arena_printf(cx->arena, "-%s", n->value);
            e->len = n->value_len + 1;
            return e;
        }
        return other_from(cx, first, i, false);
    default:
        return new_ax(cx, AX_OTHER, t->offset, t->offset);
    }
}

static struct ax *parse_postfix(struct alx *cx, size_t *i)
{
    struct ax *e = parse_primary(cx, i);
    for (;;) {
        size_t j = skip_comments(cx, *i);
        const struct ms_py_token *t = tok(cx, j);
        if (is_op(t, ".") && tok(cx, j + 1)->kind == MS_PY_NAME) {
            const struct ms_py_token *n = tok(cx, j + 1);
            *i = j + 2;
            if (e->kind == AX_NAME) {
                struct ax *d = new_ax(cx, AX_NAME, e->start, tok_end(n));
                d->s = ms_arena_printf(cx->arena, "%s.%s", e->s, n->value);
                d->len = strlen(d->s);
                e = d;
            } else {
                struct ax *a = new_ax(cx, AX_ATTR, e->start, tok_end(n));
                a->fn = e;
                a->s = n->value;
                a->len = n->value_len;
                e = a;
            }
        } else if (is_op(t, "(")) {
            *i = j;
            struct ax *c = new_ax(cx, AX_CALL, e->start, e->end);
            c->fn = e;
            parse_call_args(cx, i, c);
            e = c;
        } else if (is_op(t, "[")) {
            *i = j;
            struct ax *sub = parse_display(cx, i); /* skipped as a whole */
            e = new_ax(cx, AX_OTHER, e->start, sub->end);
        } else {
            return e;
        }
    }
}

/* Tokens that may follow a complete expression (anything else continues it: an operator). */
static bool ends_expr(const struct ms_py_token *t)
{
    if (at_end(t))
        return true;
    if (t->kind == MS_PY_NAME) /* `with x as y`, a comprehension's `for` */
        return strcmp(t->value, "as") == 0 || strcmp(t->value, "for") == 0 ||
               strcmp(t->value, "async") == 0;
    if (t->kind != MS_PY_OP)
        return false;
    static const char *const enders[] = {",",  ")",  "]",  "}",  ":",  "=",  ";",   "+=", "-=",
                                         "*=", "/=", "%=", "|=", "&=", "->", "//=", "**="};
    for (size_t k = 0; k < MS_ARRAY_LEN(enders); k++)
        if (strcmp(t->value, enders[k]) == 0)
            return true;
    return false;
}

struct ax *alx_parse_expr(struct alx *cx, size_t *i)
{
    *i = skip_comments(cx, *i);
    size_t first = *i;
    struct ax *e = parse_postfix(cx, i);
    const struct ms_py_token *t = tok(cx, skip_comments(cx, *i));
    if (ends_expr(t))
        return e;
    if (is_op(t, "+")) {
        struct plist terms = {0};
        plist_push(cx, &terms, e);
        while (is_op(tok(cx, skip_comments(cx, *i)), "+")) {
            *i = skip_comments(cx, *i) + 1;
            plist_push(cx, &terms, parse_postfix(cx, i));
        }
        if (ends_expr(tok(cx, skip_comments(cx, *i)))) {
            struct ax *add = new_ax(cx, AX_ADD, e->start, tok_end(tok(cx, *i - 1)));
            add->n_args = terms.n;
            add->args = (struct ax **)terms.items;
            return add;
        }
    }
    *i = first;
    return other_from(cx, first, i, false);
}

/* ---- values ---- */

static const struct ax *lookup(const struct ax_env *env, const char *name, bool *found)
{
    for (size_t k = env->n; k-- > 0;) {
        if (strcmp(env->items[k].name, name) == 0) {
            *found = true;
            return env->items[k].val;
        }
    }
    *found = false;
    return NULL;
}

void alx_bind(struct alx *cx, struct ax_env *env, const char *name, const struct ax *val)
{
    (void)cx;
    for (size_t k = 0; k < env->n; k++) {
        if (strcmp(env->items[k].name, name) == 0) {
            env->items[k].val = val;
            return;
        }
    }
    MS_GROW(env->items, env->cap, env->n + 1);
    env->items[env->n++] = (struct ax_binding){name, val};
}

const struct ax *alx_resolve(const struct alx *cx, const struct ax *e)
{
    for (int steps = 0; e && e->kind == AX_NAME && !strchr(e->s, '.') && steps < 8; steps++) {
        bool found;
        const struct ax *v = lookup(&cx->local_env, e->s, &found);
        if (!found)
            v = lookup(&cx->module_env, e->s, &found);
        if (!found)
            return e;
        e = v;
    }
    return e;
}

/* Is e a call of one of the dotted names in the NULL-terminated list (compared by last
 * component after the module: "text" matches text, sa.text, sqlalchemy.text, sa.sql.text)? */
static bool is_call_of(const struct ax *e, const char *last)
{
    if (!e || e->kind != AX_CALL || e->fn->kind != AX_NAME)
        return false;
    const char *dot = strrchr(e->fn->s, '.');
    return strcmp(dot ? dot + 1 : e->fn->s, last) == 0;
}

/* Substitutes the fields of an f-string template when each is a bare name bound to a string or
 * number; NULL otherwise. Doubled braces in the template stand for one. */
static const char *fill_template(struct alx *cx, const char *tpl, size_t len)
{
    size_t cap = len + 64, n = 0;
    char *out = ms_xmalloc(cap);
    const char *result = NULL;
    for (size_t k = 0; k < len;) {
        char c = tpl[k];
        if ((c == '{' || c == '}') && k + 1 < len && tpl[k + 1] == c) {
            MS_GROW(out, cap, n + 2);
            out[n++] = c;
            k += 2;
            continue;
        }
        if (c == '}')
            goto done;
        if (c == '{') {
            size_t e = k + 1;
            while (e < len && (isalnum((unsigned char)tpl[e]) || tpl[e] == '_'))
                e++;
            if (e >= len || tpl[e] != '}' || e == k + 1)
                goto done;
            char *name = ms_arena_strndup(cx->arena, tpl + k + 1, e - k - 1);
            struct ax probe = {.kind = AX_NAME, .s = name, .len = e - k - 1};
            const struct ax *v = alx_resolve(cx, &probe);
            if (!v || v == &probe || (v->kind != AX_STR && v->kind != AX_NUM) ||
                (v->flags & (MS_PY_STR_FIELDS | MS_PY_STR_BYTES)))
                goto done;
            MS_GROW(out, cap, n + v->len + 1);
            memcpy(out + n, v->s, v->len);
            n += v->len;
            k = e + 1;
            continue;
        }
        MS_GROW(out, cap, n + 2);
        out[n++] = c;
        k++;
    }
    result = ms_arena_strndup(cx->arena, out, n);
done:
    free(out);
    return result;
}

const char *alx_str(struct alx *cx, const struct ax *e)
{
    e = alx_resolve(cx, e);
    if (!e)
        return NULL;
    if (e->kind == AX_STR) {
        if (e->flags & MS_PY_STR_BYTES)
            return NULL;
        if (e->flags & MS_PY_STR_FIELDS)
            return fill_template(cx, e->s, e->len);
        if (memchr(e->s, 0, e->len))
            return NULL;
        return e->s;
    }
    if (e->kind == AX_ADD) {
        size_t cap = 64, n = 0;
        char *out = ms_xmalloc(cap);
        for (size_t k = 0; k < e->n_args; k++) {
            const char *part = alx_str(cx, e->args[k]);
            if (!part) {
                free(out);
                return NULL;
            }
            size_t l = strlen(part);
            MS_GROW(out, cap, n + l + 1);
            memcpy(out + n, part, l);
            n += l;
        }
        const char *r = ms_arena_strndup(cx->arena, out, n);
        free(out);
        return r;
    }
    /* op.f("name") marks a name as final (no naming convention): the same string here;
     * quoted_name("x", quote=...) likewise */
    if ((is_call_of(e, "f") || is_call_of(e, "quoted_name") || is_call_of(e, "conv")) &&
        e->n_args >= 1)
        return alx_str(cx, e->args[0]);
    return NULL;
}

/* ---- the walk over a function body ---- */

static void note_call(struct alx *cx, const struct ax *call, const char *what, const char *why)
{
    alx_note(cx, call->start, "%s skipped: %s", what, why);
}

/* The dotted text of a callee for notes ("op.create_index", "helper", "x.y"). */
static const char *callee_text(struct alx *cx, const struct ax *fn)
{
    if (fn->kind == AX_NAME)
        return fn->s;
    if (fn->kind == AX_ATTR)
        return ms_arena_printf(cx->arena, "%s.%s", callee_text(cx, fn->fn), fn->s);
    if (fn->kind == AX_CALL)
        return ms_arena_printf(cx->arena, "%s()", callee_text(cx, fn->fn));
    return "(expression)";
}

static bool is_bind_alias(const struct alx *cx, const char *name)
{
    for (size_t k = 0; k < cx->n_bind_alias; k++)
        if (strcmp(cx->bind_alias[k], name) == 0)
            return true;
    return false;
}

/* Is e `op.get_bind()` or a name bound to it? */
static bool is_bind(const struct alx *cx, const struct ax *e)
{
    if (e->kind == AX_NAME && is_bind_alias(cx, e->s))
        return true;
    return e->kind == AX_CALL && e->fn->kind == AX_NAME && strcmp(e->fn->s, "op.get_bind") == 0;
}

static void count_op(struct alx *cx, bool lowered)
{
    if (lowered)
        cx->res->n_ops++;
    else
        cx->res->n_skipped++;
}

/* sa.Enum(...).create(op.get_bind()) and ENUM_CONSTANT.drop(bind): true when e is one. */
static bool lower_enum_method(struct alx *cx, const struct ax *e)
{
    const struct ax *fn = e->fn;
    const struct ax *obj = fn->kind == AX_ATTR ? alx_resolve(cx, fn->fn) : NULL;
    if (!obj && fn->kind == AX_NAME && strrchr(fn->s, '.')) {
        const char *dot = strrchr(fn->s, '.');
        struct ax *probe = ms_arena_alloc(cx->arena, sizeof(*probe));
        *probe = (struct ax){.kind = AX_NAME,
                             .s = ms_arena_strndup(cx->arena, fn->s, (size_t)(dot - fn->s))};
        obj = alx_resolve(cx, probe);
    }
    const char *method = fn->kind == AX_ATTR                          ? fn->s
                         : fn->kind == AX_NAME && strrchr(fn->s, '.') ? strrchr(fn->s, '.') + 1
                                                                      : "";
    if (obj && obj->kind == AX_CALL && obj->fn->kind == AX_NAME &&
        (strcmp(method, "create") == 0 || strcmp(method, "drop") == 0)) {
        const char *cls = strrchr(obj->fn->s, '.') ? strrchr(obj->fn->s, '.') + 1 : obj->fn->s;
        const struct ax *bind = e->n_args ? alx_resolve(cx, e->args[0]) : NULL;
        for (size_t k = 0; !bind && k < e->n_kw; k++)
            if (e->kw[k] && strcmp(e->kw[k], "bind") == 0)
                bind = alx_resolve(cx, e->kwv[k]);
        if ((strcmp(cls, "Enum") == 0 || strcmp(cls, "ENUM") == 0) && bind && is_bind(cx, bind)) {
            cx->fn_ops++;
            count_op(cx, alx_lower_enum_ddl(cx, e, obj, method[0] == 'c'));
            return true;
        }
    }
    return false;
}

/* Methods of `op` that issue no SQL by themselves. */
static bool is_inert_op(const char *name)
{
    static const char *const inert[] = {"batch_alter_table", "f", "get_bind", "get_context",
                                        "inline_literal"};
    for (size_t k = 0; k < MS_ARRAY_LEN(inert); k++)
        if (strcmp(name, inert[k]) == 0)
            return true;
    return false;
}

/* An expression statement (stmt) or the value of an assignment: lowers it when it is an op
 * call. A helper function called as a statement may hide ops: it counts as skipped. */
static void handle_call(struct alx *cx, const struct ax *e, bool stmt)
{
    if (e->kind != AX_CALL)
        return;
    const struct ax *fn = e->fn;
    if (stmt && lower_enum_method(cx, e))
        return;
    if (fn->kind == AX_NAME) {
        const char *s = fn->s;
        const char *dot = strchr(s, '.');
        if (strncmp(s, "op.", 3) == 0 && !strchr(s + 3, '.')) {
            if (is_inert_op(s + 3))
                return;
            cx->fn_ops++;
            if (!alx_is_known_op(s + 3)) {
                note_call(cx, e, s, "not an operation migsafe lowers");
                count_op(cx, false);
                return;
            }
            count_op(cx, alx_lower_call(cx, s + 3, e, false));
            return;
        }
        if (dot && !strchr(dot + 1, '.') && cx->batch_alias &&
            strncmp(s, cx->batch_alias, (size_t)(dot - s)) == 0 && cx->batch_alias[dot - s] == 0) {
            if (is_inert_op(dot + 1))
                return;
            cx->fn_ops++;
            if (!alx_is_known_op(dot + 1)) {
                note_call(cx, e, s, "not an operation migsafe lowers");
                count_op(cx, false);
                return;
            }
            if (cx->batch_unsupported) {
                note_call(cx, e, s, "the batch_alter_table block cannot be resolved");
                count_op(cx, false);
                return;
            }
            count_op(cx, alx_lower_call(cx, dot + 1, e, true));
            return;
        }
        if (dot && !strchr(dot + 1, '.')) {
            char *obj = ms_arena_strndup(cx->arena, s, (size_t)(dot - s));
            if (is_bind_alias(cx, obj) &&
                (strcmp(dot + 1, "execute") == 0 || strcmp(dot + 1, "exec_driver_sql") == 0)) {
                cx->fn_ops++;
                count_op(cx, alx_lower_call(cx, "execute", e, false));
            }
            return; /* a method of something else (logging, a session): not an op */
        }
        if (!dot && stmt) {
            static const char *const builtins[] = {
                "print", "len",   "list",   "dict",       "set",     "tuple",  "str",
                "int",   "range", "sorted", "isinstance", "setattr", "getattr"};
            for (size_t k = 0; k < MS_ARRAY_LEN(builtins); k++)
                if (strcmp(s, builtins[k]) == 0)
                    return;
            cx->fn_ops++;
            note_call(cx, e, ms_arena_printf(cx->arena, "%s()", s),
                      "a call to a helper function is not followed");
            count_op(cx, false);
        }
        return;
    }
    if (fn->kind == AX_ATTR && fn->fn && is_bind(cx, fn->fn) &&
        (strcmp(fn->s, "execute") == 0 || strcmp(fn->s, "exec_driver_sql") == 0)) {
        cx->fn_ops++;
        count_op(cx, alx_lower_call(cx, "execute", e, false));
        return;
    }
    if (!stmt)
        return;
    if (fn->kind == AX_CALL && fn->fn->kind == AX_NAME && !strchr(fn->fn->s, '.')) {
        /* globals()["upgrade_%s" % name]() and the like */
        cx->fn_ops++;
        note_call(cx, e, callee_text(cx, fn), "a dynamic call is not followed");
        count_op(cx, false);
    }
    if (fn->kind == AX_OTHER) {
        cx->fn_ops++;
        note_call(cx, e, "a dynamic call", "it cannot be resolved statically");
        count_op(cx, false);
    }
}

static size_t walk_block(struct alx *cx, size_t i);
static size_t walk_stmt(struct alx *cx, size_t i, bool *stop);

/* Index just past the NEWLINE ending the logical line at i (or at the ENDMARKER). */
static size_t line_end(const struct alx *cx, size_t i)
{
    while (i < cx->toks->n_tokens) {
        enum ms_py_kind k = cx->toks->tokens[i].kind;
        if (k == MS_PY_NEWLINE)
            return i + 1;
        if (k == MS_PY_ENDMARKER)
            return i;
        i++;
    }
    return i;
}

/* The ':' ending a compound statement's header that starts at i (depth 0), or 0. */
static size_t header_colon(const struct alx *cx, size_t i)
{
    int depth = 0;
    bool lambda = false;
    for (; i < cx->toks->n_tokens; i++) {
        const struct ms_py_token *t = &cx->toks->tokens[i];
        if (t->kind == MS_PY_NEWLINE || t->kind == MS_PY_ENDMARKER)
            return 0;
        if (t->kind == MS_PY_NAME && strcmp(t->value, "lambda") == 0)
            lambda = true;
        if (t->kind != MS_PY_OP)
            continue;
        if (strchr("([{", t->value[0]) && !t->value[1])
            depth++;
        else if (strchr(")]}", t->value[0]) && !t->value[1])
            depth--;
        else if (depth == 0 && strcmp(t->value, ":") == 0) {
            if (lambda) {
                lambda = false;
                continue;
            }
            return i;
        }
    }
    return 0;
}

/* The body after a header's ':' at `colon`: an indented block or statements on the same line.
 * Returns the index after it; walks it when `walk`. */
static size_t body_after(struct alx *cx, size_t colon, bool walk)
{
    size_t i = skip_comments(cx, colon + 1);
    if (tok(cx, i)->kind == MS_PY_NEWLINE) {
        i = skip_comments(cx, i + 1);
        if (tok(cx, i)->kind != MS_PY_INDENT)
            return i;
        if (walk)
            return walk_block(cx, i + 1);
        int depth = 0;
        for (; i < cx->toks->n_tokens; i++) {
            enum ms_py_kind k = cx->toks->tokens[i].kind;
            if (k == MS_PY_INDENT)
                depth++;
            else if (k == MS_PY_DEDENT && --depth == 0)
                return i + 1;
            else if (k == MS_PY_ENDMARKER)
                return i;
        }
        return i;
    }
    if (!walk)
        return line_end(cx, i);
    bool stop = false;
    while (!at_end(tok(cx, i)) && !stop) {
        size_t next = walk_stmt(cx, i, &stop);
        i = next > i ? next : i + 1;
    }
    return line_end(cx, i);
}

/* Does an if/elif condition name the dialect? +1: only PostgreSQL takes this branch, -1:
 * PostgreSQL never does, 0: unknown. Recognises `<...dialect.name...> == "postgresql"`,
 * `!= "postgresql"`, `== "sqlite"` and the like, and `in (...)` lists of names. */
static int dialect_condition(const struct alx *cx, size_t first, size_t colon)
{
    bool dialect = false, neg = false, in = false, eq = false, pg = false, other = false;
    for (size_t k = first; k < colon; k++) {
        const struct ms_py_token *t = tok(cx, k);
        if (t->kind == MS_PY_NAME &&
            (strcmp(t->value, "dialect") == 0 || strcmp(t->value, "name") == 0 ||
             strstr(t->value, "dialect") != NULL))
            dialect = true;
        else if (is_op(t, "!=") || is_kw(t, "not"))
            neg = true;
        else if (is_op(t, "=="))
            eq = true;
        else if (is_kw(t, "in"))
            in = true;
        else if (is_kw(t, "and") || is_kw(t, "or"))
            return 0;
        else if (t->kind == MS_PY_STRING || t->kind == MS_PY_NAME) {
            const char *v = t->value;
            if (t->kind == MS_PY_NAME) { /* a constant: MYSQL_ENGINE = "mysql" */
                struct ax probe = {.kind = AX_NAME, .s = t->value, .len = t->value_len};
                const struct ax *c = alx_resolve(cx, &probe);
                if (!c || c == &probe || c->kind != AX_STR || !(v = alx_str((struct alx *)cx, c)))
                    continue;
            }
            if (strcmp(v, "postgresql") == 0 || strcmp(v, "postgres") == 0)
                pg = true;
            else if (strcmp(v, "sqlite") == 0 || strcmp(v, "mysql") == 0 ||
                     strcmp(v, "mssql") == 0 || strcmp(v, "oracle") == 0 ||
                     strcmp(v, "mariadb") == 0)
                other = true;
            else
                return 0;
        }
    }
    if (!dialect || (!eq && !in && !neg))
        return 0;
    if (pg)
        return neg ? -1 : 1;
    if (other)
        return neg ? 1 : -1;
    return 0;
}

/* if/elif/else chain starting at the `if` at i. */
static size_t walk_if(struct alx *cx, size_t i)
{
    bool taken = false; /* a branch only PostgreSQL takes was walked: skip the rest */
    for (;;) {
        const struct ms_py_token *t = tok(cx, i);
        bool is_else = is_kw(t, "else");
        size_t colon = header_colon(cx, i);
        if (!colon)
            return line_end(cx, i);
        int d = is_else ? 0 : dialect_condition(cx, i + 1, colon);
        bool walk = !taken && d >= 0;
        if (!walk && !taken)
            alx_note(cx, t->offset, "branch skipped: it does not run on PostgreSQL");
        size_t next = body_after(cx, colon, walk);
        if (d > 0)
            taken = true;
        if (is_else)
            return next;
        size_t j = skip_comments(cx, next);
        if (is_kw(tok(cx, j), "elif") || is_kw(tok(cx, j), "else"))
            i = j;
        else
            return next;
    }
}

/* Binds a for loop's target (a name or a tuple of names) to an item; NULL binds unknown. */
static bool bind_target(struct alx *cx, size_t first, size_t in_kw, const struct ax *item)
{
    size_t n = 0;
    for (size_t k = first; k < in_kw; k++)
        n += tok(cx, k)->kind == MS_PY_NAME;
    if (item && n > 1) {
        item = alx_resolve(cx, item);
        if (!item || (item->kind != AX_TUPLE && item->kind != AX_LIST) || item->n_args != n)
            item = NULL;
    }
    size_t idx = 0;
    for (size_t k = first; k < in_kw; k++) {
        const struct ms_py_token *t = tok(cx, k);
        if (t->kind != MS_PY_NAME)
            continue;
        const struct ax *v = !item ? NULL : n > 1 ? item->args[idx] : item;
        alx_bind(cx, &cx->local_env, t->value, v);
        idx++;
    }
    return item != NULL;
}

/* for TARGET in ITER: unrolled when ITER is a list or tuple literal (or a name bound to one),
 * else walked once with TARGET unknown. */
static size_t walk_for(struct alx *cx, size_t i)
{
    size_t colon = header_colon(cx, i);
    if (!colon)
        return line_end(cx, i);
    size_t in_kw = i + 1;
    while (in_kw < colon && !is_kw(tok(cx, in_kw), "in"))
        in_kw++;
    const struct ax *iter = NULL;
    if (in_kw < colon) {
        size_t j = in_kw + 1;
        iter = alx_resolve(cx, alx_parse_expr(cx, &j));
        if (j != colon)
            iter = NULL;
    }
    if (iter && (iter->kind == AX_LIST || iter->kind == AX_TUPLE) && iter->n_args <= 1000) {
        size_t next = colon + 1;
        for (size_t k = 0; k < iter->n_args && cx->n_emitted < ALX_MAX_STATEMENTS; k++) {
            bind_target(cx, i + 1, in_kw, iter->args[k]);
            next = body_after(cx, colon, true);
        }
        if (iter->n_args == 0)
            next = body_after(cx, colon, false);
        bind_target(cx, i + 1, in_kw, NULL);
        return next;
    }
    alx_note(cx, tok(cx, i)->offset, "loop not unrolled: its items are not a literal list");
    bind_target(cx, i + 1, in_kw, NULL);
    return body_after(cx, colon, true);
}

/* with ITEM [as NAME], ...: batch_alter_table and autocommit_block change how the body runs. */
static size_t walk_with(struct alx *cx, size_t i)
{
    size_t colon = header_colon(cx, i);
    if (!colon)
        return line_end(cx, i);
    size_t j = i + 1;
    bool autocommit = false, batch = false;
    const char *alias = NULL, *table = NULL, *schema = NULL;
    bool unsupported = false;
    size_t batch_at = tok(cx, i)->offset;
    while (j < colon) {
        struct ax *e = alx_parse_expr(cx, &j);
        const char *as = NULL;
        if (is_kw(tok(cx, j), "as") && tok(cx, j + 1)->kind == MS_PY_NAME) {
            as = tok(cx, j + 1)->value;
            j += 2;
        }
        const char *last = e->kind == AX_CALL && (e->fn->kind == AX_ATTR || e->fn->kind == AX_NAME)
                               ? (strrchr(e->fn->s, '.') ? strrchr(e->fn->s, '.') + 1 : e->fn->s)
                               : "";
        if (strcmp(last, "autocommit_block") == 0) { /* op.get_context() or a name bound to it */
            autocommit = true;
        } else if (e->kind == AX_CALL && e->fn->kind == AX_NAME &&
                   strcmp(e->fn->s, "op.batch_alter_table") == 0) {
            batch = true;
            alias = as;
            const struct ax *tn = e->n_args > 0 ? e->args[0] : NULL;
            const struct ax *sc = e->n_args > 1 ? e->args[1] : NULL;
            for (size_t k = 0; k < e->n_kw; k++) {
                if (!e->kw[k])
                    unsupported = true;
                else if (strcmp(e->kw[k], "table_name") == 0)
                    tn = e->kwv[k];
                else if (strcmp(e->kw[k], "schema") == 0)
                    sc = e->kwv[k];
                else if (strcmp(e->kw[k], "recreate") == 0) {
                    const char *r = alx_str(cx, e->kwv[k]);
                    if (!r || strcmp(r, "always") == 0)
                        unsupported = true;
                }
            }
            table = tn ? alx_str(cx, tn) : NULL;
            const struct ax *scv = sc ? alx_resolve(cx, sc) : NULL;
            schema = scv && scv->kind != AX_NONE ? alx_str(cx, scv) : NULL;
            if (!table || (scv && scv->kind != AX_NONE && !schema))
                unsupported = true;
            if (unsupported)
                alx_note(cx, e->start,
                         "op.batch_alter_table(...) not resolved: its table or options are "
                         "dynamic, or recreate=\"always\" copies the table");
        } else if (as && is_bind(cx, e) && cx->n_bind_alias < MS_ARRAY_LEN(cx->bind_alias)) {
            cx->bind_alias[cx->n_bind_alias++] = as;
        }
        if (is_op(tok(cx, j), ","))
            j++;
        else if (j < colon)
            break;
    }
    size_t next;
    if (autocommit) {
        bool was = cx->in_autocommit;
        if (!was)
            alx_emit_synthetic(cx, "COMMIT", batch_at, tok_end(tok(cx, colon)));
        cx->in_autocommit = true;
        next = body_after(cx, colon, true);
        cx->in_autocommit = was;
        if (!was)
            alx_emit_synthetic(cx, "BEGIN", batch_at, tok_end(tok(cx, colon)));
    } else if (batch) {
        const char *ot = cx->batch_table, *os = cx->batch_schema, *oa = cx->batch_alias;
        bool ou = cx->batch_unsupported;
        bool outermost = cx->batch_alias == NULL;
        cx->batch_table = table;
        cx->batch_schema = schema;
        cx->batch_alias = alias ? alias : "";
        cx->batch_unsupported = unsupported;
        next = body_after(cx, colon, true);
        cx->batch_table = ot;
        cx->batch_schema = os;
        cx->batch_alias = oa;
        cx->batch_unsupported = ou;
        if (outermost)
            alx_flush_batch(cx);
    } else {
        next = body_after(cx, colon, true);
    }
    return next;
}

/* One simple statement (up to ';' or the end of the line); returns the index after it. */
static size_t walk_simple(struct alx *cx, size_t i, bool *stop)
{
    const struct ms_py_token *t = tok(cx, i);
    static const char *const inert[] = {"pass",   "raise",  "assert", "del",
                                        "global", "import", "from",   "nonlocal"};
    for (size_t k = 0; k < MS_ARRAY_LEN(inert); k++) {
        if (is_kw(t, inert[k]))
            goto skip;
    }
    if (is_kw(t, "return") || is_kw(t, "break") || is_kw(t, "continue")) {
        *stop = true; /* the rest of the block does not run */
        goto skip;
    }
    struct ax *e = alx_parse_expr(cx, &i);
    /* annotated assignment: NAME: T = value */
    if (is_op(tok(cx, i), ":") && e->kind == AX_NAME) {
        i++;
        alx_parse_expr(cx, &i);
        if (!is_op(tok(cx, i), "=")) {
            alx_bind(cx, &cx->local_env, e->s, NULL);
            goto skip;
        }
    }
    if (is_op(tok(cx, i), "=")) {
        struct plist targets = {0};
        plist_push(cx, &targets, e);
        struct ax *value = NULL;
        while (is_op(tok(cx, i), "=")) {
            i++;
            value = alx_parse_expr(cx, &i);
            if (is_op(tok(cx, i), "="))
                plist_push(cx, &targets, value);
        }
        handle_call(cx, value, false);
        for (size_t k = 0; k < targets.n; k++) {
            const struct ax *tg = targets.items[k];
            if (tg->kind == AX_NAME && !strchr(tg->s, '.')) {
                if (is_bind(cx, value) && cx->n_bind_alias < MS_ARRAY_LEN(cx->bind_alias))
                    cx->bind_alias[cx->n_bind_alias++] = tg->s;
                alx_bind(cx, &cx->local_env, tg->s, value);
            } else if (tg->kind == AX_TUPLE || tg->kind == AX_LIST) {
                for (size_t m = 0; m < tg->n_args; m++)
                    if (tg->args[m]->kind == AX_NAME)
                        alx_bind(cx, &cx->local_env, tg->args[m]->s, NULL);
            }
        }
    } else if (tok(cx, i)->kind == MS_PY_OP && strchr(tok(cx, i)->value, '=') &&
               e->kind == AX_NAME) {
        alx_bind(cx, &cx->local_env, e->s, NULL); /* augmented assignment */
    } else {
        handle_call(cx, e, true);
    }
skip:
    /* to the ';' or the end of the line */
    for (;;) {
        t = tok(cx, i);
        if (at_end(t))
            return i;
        if (is_op(t, ";"))
            return i + 1;
        i++;
        if (t->kind == MS_PY_OP && strchr("([{", t->value[0]) && !t->value[1]) {
            int depth = 1;
            while (depth > 0 && !at_end(tok(cx, i))) {
                const struct ms_py_token *u = tok(cx, i++);
                if (u->kind == MS_PY_OP && !u->value[1] && strchr("([{", u->value[0]))
                    depth++;
                else if (u->kind == MS_PY_OP && !u->value[1] && strchr(")]}", u->value[0]))
                    depth--;
            }
        }
    }
}

static size_t walk_stmt(struct alx *cx, size_t i, bool *stop)
{
    i = skip_comments(cx, i);
    const struct ms_py_token *t = tok(cx, i);
    if (is_op(t, "@"))
        return line_end(cx, i);
    if (is_kw(t, "def") || is_kw(t, "class") || is_kw(t, "async")) {
        size_t colon = header_colon(cx, i);
        return colon ? body_after(cx, colon, false) : line_end(cx, i);
    }
    if (is_kw(t, "if"))
        return walk_if(cx, i);
    if (is_kw(t, "for"))
        return walk_for(cx, i);
    if (is_kw(t, "with"))
        return walk_with(cx, i);
    if (is_kw(t, "while") || is_kw(t, "try") || is_kw(t, "finally") || is_kw(t, "else") ||
        is_kw(t, "elif")) {
        size_t colon = header_colon(cx, i);
        return colon ? body_after(cx, colon, true) : line_end(cx, i);
    }
    if (is_kw(t, "except")) {
        size_t colon = header_colon(cx, i);
        alx_note(cx, t->offset, "except branch skipped: it runs only when the code above fails");
        return colon ? body_after(cx, colon, false) : line_end(cx, i);
    }
    if (is_kw(t, "match")) { /* soft keyword: a match statement when a ':' ends the line */
        size_t colon = header_colon(cx, i);
        if (colon && tok(cx, skip_comments(cx, colon + 1))->kind == MS_PY_NEWLINE) {
            alx_note(cx, t->offset, "match statement skipped");
            return body_after(cx, colon, false);
        }
    }
    size_t j = walk_simple(cx, i, stop);
    while (!at_end(tok(cx, j)) && !*stop) {
        size_t k = walk_simple(cx, j, stop);
        j = k > j ? k : j + 1;
    }
    return line_end(cx, j);
}

/* Statements until the DEDENT closing the block; returns the index after it. */
static size_t walk_block(struct alx *cx, size_t i)
{
    bool stop = false;
    for (;;) {
        i = skip_comments(cx, i);
        const struct ms_py_token *t = tok(cx, i);
        if (t->kind == MS_PY_DEDENT)
            return i + 1;
        if (t->kind == MS_PY_ENDMARKER)
            return i;
        if (t->kind == MS_PY_NEWLINE || t->kind == MS_PY_INDENT) {
            i++;
            continue;
        }
        if (stop || cx->n_emitted >= ALX_MAX_STATEMENTS) {
            /* dead code after return: skip the statement without walking it */
            size_t colon = header_colon(cx, i);
            bool compound = colon && tok(cx, skip_comments(cx, colon + 1))->kind == MS_PY_NEWLINE;
            i = compound ? body_after(cx, colon, false) : line_end(cx, i);
            continue;
        }
        size_t next = walk_stmt(cx, i, &stop);
        i = next > i ? next : i + 1;
    }
}

void alx_walk_function(struct alx *cx, size_t body)
{
    cx->local_env.n = 0;
    cx->n_bind_alias = 0;
    cx->in_autocommit = false;
    cx->batch_table = cx->batch_schema = cx->batch_alias = NULL;
    body_after(cx, body - 1, true);
}
