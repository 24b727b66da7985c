/* template.h: masking the text of a migration that PostgreSQL's grammar cannot read.
 *
 * Migrations are often not plain SQL: a tool or client rewrites them before the server sees
 * them. Go templates (golang-migrate with text/template: `{{ index .Options "Namespace" }}`),
 * Flyway and goose ENVSUB placeholders (`${name}`, `${flyway:defaultSchema}`, `$NAME`), psql
 * meta-commands (`\set`, `\copy ... from program '...'`, `\i file`, `\if`, `\gexec`), psql
 * variables (`:var`, `:'var'`, `:"var"`) and the inline data of COPY ... FROM STDIN would all be
 * syntax errors. ms_template_mask() returns a copy of the text of exactly the same length in
 * which each of them is replaced by text that parses where the original stood, so every byte
 * offset, line and column of the rest is unchanged and findings point into the file as written.
 *
 * What each becomes:
 *   - a value (template action, placeholder, :var) inside a statement: an unquoted identifier of
 *     the same length (its letters and digits lowercased, everything else '_'), so
 *     `{{ .Schema }}.users` is linted as the table "____schema___".users;
 *   - :'var' a string literal ('_var'), :"var" a quoted identifier ("_var");
 *   - a Go template control action ({{ if }}, {{ end }}, {{ range }}, a template comment,
 *     {{ $x := .Y }}) and a value action where a statement begins: spaces;
 *   - a meta-command (to the end of its line, or to psql's "\\" separator): spaces; one that
 *     sends the query buffer (\g, \gx, \gset, \gexec, \gdesc, \crosstabview, \watch) and \;
 *     start with ';' so the statement before them ends there, as it does in psql;
 *   - the data lines of COPY ... FROM STDIN (or \copy ... from stdin), through the "\." line:
 *     spaces.
 * Line breaks are never replaced. Text inside string literals, dollar-quoted bodies (function
 * bodies with $1 and :=) and comments is left alone, as psql leaves it; `::` casts, `:=` and
 * array slices (a[1:n]) are not variables. The one exception: a template action inside a
 * quoted identifier is masked (it may hold quotes: "{{ index .Options "Namespace" }}"). Jinja's
 * {% %} blocks are not recognised. */
#ifndef MS_TEMPLATE_H
#define MS_TEMPLATE_H

#include "arena.h"

/* Masks text[body, len) (body: the offset after a UTF-8 BOM). Returns `text` itself when
 * nothing needed masking (no copy is made: a quick scan finds none of "{{", "${", '\', ':'
 * before a name or quote, '$' before a name); else a NUL-terminated copy of len bytes allocated
 * from `arena`, valid until the arena is reset. *n_masked (when not NULL) receives the number
 * of constructs masked. Linear in len. */
const char *ms_template_mask(const char *text, size_t len, size_t body, struct ms_arena *arena,
                             size_t *n_masked);

#endif
