/* test_presets.c — preset expansion (presets.h) on a fixture preset that is
 * not shipped (tests/fixtures/presets/example.yaml): defaults, optional keys
 * that vanish with their emptied maps, overrides, built-ins, unknown and
 * missing keys with the user's positions and the preset's name, and config
 * errors from the kind naming the preset. */
#include <stdlib.h>
#include <string.h>
#include "thelp.h"
#include "../src/config.h"
#include "../src/presets.h"
#include "../src/source.h"
#include "../src/util.h"
#include "../src/ynode.h"

static char *fixture_text;
static PresetBuiltin fixture[2];

static void use_fixture(void)
{
    const char *dir = getenv("MC_TESTS_DIR");
    char *path = xasprintf("%s/fixtures/presets/example.yaml", dir ? dir : ".");
    char *err = NULL;
    size_t len;
    if (file_read_all(path, 1 << 20, &fixture_text, &len, &err) < 0) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    free(path);
    fixture[0] = (PresetBuiltin){"example", fixture_text};
    fixture[1] = (PresetBuiltin){NULL, NULL};
    presets_use_table(fixture);
}

/* Expands the first source of a config text; returns the map as YAML (new). */
static char *expand_text(const char *text, char **err)
{
    YNode *doc = ynode_parse_text("mc.yaml", text, strlen(text), err);
    if (!doc)
        return NULL;
    const YNode *entry = ynode_get(doc, "sources")->items[0];
    YNode *x = preset_expand(entry, "2026-01-01", err);
    char *out = NULL;
    if (x) {
        Buf b = {0};
        ynode_emit(&b, x, 0, 0);
        out = buf_steal(&b);
        ynode_free_node(x);
    }
    ynode_free(doc);
    return out;
}

static void test_defaults_and_optional_vanish(void)
{
    char *err = NULL;
    char *y = expand_text("sources:\n  - {id: ex, preset: example, account: acme, api_key_env: EX_KEY}\n", &err);
    CHECK(y != NULL);
    CHECK_STR(y, "id: ex\n"
                 "kind: http_json\n"
                 "url: \"https://api.example.com/v1/acme/deals?since=2026-01-01&y=2026&src=ex\"\n"
                 "auth:\n  basic:\n    user_env: EX_KEY\n"
                 "every: 10m\n"
                 "feeds: revenue\n"
                 "items: $.data[*]\n"
                 "set:\n  key: Example\n");
    free(y);
    free(err);
}

static void test_overrides_and_passthrough(void)
{
    char *err = NULL;
    char *y = expand_text("sources:\n"
                          "  - id: ex\n"
                          "    preset: example\n"
                          "    account: acme\n"
                          "    api_key_file: /k\n"
                          "    base_url: http://127.0.0.1:9\n"
                          "    headers_extra: {X-A: b}\n"
                          "    items: $.rows[*]\n"
                          "    timeout: 5s\n"
                          "    enabled: false\n",
                          &err);
    CHECK(y != NULL);
    CHECK_CONTAINS(y, "url: \"http://127.0.0.1:9/v1/acme/");
    CHECK_CONTAINS(y, "auth:\n  basic:\n    user_file: /k\n");
    CHECK(!strstr(y, "user_env"));
    CHECK_CONTAINS(y, "headers:\n  X-A: b\n");        /* a whole map through "{{name}}" */
    CHECK_CONTAINS(y, "items: $.rows[*]\n");          /* the user's key replaced the preset's */
    CHECK(!strstr(y, "$.data"));
    CHECK_CONTAINS(y, "timeout: 5s\nenabled: false\n"); /* common keys pass through */
    free(y);
    free(err);
}

static void test_errors_at_user_positions(void)
{
    char *err = NULL;
    /* missing required param: at the entry */
    CHECK(!expand_text("sources:\n  - {id: ex, preset: example, api_key_env: K}\n", &err));
    CHECK_STR(err, "mc.yaml:2:5: source 'ex' (preset example): missing required key 'account'");
    /* none of a require_one_of group */
    CHECK(!expand_text("sources:\n  - {id: ex, preset: example, account: a}\n", &err));
    CHECK_STR(err, "mc.yaml:2:5: source 'ex' (preset example): needs 'api_key_file' or 'api_key_env'");
    /* a near miss of a param: at the key, with did you mean */
    CHECK(!expand_text("sources:\n  - id: ex\n    preset: example\n    account: a\n    api_key_fil: /k\n", &err));
    CHECK_CONTAINS(err, "mc.yaml:5:5: source 'ex' (preset example): unknown key 'api_key_fil'");
    CHECK_CONTAINS(err, "did you mean 'api_key_file'");
    /* unknown preset */
    CHECK(!expand_text("sources:\n  - {id: ex, preset: exampel}\n", &err));
    CHECK_CONTAINS(err, "mc.yaml:2:22: source 'ex': unknown preset 'exampel', did you mean 'example'?");
    /* preset and kind */
    CHECK(!expand_text("sources:\n  - {id: ex, preset: example, kind: command}\n", &err));
    CHECK_CONTAINS(err, "give 'preset' or 'kind', not both");
    /* a list where text is built */
    CHECK(!expand_text("sources:\n  - id: ex\n    preset: example\n    api_key_env: K\n    account: [a, b]\n", &err));
    CHECK_CONTAINS(err, "mc.yaml:5:14: source 'ex' (preset example): 'account' must be a single value");
    free(err);
}

/* Through config_load: the kind's own errors point into the user's file and
 * name the preset; a good entry records its preset. */
