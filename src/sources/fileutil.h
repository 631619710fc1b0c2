/* fileutil.h — small helpers shared by the file-reading source kinds
 * (jsonl, markdown_tasks, json_file, cron_logs): file fingerprints for
 * "unchanged since last time", line/column of a byte offset for error
 * messages, printable snippets of untrusted bytes, marker search, and
 * converting JSON values into the text and times rows hold. */
#ifndef MC_SOURCES_FILEUTIL_H
#define MC_SOURCES_FILEUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <cjson/cJSON.h>
#include "../util.h"
#include "../ynode.h"

/* 1-based line and column of byte offset `off` in text[0..len). */
void fu_line_col(const char *text, size_t len, size_t off, int *line, int *col);

/* "ino:size:mtime_ns" of a stat result into out (at least 64 bytes). */
void fu_fingerprint(const struct stat *st, char *out, size_t outsz);

/* Copies at most n bytes of s into out (NUL-terminated), replacing control
 * bytes with '?', so untrusted text can go into an error message. */
void fu_snippet(const char *s, size_t n, char *out, size_t outsz);

/* Finds marker in hay[0..n) ignoring ASCII case; an alphanumeric edge of the
 * marker must not touch another alphanumeric ("blocked" does not match
 * "unblocked"). Returns a pointer into hay, or NULL. */
const char *fu_find_marker(const char *hay, size_t n, const char *marker);

/* 16 lowercase hex digits of h into out (at least 17 bytes). */
void fu_hex64(uint64_t h, char *out);

/* Text of a JSON value: a string as it is, a number/bool/object/array as
 * JSON text, NULL for null or absent. Returns a new string; caller frees. */
char *fu_json_text(const cJSON *v);

/* Appends v as compact JSON text to b (like cJSON_PrintUnformatted, without
 * its allocations; bytes >= 0x80 pass through as they are). */
void fu_json_print(Buf *b, const cJSON *v);

/* A time from a JSON value: ISO-8601 string, or epoch seconds / ms number.
 * Returns 0 and *ms, or -1 when absent or unparsable. */
int fu_json_time(const cJSON *v, int64_t *ms);

/* The same time as canonical UTC ISO text ("2026-11-21T09:14:03Z") into out
 * (at least 32 bytes), without a round trip when the string already is
 * canonical (the hot path of big handoff files). Returns 0, or -1 when absent
 * or unparsable. */
int fu_json_iso(const cJSON *v, char *out);

/* Skips a UTF-8 byte-order mark: returns the number of bytes to skip (0 or 3). */
size_t fu_bom_len(const char *s, size_t n);

/* "path:LINE:COL: invalid JSON near '...'" for a failed cJSON parse whose
 * error position is `at` inside text. Returns a new string; caller frees. */
char *fu_json_error(const char *path, const char *text, size_t len, const char *at);

/* An optional byte size key: size_ynode (net/size.h), the one size parser
 * (K, M, G count 1024s; kB, MB, GB 1000s). Absent: keeps *out, returns 0. Out of [min, max] or malformed:
 * error "FILE:LINE:COLUMN: ..." at the value, returns -1. */
int fu_ynode_size(const YNode *map, const char *key, int64_t min, int64_t max,
                  int64_t *out, char **err);

/* A required path key (with ~ and ${ENV} expanded): absent is an error at
 * the map, a null (`path: ~`, `path:`) or empty one at the value. Returns 0
 * or -1 with *err; *out is set on success. */
int fu_ynode_req_path(const YNode *map, const char *key, char **out, char **err);

#endif
