/* settings.c: per-file settings, cached by folder and by configuration file (see settings.h). */
#include "settings.h"

struct entry {
    char *config_path;            /* NULL: no configuration file */
    struct ms_settings *settings; /* NULL when it failed to load */
};

struct dir_entry {
    char *dir;
    size_t index; /* into entries */
};

struct ms_settings_cache {
    struct ms_overrides o;
    struct ms_arena arena;
    size_t n, cap;
    struct entry *entries;
    size_t n_dirs, cap_dirs;
    struct dir_entry *dirs;
    bool failed;
};

struct ms_settings_cache *ms_settings_cache_new(const struct ms_overrides *o)
{
    struct ms_settings_cache *c = ms_xcalloc(1, sizeof(*c));
    c->o = *o;
    ms_arena_init(&c->arena);
    return c;
}

static struct ms_settings *build(struct ms_settings_cache *c, const char *config_path)
{
    struct ms_settings *s = ms_arena_alloc(&c->arena, sizeof(*s));
    if (config_path && ms_config_load(config_path, &c->arena, &s->config) < 0) {
        c->failed = true;
        return NULL;
    }
    ms_engine_init(&s->engine);
    const struct ms_config *cfg = &s->config;
    if (cfg->pg_version)
        s->engine.pg_version = cfg->pg_version;
    if (c->o.pg_version)
        s->engine.pg_version = c->o.pg_version;
    for (size_t i = 0; i < cfg->n_rules; i++) {
        int k = ms_rule_find(cfg->rules[i].id);
        s->engine.enabled[k] = cfg->rules[i].level != 0;
        if (cfg->rules[i].level > 0)
            s->engine.severity[k] = (enum ms_severity)cfg->rules[i].level;
    }
    s->engine.lint_downgrade = cfg->lint_downgrade == MS_YES;
    s->new_since = c->o.new_since ? c->o.new_since : cfg->new_since;
    s->engine.lock_timeout_by_runner =
        cfg->lock_timeout_set_by_runner == MS_YES || c->o.lock_timeout_by_runner;
    if (cfg->lock_timeout_limit_ms)
        s->engine.lock_timeout_limit_ms = cfg->lock_timeout_limit_ms;
    for (size_t i = 0; i < c->o.n_switches; i++)
        ms_engine_set_enabled(&s->engine, c->o.switches[i].id, c->o.switches[i].enabled);
    ms_engine_prepare(&s->engine);
    s->fail_on = MS_ERROR;
    if (cfg->fail_on_set)
        s->fail_on = cfg->fail_on;
    if (c->o.fail_on_set)
        s->fail_on = c->o.fail_on;
    return s;
}

static size_t entry_for(struct ms_settings_cache *c, const char *config_path)
{
    for (size_t i = 0; i < c->n; i++)
        if ((!config_path && !c->entries[i].config_path) ||
            (config_path && c->entries[i].config_path &&
             strcmp(config_path, c->entries[i].config_path) == 0))
            return i;
    MS_GROW(c->entries, c->cap, c->n + 1);
    c->entries[c->n] =
        (struct entry){config_path ? ms_xstrdup(config_path) : NULL, build(c, config_path)};
    return c->n++;
}

const struct ms_settings *ms_settings_for(struct ms_settings_cache *c, const char *path)
{
    if (c->o.config_path) {
        size_t index = entry_for(c, c->o.config_path); /* may move c->entries */
        return c->entries[index].settings;
    }
    const char *slash = strcmp(path, "-") == 0 ? NULL : strrchr(path, '/');
    char *dir =
        slash ? ms_xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : ms_xstrdup(".");
    /* the last folder asked about is the likely next one: files come folder by folder */
    for (size_t i = c->n_dirs; i-- > 0;)
        if (strcmp(c->dirs[i].dir, dir) == 0) {
            free(dir);
            return c->entries[c->dirs[i].index].settings;
        }
    char *config = ms_config_find(dir);
    size_t index = entry_for(c, config);
    free(config);
    MS_GROW(c->dirs, c->cap_dirs, c->n_dirs + 1);
    c->dirs[c->n_dirs++] = (struct dir_entry){dir, index};
    return c->entries[index].settings;
}

bool ms_settings_failed(const struct ms_settings_cache *c)
{
    return c->failed;
}

void ms_settings_cache_free(struct ms_settings_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        if (c->entries[i].settings)
            ms_engine_release(&c->entries[i].settings->engine);
        free(c->entries[i].config_path);
    }
    for (size_t i = 0; i < c->n_dirs; i++)
        free(c->dirs[i].dir);
    free(c->dirs);
    free(c->entries);
    ms_arena_release(&c->arena);
    free(c);
}
