/* ynode.h — a YAML document as a small tree that remembers where every node
 * stood (file, line, column), so every config error can say FILE:LINE:COLUMN.
 * Built with libyaml; used by config.c, layouts and each source kind's
 * configure(). Anchors/aliases are resolved by copying. */
#ifndef MC_YNODE_H
#define MC_YNODE_H

#include <stddef.h>
#include <stdint.h>

typedef enum { YN_SCALAR, YN_MAP, YN_SEQ } YNodeType;

typedef struct YNode YNode;
struct YNode {
    YNodeType type;
    const char *file;      /* shared, owned by the root document */
    int line, col;         /* 1-based */
    char *scalar;          /* YN_SCALAR: the text */
    int quoted;            /* YN_SCALAR: was quoted (so "yes" stays a string) */
    int n;                 /* YN_MAP: pairs; YN_SEQ: items */
    YNode **keys;          /* YN_MAP: key scalars */
    YNode **items;         /* YN_MAP: values; YN_SEQ: items */
};

/* Parses a YAML file (or text when `text` is non-NULL; `file` then only names
 * it in messages). Returns the root (a map for an empty document), or NULL with
 * *err = "FILE:LINE:COLUMN: message". Caller frees with ynode_free. */
YNode *ynode_parse_file(const char *file, char **err);
YNode *ynode_parse_text(const char *file, const char *text, size_t len, char **err);
void ynode_free(YNode *root);

/* A key with no value: a plain `~`, `null` or empty scalar (not NULL). */
int ynode_is_null(const YNode *n);

/* Map lookup; NULL when absent or when map is not a map. */
const YNode *ynode_get(const YNode *map, const char *key);

/* Sets *err to "FILE:LINE:COLUMN: message" at node n. Always returns -1. */
int ynode_error(const YNode *n, char **err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Every key of map must be in allowed (NULL-terminated); otherwise an error
 * "unknown key 'x' in <what>" at the key. Also rejects a non-map. Returns 0/-1. */
int ynode_check_keys(const YNode *map, const char *const *allowed, const char *what, char **err);
/* ", did you mean 'NAME'?" when word is a near miss of one of the names in
 * list (separated by ", "), else "". Returns a new string; caller frees. */
char *ynode_did_you_mean(const char *word, const char *list);

/* Typed getters of an optional key. Absent: keep *out, return 0.
 * Wrong type: error at the node, return -1. Strings are new (caller frees;
 * the old *out is freed). */
int ynode_str(const YNode *map, const char *key, char **out, char **err);
int ynode_long(const YNode *map, const char *key, long min, long max, long *out, char **err);
int ynode_double(const YNode *map, const char *key, double *out, char **err);
int ynode_bool(const YNode *map, const char *key, int *out, char **err);
int ynode_duration(const YNode *map, const char *key, int64_t *ms, char **err);
/* Strings with ~ and ${ENV} expanded. */
int ynode_path(const YNode *map, const char *key, char **out, char **err);
/* Required variants: absent is an error "missing required key 'x'" at the map. */
int ynode_req_str(const YNode *map, const char *key, char **out, char **err);
/* A required path: absent, `~`, `null` or empty is an error at the key. */
int ynode_req_path(const YNode *map, const char *key, char **out, char **err);
/* A string, or a sequence of strings: returns a NULL-terminated array (caller
 * frees with strv_free). */
int ynode_strv(const YNode *map, const char *key, char ***out, char **err);
void strv_free(char **v);
int strv_len(char *const *v);

/* Building trees (preset expansion). `file` is borrowed: it must outlive
 * the tree (the root document's file). ynode_new copies `scalar` (may be
 * NULL for maps and sequences); ynode_push appends (key is NULL for a
 * sequence) and takes both; ynode_copy is deep and shares `file`;
 * ynode_free_node frees a subtree that is not a root (its file stays). */
YNode *ynode_new(YNodeType type, const char *file, int line, int col, const char *scalar);
void ynode_push(YNode *parent, YNode *key, YNode *item);
YNode *ynode_copy(const YNode *src);
void ynode_free_node(YNode *n);

/* Back to YAML text (ynode_emit.c): a map or list in block style at
 * indentation ind (a short list of single values as [a, b]); first_inline:
 * the first line's indentation is already written (after "- "). inline: a
 * single value or a short list on one line ("[...]" for anything bigger). */
struct Buf;
void ynode_emit(struct Buf *b, const YNode *n, int ind, int first_inline);
void ynode_emit_inline(struct Buf *b, const YNode *n);

/* Scalar conversions of one node (error at the node). */
int ynode_as_long(const YNode *n, long min, long max, long *out, char **err);
int ynode_as_bool(const YNode *n, int *out, char **err);

#endif
