/* template.h — `{name}` placeholders in write-back requests (resolve URL,
 * body and headers), each value escaped for where it stands: URL-encoded in
 * a URL, JSON-string-escaped (without quotes) in a JSON body, and with CR/LF
 * dropped in a header. Braces that do not hold a plain lower-case name
 * (JSON objects like {"a": 1}) are left alone. */
#ifndef MC_TEMPLATE_H
#define MC_TEMPLATE_H

typedef enum { TMPL_URL, TMPL_JSON, TMPL_HEADER } TmplEscape;

typedef struct TmplVar {
    const char *name;
    const char *value;   /* NULL counts as "" */
} TmplVar;

/* Returns a new string with every known {name} replaced (unknown ones kept). */
char *tmpl_expand(const char *tmpl, const TmplVar *vars, int nvars, TmplEscape esc);

/* Checks that every {name} in tmpl is one of names (NULL-terminated).
 * Returns 0, or -1 with *unknown = the first unknown name (caller frees). */
int tmpl_check(const char *tmpl, const char *const *names, char **unknown);

#endif
