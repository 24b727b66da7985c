/* cli.c: the command line. `migsafe [check] [options] PATH...`, `migsafe rules [ID]`. */
#include "rule_docs.h"
#include "run.h"

#include <getopt.h>
#include <jansson.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: migsafe [check] [options] PATH...\n"
    "       migsafe rules [options] [RULE-ID]\n"
    "\n"
    "Lints PostgreSQL migrations for operations that lose data, block traffic, fail on a\n"
    "non-empty table or leave no way back. PATH is a migration file, a folder (walked for\n"
    ".sql files) or - for standard input.\n"
    "\n"
    "options:\n"
    "  -f, --format FORMAT     text (default), json, sarif, gcc or github\n"
    "      --config FILE       settings for every file, instead of the nearest .migsafe.yml\n"
    "      --pg-version N      PostgreSQL major the migrations run on (default 15)\n"
    "      --lock-timeout-set-by-runner\n"
    "                          the role or connection sets lock_timeout: do not ask for one\n"
    "      --new-since VERSION the migrations after VERSION are not deployed yet: what they\n"
    "                          create counts as new in the later ones\n"
    "      --fail-on LEVEL     exit 1 on findings at or above error (default), warning,\n"
    "                          info; never: exit 0 whatever is found\n"
    "      --enable RULE       turn a rule on (also opt-in rules); repeat or separate by commas\n"
    "      --disable RULE      turn a rule off; repeat or separate by commas\n"
    "      --stdin-filename N  the path to report for input read from - (standard input)\n"
    "      --color WHEN        auto (default: on a terminal, unless NO_COLOR is set), always,\n"
    "                          never\n"
    "  -j, --jobs N            threads to use (default: the number of processors)\n"
    "  -v, --verbose           say what is read and skipped, on standard error\n"
    "  -h, --help              this help\n"
    "  -V, --version           the version and the grammar it parses\n"
    "\n"
    "exit status: 0 nothing at or above the --fail-on level, 1 findings at or above it,\n"
    "2 usage, input or configuration error.\n"
    "\n"
    "migsafe rules lists every rule with its severity under the configuration found from\n"
    "the current folder (or --config) and --enable, --disable, --fail-on and --pg-version;\n"
    "--format json for a script. migsafe rules RULE-ID explains one.\n"
    "Documentation: docs/usage.md, docs/rules/<rule-id>.md\n";

enum {
    OPT_PG_VERSION = 256,
    OPT_FAIL_ON,
    OPT_ENABLE,
    OPT_DISABLE,
    OPT_STDIN_FILENAME,
    OPT_CONFIG,
    OPT_LOCK_TIMEOUT_BY_RUNNER,
    OPT_NEW_SINCE,
    OPT_COLOR,
};

static const struct option long_options[] = {
    {"format", required_argument, NULL, 'f'},
    {"pg-version", required_argument, NULL, OPT_PG_VERSION},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"enable", required_argument, NULL, OPT_ENABLE},
    {"disable", required_argument, NULL, OPT_DISABLE},
    {"stdin-filename", required_argument, NULL, OPT_STDIN_FILENAME},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"lock-timeout-set-by-runner", no_argument, NULL, OPT_LOCK_TIMEOUT_BY_RUNNER},
    {"new-since", required_argument, NULL, OPT_NEW_SINCE},
    {"color", required_argument, NULL, OPT_COLOR},
    {"colour", required_argument, NULL, OPT_COLOR},
    {"jobs", required_argument, NULL, 'j'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static int usage_error(const char *fmt, ...) MS_PRINTF(1, 2);
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("migsafe: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'migsafe --help' for more information.\n", stderr);
    return 2;
}

static bool parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* --enable/--disable take a comma-separated list; every id must exist (checked against e). The
 * ids are kept (in `keep`, freed by the caller) for the per-file settings. */
