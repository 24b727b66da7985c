/* report.h: the output formats. A reporter is told about each linted file in path order, with
 * that file's sorted findings, and once at the end; it never sees parse trees or rules' state.
 * Formats that need the whole run at once (SARIF, JSON) still stream: each file's results are
 * written as soon as they arrive, so memory does not grow with the number of files. */
#ifndef MS_REPORT_H
#define MS_REPORT_H

#include "../diag.h"
#include "../engine.h"
#include "../source.h"

struct ms_report;

struct ms_reporter {
    const char *name;
    void (*begin)(struct ms_report *r);
    void (*file)(struct ms_report *r, const struct ms_source *src, const struct ms_diag *diags,
                 size_t n);
    void (*end)(struct ms_report *r);
};

struct ms_report {
    const struct ms_reporter *fmt;
    FILE *out;
    bool color; /* ANSI colour (text format only) */
    const struct ms_engine *engine;
    size_t n_files;          /* files reported so far */
    size_t n_by_severity[4]; /* findings so far, by ms_severity */
    void *state;             /* the reporter's own, set in begin, freed in end */
};

/* The formats: X(name) defines `const struct ms_reporter ms_reporter_<name>`. */
#define MS_REPORT_FORMATS(X) X(text) X(json) X(sarif) X(gcc) X(github)

#define MS_DECLARE_REPORTER(name) extern const struct ms_reporter ms_reporter_##name;
MS_REPORT_FORMATS(MS_DECLARE_REPORTER)
#undef MS_DECLARE_REPORTER

/* The reporter named `name`, or NULL. */
const struct ms_reporter *ms_report_find(const char *name);
/* "text, json, sarif, gcc, github", for messages. */
const char *ms_report_names(void);

/* Shared by the formats: the 1-based line and column (code points) of a diagnostic's start
 * and of its end. */
void ms_report_region(const struct ms_source *src, const struct ms_diag *d, struct ms_pos *start,
                      struct ms_pos *end);

/* Writes s on one line: control characters (a quoted identifier may hold a line end) are
 * written as C escapes (\n, \t, \xHH). For the line-based formats. */
void ms_report_put_line(FILE *out, const char *s);

#endif
