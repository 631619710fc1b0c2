/* fuzz_template.c — write-back templates (src/net/template.c): the input is
 * "TEMPLATE\0VALUE": the template is expanded in URL, JSON and header
 * context with every known name bound to VALUE, and checked against the
 * names. What each context promises is checked: a URL expansion holds no byte
 * outside the template's own plus percent-escapes, a header holds no CR or
 * LF the template did not have, a JSON body stays valid JSON when the
 * template was a JSON string holding one placeholder. */
#include <cjson/cJSON.h>
#include "fuzz.h"
#include "src/net/template.h"

static int has_byte(const char *s, int c)
{
    return strchr(s, c) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *tmpl = fz_str(data, size);
    size_t tl = strlen(tmpl);
    const char *value = tl < size ? (const char *)data + tl + 1 : "";
    char *val = xstrndup(value, size - (tl < size ? tl + 1 : size));
    static const char *const names[] = {"key", "note", "by", "id", "action", NULL};
    TmplVar vars[] = {{"key", val}, {"note", val}, {"by", "apple"}, {"id", NULL}, {"action", "resolve"}};
    char *unknown = NULL;
    (void)tmpl_check(tmpl, names, &unknown);
    free(unknown);

    char *url = tmpl_expand(tmpl, vars, 5, TMPL_URL);
    for (const char *p = url; *p; p++)
        if ((*p == ' ' || *p == '\n' || *p == '\r' || (unsigned char)*p >= 0x80) && !has_byte(tmpl, *p)) {
            fprintf(stderr, "URL expansion let byte 0x%02x through: %s\n", (unsigned char)*p, url);
            abort();
        }
    free(url);

    char *hdr = tmpl_expand(tmpl, vars, 5, TMPL_HEADER);
    if ((has_byte(hdr, '\n') && !has_byte(tmpl, '\n')) || (has_byte(hdr, '\r') && !has_byte(tmpl, '\r'))) {
        fprintf(stderr, "header expansion let CR/LF through: %s\n", hdr);
        abort();
    }
    free(hdr);

    free(tmpl_expand(tmpl, vars, 5, TMPL_JSON));
    char *body = tmpl_expand("{\"note\":\"{note}\",\"key\":\"{key}\"}", vars, 5, TMPL_JSON);
    cJSON *doc = cJSON_Parse(body);
    const cJSON *note = cJSON_GetObjectItemCaseSensitive(doc, "note");
    if (!doc || !cJSON_IsString(note)) {
        fprintf(stderr, "JSON expansion broke the body: %s\n", body);
        abort();
    }
    cJSON_Delete(doc);
    free(body);
    free(val);
    free(tmpl);
    return 0;
}
