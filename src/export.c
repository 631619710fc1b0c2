/* export.c — `mc export`'s row writers (see export.h). One SELECT of the
 * chosen fields with the time window as bound parameters, stepped once;
 * output goes through a 64 KiB buffer. CSV cells: text and times as they
 * are, numbers and bools as in JSON, nested fields (streams, services) as
 * their JSON text, NULL as an empty cell; a cell with a comma, quote, CR or
 * LF (or leading/trailing space) is quoted with quotes doubled; lines end
 * in CRLF (RFC 4180). */
#include "export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "cache_internal.h"
#include "progress.h"

int export_format_parse(const char *s, ExportFormat *out)
{
    static const char *const names[] = {"csv", "json", "ndjson"};
    for (int i = 0; i < 3; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (ExportFormat)i;
            return 0;
        }
    return -1;
}

/* "source, key, ts, ..." of a dataset's contract fields. Caller frees. */
static char *public_fields(const Dataset *ds)
{
    Buf b = {0};
    for (int i = 0; i < ds->npublic; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", ds->fields[i].name);
    return buf_steal(&b);
}

int export_fields_parse(ExportSpec *spec, const char *list, char **err)
{
    const Dataset *ds = spec->ds;
    spec->nfields = 0;
    const char *p = list;
    for (;;) {
        size_t n = strcspn(p, ",");
        int found = -1;
        for (int i = 0; i < ds->npublic; i++)
            if (strlen(ds->fields[i].name) == n && strncmp(ds->fields[i].name, p, n) == 0)
                found = i;
        if (found < 0) {
            char *known = public_fields(ds);
            set_err(err, "unknown field '%.*s' in dataset '%s' (fields: %s)", (int)(n > 60 ? 60 : n), p,
                    ds->name, known);
            free(known);
            return -1;
        }
        if (spec->nfields == (int)MC_ARRAY_LEN(spec->fields)) {
            set_err(err, "too many fields");
            return -1;
        }
        spec->fields[spec->nfields++] = found;
        if (!p[n])
            return 0;
        p += n + 1;
    }
}

const char *export_time_field(const Dataset *ds)
{
    if (ds->time_field)
        return ds->time_field;
    for (int i = 0; i < ds->npublic; i++)
        if (ds->fields[i].type == F_TIME)
            return ds->fields[i].name;
    return NULL;
}

/* Appends one CSV cell. */
static void csv_cell(Buf *b, sqlite3_stmt *st, int i, FieldType t)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return;
    if (t != F_TEXT && t != F_TIME && t != F_JSON) {
        cache_dump_cell(b, st, i, t);
        return;
    }
    const char *s = (const char *)sqlite3_column_text(st, i);
    size_t n = (size_t)sqlite3_column_bytes(st, i);
    if (!s)
        return;
    if (n && !memchr(s, '"', n) && !memchr(s, ',', n) && !memchr(s, '\n', n) && !memchr(s, '\r', n) &&
        s[0] != ' ' && s[n - 1] != ' ') {
        buf_append(b, s, n);
        return;
    }
    buf_putc(b, '"');
    for (const char *q; (q = memchr(s, '"', n)) != NULL; n -= (size_t)(q + 1 - s), s = q + 1) {
        buf_append(b, s, (size_t)(q + 1 - s));
        buf_putc(b, '"');
    }
    buf_append(b, s, n);
    buf_putc(b, '"');
}

/* The SELECT of the spec's fields and window. */
static char *build_query(const ExportSpec *spec, const int *fields, int nf, const char *tf)
{
    Buf q = {0};
    buf_puts(&q, "SELECT ");
    for (int i = 0; i < nf; i++)
        buf_printf(&q, "%s%s", i ? ", " : "", spec->ds->fields[fields[i]].name);
    buf_printf(&q, " FROM %s", spec->ds->name);
    /* a date-only field (revenue's snapshot_date, usage's date) compares by date */
    int date_only = tf && spec->ds->fields[dataset_field(spec->ds, tf)].type != F_TIME;
    const char *p1 = date_only ? "substr(?1, 1, 10)" : "?1", *p2 = date_only ? "substr(?2, 1, 10)" : "?2";
    if (tf)
        buf_printf(&q, " WHERE (?1 IS NULL OR %s >= %s) AND (?2 IS NULL OR %s < %s)", tf, p1, tf, p2);
    buf_puts(&q, " ORDER BY rowid");
    return buf_steal(&q);
}

