/* fuzz_postgres_text.c — PostgreSQL text values into typed cells
 * (src/sources/postgres_text.c): the input is one value as libpq returns
 * it in text format (NUL-terminated, so it ends at a NUL), set into every
 * field of every dataset; and a server message redacted with a password. */
#include "fuzz.h"
#include "src/dataset.h"
#include "src/sources/postgres.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *v = fz_str(data, size);
    size_t len = strlen(v);
    for (int d = 0; d < DS__COUNT; d++) {
        Rows *r = rows_new(dataset_get((DatasetId)d));
        int row = rows_add(r);
        for (int f = 0; f < r->ds->nfields; f++)
            pg_set_cell(r, row, f, v, len);
        rows_free(r);
    }
    char *red = pg_redact(v, "hunter2");
    if (strstr(red, "hunter2")) {
        fprintf(stderr, "pg_redact left the password in '%s'\n", red);
        abort();
    }
    free(red);
    free(v);
    return 0;
}
