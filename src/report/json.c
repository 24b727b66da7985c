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
#include "json_util.h"

/* Bumped only on an incompatible change; new fields may appear without a bump. */
#define JSON_SCHEMA_VERSION 1

struct json_state {
    bool any_file;
};

static json_t *diag_object(const struct ms_source *src, const struct ms_diag *d)
{
    struct ms_pos start, end;
    ms_report_region(src, d, &start, &end);
    size_t end_offset = d->end > d->offset ? d->end : d->offset;
    json_t *o = json_object();
    json_object_set_new(o, "rule", ms_json_string(d->rule->id));
    json_object_set_new(o, "severity", ms_json_string(ms_severity_name(d->severity)));
    json_object_set_new(o, "category", ms_json_string(d->rule->category));
    json_object_set_new(o, "message", ms_json_string(d->message));
    json_object_set_new(o, "help", ms_json_string(d->help));
    if (d->migration)
        json_object_set_new(o, "migration", ms_json_string(d->migration));
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
    json_object_set_new(tool, "name", ms_json_string("migsafe"));
    json_object_set_new(tool, "version", ms_json_string(MS_VERSION));
    fprintf(r->out, "{\n  \"version\": %d,\n  \"tool\": ", JSON_SCHEMA_VERSION);
    ms_json_dump(r->out, tool, 2);
    fputs(",\n  \"files\": [", r->out);
}

static void json_file(struct ms_report *r, const struct ms_source *src, const struct ms_diag *diags,
                      size_t n)
{
    struct json_state *st = r->state;
    json_t *file = json_object();
    json_object_set_new(file, "path", ms_json_string(src->path));
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, diag_object(src, &diags[i]));
    json_object_set_new(file, "diagnostics", list);
    fputs(st->any_file ? ",\n    " : "\n    ", r->out);
    ms_json_dump(r->out, file, 4);
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
    ms_json_dump(r->out, sum, 2);
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