static int set_rules(struct ms_engine *e, const char *list, bool enabled,
                     struct ms_rule_switch **sw, size_t *n, size_t *cap, char ***keep,
                     size_t *n_keep)
{
    char *copy = ms_xstrdup(list);
    *keep = ms_xrealloc(*keep, (*n_keep + 1) * sizeof(char *));
    (*keep)[(*n_keep)++] = copy;
    int rc = 0;
    for (char *save = NULL, *id = strtok_r(copy, ",", &save); id; id = strtok_r(NULL, ",", &save)) {
        while (*id == ' ')
            id++;
        if (!*id)
            continue;
        if (ms_engine_set_enabled(e, id, enabled) < 0) {
            rc = -1;
            continue;
        }
        MS_GROW(*sw, *cap, *n + 1);
        (*sw)[(*n)++] = (struct ms_rule_switch){id, enabled};
    }
    return rc;
}

/* The severity a rule's findings get under these settings, or "off" when it does not run. */
static const char *effective_severity(const struct ms_engine *e, size_t i)
{
    return ms_engine_rule_active(e, i) ? ms_severity_name(e->severity[i]) : "off";
}

/* Does a finding of rule i make the exit status 1 (its severity at or above --fail-on)? */
static bool rule_fails(const struct ms_settings *s, size_t i)
{
    return ms_engine_rule_active(&s->engine, i) && s->fail_on &&
           s->engine.severity[i] >= s->fail_on;
}

/* Why a rule is off, or that it runs only when enabled: "" when there is nothing to say. */
static const char *rule_note(const struct ms_engine *e, size_t i, char *buf, size_t size)
{
    const struct ms_rule *r = ms_rules[i];
    if (!e->enabled[i])
        return r->opt_in ? " (opt-in)" : " (disabled)";
    if (!ms_engine_rule_active(e, i)) {
        snprintf(buf, size, " (not for PostgreSQL %d)", e->pg_version);
        return buf;
    }
    return r->opt_in ? " (opt-in, enabled)" : "";
}

static json_t *rule_json(const struct ms_settings *s, size_t i)
{
    const struct ms_rule *r = ms_rules[i];
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(r->id));
    json_object_set_new(o, "default_severity", json_string(ms_severity_name(r->severity)));
    json_object_set_new(o, "severity", json_string(effective_severity(&s->engine, i)));
    json_object_set_new(o, "enabled", json_boolean(ms_engine_rule_active(&s->engine, i)));
    json_object_set_new(o, "fails", json_boolean(rule_fails(s, i)));
    json_object_set_new(o, "opt_in", json_boolean(r->opt_in));
    json_object_set_new(o, "category", json_string(r->category));
    json_object_set_new(o, "summary", json_string(r->summary));
    json_object_set_new(o, "help", json_string(r->help));
    char docs[256];
    snprintf(docs, sizeof(docs), "%s%s.md", MS_DOCS_URL, r->id);
    json_object_set_new(o, "docs", json_string(docs));
    return o;
}

static void print_rules_json(const struct ms_settings *s, int only)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "pg_version", json_integer(s->engine.pg_version));
    json_object_set_new(doc, "fail_on",
                        json_string(s->fail_on ? ms_severity_name(s->fail_on) : "never"));
    json_object_set_new(doc, "config", s->config.path ? json_string(s->config.path) : json_null());
    json_t *list = json_array();
    for (size_t i = 0; i < ms_n_rules; i++)
        if (only < 0 || (size_t)only == i)
            json_array_append_new(list, rule_json(s, i));
    json_object_set_new(doc, "rules", list);
    json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(doc);
}

