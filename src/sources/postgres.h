/* postgres.h — the parts of the `postgres` source kind that need no libpq:
 * keeping secrets out of libpq's messages, and turning the text libpq hands
 * back into typed cells. postgres.c uses them; tests/test_postgres.c checks
 * them directly. */
#ifndef MC_SOURCES_POSTGRES_H
#define MC_SOURCES_POSTGRES_H

#include "../dataset.h"

/* Returns a copy of msg (caller frees) with every secret masked as "***":
 * the values of password=... / sslpassword=... (quoted or not, also as a URI
 * query parameter), the password of a postgres://user:pass@host URI, and
 * every occurrence of `password` itself (NULL or "" = none known). */
char *pg_redact(const char *msg, const char *password);

/* Stores one value as libpq prints it (text format, session TimeZone UTC)
 * into cell (row, field) by the field's type: F_TIME from timestamptz /
 * timestamp / date text or epoch numbers (stored as ISO "...Z"), F_BOOL from
 * t/f/true/false/1/0/yes/no/on/off, F_INT and F_REAL from numeric text,
 * F_JSON as JSON text (anything that is not valid JSON becomes a JSON
 * string), F_TEXT as is. NULL text or an unparsable value stores NULL.
 * Text longer than PG_MAX_CELL bytes is cut at a UTF-8 boundary. */
#define PG_MAX_CELL (256 * 1024)
void pg_set_cell(Rows *r, int row, int field, const char *text, size_t len);

#endif
