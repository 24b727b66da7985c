/* unused-ignore: a migsafe:ignore comment that suppresses nothing, or names an unknown rule.
 * Docs: docs/rules/unused-ignore.md. Fixtures: fixtures/rules/unused-ignore/. */
#include "rule.h"

/* An ignore outlives the danger it excused: the statement changes, the rule is renamed, and
 * the comment now hides nothing, or will hide the next, real finding on that line. The filter
 * stage (suppress.c) reports this rule itself; it has no visitors. */
const struct ms_rule ms_rule_unused_ignore = {
    .id = "unused-ignore",
    .severity = MS_INFO,
    .category = "hygiene",
    .summary = "a migsafe:ignore comment suppresses no finding",
    .help = "remove the comment, or correct the rule id it names",
};