static void print_rules_text(const struct ms_settings *s)
{
    int width = 4; /* the id column fits the longest id */
    for (size_t i = 0; i < ms_n_rules; i++)
        if ((int)strlen(ms_rules[i]->id) > width)
            width = (int)strlen(ms_rules[i]->id);
    printf("%-*s %-8s %-9s %-5s %-13s %s\n", width, "RULE", "DEFAULT", "EFFECTIVE", "FAILS",
           "CATEGORY", "SUMMARY");
    for (size_t i = 0; i < ms_n_rules; i++) {
        const struct ms_rule *r = ms_rules[i];
        char note[64];
        printf("%-*s %-8s %-9s %-5s %-13s %s%s\n", width, r->id, ms_severity_name(r->severity),
               effective_severity(&s->engine, i), rule_fails(s, i) ? "yes" : "no", r->category,
               r->summary, rule_note(&s->engine, i, note, sizeof(note)));
    }
}

static void print_rule_page(const struct ms_settings *s, size_t i)
{
    const struct ms_rule *r = ms_rules[i];
    printf("%s (%s, %s%s)\n\n", r->id, ms_severity_name(r->severity), r->category,
           r->opt_in ? ", opt-in" : "");
    printf("%s.\n\n", r->summary);
    printf("help: %s\n", r->help);
    if (r->min_pg || r->max_pg) {
        printf("applies to PostgreSQL ");
        if (r->min_pg && r->max_pg)
            printf("%d to %d\n", r->min_pg, r->max_pg);
        else if (r->min_pg)
            printf("%d and later\n", r->min_pg);
        else
            printf("up to %d\n", r->max_pg);
    }
    char note[64];
    printf("in effect: %s%s%s\n", effective_severity(&s->engine, i),
           rule_fails(s, i) ? ", fails the run" : "", rule_note(&s->engine, i, note, sizeof(note)));
    printf("docs: %s%s.md\n", MS_DOCS_URL, r->id);
    for (const struct ms_rule_doc *doc = ms_rule_docs; doc->id; doc++)
        if (strcmp(doc->id, r->id) == 0)
            printf("\n%s", doc->markdown);
}

/* `migsafe rules [ID]`: the rules under the settings of the current folder (or --config) and
 * the command line's overrides. */
static int cmd_rules(int argc, char **argv, const struct ms_overrides *o, const char *format)
{
    if (argc > 1)
        return usage_error("%s", "rules takes at most one rule id");
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
        return usage_error("rules --format takes text or json, not \"%s\"", format);
    int only = argc == 1 ? ms_rule_find(argv[0]) : -1;
    if (argc == 1 && only < 0) {
        ms_error("unknown rule \"%s\" (run 'migsafe rules' for the list)", argv[0]);
        return 2;
    }
    struct ms_settings_cache *cache = ms_settings_cache_new(o);
    const struct ms_settings *s = ms_settings_for(cache, "-");
    int rc = s ? 0 : 2;
    if (s && strcmp(format, "json") == 0)
        print_rules_json(s, only);
    else if (s && argc == 0)
        print_rules_text(s);
    else if (s)
        print_rule_page(s, (size_t)only);
    ms_settings_cache_free(cache);
    return rc;
}

static int default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

