/* config.h: .migsafe.yml, read with libyaml.
 *
 *   pg_version: 15
 *   fail_on: warning               # error | warning | info | never
 *   rules:                         # id -> off | info | warning | error | on
 *     require-concurrent-index: error
 *     drop-column: off
 *   exclude: [old_schema.sql]      # globs, relative to the folder of this file
 *   lint_downgrade: true           # lint Alembic downgrade() too
 *   assume_in_transaction: false   # plain SQL files run inside a transaction
 *   lock_timeout_set_by_runner: false
 *   lock_timeout_limit: 5s         # longest lock_timeout accepted: "5s", "2000ms" or 2000 (ms)
 *   framework: alembic             # override tool detection for this folder
 *   new_since: "20240101000000"    # migrations after this version are not deployed yet
 *
 * A file is configured by the nearest .migsafe.yml in its folder or above, up to the
 * repository root (a folder holding .git), or by --config FILE for every file. Unknown keys,
 * unknown rule ids and values of the wrong type are errors with file:line:col. */
#ifndef MS_CONFIG_H
#define MS_CONFIG_H

#include "arena.h"
#include "diag.h"

#define MS_CONFIG_NAME ".migsafe.yml"

enum ms_tristate { MS_UNSET = 0, MS_NO, MS_YES };

struct ms_rule_level {
    const char *id;
    int level; /* 0: off; -1: on at its default; else an ms_severity */
};

struct ms_config {
    const char *path; /* the file read; NULL for no file (defaults) */
    const char *dir;  /* its folder, which exclude globs are relative to */
    int pg_version;   /* 0: unset */
    bool fail_on_set;
    enum ms_severity fail_on; /* 0 with fail_on_set: never */
    size_t n_rules;
    struct ms_rule_level *rules;
    size_t n_exclude;
    const char **exclude;
    enum ms_tristate lint_downgrade, assume_in_transaction, lock_timeout_set_by_runner;
    int lock_timeout_limit_ms; /* 0: unset */
    const char *framework;     /* NULL: detect */
    const char *new_since;     /* NULL: every migration counts as deployed */
};

/* Reads path into cfg (strings from arena). On an error prints "path:line:col: message" on
 * stderr and returns -1. */
int ms_config_load(const char *path, struct ms_arena *arena, struct ms_config *cfg);
/* The nearest .migsafe.yml for a file in folder `dir` (malloc'ed), or NULL. */
char *ms_config_find(const char *dir);
/* Does `path` (as given) match one of cfg's exclude globs? '*' matches within a path
 * segment, '**' across segments, '?' one character; a glob matches the path relative to the
 * config's folder, or any trailing part of it when the glob has no '/'. */
bool ms_config_excludes(const struct ms_config *cfg, const char *path);

#endif
