/* json_util.h: what the jansson-based formats (json, sarif) share. */
#ifndef MS_JSON_UTIL_H
#define MS_JSON_UTIL_H

#include "report.h"

#include <jansson.h>

/* A JSON string of s (NULL: ""). Paths are bytes and need not be UTF-8: a byte that does not
 * start a valid sequence becomes U+FFFD, so the document stays valid (jansson refuses invalid
 * UTF-8 rather than guess). Never NULL. */
json_t *ms_json_string(const char *s);
/* Writes v pretty-printed, every line after the first indented by `indent` spaces, so values
 * dumped one at a time read as one streamed document; then releases v. */
void ms_json_dump(FILE *out, json_t *v, int indent);

#endif
