/* dataset.h — the fixed, typed tables of the cache (mc.1 "FILE FORMATS", docs/ARCHITECTURE.md) and
 * the row sets that sources fill and the cache writes.
 *
 * Field names are the public contract printed by `mc snapshot --json`. Every
 * dataset also carries `source` and `key` (the source's own identity for the
 * row), so write-back knows where to go. */
#ifndef MC_DATASET_H
#define MC_DATASET_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    F_TEXT,   /* string */
    F_INT,    /* integer */
    F_REAL,   /* number (money is US dollars) */
    F_BOOL,   /* 0/1 in the cache, true/false in JSON */
    F_TIME,   /* UTC ISO-8601 text "2026-11-21T14:03:00Z" */
    F_JSON    /* JSON text (arrays like streams, services; objects) */
} FieldType;

typedef struct Field {
    const char *name;
    FieldType type;
} Field;

typedef enum {
    DS_BLOCKERS,
    DS_ACTIVITY,
    DS_REVENUE,
    DS_SYSTEM,
    DS_AGENTS,
    DS_USAGE,
    DS_CRON,
    DS_PROJECTS,
    DS_AUDIT,      /* resolves, undos, snoozes and delivery results */
    DS_ALERTS,     /* conditions the engine raised from the other datasets */
    DS__COUNT
} DatasetId;

typedef struct Dataset {
    DatasetId id;
    const char *name;
    const Field *fields;   /* fields[0] is "source", fields[1] is "key" */
    int nfields;
    const char *order_by;  /* default order for reads, e.g. "ts DESC" */
    const char *time_field;/* the field retention by age uses (NULL: none) */
    /* fields[0..npublic) are the contract (`mc snapshot`); the rest are the
     * cache's own bookkeeping (blockers.read_as), never printed */
    int npublic;
} Dataset;

const Dataset *dataset_get(DatasetId id);
/* Looks a dataset up by name; NULL when there is none. */
const Dataset *dataset_find(const char *name);
/* Index of a field in ds->fields, or -1. */
int dataset_field(const Dataset *ds, const char *name);
/* 1 for the datasets mc writes itself (audit, alerts): no source feeds them. */
int dataset_mc_owned(const Dataset *ds);
/* Comma-separated names of all datasets, for error messages. */
const char *dataset_names(void);

/* One cell of a row. Text is owned by the row set. */
typedef enum { V_NULL, V_TEXT, V_INT, V_REAL } ValueKind;
typedef struct Value {
    ValueKind kind;
    union {
        char *s;
        int64_t i;
        double d;
    } u;
} Value;

/* Rows of one dataset, nrows x ds->nfields cells, all V_NULL when added. */
typedef struct Rows {
    const Dataset *ds;
    int nrows, cap;
    Value *cells;
} Rows;

Rows *rows_new(const Dataset *ds);
void rows_free(Rows *r);
void rows_clear(Rows *r);                 /* drops all rows, keeps capacity */
int rows_add(Rows *r);                    /* returns the new row's index */
Value *rows_cell(Rows *r, int row, int field);
const Value *rows_cell_c(const Rows *r, int row, int field);
/* Setters by field index; a negative index is ignored (makes "field not in
 * this dataset" harmless). Text is copied. */
void rows_set_text(Rows *r, int row, int field, const char *s);
void rows_set_textn(Rows *r, int row, int field, const char *s, size_t n);
void rows_set_int(Rows *r, int row, int field, int64_t v);
void rows_set_real(Rows *r, int row, int field, double v);
void rows_set_null(Rows *r, int row, int field);
/* Stores epoch ms as ISO text; NULL outside the years 0001..9999. */
void rows_set_time(Rows *r, int row, int field, int64_t epoch_ms);
/* Setters by field name (slower; fine outside hot loops). */
void rows_set_text_f(Rows *r, int row, const char *field, const char *s);

#endif
