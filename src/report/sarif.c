/* sarif.c: --format sarif, SARIF 2.1.0 for code scanning (GitHub, Azure DevOps, IDE viewers).
 *
 * One run. tool.driver.rules lists every registered rule (ms_rules order, so a result's
 * ruleIndex is its registry index) with its configured level and whether it is enabled. Each
 * finding is a result with one physical location: a relative path as given becomes a relative
 * URI against %SRCROOT%, which run.originalUriBaseIds declares as the current directory (or
 * MIGSAFE_SARIF_SRCROOT when set, for output that does not depend on where it ran); an
 * absolute path becomes a file:// URI. Regions are 1-based and count Unicode code points
 * (run.columnKind). The results array is streamed: written file by file as findings arrive.
 * The mapping is documented in docs/output.md. */
#include "json_util.h"
#include <unistd.h>

#define SARIF_SCHEMA   "https://json.schemastore.org/sarif-2.1.0.json"
#define SARIF_HOME_URL "https://github.com/migsafe/migsafe"
#define SRCROOT        "%SRCROOT%"

struct sarif_state {
    bool any_result;
};

/* A string value that owns `s` (malloc'ed). */
static json_t *jstr_take(char *s)
{
    json_t *v = ms_json_string(s);
    free(s);
    return v;
}

static json_t *text_object(json_t *text)
{
    json_t *o = json_object();
    json_object_set_new(o, "text", text);
    return o;
}

/* ---- URIs (RFC 3986) ---- */

/* RFC 3986 unreserved characters, in ASCII whatever the locale says. */
static bool is_unreserved(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

/* Appends path to buf percent-encoded: every byte but unreserved characters and '/' becomes
 * %XX, so spaces, '%', '#', '?', ':' (which would read as a scheme in a relative reference)
 * and UTF-8 bytes are all safe. */
static void append_encoded(char **buf, size_t *len, size_t *cap, const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        MS_GROW(*buf, *cap, *len + 4);
        if (is_unreserved(*p) || *p == '/') {
            (*buf)[(*len)++] = (char)*p;
        } else {
            (*buf)[(*len)++] = '%';
            (*buf)[(*len)++] = hex[*p >> 4];
            (*buf)[(*len)++] = hex[*p & 15];
        }
    }
    (*buf)[*len] = '\0';
}

/* "file://" + the encoded absolute path, with a final '/' when `dir`. */
static char *file_uri(const char *abs_path, bool dir)
{
    size_t len = 7, cap = 64;
    char *buf = ms_xmalloc(cap);
    memcpy(buf, "file://", 8);
    append_encoded(&buf, &len, &cap, abs_path);
    if (dir && (len == 7 || buf[len - 1] != '/')) {
        MS_GROW(buf, cap, len + 2);
        buf[len++] = '/';
        buf[len] = '\0';
    }
    return buf;
}

/* The directory %SRCROOT% stands for, as a file:// URI ending in '/', or NULL when the
 * current directory cannot be known. */
static char *srcroot_uri(void)
{
    const char *env = getenv("MIGSAFE_SARIF_SRCROOT");
    char *cwd = NULL;
    if (!env || !*env || env[0] != '/') {
        cwd = getcwd(NULL, 0);
        if (!cwd)
            return NULL;
    }
    char *dir;
    if (!env || !*env)
        dir = ms_xstrdup(cwd);
    else if (env[0] == '/')
        dir = ms_xstrdup(env);
    else {
        size_t n = strlen(cwd) + strlen(env) + 2;
        dir = ms_xmalloc(n);
        snprintf(dir, n, "%s/%s", cwd, env);
    }
    char *uri = file_uri(dir, true);
    free(dir);
    free(cwd);
    return uri;
}

static json_t *artifact_location(const char *path)
{
    json_t *o = json_object();
    if (path[0] == '/') {
        json_object_set_new(o, "uri", jstr_take(file_uri(path, false)));
        return o;
    }
    while (path[0] == '.' && path[1] == '/') {
        path += 2;
        while (*path == '/')
            path++;
    }
    size_t len = 0, cap = 64;
    char *buf = ms_xmalloc(cap);
    buf[0] = '\0';
    append_encoded(&buf, &len, &cap, path);
    json_object_set_new(o, "uri", jstr_take(buf));
    json_object_set_new(o, "uriBaseId", ms_json_string(SRCROOT));
    return o;
}

/* ---- rules ---- */

