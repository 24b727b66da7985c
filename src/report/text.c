/* text.c: the format for people. Each finding is
 *
 *   path:line:col: severity[rule-id]: message
 *      |
 *    3 | ALTER TABLE users DROP COLUMN email;
 *      | ^
 *      = help: the safe alternative
 *
 * and a summary line closes the run. Colour only when asked for (a terminal, no NO_COLOR). */
#include "report.h"

#define BOLD   "\033[1m"
#define RED    "\033[1;31m"
#define YELLOW "\033[1;33m"
#define BLUE   "\033[1;34m"
#define CYAN   "\033[1;36m"
#define RESET  "\033[0m"

static const char *paint(const struct ms_report *r, const char *code)
{
    return r->color ? code : "";
}

static const char *severity_colour(enum ms_severity s)
{
    return s == MS_ERROR ? RED : s == MS_WARNING ? YELLOW : CYAN;
}

static void text_begin(struct ms_report *r)
{
    (void)r;
}

static int digits(uint32_t n)
{
    int d = 1;
    while (n >= 10)
        n /= 10, d++;
    return d;
}

static void text_file(struct ms_report *r, const struct ms_source *src, const struct ms_diag *diags,
                      size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct ms_diag *d = &diags[i];
        struct ms_pos p = ms_source_pos(src, d->offset);
        size_t len;
        const char *line = ms_source_line(src, p.line, &len);
        int w = digits(p.line);
        fprintf(r->out, "%s%s:%" PRIu32 ":%" PRIu32 ":%s %s%s%s[%s]: %s", paint(r, BOLD), src->path,
                p.line, p.col, paint(r, RESET), paint(r, severity_colour(d->severity)),
                ms_severity_name(d->severity), paint(r, RESET), d->rule->id, paint(r, BOLD));
        ms_report_put_line(r->out, d->message);
        fprintf(r->out, "%s\n", paint(r, RESET));
        fprintf(r->out, "%*s %s|%s\n", w, "", paint(r, BLUE), paint(r, RESET));
        fprintf(r->out, "%s%" PRIu32 " |%s %.*s\n", paint(r, BLUE), p.line, paint(r, RESET),
                (int)len, line);
        /* the caret sits under the column; tabs are kept so it lines up in a terminal */
        fprintf(r->out, "%*s %s|%s ", w, "", paint(r, BLUE), paint(r, RESET));
        size_t k = 0;
        for (uint32_t c = 1; c < p.col && k < len; c++) {
            fputc(line[k] == '\t' ? '\t' : ' ', r->out);
            k++;
            while (k < len && ((unsigned char)line[k] & 0xC0) == 0x80)
                k++;
        }
        fprintf(r->out, "%s^%s\n", paint(r, severity_colour(d->severity)), paint(r, RESET));
        if (d->migration)
            fprintf(r->out, "%*s %s=%s %snote:%s in migration \"%s\"\n", w, "", paint(r, BLUE),
                    paint(r, RESET), paint(r, BOLD), paint(r, RESET), d->migration);
        if (d->help && *d->help) {
            fprintf(r->out, "%*s %s=%s %shelp:%s ", w, "", paint(r, BLUE), paint(r, RESET),
                    paint(r, BOLD), paint(r, RESET));
            ms_report_put_line(r->out, d->help);
            fputc('\n', r->out);
        }
        fputc('\n', r->out);
    }
}

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static void text_end(struct ms_report *r)
{
    size_t e = r->n_by_severity[MS_ERROR], w = r->n_by_severity[MS_WARNING],
           i = r->n_by_severity[MS_INFO];
    if (e + w + i == 0) {
        fprintf(r->out, "%sno problems found%s in %zu %s\n", paint(r, BOLD), paint(r, RESET),
                r->n_files, plural(r->n_files, "file", "files"));
        return;
    }
    fprintf(r->out, "%sfound %zu %s%s (%zu %s, %zu %s, %zu info) in %zu %s\n", paint(r, BOLD),
            e + w + i, plural(e + w + i, "problem", "problems"), paint(r, RESET), e,
            plural(e, "error", "errors"), w, plural(w, "warning", "warnings"), i, r->n_files,
            plural(r->n_files, "file", "files"));
}

const struct ms_reporter ms_reporter_text = {
    .name = "text",
    .begin = text_begin,
    .file = text_file,
    .end = text_end,
};
