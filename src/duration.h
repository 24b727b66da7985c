/* duration.h: PostgreSQL's time values, as SET lock_timeout = '5s' and the configuration write
 * them. */
#ifndef MS_DURATION_H
#define MS_DURATION_H

#include "migsafe.h"

/* The value of a time setting whose base unit is milliseconds (lock_timeout, statement_timeout)
 * as PostgreSQL 15 parses it (guc.c parse_int): an integer, or a number with a fraction or an
 * exponent, optionally followed by one of the units us, ms, s, min, h, d, then rounded half to
 * even to whole milliseconds ('100us' is 0, 1.5 is 2). False when PostgreSQL would reject the
 * text. */
bool ms_duration_ms(const char *s, double *out);

#endif