static const char *level_name(enum ms_severity s)
{
    return s == MS_ERROR ? "error" : s == MS_WARNING ? "warning" : "note";
}

/* "drop-column" -> "DropColumn". */
static char *pascal_case(const char *id)
{
    char *out = ms_xmalloc(strlen(id) + 1);
    size_t k = 0;
    bool upper = true;
    for (const char *p = id; *p; p++) {
        if (*p == '-' || *p == '_') {
            upper = true;
            continue;
        }
        out[k++] = upper ? (char)toupper((unsigned char)*p) : *p;
        upper = false;
    }
    out[k] = '\0';
    return out;
}

/* "First letter up, final period." for description sentences; the rule strings are lowercase
 * fragments in diagnostic style. */
static char *sentence(const char *a, const char *b)
{
    size_t n = strlen(a) + (b ? strlen(b) + 2 : 0) + 2;
    char *s = ms_xmalloc(n);
    snprintf(s, n, "%s%s%s.", a, b ? ". " : "", b ? b : "");
    s[0] = (char)toupper((unsigned char)s[0]);
    if (b)
        s[strlen(a) + 2] = (char)toupper((unsigned char)s[strlen(a) + 2]);
    return s;
}

/* Markdown text with the characters that would start markup escaped. */
static void append_markdown(char **buf, size_t *len, size_t *cap, const char *text)
{
    for (const char *p = text; *p; p++) {
        MS_GROW(*buf, *cap, *len + 3);
        if (strchr("\\`*_[]<>#|", *p))
            (*buf)[(*len)++] = '\\';
        (*buf)[(*len)++] = *p;
    }
    (*buf)[*len] = '\0';
}

static void append_str(char **buf, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s);
    MS_GROW(*buf, *cap, *len + n + 1);
    memcpy(*buf + *len, s, n + 1);
    *len += n;
}

static json_t *rule_object(const struct ms_report *r, size_t i)
{
    const struct ms_rule *rule = ms_rules[i];
    enum ms_severity sev = r->engine ? r->engine->severity[i] : rule->severity;
    bool enabled = r->engine ? ms_engine_rule_active(r->engine, i) : !rule->opt_in;
    size_t n = strlen(MS_DOCS_URL) + strlen(rule->id) + 4;
    char *help_uri = ms_xmalloc(n);
    snprintf(help_uri, n, "%s%s.md", MS_DOCS_URL, rule->id);

    json_t *o = json_object();
    json_object_set_new(o, "id", ms_json_string(rule->id));
    json_object_set_new(o, "name", jstr_take(pascal_case(rule->id)));
    json_object_set_new(o, "shortDescription",
                        text_object(jstr_take(sentence(rule->summary, NULL))));
    json_object_set_new(o, "fullDescription",
                        text_object(jstr_take(sentence(rule->summary, rule->help))));

    size_t len = 0, cap = 256;
    char *md = ms_xmalloc(cap);
    md[0] = '\0';
    append_str(&md, &len, &cap, "**");
    append_markdown(&md, &len, &cap, rule->summary);
    append_str(&md, &len, &cap, "**\n\nDo this instead: ");
    append_markdown(&md, &len, &cap, rule->help);
    append_str(&md, &len, &cap, "\n\n[Why it is dangerous, and examples](");
    append_str(&md, &len, &cap, help_uri);
    append_str(&md, &len, &cap, ")");
    json_t *help = text_object(jstr_take(sentence(rule->help, NULL)));
    json_object_set_new(help, "markdown", jstr_take(md));
    json_object_set_new(o, "help", help);
    json_object_set_new(o, "helpUri", jstr_take(help_uri));

    json_t *conf = json_object();
    json_object_set_new(conf, "level", ms_json_string(level_name(sev)));
    if (!enabled)
        json_object_set_new(conf, "enabled", json_false());
    json_object_set_new(o, "defaultConfiguration", conf);

    json_t *props = json_object();
    json_object_set_new(props, "category", ms_json_string(rule->category));
    json_t *tags = json_array();
    json_array_append_new(tags, ms_json_string("postgresql"));
    json_array_append_new(tags, ms_json_string("migration"));
    json_array_append_new(tags, ms_json_string(rule->category));
    json_object_set_new(props, "tags", tags);
    json_object_set_new(o, "properties", props);
    return o;
}

static size_t rule_index(const struct ms_rule *rule)
{
    for (size_t i = 0; i < ms_n_rules; i++)
        if (ms_rules[i] == rule)
            return i;
    ms_die("sarif: rule \"%s\" is not registered", rule->id);
}

