/* github.c: --format github, GitHub Actions workflow commands that become annotations on the
 * pull request's changed lines, one per finding:
 *
 *   ::error file=PATH,line=L,col=C,endLine=L2,endColumn=C2,title=migsafe RULE-ID::MESSAGE
 *
 * error, warning and info map to ::error, ::warning and ::notice. The help line follows the
 * message on a second line of the annotation. Escaping is the runner's: in the message
 * '%' '\r' '\n' become %25 %0D %0A; in property values ':' and ',' also become %3A %2C. */
#include "report.h"

static void put_escaped(FILE *out, const char *s, bool property)
{
    for (; *s; s++) {
        switch (*s) {
        case '%':
            fputs("%25", out);
            break;
        case '\r':
            fputs("%0D", out);
            break;
        case '\n':
            fputs("%0A", out);
            break;
        case ':':
            fputs(property ? "%3A" : ":", out);
            break;
        case ',':
            fputs(property ? "%2C" : ",", out);
            break;
        default:
            fputc(*s, out);
        }
    }
}

static const char *command(enum ms_severity s)
{
    return s == MS_ERROR ? "error" : s == MS_WARNING ? "warning" : "notice";
}

static void github_begin(struct ms_report *r)
{
    (void)r;
}

static void github_file(struct ms_report *r, const struct ms_source *src,
                        const struct ms_diag *diags, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct ms_diag *d = &diags[i];
        struct ms_pos start, end;
        ms_report_region(src, d, &start, &end);
        fprintf(r->out, "::%s file=", command(d->severity));
        put_escaped(r->out, src->path, true);
        fprintf(r->out,
                ",line=%" PRIu32 ",col=%" PRIu32 ",endLine=%" PRIu32 ",endColumn=%" PRIu32
                ",title=",
                start.line, start.col, end.line, end.col);
        put_escaped(r->out, "migsafe ", true);
        put_escaped(r->out, d->rule->id, true);
        fputs("::", r->out);
        put_escaped(r->out, d->message, false);
        if (d->help && *d->help) {
            put_escaped(r->out, "\nhelp: ", false);
            put_escaped(r->out, d->help, false);
        }
        fputc('\n', r->out);
    }
}

static void github_end(struct ms_report *r)
{
    (void)r;
}

const struct ms_reporter ms_reporter_github = {
    .name = "github",
    .begin = github_begin,
    .file = github_file,
    .end = github_end,
};