int main(int argc, char **argv)
{
    struct ms_engine engine;
    ms_engine_init(&engine);
    struct ms_run_options opts = {
        .format = ms_report_find("text"),
        .jobs = default_jobs(),
    };
    struct ms_rule_switch *switches = NULL;
    size_t n_switches = 0, cap_switches = 0, n_keep = 0;
    char **keep = NULL;
    const char *color = "auto";
    int rc = 0;

    /* the command word, when there is one */
    int first = 1;
    bool rules = argc > 1 && strcmp(argv[1], "rules") == 0;
    const char *format = "text";
    if (argc > 1 && (rules || strcmp(argv[1], "check") == 0))
        first = 2;
    if (argc > 1 && strcmp(argv[1], "help") == 0) {
        fputs(usage_text, stdout);
        ms_engine_release(&engine);
        return 0;
    }
    argv[first - 1] = argv[0];
    argc -= first - 1;
    argv += first - 1;

    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":f:j:vhV", long_options, NULL)) != -1) {
        long v;
        switch (c) {
        case 'f':
            format = optarg;
            opts.format = ms_report_find(optarg);
            if (!opts.format && !rules) {
                fprintf(stderr, "migsafe: unknown format \"%s\" (formats: %s)\n", optarg,
                        ms_report_names());
                rc = 2;
            }
            break;
        case OPT_PG_VERSION:
            if (!parse_int(optarg, 9, 99, &v))
                rc = usage_error(
                    "--pg-version takes a PostgreSQL major version such as 15, not \"%s\"", optarg);
            else
                engine.pg_version = opts.overrides.pg_version = (int)v;
            break;
        case OPT_FAIL_ON:
            opts.overrides.fail_on_set = true;
            if (strcmp(optarg, "never") == 0)
                opts.overrides.fail_on = 0;
            else if (!(opts.overrides.fail_on = ms_severity_parse(optarg)))
                rc = usage_error("--fail-on takes error, warning, info or never, not \"%s\"",
                                 optarg);
            break;
        case OPT_ENABLE:
        case OPT_DISABLE:
            if (set_rules(&engine, optarg, c == OPT_ENABLE, &switches, &n_switches, &cap_switches,
                          &keep, &n_keep) < 0)
                rc = 2;
            break;
        case OPT_STDIN_FILENAME:
            opts.stdin_filename = optarg;
            break;
        case OPT_LOCK_TIMEOUT_BY_RUNNER:
            opts.overrides.lock_timeout_by_runner = true;
            break;
        case OPT_NEW_SINCE:
            opts.overrides.new_since = optarg;
            break;
        case OPT_CONFIG:
            if (access(optarg, R_OK) != 0)
                rc = usage_error("--config %s: %s", optarg, strerror(errno));
            opts.overrides.config_path = optarg;
            break;
        case OPT_COLOR:
            color = optarg;
            if (strcmp(color, "auto") && strcmp(color, "always") && strcmp(color, "never"))
                rc = usage_error("--color takes auto, always or never, not \"%s\"", optarg);
            break;
        case 'j':
            if (!parse_int(optarg, 1, 256, &v))
                rc = usage_error("--jobs takes a number of threads from 1 to 256, not \"%s\"",
                                 optarg);
            else
                opts.jobs = (int)v;
            break;
        case 'v':
            opts.verbose = true;
            break;
        case 'h':
            fputs(usage_text, stdout);
            rc = -1;
            break;
        case 'V':
            printf("migsafe %s (%s grammar, libpg_query %s)\n", MS_VERSION, MS_GRAMMAR_NAME,
                   PG_VERSION);
            rc = -1;
            break;
        case ':':
            rc = usage_error("option %s needs a value", argv[optind - 1]);
            break;
        default:
            rc = usage_error("unknown option %s", argv[optind - 1]);
            break;
        }
        if (rc)
            break;
    }
    opts.overrides.switches = switches;
    opts.overrides.n_switches = n_switches;
    if (!rc && rules) {
        rc = cmd_rules(argc - optind, argv + optind, &opts.overrides, format);
        goto done;
    }
    if (!rc && optind >= argc)
        rc = usage_error("%s",
                         "no PATH given (a migration file, a folder, or - for standard input)");
    if (rc)
        goto done;
    const char *no_color = getenv("NO_COLOR");
    opts.color = strcmp(color, "always") == 0 ||
                 (strcmp(color, "auto") == 0 && isatty(STDOUT_FILENO) && !(no_color && *no_color) &&
                  opts.format == ms_report_find("text"));
    opts.paths = argv + optind;
    opts.n_paths = (size_t)(argc - optind);
    rc = ms_run_check(&opts);
done:
    ms_engine_release(&engine);
    free(switches);
    for (size_t i = 0; i < n_keep; i++)
        free(keep[i]);
    free(keep);
    /* no pg_query_exit(): it crashes when this thread never parsed, and the parser's memory is
     * freed with the threads anyway */
    return rc < 0 ? 0 : rc; /* -1: --help or --version done */
}
