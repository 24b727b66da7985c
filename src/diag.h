/* diag.h: a finding, as the engine produces it and the reporters print it. */
#ifndef MS_DIAG_H
#define MS_DIAG_H

#include "rule.h"

struct ms_diag {
    const struct ms_rule *rule;
    enum ms_severity severity;    /* effective: the rule's default unless configured otherwise */
    size_t offset;                /* byte span in the source: where it starts ... */
    size_t end;                   /* ... and one past where it ends */
    size_t stmt_offset, stmt_end; /* the statement (or op call) it belongs to, for ignores */
    const char *message;
    const char *help; /* the safe alternative; the rule's help unless overridden */
    /* The migration the finding belongs to when the file does not say it alone (an Alembic
     * revision id, a section of `alembic upgrade --sql` output), else NULL. */
    const char *migration;
};

struct ms_diags {
    size_t n, cap;
    struct ms_diag *items; /* malloc'ed array; the strings live in the file arena */
};

const char *ms_severity_name(enum ms_severity s);
/* Parses "error", "warning" or "info"; returns 0 for anything else. */
enum ms_severity ms_severity_parse(const char *s);

#endif