/* ---- the document ---- */

static void sarif_begin(struct ms_report *r)
{
    r->state = ms_xcalloc(1, sizeof(struct sarif_state));
    FILE *out = r->out;

    json_t *driver = json_object();
    json_object_set_new(driver, "name", ms_json_string("migsafe"));
    json_object_set_new(driver, "version", ms_json_string(MS_VERSION));
    json_object_set_new(driver, "semanticVersion", ms_json_string(MS_VERSION));
    json_object_set_new(driver, "informationUri", ms_json_string(SARIF_HOME_URL));
    json_t *rules = json_array();
    for (size_t i = 0; i < ms_n_rules; i++)
        json_array_append_new(rules, rule_object(r, i));
    json_object_set_new(driver, "rules", rules);
    json_t *tool = json_object();
    json_object_set_new(tool, "driver", driver);

    fputs("{\n  \"$schema\": ", out);
    ms_json_dump(out, ms_json_string(SARIF_SCHEMA), 2);
    fputs(",\n  \"version\": ", out);
    ms_json_dump(out, ms_json_string("2.1.0"), 2);
    fputs(",\n  \"runs\": [\n    {\n      \"tool\": ", out);
    ms_json_dump(out, tool, 6);
    char *root = srcroot_uri();
    if (root) {
        json_t *base = json_object();
        json_t *src = json_object();
        json_object_set_new(src, "uri", jstr_take(root));
        json_object_set_new(base, SRCROOT, src);
        fputs(",\n      \"originalUriBaseIds\": ", out);
        ms_json_dump(out, base, 6);
    }
    fputs(",\n      \"columnKind\": ", out);
    ms_json_dump(out, ms_json_string("unicodeCodePoints"), 6);
    fputs(",\n      \"results\": [", out);
}

static json_t *result_object(const struct ms_source *src, const struct ms_diag *d)
{
    struct ms_pos start, end;
    ms_report_region(src, d, &start, &end);
    size_t end_offset = d->end > d->offset ? d->end : d->offset;

    json_t *region = json_object();
    json_object_set_new(region, "startLine", json_integer(start.line));
    json_object_set_new(region, "startColumn", json_integer(start.col));
    json_object_set_new(region, "endLine", json_integer(end.line));
    json_object_set_new(region, "endColumn", json_integer(end.col));
    json_object_set_new(region, "byteOffset", json_integer((json_int_t)d->offset));
    json_object_set_new(region, "byteLength", json_integer((json_int_t)(end_offset - d->offset)));
    json_t *phys = json_object();
    json_object_set_new(phys, "artifactLocation", artifact_location(src->path));
    json_object_set_new(phys, "region", region);
    json_t *loc = json_object();
    json_object_set_new(loc, "physicalLocation", phys);
    json_t *locs = json_array();
    json_array_append_new(locs, loc);

    json_t *o = json_object();
    json_object_set_new(o, "ruleId", ms_json_string(d->rule->id));
    json_object_set_new(o, "ruleIndex", json_integer((json_int_t)rule_index(d->rule)));
    json_object_set_new(o, "level", ms_json_string(level_name(d->severity)));
    json_object_set_new(o, "message", text_object(ms_json_string(d->message)));
    json_object_set_new(o, "locations", locs);
    if ((d->help && *d->help) || d->migration) {
        json_t *props = json_object();
        if (d->help && *d->help)
            json_object_set_new(props, "help", ms_json_string(d->help));
        if (d->migration)
            json_object_set_new(props, "migration", ms_json_string(d->migration));
        json_object_set_new(o, "properties", props);
    }
    return o;
}

static void sarif_file(struct ms_report *r, const struct ms_source *src,
                       const struct ms_diag *diags, size_t n)
{
    struct sarif_state *st = r->state;
    for (size_t i = 0; i < n; i++) {
        fputs(st->any_result ? ",\n        " : "\n        ", r->out);
        ms_json_dump(r->out, result_object(src, &diags[i]), 8);
        st->any_result = true;
    }
}

static void sarif_end(struct ms_report *r)
{
    struct sarif_state *st = r->state;
    fputs(st->any_result ? "\n      ]\n    }\n  ]\n}\n" : "]\n    }\n  ]\n}\n", r->out);
    free(st);
    r->state = NULL;
}

const struct ms_reporter ms_reporter_sarif = {
    .name = "sarif",
    .begin = sarif_begin,
    .file = sarif_file,
    .end = sarif_end,
};
