/* syntax-error: a statement PostgreSQL's grammar does not accept.
 * Docs: docs/rules/syntax-error.md. Fixtures: fixtures/rules/syntax-error/. */
#include "rule.h"

/* The engine reports this rule itself, at the position PostgreSQL's parser gives, for every
 * statement that does not parse; a migration that does not parse fails when it is run. The
 * rule has no visitors: it exists so the finding can be configured, listed and documented. */
const struct ms_rule ms_rule_syntax_error = {
    .id = "syntax-error",
    .severity = MS_ERROR,
    .category = "failure",
    .on_down = true,
    .summary = "a statement does not parse with PostgreSQL's grammar",
    .help = "fix the statement; migsafe parses the PostgreSQL 15 grammar, so syntax added in "
            "later releases is reported here too",
};
