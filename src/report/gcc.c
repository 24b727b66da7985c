/* gcc.c: one line per finding, in the form compilers use and editors parse:
 *   path:line:col: error: message [rule-id]
 * Severity words are gcc's: error, warning and note (for info). */
#include "report.h"

static void gcc_begin(struct ms_report *r)
{
    (void)r;
}

static void gcc_file(struct ms_report *r, const struct ms_source *src, const struct ms_diag *diags,
                     size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct ms_diag *d = &diags[i];
        struct ms_pos p = ms_source_pos(src, d->offset);
        const char *word = d->severity == MS_INFO ? "note" : ms_severity_name(d->severity);
        fprintf(r->out, "%s:%" PRIu32 ":%" PRIu32 ": %s: ", src->path, p.line, p.col, word);
        ms_report_put_line(r->out, d->message);
        fprintf(r->out, " [%s]\n", d->rule->id);
    }
}

static void gcc_end(struct ms_report *r)
{
    (void)r;
}

const struct ms_reporter ms_reporter_gcc = {
    .name = "gcc",
    .begin = gcc_begin,
    .file = gcc_file,
    .end = gcc_end,
};
