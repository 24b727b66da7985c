/* json_util.c: JSON helpers shared by the json and sarif formats (see json_util.h). */
#include "json_util.h"

json_t *ms_json_string(const char *s)
{
    json_t *v = json_string(s ? s : "");
    if (v)
        return v;
    size_t n = strlen(s), k = 0;
    char *buf = ms_xmalloc(3 * n + 1);
    for (size_t i = 0; i < n;) {
        size_t len = ms_utf8_len((const unsigned char *)s + i, n - i);
        if (len) {
            memcpy(buf + k, s + i, len);
            k += len, i += len;
        } else {
            memcpy(buf + k, "\xEF\xBF\xBD", 3);
            k += 3, i++;
        }
    }
    v = json_stringn(buf, k);
    free(buf);
    if (!v)
        ms_die("cannot encode a JSON string");
    return v;
}

void ms_json_dump(FILE *out, json_t *v, int indent)
{
    char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    if (!s)
        ms_die("cannot serialise a JSON value");
    /* a JSON string never holds a raw newline: each '\n' is a line break of the layout */
    for (const char *p = s; *p; p++) {
        fputc(*p, out);
        if (*p == '\n')
            fprintf(out, "%*s", indent, "");
    }
    free(s);
    json_decref(v);
}
