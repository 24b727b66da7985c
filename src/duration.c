/* duration.c: PostgreSQL time values (see duration.h). */
#include "duration.h"

/* PostgreSQL's time units for a GUC whose base unit is ms (guc.c, memory_units/time_units) */
static const struct {
    const char *unit;
    double ms;
} units[] = {{"us", 0.001},  {"ms", 1},      {"s", 1000},
             {"min", 60000}, {"h", 3600000}, {"d", 86400000}};

bool ms_duration_ms(const char *s, double *out)
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