/* The fields to write: --fields, or every public field (at most 32, in
 * `all`). Returns their count and points *fields at them. */
static int export_fields(const ExportSpec *spec, int all[32], const int **fields)
{
    if (spec->nfields > 0) {
        *fields = spec->fields;
        return spec->nfields;
    }
    int nf = spec->ds->npublic < 32 ? spec->ds->npublic : 32;
    for (int i = 0; i < nf; i++)
        all[i] = i;
    *fields = all;
    return nf;
}

int64_t export_run(Cache *c, const ExportSpec *spec, FILE *out, char **err)
{
    const Dataset *ds = spec->ds;
    int all[32];
    const int *fields;
    int nf = export_fields(spec, all, &fields);
    const char *tf = export_time_field(ds);
    if ((spec->since || spec->until) && !tf) {
        set_err(err, "dataset '%s' has no time field: --since and --until do not apply", ds->name);
        return -1;
    }
    char *sql = build_query(spec, fields, nf, tf);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(c->db, sql, -1, &st, NULL);
    free(sql);
    if (rc != SQLITE_OK) {
        set_err(err, "cache: %s", sqlite3_errmsg(c->db));
        return -1;
    }
    if (tf) {
        sqlite3_bind_text(st, 1, spec->since, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, spec->until, -1, SQLITE_STATIC);
    }
    /* per field: `"name": ` for JSON, the header for CSV */
    char prefix[32][48];
    size_t plen[32];
    Buf b = {0};
    for (int i = 0; i < nf; i++) {
        const char *name = ds->fields[fields[i]].name;
        plen[i] = (size_t)snprintf(prefix[i], sizeof prefix[i], "%s\"%s\": ", i ? ", " : "", name);
        if (spec->format == EXPORT_CSV)
            buf_printf(&b, "%s%s", i ? "," : "", name);
    }
    if (spec->format == EXPORT_CSV)
        buf_puts(&b, "\r\n");
    else if (spec->format == EXPORT_JSON)
        buf_putc(&b, '[');
    int64_t n = 0;
    Progress pg;
    progress_start(&pg, "mc export", spec->progress);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (spec->format == EXPORT_CSV) {
            for (int i = 0; i < nf; i++) {
                if (i)
                    buf_putc(&b, ',');
                csv_cell(&b, st, i, ds->fields[fields[i]].type);
            }
            buf_append(&b, "\r\n", 2);
        } else {
            if (spec->format == EXPORT_JSON)
                buf_puts(&b, n ? ",\n  " : "\n  ");
            buf_putc(&b, '{');
            for (int i = 0; i < nf; i++) {
                buf_append(&b, prefix[i], plen[i]);
                cache_dump_cell(&b, st, i, ds->fields[fields[i]].type);
            }
            buf_putc(&b, '}');
            if (spec->format == EXPORT_NDJSON)
                buf_putc(&b, '\n');
        }
        n++;
        if (b.len > 1 << 16) {
            fwrite(b.s, 1, b.len, out);
            b.len = 0;
            progress_show(&pg, "%lld rows", (long long)n);
        }
    }
    progress_done(&pg, "%lld rows, done", (long long)n);
    sqlite3_finalize(st);
    if (spec->format == EXPORT_JSON)
        buf_puts(&b, n ? "\n]\n" : "]\n");
    if (b.len)
        fwrite(b.s, 1, b.len, out);
    buf_free(&b);
    if (rc != SQLITE_DONE) {
        set_err(err, "cache: %s", sqlite3_errmsg(c->db));
        return -1;
    }
    return n;
}

