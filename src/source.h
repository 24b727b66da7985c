/* source.h: a migration file's text and the map from byte offsets to lines and columns.
 *
 * Offsets are bytes from the start of the file as read. Lines are 1-based; columns are 1-based
 * and count Unicode code points (a UTF-8 BOM on line 1 does not count), which is the unit every
 * reporter uses and SARIF declares as "unicodeCodePoints". */
#ifndef MS_SOURCE_H
#define MS_SOURCE_H

#include "arena.h"

/* A source that is not SQL (an Alembic revision) is linted through the SQL it stands for: each
 * segment of that SQL maps back to the part of the text it came from. */
struct ms_segment {
    size_t sql_start, sql_end; /* the segment's bytes in sql */
    size_t origin, origin_end; /* the text it stands for (an op call, a string literal) */
    bool verbatim;             /* the bytes are the text's own: sql_start + k is origin + k */
    bool synthetic; /* added by the tool's semantics (BEGIN/COMMIT), not written by the user */
};

struct ms_source {
    const char *path; /* as displayed and reported; never written to */
    char *text;       /* NUL-terminated; the file's bytes unchanged */
    size_t len;
    size_t body; /* offset of the first byte after a UTF-8 BOM (0 or 3) */
    size_t n_lines;
    size_t *line_starts; /* byte offset where each line begins; n_lines entries */
    /* What is parsed: the text itself for SQL files (no segments), else generated SQL. */
    const char *sql;
    size_t sql_len, sql_body;
    size_t n_segments; /* sorted by sql_start, not overlapping */
    struct ms_segment *segments;
};

struct ms_pos {
    uint32_t line, col;
};

/* Largest file migsafe reads; PostgreSQL itself refuses queries of 1 GiB. */
#define MS_SOURCE_MAX_BYTES ((size_t)256 * 1024 * 1024)

/* Reads a whole file for a quick look (a header, a marker, a tool's configuration file):
 * NUL-terminated and malloc'ed, *len bytes (at most MS_SOURCE_MAX_BYTES and a little more);
 * NULL when it cannot be opened or read. No text checks: ms_source_read() is for linting. */
char *ms_read_file(const char *path, size_t *len);

/* Reads `path` ("-" reads standard input) into `src`, allocating from `arena`. `display` is the
 * path to report (NULL: path). Checks that the bytes are text: no NUL byte, valid UTF-8, within
 * MS_SOURCE_MAX_BYTES. On failure writes a message "display[:line:col]: problem" into err (of
 * errlen bytes) and returns -1; src is then unusable. */
int ms_source_read(struct ms_source *src, const char *path, const char *display,
                   struct ms_arena *arena, char *err, size_t errlen);
/* Same checks on text already in memory (copied into the arena). */
int ms_source_from_text(struct ms_source *src, const char *display, const char *text, size_t len,
                        struct ms_arena *arena, char *err, size_t errlen);
/* The offset in text of offset `sql_offset` in sql, and the segment holding it (NULL for SQL
 * files, or when it falls between segments). O(log segments). */
size_t ms_source_map(const struct ms_source *src, size_t sql_offset,
                     const struct ms_segment **segment);
/* Length of the valid UTF-8 sequence at s (n bytes readable), or 0 when it is not one
 * (overlong forms, surrogates and code points above U+10FFFF are not). */
size_t ms_utf8_len(const unsigned char *s, size_t n);
/* Line and column of a byte offset (clamped to the text). O(log lines). */
struct ms_pos ms_source_pos(const struct ms_source *src, size_t offset);
/* The bytes of line `line` (1-based) without its line end ("\n" or "\r\n"). */
const char *ms_source_line(const struct ms_source *src, uint32_t line, size_t *len);

#endif
