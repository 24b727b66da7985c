/* config.c: .migsafe.yml (see config.h). */
#include "config.h"
#include "engine.h"

#include <limits.h>
#include <sys/stat.h>
#include <yaml.h>

#include "tools.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

struct reader {
    const char *path;
    struct ms_arena *arena;
    yaml_document_t doc;
    int errors;
};

static void error_at(struct reader *r, const yaml_node_t *n, const char *fmt, ...) MS_PRINTF(3, 4);
static void error_at(struct reader *r, const yaml_node_t *n, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%zu:%zu: error: ", r->path, n->start_mark.line + 1,
            n->start_mark.column + 1);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    r->errors++;
}

static const char *scalar(struct reader *r, const yaml_node_t *n, const char *key)
{
    if (n->type != YAML_SCALAR_NODE) {
        error_at(r, n, "\"%s\" takes a single value", key);
        return NULL;
    }
    return ms_arena_strndup(r->arena, (const char *)n->data.scalar.value, n->data.scalar.length);
}

static enum ms_tristate boolean(struct reader *r, const yaml_node_t *n, const char *key)
{
    const char *v = scalar(r, n, key);
    if (!v)
        return MS_UNSET;
    if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on"))
        return MS_YES;
    if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off"))
        return MS_NO;
    error_at(r, n, "\"%s\" takes true or false, not \"%s\"", key, v);
    return MS_UNSET;
}

static void read_rules(struct reader *r, const yaml_node_t *n, struct ms_config *cfg)
{
    if (n->type != YAML_MAPPING_NODE) {
        error_at(r, n, "\"rules\" takes a mapping of rule ids to off, info, warning or error");
        return;
    }
    size_t count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    cfg->rules = ms_arena_alloc(r->arena, (count ? count : 1) * sizeof(*cfg->rules));
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(&r->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(&r->doc, p->value);
        const char *id = scalar(r, k, "rules");
        const char *level = scalar(r, v, id ? id : "rules");
        if (!id || !level)
            continue;
        if (ms_rule_find(id) < 0) {
            error_at(r, k, "unknown rule \"%s\" (run 'migsafe rules' for the list)", id);
            continue;
        }
        int l;
        if (!strcmp(level, "off") || !strcmp(level, "false"))
            l = 0;
        else if (!strcmp(level, "on") || !strcmp(level, "true"))
            l = -1;
        else if (!(l = (int)ms_severity_parse(level))) {
            error_at(r, v, "rule \"%s\" takes off, on, info, warning or error, not \"%s\"", id,
                     level);
            continue;
        }
        cfg->rules[cfg->n_rules++] = (struct ms_rule_level){id, l};
    }
}

static void read_exclude(struct reader *r, const yaml_node_t *n, struct ms_config *cfg)
{
    if (n->type == YAML_SCALAR_NODE) {
        cfg->exclude = ms_arena_alloc(r->arena, sizeof(char *));
        cfg->exclude[cfg->n_exclude++] = scalar(r, n, "exclude");
        return;
    }
    if (n->type != YAML_SEQUENCE_NODE) {
        error_at(r, n, "\"exclude\" takes a list of glob patterns");
        return;
    }
    size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    cfg->exclude = ms_arena_alloc(r->arena, (count ? count : 1) * sizeof(char *));
    for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
        const char *g = scalar(r, yaml_document_get_node(&r->doc, *i), "exclude");
        if (g)
            cfg->exclude[cfg->n_exclude++] = g;
    }
}

static void read_key(struct reader *r, const char *key, const yaml_node_t *k, const yaml_node_t *v,
                     struct ms_config *cfg)
{
    if (!strcmp(key, "pg_version")) {
        const char *s = scalar(r, v, key);
        char *end;
        long n = s ? strtol(s, &end, 10) : 0;
        if (s && (*end || n < 9 || n > 99))
            error_at(r, v, "\"pg_version\" takes a PostgreSQL major version such as 15, not \"%s\"",
                     s);
        else if (s)
            cfg->pg_version = (int)n;
    } else if (!strcmp(key, "fail_on")) {
        const char *s = scalar(r, v, key);
        if (!s)
            return;
        cfg->fail_on_set = true;
        if (strcmp(s, "never") != 0 && !(cfg->fail_on = ms_severity_parse(s)))
            error_at(r, v, "\"fail_on\" takes error, warning, info or never, not \"%s\"", s);
    } else if (!strcmp(key, "rules")) {
        read_rules(r, v, cfg);
    } else if (!strcmp(key, "exclude")) {
        read_exclude(r, v, cfg);
    } else if (!strcmp(key, "lint_downgrade")) {
        cfg->lint_downgrade = boolean(r, v, key);
    } else if (!strcmp(key, "assume_in_transaction")) {
        cfg->assume_in_transaction = boolean(r, v, key);
    } else if (!strcmp(key, "lock_timeout_set_by_runner")) {
        cfg->lock_timeout_set_by_runner = boolean(r, v, key);
    } else if (!strcmp(key, "lock_timeout_limit")) {
        const char *s = scalar(r, v, key);
        double ms;
        if (s && (!ms_duration_ms(s, &ms) || ms < 1 || ms > INT_MAX))
            error_at(r, v,
                     "\"lock_timeout_limit\" takes a duration above 0 such as 5s or 2000ms, or "
                     "a number of milliseconds, not \"%s\"",
                     s);
        else if (s)
            cfg->lock_timeout_limit_ms = (int)ms;
    } else if (!strcmp(key, "framework")) {
        const char *s = scalar(r, v, key);
        enum ms_tool_kind kind;
        if (s && ms_tools_kind_parse(s, &kind) != 0)
            error_at(r, v,
                     "unknown framework \"%s\" (plain, alembic, golang-migrate, pop, goose, "
                     "dbmate, flyway, sqlx, diesel, sqitch, prisma, sourcegraph, "
                     "postgres-migrations)",
                     s);
        else
            cfg->framework = s;
    } else if (!strcmp(key, "new_since")) {
        cfg->new_since = scalar(r, v, key);
    } else {
        error_at(
            r, k,
            "unknown key \"%s\" (pg_version, fail_on, rules, exclude, lint_downgrade, "
            "assume_in_transaction, lock_timeout_set_by_runner, lock_timeout_limit, framework, "
            "new_since)",
            key);
    }
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return ms_xstrdup(".");
    if (slash == path)
        return ms_xstrdup("/");
    return ms_xstrndup(path, (size_t)(slash - path));
}

