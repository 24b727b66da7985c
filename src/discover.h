/* discover.h: turning the paths on the command line into the list of files to lint.
 *
 * A file named on the command line is linted whatever its name; a folder is walked for *.sql
 * files and *.py files other than env.py (the history keeps those that are Alembic revisions),
 * skipping hidden folders and node_modules. The result is sorted by path (bytewise) so
 * output never depends on the order readdir returns. */
#ifndef MS_DISCOVER_H
#define MS_DISCOVER_H

#include "migsafe.h"

struct ms_file_list {
    size_t n, cap;
    char **paths; /* malloc'ed strings */
};

/* Adds `path` (a file, a folder, or "-" for standard input) to `list`. Returns -1 with a
 * message for a path that does not exist or cannot be read, and for a folder that holds no
 * migration; the list keeps what was added before. */
int ms_discover(const char *path, struct ms_file_list *list);
/* Adds the .sql files of folder `dir` and of its folders down to `max_depth` levels below it
 * (hidden folders and node_modules left out, as ms_discover() does), quietly: for reading the
 * rest of a migration tool's folder as history. */
void ms_discover_sql(const char *dir, int max_depth, struct ms_file_list *l);
/* Sorts and removes duplicates ("-" stays where it was given: first). */
void ms_file_list_finish(struct ms_file_list *list);
void ms_file_list_release(struct ms_file_list *list);

#endif
