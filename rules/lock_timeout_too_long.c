/* lock-timeout-too-long: SET lock_timeout to 0 (no timeout) or to more than 10 seconds.
 * Docs: docs/rules/lock-timeout-too-long.md. Fixtures: fixtures/rules/lock-timeout-too-long/. */
#include "rule.h"

/* lock_timeout bounds how long a statement waits for its lock, and so how long the queries
 * queued behind it wait: with ACCESS EXCLUSIVE pending, even plain SELECTs on the table queue.
 * 0 turns the bound off; a long bound lets the queue grow for that long before the migration
 * gives up. A few seconds is what an application tolerates. */
#define LIMIT_MS 10000.0

/* PostgreSQL's time units for a GUC whose base unit is ms (guc.c, memory_units/time_units) */
static const struct {
    const char *unit;
    double ms;
} units[] = {{"us", 0.001},  {"ms", 1},      {"s", 1000},
             {"min", 60000}, {"h", 3600000}, {"d", 86400000}};

/* The value in milliseconds as PostgreSQL parses it (parse_int: an integer, or a number with a
 * fraction or exponent, optionally followed by a unit, rounded half to even); false when it is
 * not a value PostgreSQL accepts. */
static bool parse_ms(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = (double)strtol(s, &end, 0);
    if (end == s)
        return false;
    if (*end == '.' || *end == 'e' || *end == 'E' || errno == ERANGE) {
        v = strtod(s, &end);
        if (end == s)
            return false;
    }
    while (isspace((unsigned char)*end))
        end++;
    double factor = 1;
    if (*end) {
        size_t i = 0;
        for (; i < MS_ARRAY_LEN(units); i++) {
            size_t n = strlen(units[i].unit);
            if (strncmp(end, units[i].unit, n) == 0 && !isalpha((unsigned char)end[n])) {
                factor = units[i].ms;
                end += n;
                break;
            }
        }
        if (i == MS_ARRAY_LEN(units))
            return false;
        while (isspace((unsigned char)*end))
            end++;
        if (*end)
            return false;
    }
    v *= factor;
    double r = (double)(long long)v; /* round half to even, as rint() does */
    double frac = v - r;
    if (frac > 0.5 || (frac == 0.5 && ((long long)r % 2) != 0))
        r += 1;
    *out = r;
    return true;
}

static void visit_variable_set_stmt(struct ms_ctx *ctx, const PgQuery__VariableSetStmt *node)
{
    if (!node->name || strcmp(node->name, "lock_timeout") != 0 ||
        node->kind != PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE || node->n_args != 1 ||
        node->args[0]->node_case != PG_QUERY__NODE__NODE_A_CONST)
        return;
    const PgQuery__AConst *c = node->args[0]->a_const;
    char buf[64];
    const char *text = NULL;
    if (c->val_case == PG_QUERY__A__CONST__VAL_IVAL) {
        snprintf(buf, sizeof(buf), "%d", c->ival ? c->ival->ival : 0);
        text = buf;
    } else if (c->val_case == PG_QUERY__A__CONST__VAL_FVAL && c->fval) {
        text = c->fval->fval;
    } else if (c->val_case == PG_QUERY__A__CONST__VAL_SVAL && c->sval) {
        text = c->sval->sval;
    }
    double ms;
    if (!text || !parse_ms(text, &ms) || ms < 0)
        return; /* PostgreSQL rejects it; nothing to judge */
    if (ms == 0) {
        ms_report(ctx, c->location,
                  "lock_timeout = %s turns the lock timeout off: a statement waiting for its "
                  "lock holds every query on the table in a queue behind it for as long as it "
                  "waits",
                  text);
    } else if (ms > LIMIT_MS) {
        ms_report(ctx, c->location,
                  "lock_timeout = %s lets a statement wait %g seconds for its lock, and every "
                  "query on the table queues behind it all that time",
                  text, ms / 1000);
    }
}

const struct ms_rule ms_rule_lock_timeout_too_long = {
    .id = "lock-timeout-too-long",
    .severity = MS_WARNING,
    .category = "locking",
    .summary = "lock_timeout is set to 0 or to more than 10 seconds",
    .help = "set lock_timeout to a few seconds (at most 10s) and retry the migration when it "
            "times out",
    .visit_variable_set_stmt = visit_variable_set_stmt,
};