/* One parsed archive cell: as in CSV (text raw, null empty, other JSON) or JSON. */
static void json_cell(Buf *b, const cJSON *v, int csv)
{
    if (!v || cJSON_IsNull(v)) {
        if (!csv)
            buf_puts(b, "null");
        return;
    }
    if (cJSON_IsString(v)) {
        if (!csv) {
            buf_json_string(b, v->valuestring, 1);
            return;
        }
        const char *s = v->valuestring;
        size_t n = strlen(s);
        if (n && !strpbrk(s, "\",\r\n") && s[0] != ' ' && s[n - 1] != ' ') {
            buf_append(b, s, n);
            return;
        }
        buf_putc(b, '"');
        for (; *s; s++) {
            if (*s == '"')
                buf_putc(b, '"');
            buf_putc(b, *s);
        }
        buf_putc(b, '"');
        return;
    }
    char *t = cJSON_PrintUnformatted(v);
    if (csv && (cJSON_IsObject(v) || cJSON_IsArray(v))) {
        cJSON *wrap = cJSON_CreateString(t ? t : "");
        json_cell(b, wrap, 1);
        cJSON_Delete(wrap);
    } else {
        buf_puts(b, t ? t : "null");
    }
    free(t);
}

int64_t export_ndjson(const ExportSpec *spec, const char *text, FILE *out, char **err)
{
    const Dataset *ds = spec->ds;
    int all[32];
    const int *fields;
    int nf = export_fields(spec, all, &fields);
    const char *tf = export_time_field(ds);
    int csv = spec->format == EXPORT_CSV;
    Buf b = {0};
    if (csv) {
        for (int i = 0; i < nf; i++)
            buf_printf(&b, "%s%s", i ? "," : "", ds->fields[fields[i]].name);
        buf_puts(&b, "\r\n");
    } else if (spec->format == EXPORT_JSON) {
        buf_putc(&b, '[');
    }
    int64_t n = 0, line = 0;
    for (const char *p = text; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        line++;
        char *one = xstrndup(p, len);
        p = nl ? nl + 1 : NULL;
        cJSON *row = len ? cJSON_Parse(one) : NULL;
        free(one);
        if (!len)
            continue;
        if (!cJSON_IsObject(row)) {
            cJSON_Delete(row);
            set_err(err, "line %lld: not a JSON object", (long long)line);
            buf_free(&b);
            return -1;
        }
        const cJSON *t = tf ? cJSON_GetObjectItemCaseSensitive(row, tf) : NULL;
        const char *ts = cJSON_IsString(t) ? t->valuestring : NULL;
        if ((spec->since && (!ts || strcmp(ts, spec->since) < 0)) || (spec->until && (!ts || strcmp(ts, spec->until) >= 0))) {
            cJSON_Delete(row);
            continue;
        }
        if (spec->format == EXPORT_JSON)
            buf_puts(&b, n ? ",\n  {" : "\n  {");
        else if (!csv)
            buf_putc(&b, '{');
        for (int i = 0; i < nf; i++) {
            const char *name = ds->fields[fields[i]].name;
            if (csv)
                buf_puts(&b, i ? "," : "");
            else
                buf_printf(&b, "%s\"%s\": ", i ? ", " : "", name);
            json_cell(&b, cJSON_GetObjectItemCaseSensitive(row, name), csv);
        }
        buf_puts(&b, csv ? "\r\n" : spec->format == EXPORT_JSON ? "}" : "}\n");
        cJSON_Delete(row);
        n++;
        if (b.len > 1 << 16) {
            fwrite(b.s, 1, b.len, out);
            b.len = 0;
        }
    }
    if (spec->format == EXPORT_JSON)
        buf_puts(&b, n ? "\n]\n" : "]\n");
    if (b.len)
        fwrite(b.s, 1, b.len, out);
    buf_free(&b);
    return n;
}
