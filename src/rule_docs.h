/* rule_docs.h: each rule's documentation page (docs/rules/<id>.md), embedded at build time so
 * `migsafe rules ID` explains a rule without the source tree. */
#ifndef MS_RULE_DOCS_H
#define MS_RULE_DOCS_H

struct ms_rule_doc {
    const char *id;
    const char *markdown;
};

/* Terminated by an entry whose id is NULL; a rule without a page has no entry. */
extern const struct ms_rule_doc ms_rule_docs[];

#endif
