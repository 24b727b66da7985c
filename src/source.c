/* source.c: reading migration files and mapping offsets to positions (see source.h). */
#include "source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

size_t ms_utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, min = 0x10000;
    else
        return 0;
    if (len > n)
        return 0;
    unsigned cp = c & (0xFF >> (len + 1));
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

static int fail_at(struct ms_source *src, size_t offset, char *err, size_t errlen, const char *what)
{
    struct ms_pos p = ms_source_pos(src, offset);
    snprintf(err, errlen, "%s:%" PRIu32 ":%" PRIu32 ": %s", src->path, p.line, p.col, what);
    return -1;
}

/* Builds the line index and validates the text in one pass. */
static int index_text(struct ms_source *src, struct ms_arena *arena, char *err, size_t errlen)
{
    const unsigned char *t = (const unsigned char *)src->text;
    size_t n_lines = 1;
    for (size_t i = 0; i < src->len; i++)
        n_lines += t[i] == '\n';
    src->line_starts = ms_arena_alloc(arena, n_lines * sizeof(size_t));
    src->n_lines = n_lines;
    src->body = src->len >= 3 && t[0] == 0xEF && t[1] == 0xBB && t[2] == 0xBF ? 3 : 0;
    src->line_starts[0] = src->body;
    size_t line = 1;
    for (size_t i = src->body; i < src->len;) {
        unsigned char c = t[i];
        if (c == '\n') {
            src->line_starts[line++] = i + 1;
            i++;
        } else if (c == 0) {
            src->n_lines = line; /* positions before i are valid */
            return fail_at(src, i, err, errlen, "not a text file (NUL byte)");
        } else if (c < 0x80) {
            i++;
        } else {
            size_t k = ms_utf8_len(t + i, src->len - i);
            if (!k) {
                src->n_lines = line;
                return fail_at(
                    src, i, err, errlen,
                    "not valid UTF-8 (migsafe reads UTF-8 text; convert the file with iconv)");
            }
            i += k;
        }
    }
    return 0;
}

int ms_source_from_text(struct ms_source *src, const char *display, const char *text, size_t len,
                        struct ms_arena *arena, char *err, size_t errlen)
{
    memset(src, 0, sizeof(*src));
    src->path = ms_arena_strdup(arena, display);
    if (len > MS_SOURCE_MAX_BYTES) {
        snprintf(err, errlen, "%s: file too large (%zu bytes; the limit is %zu MiB)", display, len,
                 MS_SOURCE_MAX_BYTES >> 20);
        return -1;
    }
    src->text = ms_arena_strndup(arena, text, len);
    src->len = len;
    int rc = index_text(src, arena, err, errlen);
    src->sql = src->text;
    src->sql_len = src->len;
    src->sql_body = src->body;
    return rc;
}

static int read_fd(int fd, char **buf, size_t *len, size_t *cap)
{
    for (;;) {
        if (*cap - *len < 65536)
            ms_grow((void **)buf, cap, *len + 65536, 1);
        ssize_t n = read(fd, *buf + *len, *cap - *len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            return 0;
        *len += (size_t)n;
        if (*len > MS_SOURCE_MAX_BYTES)
            return 0; /* the caller reports the size */
    }
}

int ms_source_read(struct ms_source *src, const char *path, const char *display,
                   struct ms_arena *arena, char *err, size_t errlen)
{
    if (!display)
        display = path;
    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open: %s", display, strerror(errno));
        return -1;
    }
    struct stat st;
    if (!is_stdin && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        snprintf(err, errlen, "%s: is a directory", display);
        return -1;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (!is_stdin && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        (size_t)st.st_size > MS_SOURCE_MAX_BYTES) {
        close(fd);
        snprintf(err, errlen, "%s: file too large (%jd bytes; the limit is %zu MiB)", display,
                 (intmax_t)st.st_size, MS_SOURCE_MAX_BYTES >> 20);
        return -1;
    }
    int rc = read_fd(fd, &buf, &len, &cap);
    int saved = errno;
    if (!is_stdin)
        close(fd);
    if (rc < 0) {
        free(buf);
        snprintf(err, errlen, "%s: cannot read: %s", display, strerror(saved));
        return -1;
    }
    rc = ms_source_from_text(src, display, buf ? buf : "", len, arena, err, errlen);
    free(buf);
    return rc;
}

size_t ms_source_map(const struct ms_source *src, size_t sql_offset,
                     const struct ms_segment **segment)
{
    if (segment)
        *segment = NULL;
    if (src->n_segments == 0)
        return sql_offset;
    size_t lo = 0, hi = src->n_segments;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (src->segments[mid].sql_start <= sql_offset)
            lo = mid;
        else
            hi = mid;
    }
    const struct ms_segment *s = &src->segments[lo];
    if (sql_offset < s->sql_start)
        return s->origin;
    if (segment && sql_offset < s->sql_end)
        *segment = s;
    if (s->verbatim && sql_offset - s->sql_start <= s->origin_end - s->origin)
        return s->origin + (sql_offset - s->sql_start);
    return s->origin;
}

struct ms_pos ms_source_pos(const struct ms_source *src, size_t offset)
{
    if (offset > src->len)
        offset = src->len;
    size_t lo = 0, hi = src->n_lines;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (src->line_starts[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    size_t start = src->line_starts[lo];
    uint32_t col = 1;
    for (size_t i = start; i < offset; i++) {
        unsigned char c = (unsigned char)src->text[i];
        if (c == '\r' && i + 1 < src->len && src->text[i + 1] == '\n')
            continue; /* "\r\n" is one line end, at the column of its '\r' */
        col += (c & 0xC0) != 0x80;
    }
    return (struct ms_pos){(uint32_t)(lo + 1), col};
}

const char *ms_source_line(const struct ms_source *src, uint32_t line, size_t *len)
{
    if (line < 1 || line > src->n_lines) {
        *len = 0;
        return "";
    }
    size_t start = src->line_starts[line - 1];
    size_t end = line < src->n_lines ? src->line_starts[line] - 1 : src->len;
    if (end > start && src->text[end - 1] == '\r')
        end--;
    if (end < start)
        end = start;
    *len = end - start;
    return src->text + start;
}

char *ms_read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *buf = NULL;
    size_t cap = 0;
    *len = 0;
    for (;;) {
        MS_GROW(buf, cap, *len + 65536);
        size_t n = fread(buf + *len, 1, cap - *len - 1, fp);
        *len += n;
        if (n == 0 || *len > MS_SOURCE_MAX_BYTES)
            break;
    }
    bool failed = ferror(fp) != 0;
    fclose(fp);
    if (failed) {
        free(buf);
        return NULL;
    }
    buf[*len] = '\0';
    return buf;
}
