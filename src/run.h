/* run.h: one `migsafe check`: discover, load, parse (in parallel), lint, report. */
#ifndef MS_RUN_H
#define MS_RUN_H

#include "engine.h"
#include "report/report.h"
#include "settings.h"

struct ms_run_options {
    size_t n_paths;
    char **paths;               /* files, folders, "-" */
    const char *stdin_filename; /* name reported for "-" (default "<stdin>") */
    const struct ms_reporter *format;
    struct ms_overrides overrides; /* the command line's say over .migsafe.yml */
    int jobs;                      /* threads, the caller included */
    bool color;
    bool verbose;
};

/* Runs the check and returns the exit code: 0 nothing at or above each file's fail-on level, 1
 * findings at or above it, 2 a file could not be read or is not text, or a configuration is
 * wrong (reported on stderr; the other files are still linted and reported). */
int ms_run_check(const struct ms_run_options *opts);

#endif
