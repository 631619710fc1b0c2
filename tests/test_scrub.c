/* test_scrub.c — the one scrubber (src/net/scrub.h): registered values,
 * secret-looking environment variables, URL passwords, scheme tokens and
 * secret-looking names are masked; ordinary text is left alone. */
#include "thelp.h"

#include <stdlib.h>
#include "../src/net/scrub.h"

static void expect(const char *in, const char *want)
{
    char *out = scrub_text(in);
    CHECK_STR(out, want);
    free(out);
}

static void test_registered(void)
{
    scrub_register("s3cr3t-token-value");
    scrub_register("abc");                              /* too short: ignored */
    scrub_register("s3cr3t");                           /* contained in the longer one */
    expect("401: you sent s3cr3t-token-value twice: s3cr3t-token-value",
           "401: you sent *** twice: ***");
    expect("short s3cr3t alone", "short *** alone");
    expect("abc is not a secret", "abc is not a secret");
    CHECK(scrub_text(NULL) == NULL);
    char *s = NULL;
    scrub_in_place(&s);
    CHECK(s == NULL);
}

/* A replaced secret (an OAuth2 token refreshed every hour) is forgotten, so
 * a daemon's list does not grow by one per refresh; others stay masked. */
static void test_forget(void)
{
    scrub_register("old-oauth-token-0001");
    scrub_register("new-oauth-token-0002");
    scrub_forget("old-oauth-token-0001");
    scrub_forget("never-registered-xyz");
    scrub_forget(NULL);
    expect("old-oauth-token-0001 new-oauth-token-0002", "old-oauth-token-0001 ***");
    /* two sources holding the same token: one forgetting it keeps it masked */
    scrub_register("shared-oauth-token-03");
    scrub_register("shared-oauth-token-03");
    scrub_forget("shared-oauth-token-03");
    expect("shared-oauth-token-03", "***");
    scrub_forget("shared-oauth-token-03");
    expect("shared-oauth-token-03", "shared-oauth-token-03");
    int n = scrub_count();
    for (int i = 0; i < 100; i++) {
        char tok[40];
        snprintf(tok, sizeof tok, "refreshed-token-%04d", i);
        scrub_register(tok);
        scrub_forget(tok);
    }
    CHECK_INT(scrub_count(), n);
}

static void test_environment(void)
{
    /* read once, on the first scrub: set before anything scrubs in main */
    expect("echo MyEnvApiKey-1234567 back", "echo *** back");
    expect("not-a-secret-value-1", "not-a-secret-value-1");
}

static void test_urls(void)
{
    scrub_register_url("https://u:UrlPass-99@h.example/x?limit=5&api_key=QK-998877&sort=a");
    expect("failed: QK-998877 and UrlPass-99", "failed: *** and ***");
    scrub_register_url("https://TokenAsUser-55@h.example/");
    expect("bad TokenAsUser-55", "bad ***");
    expect("see postgres://bob:pw@db:5432/mc now", "see postgres://bob:***@db:5432/mc now");
    expect("see postgres://bob@db/mc", "see postgres://bob@db/mc");
    expect("GET /items?token=zzz&page=2 failed", "GET /items?token=***&page=2 failed");
    expect("GET /x?Access_Token=a1&sig=b2#f", "GET /x?Access_Token=***&sig=***#f");
    expect("http://127.0.0.1:4000/a?b=1", "http://127.0.0.1:4000/a?b=1");
}

static void test_patterns(void)
{
    expect("Authorization: Bearer eyJhbGciOi.xyz; Accept: */*", "Authorization: ***; Accept: */*");
    expect("got bearer abcdefgh from you", "got bearer *** from you");
    expect("X-Api-Key: k-1234; apikey: k-5678", "X-Api-Key: ***; apikey: ***");
    expect("{\"token\": \"t-1\", \"client_secret\":\"c-2\", \"name\": \"x\"}",
           "{\"token\": \"***\", \"client_secret\":\"***\", \"name\": \"x\"}");
    expect("host=db password=hunter2 user=bob", "host=db password=*** user=bob");
    expect("password='two words' user=bob", "password='***' user=bob");
    expect("no row matched id = 'b1' in tasks", "no row matched id = 'b1' in tasks");
    expect("HTTP 500 from 127.0.0.1:8080: database is down", "HTTP 500 from 127.0.0.1:8080: database is down");
    expect("the keyboard: ok; tokens remain", "the keyboard: ok; tokens remain");
    /* config errors keep their words */
    expect("t.yaml:3:4: resolve.key: 'a b' is not a column name",
           "t.yaml:3:4: resolve.key: 'a b' is not a column name");
    expect("key: b1 not found", "key: b1 not found");
    expect("GET /maps?key=AIzaSy-123", "GET /maps?key=***");
    CHECK(scrub_secret_name("X-Api-Key", 9));
    CHECK(scrub_secret_name("github_token", 12));
    CHECK(scrub_secret_name("apikey", 6));
    CHECK(!scrub_secret_name("Accept", 6));
    CHECK(!scrub_secret_name("Content-Type", 12));
    CHECK(!scrub_secret_name("monkey", 6));
}

int main(void)
{
    setenv("MC_T_SCRUB_API_KEY", "MyEnvApiKey-1234567", 1);
    setenv("MC_T_SCRUB_PLAIN", "not-a-secret-value-1", 1);
    RUN(test_registered);
    RUN(test_forget);
    RUN(test_environment);
    RUN(test_urls);
    RUN(test_patterns);
    return t_done();
}
