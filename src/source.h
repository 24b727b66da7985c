/* source.h: a migration file's text and the map from byte offsets to lines and columns.
 *
 * Offsets are bytes from the start of the file as read. Lines are 1-based; columns are 1-based
 * and count Unicode code points (a UTF-8 BOM on line 1 does not count), which is the unit every
 * reporter uses and SARIF declares as "unicodeCodePoints". */
#ifndef MS_SOURCE_H
#define MS_SOURCE_H

#include "arena.h"

struct ms_source {
    const char *path; /* as displayed and reported; never written to */
    char *text;       /* NUL-terminated; the file's bytes unchanged */
    size_t len;
    size_t body;      /* offset of the first byte after a UTF-8 BOM (0 or 3) */
    size_t n_lines;
    size_t *line_starts; /* byte offset where each line begins; n_lines entries */
};

struct ms_pos {
    uint32_t line, col;
};

/* Largest file migsafe reads; PostgreSQL itself refuses queries of 1 GiB. */
#define MS_SOURCE_MAX_BYTES ((size_t)256 * 1024 * 1024)

/* Reads `path` ("-" reads standard input) into `src`, allocating from `arena`. `display` is the
 * path to report (NULL: path). Checks that the bytes are text: no NUL byte, valid UTF-8, within
 * MS_SOURCE_MAX_BYTES. On failure writes a message "display[:line:col]: problem" into err (of
 * errlen bytes) and returns -1; src is then unusable. */
int ms_source_read(struct ms_source *src, const char *path, const char *display,
                   struct ms_arena *arena, char *err, size_t errlen);
/* Same checks on text already in memory (copied into the arena). */
int ms_source_from_text(struct ms_source *src, const char *display, const char *text,
                        size_t len, struct ms_arena *arena, char *err, size_t errlen);
/* Line and column of a byte offset (clamped to the text). O(log lines). */
struct ms_pos ms_source_pos(const struct ms_source *src, size_t offset);
/* The bytes of line `line` (1-based) without its line end ("\n" or "\r\n"). */
const char *ms_source_line(const struct ms_source *src, uint32_t line, size_t *len);

#endif