static void test_config_load(void)
{
    Config *c = NULL;
    char *err = NULL;
    CHECK(config_load_text("mc.yaml",
                           "sources:\n  - {id: ex, preset: example, account: a, api_key_env: K, every: 2m}\n", &c,
                           &err) == 0);
    if (c) {
        CHECK_STR(c->sources[0].preset, "example");
        CHECK_STR(c->sources[0].cls->kind, "http_json");
        CHECK_INT(c->sources[0].every_ms, 120000);
        config_free(c);
    }
    c = NULL;
    /* a bad value of the user's own key: its position, the preset named */
    CHECK(config_load_text("mc.yaml",
                           "sources:\n  - id: ex\n    preset: example\n    account: a\n    api_key_env: K\n"
                           "    every: soon\n",
                           &c, &err) < 0);
    CHECK_CONTAINS(err, "mc.yaml:6:12: source 'ex' (preset example): ");
    /* a key the kind does not know: passes the preset, refused by the kind */
    CHECK(config_load_text("mc.yaml",
                           "sources:\n  - id: ex\n    preset: example\n    account: a\n    api_key_env: K\n"
                           "    wibble: 1\n",
                           &c, &err) < 0);
    CHECK_CONTAINS(err, "mc.yaml:6:5: source 'ex' (preset example): unknown key 'wibble'");
    /* no id: the kind's message, still naming the preset */
    CHECK(config_load_text("mc.yaml", "sources:\n  - {preset: example, account: a, api_key_env: K}\n", &c, &err) < 0);
    CHECK_STR(err, "mc.yaml:2:5: source (preset example): missing required key 'id'");
    free(err);
}

/* `mc presets NAME`'s example loads back as a config. */
static void test_example_loads(void)
{
    char *note = NULL, *err = NULL, *summary = NULL, *doc = NULL;
    CHECK(preset_describe(preset_find("example"), &summary, &doc, &err) == 0);
    CHECK_STR(summary, "Example API: won deals this year -> revenue");
    CHECK_STR(doc, "# An example preset for test_presets (not shipped): every expansion rule.\n"
                   "# A second comment line.\n");
    YNode *ex = preset_example(preset_find("example"), "2026-01-01", &note, &err);
    CHECK(ex != NULL);
    CHECK_CONTAINS(note, "#   base_url: default https://api.example.com\n");
    CHECK_CONTAINS(note, "#   api_key_file: optional\n");
    CHECK_CONTAINS(note, "#   account: required\n");
    CHECK_CONTAINS(note, "#   one of: api_key_file api_key_env\n");
    if (ex) {
        Buf b = {0};
        buf_puts(&b, "sources:\n  - ");
        ynode_emit(&b, ex, 4, 1);
        CHECK_CONTAINS(b.s, "/v1/ACCOUNT/deals");
        CHECK_CONTAINS(b.s, "user_file: \"API_KEY_FILE\"");     /* the first of its group */
        CHECK(!strstr(b.s, "user_env"));
        Config *c = NULL;
        CHECK(config_load_text("example.yaml", b.s, &c, &err) == 0);
        if (c)
            CHECK_STR(c->sources[0].id, "example");
        config_free(c);
        buf_free(&b);
        ynode_free(ex);
    }
    free(note);
    free(err);
    free(summary);
    free(doc);
}

/* Two trees hold the same text, types and quoting. */
static int same_tree(const YNode *a, const YNode *b)
{
    if (a->type != b->type || a->n != b->n)
        return 0;
    if (a->type == YN_SCALAR)
        return !strcmp(a->scalar, b->scalar) && (a->quoted || ynode_is_null(a)) == (b->quoted || ynode_is_null(b));
    for (int i = 0; i < a->n; i++)
        if ((a->keys && strcmp(a->keys[i]->scalar, b->keys[i]->scalar)) || !same_tree(a->items[i], b->items[i]))
            return 0;
    return 1;
}

/* ynode_emit's YAML reads back as the same tree (what `mc presets NAME`
 * relies on), tricky scalars included. */
static void test_emit_round_trip(void)
{
    static const char text[] =
        "a: plain\n"
        "b: \"quoted true\"\n"
        "c: \"true\"\n"
        "d: true\n"
        "e: \"-\"\n"
        "f: --json\n"
        "g: \"a: b\"\n"
        "h: \"x #y\"\n"
        "i: \"*star\"\n"
        "j: \"line\\nbreak\\t\\\"q\\\" \\\\\"\n"
        "k: [a, \"b, c\", \"[d]\", 3]\n"
        "l: {}\n"
        "m: []\n"
        "n: ~\n"
        "o:\n  - {x: 1, y: [1, 2]}\n  - - nested\n    - list\n  - ''\n"
        "\"key: odd\": v\n"
        "p: $.data[*]\n"
        "q: \"{{x}}\"\n"
        "r: \"trailing:\"\n";
    char *err = NULL;
    YNode *a = ynode_parse_text("a.yaml", text, strlen(text), &err);
    CHECK(a != NULL);
    if (!a) {
        fprintf(stderr, "%s\n", err);
        free(err);
        return;
    }
    Buf b = {0};
    ynode_emit(&b, a, 0, 0);
    YNode *back = ynode_parse_text("b.yaml", b.s, b.len, &err);
    CHECK(back != NULL);
    if (back)
        CHECK(same_tree(a, back));
    else
        fprintf(stderr, "%s\n%s\n", err, b.s);
    ynode_free(back);
    ynode_free(a);
    buf_free(&b);
    free(err);
}

int main(void)
{
    use_fixture();
    RUN(test_defaults_and_optional_vanish);
    RUN(test_overrides_and_passthrough);
    RUN(test_errors_at_user_positions);
    RUN(test_config_load);
    RUN(test_example_loads);
    RUN(test_emit_round_trip);
    presets_use_table(NULL);
    free(fixture_text);
    return t_done();
}
