/* export.h — `mc export`: one dataset's rows streamed out of the cache as
 * RFC 4180 CSV (with a header row), a JSON array or NDJSON (one object per
 * line), optionally only some fields and a time window. The rows are read in
 * one SQLite read transaction (WAL: writers keep going, the export sees one
 * consistent state). JSON cells come from cache_dump_cell, the writer behind
 * `mc snapshot --json`, so both print a row the same way. */
#ifndef MC_EXPORT_H
#define MC_EXPORT_H

#include <stdio.h>
#include "cache.h"

typedef enum { EXPORT_CSV, EXPORT_JSON, EXPORT_NDJSON } ExportFormat;

typedef struct ExportSpec {
    const Dataset *ds;
    ExportFormat format;
    int nfields;             /* 0: every field of the contract */
    int fields[32];          /* indexes into ds->fields, in output order */
    const char *since;       /* ISO-8601 UTC; rows at or after it (NULL: any) */
    const char *until;       /* ISO-8601 UTC; rows before it (NULL: any) */
    int progress;            /* a "N rows" line on stderr, redrawn (stderr is a terminal) */
} ExportSpec;

/* "csv", "json", "ndjson" -> *out. 0 or -1. */
int export_format_parse(const char *s, ExportFormat *out);
/* Parses "a,b" into spec->fields (public fields only). -1 with *err naming
 * the unknown field and the dataset's fields. */
int export_fields_parse(ExportSpec *spec, const char *list, char **err);
/* The field a time window filters on (the dataset's time field, else its
 * first time-typed field), or NULL when it has none. */
const char *export_time_field(const Dataset *ds);
/* Writes the rows (oldest written first). Returns the row count, or -1 with *err. */
int64_t export_run(Cache *c, const ExportSpec *spec, FILE *out, char **err);

/* The same output from NDJSON text (an archive's, archive_read): each line
 * one row object of spec->ds; the window applies to the time field's text.
 * Returns the row count, or -1 with *err naming the first bad line. */
int64_t export_ndjson(const ExportSpec *spec, const char *text, FILE *out, char **err);

#endif
