/* report.c: the table of formats and what they share. */
#include "report.h"

static const struct ms_reporter *const formats[] = {
#define MS_REPORTER_ENTRY(name) &ms_reporter_##name,
    MS_REPORT_FORMATS(MS_REPORTER_ENTRY)
#undef MS_REPORTER_ENTRY
};

const struct ms_reporter *ms_report_find(const char *name)
{
    for (size_t i = 0; i < MS_ARRAY_LEN(formats); i++)
        if (strcmp(formats[i]->name, name) == 0)
            return formats[i];
    return NULL;
}

const char *ms_report_names(void)
{
#define MS_REPORTER_NAME(name) ", " #name
    return &(MS_REPORT_FORMATS(MS_REPORTER_NAME))[2];
#undef MS_REPORTER_NAME
}

void ms_report_region(const struct ms_source *src, const struct ms_diag *d, struct ms_pos *start,
                      struct ms_pos *end)
{
    *start = ms_source_pos(src, d->offset);
    *end = ms_source_pos(src, d->end > d->offset ? d->end : d->offset);
}

void ms_report_put_line(FILE *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\n')
            fputs("\\n", out);
        else if (c == '\t')
            fputs("\\t", out);
        else if (c < 0x20 || c == 0x7f)
            fprintf(out, "\\x%02x", c);
        else
            fputc(c, out);
    }
}
