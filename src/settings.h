/* settings.h: what applies to one file: its .migsafe.yml (or --config) merged with the command
 * line, and the engine configured from both. The command line wins. Files that share a
 * configuration share one settings object. */
#ifndef MS_SETTINGS_H
#define MS_SETTINGS_H

#include "config.h"
#include "engine.h"

struct ms_rule_switch {
    const char *id;
    bool enabled;
};

/* What the command line says; zero means "not given". */
struct ms_overrides {
    const char *config_path; /* --config: for every file, instead of searching */
    int pg_version;
    bool fail_on_set;
    enum ms_severity fail_on;
    bool lock_timeout_by_runner; /* --lock-timeout-set-by-runner */
    const char *new_since;       /* --new-since */
    size_t n_switches;           /* --enable/--disable, in order */
    const struct ms_rule_switch *switches;
};

struct ms_settings {
    struct ms_config config;
    struct ms_engine engine;  /* prepared */
    enum ms_severity fail_on; /* 0: never */
    const char *new_since;    /* --new-since, else new_since:, else NULL */
};

struct ms_settings_cache;

struct ms_settings_cache *ms_settings_cache_new(const struct ms_overrides *o);
/* The settings for a file (path as given; "-" uses the current folder). NULL when its
 * configuration has an error (already reported on stderr). */
const struct ms_settings *ms_settings_for(struct ms_settings_cache *c, const char *path);
/* Did any configuration fail to load? */
bool ms_settings_failed(const struct ms_settings_cache *c);
void ms_settings_cache_free(struct ms_settings_cache *c);

#endif
