/* run.h: one `migsafe check`: discover, load, parse (in parallel), lint, report. */
#ifndef MS_RUN_H
#define MS_RUN_H

#include "engine.h"
#include "report/report.h"

struct ms_run_options {
    size_t n_paths;
    char **paths;               /* files, folders, "-" */
    const char *stdin_filename; /* name reported for "-" (default "<stdin>") */
    const struct ms_reporter *format;
    enum ms_severity fail_on; /* 0: never fail on findings */
    int jobs;                 /* threads, the caller included */
    bool color;
    bool verbose;
};

/* Runs the check and returns the exit code: 0 nothing at or above fail_on, 1 findings at or
 * above it, 2 a file could not be read or is not text (reported on stderr; the other files are
 * still linted and reported). */
int ms_run_check(const struct ms_run_options *opts, const struct ms_engine *engine);

#endif
