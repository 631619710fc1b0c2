/* test_docs.c — the documents that are a contract say what the code does.
 * mc.1's FILE FORMATS section names every dataset and every public field of
 * each (looping over the dataset registry, so a new field fails here until
 * it is documented), the handoffs JSONL fields and the resolution line, and
 * the pending-work markers; docs/ARCHITECTURE.md exists and, like every code
 * comment, cites no document outside the repo (the old design notes and
 * file contracts that lived next to it). Paths come from $MC_SRC_DIR (set by
 * tests/meson.build). */
#include "thelp.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "../src/dataset.h"
#include "../src/util.h"

/* A whole file, or NULL. Caller frees. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    Buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    fclose(f);
    return b.s ? b.s : xstrdup("");
}

static const char *src_dir(void)
{
    const char *d = getenv("MC_SRC_DIR");
    return d && *d ? d : "..";
}

/* The text of mc.1 from ".SH FILE FORMATS" to the next ".SH". */
static char *formats_section(void)
{
    char *path = xasprintf("%s/mc.1", src_dir());
    char *man = slurp(path);
    free(path);
    CHECK(man != NULL);
    if (!man)
        return xstrdup("");
    char *start = strstr(man, "\n.SH FILE FORMATS\n");
    CHECK(start != NULL);
    char *out;
    if (!start) {
        out = xstrdup("");
    } else {
        char *end = strstr(start + 1, "\n.SH ");
        out = end ? xstrndup(start, (size_t)(end - start)) : xstrdup(start);
    }
    free(man);
    return out;
}

/* Does text name word as a whole word (not inside a longer name)? */
static int names(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = strstr(text, word); p; p = strstr(p + 1, word)) {
        int before = p == text || !(p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z'));
        int after = !(p[n] == '_' || (p[n] >= 'a' && p[n] <= 'z'));
        if (before && after)
            return 1;
    }
    return 0;
}

static void test_dataset_fields_documented(void)
{
    char *sec = formats_section();
    for (int d = 0; d < DS__COUNT; d++) {
        const Dataset *ds = dataset_get((DatasetId)d);
        char *tag = xasprintf(".B %s\n", ds->name);
        const char *entry = strstr(sec, tag);
        if (!entry)
            fprintf(stderr, "mc.1 FILE FORMATS has no entry for dataset %s\n", ds->name);
        CHECK(entry != NULL);
        if (entry) {
            const char *end = strstr(entry + strlen(tag), "\n.");
            char *body = end ? xstrndup(entry, (size_t)(end - entry)) : xstrdup(entry);
            /* fields[0] is "source", described once for every dataset */
            for (int f = 1; f < ds->npublic; f++) {
                if (!names(body, ds->fields[f].name))
                    fprintf(stderr, "mc.1: dataset %s lacks field %s\n", ds->name,
                            ds->fields[f].name);
                CHECK(names(body, ds->fields[f].name));
            }
            free(body);
        }
        free(tag);
    }
    CHECK(names(sec, "source"));
    free(sec);
}

static void test_handoffs_and_markers_documented(void)
{
    char *sec = formats_section();
    static const char *const handoff[] = {"id", "ts", "from", "to", "type", "status", "summary",
                                          "details", "action_needed", "resolution", "ref", "by",
                                          "note", "idempotency_key"};
    for (size_t i = 0; i < MC_ARRAY_LEN(handoff); i++) {
        if (!names(sec, handoff[i]))
            fprintf(stderr, "mc.1 FILE FORMATS lacks handoff field %s\n", handoff[i]);
        CHECK(names(sec, handoff[i]));
    }
    CHECK_CONTAINS(sec, ".SS Pending work");
    CHECK_CONTAINS(sec, "owner_markers:");
    CHECK_CONTAINS(sec, "blocked_markers:");
    CHECK_CONTAINS(sec, "\\fBBLOCKED\\fR");
    CHECK_CONTAINS(sec, "\\fBwaiting on\\fR");
    free(sec);
}

/* Every file under dir (recursively) with one of the extensions. */
static void scan(const char *dir, void (*fn)(const char *path))
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *p = xasprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
            scan(p, fn);
        else if (strstr(e->d_name, ".c") || strstr(e->d_name, ".h") || strstr(e->d_name, ".md") ||
                 strstr(e->d_name, ".py") || strstr(e->d_name, ".sh") || strstr(e->d_name, ".dict"))
            fn(p);
        free(p);
    }
    closedir(d);
}

static void no_outside_citation(const char *path)
{
    char *text = slurp(path);
    if (!text)
        return;
    /* spelled in two parts so this file does not cite them itself */
    static const char *const outside[] = {"DESIGN" ".md", "contracts" "/", "STYLE" ".md",
                                          "../" "shared"};
    for (size_t i = 0; i < MC_ARRAY_LEN(outside); i++) {
        if (strstr(text, outside[i]))
            fprintf(stderr, "%s cites %s, which is not in the repo\n", path, outside[i]);
        CHECK(strstr(text, outside[i]) == NULL);
    }
    free(text);
}

static void test_no_citation_outside_repo(void)
{
    char *arch = xasprintf("%s/docs/ARCHITECTURE.md", src_dir());
    char *text = slurp(arch);
    CHECK(text != NULL);              /* the architecture document is in the repo */
    CHECK_CONTAINS(text, "Engine.lock");
    free(text);
    free(arch);
    static const char *const dirs[] = {"src", "widgets", "tests", "tools", "bench", "docs"};
    for (size_t i = 0; i < MC_ARRAY_LEN(dirs); i++) {
        char *d = xasprintf("%s/%s", src_dir(), dirs[i]);
        scan(d, no_outside_citation);
        free(d);
    }
}

int main(void)
{
    RUN(test_dataset_fields_documented);
    RUN(test_handoffs_and_markers_documented);
    RUN(test_no_citation_outside_repo);
    return t_done();
}
