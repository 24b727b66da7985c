/* json.c: --format json, migsafe's own stable schema (docs/output.md is the contract):
 *
 *   {"version": 1, "tool": {"name", "version"},
 *    "files": [{"path", "diagnostics": [{"rule", "severity", "category", "message", "help",
 *               "line", "column", "end_line", "end_column", "offset", "end_offset"}]}],
 *    "summary": {"files", "errors", "warnings", "info"}}
 *
 * Every linted file gets an entry, with or without findings. The document is streamed: the
 * envelope opens in begin, each file's object is built with jansson and written as it arrives,
 * and end closes it with the summary, so memory never grows with the number of files. */
#include "report.h"

#include <jansson.h>

/* Bumped only on an incompatible change; new fields may appear without a bump. */
#define JSON_SCHEMA_VERSION 1

struct json_state {
    bool any_file;
};

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0], cp, min;
    size_t len;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, min = 0x10000;
    else
        return 0;
    if (len > n)
        return 0;
    cp = c & (0xFFu >> (len + 1));
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    return cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ? 0 : len;
}

/* A JSON string of s (NULL: ""). Paths are bytes and need not be UTF-8: a byte that does not
 * start a valid sequence becomes U+FFFD, so the document stays valid (jansson refuses invalid
 * UTF-8 rather than guess). */
static json_t *jstr(const char *s)
{
    json_t *v = json_string(s ? s : "");
    if (v)
        return v;
    size_t n = strlen(s), k = 0;
    char *buf = ms_xmalloc(3 * n + 1);
    for (size_t i = 0; i < n;) {
        size_t len = utf8_len((const unsigned char *)s + i, n - i);
        if (len) {
            memcpy(buf + k, s + i, len);
            k += len, i += len;
        } else {
            memcpy(buf + k, "\xEF\xBF\xBD", 3);
            k += 3, i++;
        }
    }
    v = json_stringn(buf, k);
    free(buf);
    if (!v)
        ms_die("json: cannot encode a string");
    return v;
}

/* Writes v pretty-printed, every line after the first indented by `indent` spaces, so values
 * dumped one at a time read as one document indented by two. A string never holds a raw
 * newline in JSON, so each '\n' of the dump is a line break of the layout. */
static void dump(FILE *out, json_t *v, int indent)
{
    char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    if (!s)
        ms_die("json: cannot serialise a value");
    for (const char *p = s; *p; p++) {
        fputc(*p, out);
        if (*p == '\n')
            fprintf(out, "%*s", indent, "");
    }
    free(s);
    json_decref(v);
}

static json_t *diag_object(const struct ms_source *src, const struct ms_diag *d)
{
    struct ms_pos start, end;
    ms_report_region(src, d, &start, &end);
    size_t end_offset = d->end > d->offset ? d->end : d->offset;
    json_t *o = json_object();
    json_object_set_new(o, "rule", jstr(d->rule->id));
    json_object_set_new(o, "severity", jstr(ms_severity_name(d->severity)));
    json_object_set_new(o, "category", jstr(d->rule->category));
    json_object_set_new(o, "message", jstr(d->message));
    json_object_set_new(o, "help", jstr(d->help));
    json_object_set_new(o, "line", json_integer(start.line));
    json_object_set_new(o, "column", json_integer(start.col));
    json_object_set_new(o, "end_line", json_integer(end.line));
    json_object_set_new(o, "end_column", json_integer(end.col));
    json_object_set_new(o, "offset", json_integer((json_int_t)d->offset));
    json_object_set_new(o, "end_offset", json_integer((json_int_t)end_offset));
    return o;
}

static void json_begin(struct ms_report *r)
{
    r->state = ms_xcalloc(1, sizeof(struct json_state));
    json_t *tool = json_object();
    json_object_set_new(tool, "name", jstr("migsafe"));
    json_object_set_new(tool, "version", jstr(MS_VERSION));
    fprintf(r->out, "{\n  \"version\": %d,\n  \"tool\": ", JSON_SCHEMA_VERSION);
    dump(r->out, tool, 2);
    fputs(",\n  \"files\": [", r->out);
}

static void json_file(struct ms_report *r, const struct ms_source *src, const struct ms_diag *diags,
                      size_t n)
{
    struct json_state *st = r->state;
    json_t *file = json_object();
    json_object_set_new(file, "path", jstr(src->path));
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, diag_object(src, &diags[i]));
    json_object_set_new(file, "diagnostics", list);
    fputs(st->any_file ? ",\n    " : "\n    ", r->out);
    dump(r->out, file, 4);
    st->any_file = true;
}

static void json_end(struct ms_report *r)
{
    struct json_state *st = r->state;
    fputs(st->any_file ? "\n  ],\n  \"summary\": " : "],\n  \"summary\": ", r->out);
    json_t *sum = json_object();
    json_object_set_new(sum, "files", json_integer((json_int_t)r->n_files));
    json_object_set_new(sum, "errors", json_integer((json_int_t)r->n_by_severity[MS_ERROR]));
    json_object_set_new(sum, "warnings", json_integer((json_int_t)r->n_by_severity[MS_WARNING]));
    json_object_set_new(sum, "info", json_integer((json_int_t)r->n_by_severity[MS_INFO]));
    dump(r->out, sum, 2);
    fputs("\n}\n", r->out);
    free(st);
    r->state = NULL;
}

const struct ms_reporter ms_reporter_json = {
    .name = "json",
    .begin = json_begin,
    .file = json_file,
    .end = json_end,
};