int ms_config_load(const char *path, struct ms_arena *arena, struct ms_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->path = ms_arena_strdup(arena, path);
    char *dir = dir_of(path);
    cfg->dir = ms_arena_strdup(arena, dir);
    free(dir);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return ms_error("%s: cannot read the configuration: %s", path, strerror(errno));
    yaml_parser_t parser;
    struct reader r = {.path = path, .arena = arena};
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, fp);
    int rc = 0;
    if (!yaml_parser_load(&parser, &r.doc)) {
        fprintf(stderr, "%s:%zu:%zu: error: %s\n", path, parser.problem_mark.line + 1,
                parser.problem_mark.column + 1, parser.problem ? parser.problem : "invalid YAML");
        rc = -1;
    } else {
        yaml_node_t *root = yaml_document_get_root_node(&r.doc);
        if (root && root->type == YAML_MAPPING_NODE) {
            for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
                 p < root->data.mapping.pairs.top; p++) {
                yaml_node_t *k = yaml_document_get_node(&r.doc, p->key);
                yaml_node_t *v = yaml_document_get_node(&r.doc, p->value);
                const char *key = scalar(&r, k, "key");
                if (key)
                    read_key(&r, key, k, v, cfg);
            }
        } else if (root && !(root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0)) {
            error_at(&r, root, "the configuration must be a mapping of keys to values");
        }
        yaml_document_delete(&r.doc);
        if (r.errors)
            rc = -1;
    }
    yaml_parser_delete(&parser);
    fclose(fp);
    return rc;
}

char *ms_config_find(const char *dir)
{
    char buf[PATH_MAX];
    if (!realpath(dir, buf))
        return NULL;
    for (;;) {
        size_t n = strlen(buf);
        char probe[PATH_MAX + 32];
        snprintf(probe, sizeof(probe), "%s/%s", n == 1 ? "" : buf, MS_CONFIG_NAME);
        struct stat st;
        if (stat(probe, &st) == 0 && S_ISREG(st.st_mode))
            return ms_xstrdup(probe);
        snprintf(probe, sizeof(probe), "%s/.git", n == 1 ? "" : buf);
        if (stat(probe, &st) == 0 || n == 1)
            return NULL; /* the repository root (or /) ends the search */
        char *slash = strrchr(buf, '/');
        if (slash == buf)
            buf[1] = '\0';
        else
            *slash = '\0';
    }
}

/* The glob as an anchored PCRE2 pattern. */
static char *glob_to_regex(const char *glob)
{
    size_t n = strlen(glob), k = 0;
    char *re = ms_xmalloc(8 * n + 16);
    if (!strchr(glob, '/')) {
        memcpy(re, "(?:^|.*/)", 9);
        k = 9;
    } else {
        re[k++] = '^';
    }
    for (size_t i = 0; i < n; i++) {
        char c = glob[i];
        if (c == '*' && glob[i + 1] == '*') {
            bool dir = glob[i + 2] == '/';
            memcpy(re + k, dir ? "(?:.*/)?" : ".*", dir ? 8 : 2);
            k += dir ? 8 : 2;
            i += dir ? 2 : 1;
        } else if (c == '*') {
            memcpy(re + k, "[^/]*", 5);
            k += 5;
        } else if (c == '?') {
            memcpy(re + k, "[^/]", 4);
            k += 4;
        } else {
            if (strchr("\\^$.|+()[]{}", c))
                re[k++] = '\\';
            re[k++] = c;
        }
    }
    re[k++] = '$';
    re[k] = '\0';
    return re;
}

bool ms_config_excludes(const struct ms_config *cfg, const char *path)
{
    if (cfg->n_exclude == 0 || strcmp(path, "-") == 0)
        return false;
    /* the path relative to the config's folder, when it is below it */
    char base[PATH_MAX], full[PATH_MAX];
    char *dir = dir_of(path);
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    bool ok = realpath(cfg->dir, base) && realpath(dir, full);
    free(dir);
    if (!ok)
        return false;
    size_t bl = strlen(base);
    const char *rel_dir = NULL;
    if (strncmp(full, base, bl) == 0 && (full[bl] == '/' || full[bl] == '\0'))
        rel_dir = full[bl] == '/' ? full + bl + 1 : "";
    if (!rel_dir)
        return false;
    char rel[PATH_MAX * 2];
    snprintf(rel, sizeof(rel), "%s%s%s", rel_dir, *rel_dir ? "/" : "", name);
    bool hit = false;
    for (size_t i = 0; i < cfg->n_exclude && !hit; i++) {
        char *re = glob_to_regex(cfg->exclude[i]);
        int code;
        PCRE2_SIZE at;
        pcre2_code *c = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, 0, &code, &at, NULL);
        free(re);
        if (!c)
            continue;
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(c, NULL);
        hit = pcre2_match(c, (PCRE2_SPTR)rel, strlen(rel), 0, 0, md, NULL) >= 0;
        pcre2_match_data_free(md);
        pcre2_code_free(c);
    }
    return hit;
}
