/* registry.c: the table of every rule, expanded from rules.def. */
#include "engine.h"

const struct ms_rule *const ms_rules[] = {
#define MS_RULE(name) &ms_rule_##name,
#include "rules.def"
#undef MS_RULE
};

const size_t ms_n_rules = MS_ARRAY_LEN(ms_rules);
