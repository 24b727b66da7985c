/* suppress.h: inline suppressions, the "filter" stage after the rules.
 *
 *   -- migsafe:ignore rule-a, rule-b: reason      (SQL; # in Python revisions)
 *   -- migsafe:ignore-file rule-a: reason
 *
 * An ignore on a line of its own covers the statement that starts on the next line with code
 * (comment lines between are skipped); at the end of a line of code it covers the statement
 * that line belongs to. ignore-file covers the whole file. Without a rule list it covers every
 * rule. An ignore that covers nothing, or names an unknown rule, becomes an unused-ignore
 * finding, so stale ignores do not pile up. Comments are found with the real scanners
 * (libpg_query's, the Python tokenizer), so text inside strings never counts. */
#ifndef MS_SUPPRESS_H
#define MS_SUPPRESS_H

#include "diag.h"
#include "engine.h"

/* Applies the ignores of src to diags->items[first, n): removes the covered findings and
 * appends unused-ignore findings (when that rule is active), then sorts [first, n) again.
 * `python` says how to read comments. Strings come from arena. */
void ms_suppress_apply(const struct ms_engine *e, const struct ms_source *src, bool python,
                       struct ms_diags *diags, size_t first, struct ms_arena *arena);

#endif
