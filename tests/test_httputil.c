/* test_httputil.c — the URL and date helpers of http.h (httputil.c,
 * httpurl.c), which run without libcurl. The expected values are what the
 * libcurl-based versions returned (curl 7.88, run on the old code), except
 * where curl did not follow RFC 3986 and the RFC is kept (marked "RFC"):
 * "#s" and "" against a base keep its path and query (5.4.1), "?" keeps
 * the empty query, and a URL without a host ("http:/x", "http:///x") or a
 * percent-encoded host is not one mc requests. */
#include <stdlib.h>
#include <string.h>
#include "thelp.h"
#include "../src/net/http.h"

typedef struct { const char *base, *ref, *want; } Res;
typedef struct { const char *url, *want; } Host;
typedef struct { const char *value; long long want; } Date;

/* RFC 3986 5.4.1 (normal) and 5.4.2 (abnormal) examples, then others. */
static const Res resolves[] = {
    {"http://a/b/c/d;p?q", "g:h", NULL},
    {"http://a/b/c/d;p?q", "g", "http://a/b/c/g"},
    {"http://a/b/c/d;p?q", "./g", "http://a/b/c/g"},
    {"http://a/b/c/d;p?q", "g/", "http://a/b/c/g/"},
    {"http://a/b/c/d;p?q", "/g", "http://a/g"},
    {"http://a/b/c/d;p?q", "//g", "http://g/"},
    {"http://a/b/c/d;p?q", "?y", "http://a/b/c/d;p?y"},
    {"http://a/b/c/d;p?q", "g?y", "http://a/b/c/g?y"},
    {"http://a/b/c/d;p?q", "#s", "http://a/b/c/d;p?q#s"}, /* RFC */
    {"http://a/b/c/d;p?q", "g#s", "http://a/b/c/g#s"},
    {"http://a/b/c/d;p?q", "g?y#s", "http://a/b/c/g?y#s"},
    {"http://a/b/c/d;p?q", ";x", "http://a/b/c/;x"},
    {"http://a/b/c/d;p?q", "g;x", "http://a/b/c/g;x"},
    {"http://a/b/c/d;p?q", "g;x?y#s", "http://a/b/c/g;x?y#s"},
    {"http://a/b/c/d;p?q", "", "http://a/b/c/d;p?q"}, /* RFC */
    {"http://a/b/c/d;p?q", ".", "http://a/b/c/"},
    {"http://a/b/c/d;p?q", "./", "http://a/b/c/"},
    {"http://a/b/c/d;p?q", "..", "http://a/b/"},
    {"http://a/b/c/d;p?q", "../", "http://a/b/"},
    {"http://a/b/c/d;p?q", "../g", "http://a/b/g"},
    {"http://a/b/c/d;p?q", "../..", "http://a/"},
    {"http://a/b/c/d;p?q", "../../", "http://a/"},
    {"http://a/b/c/d;p?q", "../../g", "http://a/g"},
    {"http://a/b/c/d;p?q", "../../../g", "http://a/g"},
    {"http://a/b/c/d;p?q", "../../../../g", "http://a/g"},
    {"http://a/b/c/d;p?q", "/./g", "http://a/g"},
    {"http://a/b/c/d;p?q", "/../g", "http://a/g"},
    {"http://a/b/c/d;p?q", "g.", "http://a/b/c/g."},
    {"http://a/b/c/d;p?q", ".g", "http://a/b/c/.g"},
    {"http://a/b/c/d;p?q", "g..", "http://a/b/c/g.."},
    {"http://a/b/c/d;p?q", "..g", "http://a/b/c/..g"},
    {"http://a/b/c/d;p?q", "./../g", "http://a/b/g"},
    {"http://a/b/c/d;p?q", "./g/.", "http://a/b/c/g/"},
    {"http://a/b/c/d;p?q", "g/./h", "http://a/b/c/g/h"},
    {"http://a/b/c/d;p?q", "g/../h", "http://a/b/c/h"},
    {"http://a/b/c/d;p?q", "g;x=1/./y", "http://a/b/c/g;x=1/y"},
    {"http://a/b/c/d;p?q", "g;x=1/../y", "http://a/b/c/y"},
    {"http://a/b/c/d;p?q", "g?y/./x", "http://a/b/c/g?y/./x"},
    {"http://a/b/c/d;p?q", "g?y/../x", "http://a/b/c/g?y/../x"},
    {"http://a/b/c/d;p?q", "g#s/./x", "http://a/b/c/g#s/./x"},
    {"http://a/b/c/d;p?q", "g#s/../x", "http://a/b/c/g#s/../x"},
    {"http://a/b/c/d;p?q", "http:g", NULL},
    {"http://h:8/a/b?q=1", "/c?d=2", "http://h:8/c?d=2"},
    {"http://h/", "file:///etc/passwd", NULL},
    {"https://api.example.com/v1/items?page=2", "https://api.example.com/v1/items?page=3", "https://api.example.com/v1/items?page=3"},
    {"https://api.example.com/v1/items?page=2", "?page=3", "https://api.example.com/v1/items?page=3"},
    {"https://api.example.com/v1/items?page=2", "//other.example.com/x", "https://other.example.com/x"},
    {"https://api.example.com/v1/items?page=2", "HTTP://Other.Example.COM:80/x", "http://Other.Example.COM:80/x"},
    {"https://api.example.com:443/v1/", "x", "https://api.example.com:443/v1/x"},
    {"http://h", "x", "http://h/x"},
    {"http://h", "?a", "http://h/?a"},
    {"http://h/a#frag", "b", "http://h/b"},
    {"http://user:pw@h:81/a/b", "c", "http://user:pw@h:81/a/c"},
    {"http://[::1]:8080/a", "b", "http://[::1]:8080/b"},
    {"http://h/a", "ftp://x/y", NULL},
    {"http://h/a", "mailto:x@y", NULL},
    {"http://h/a", "/a b", "http://h/a%20b"},
    {"http://h/a", "/%7Ex", "http://h/%7Ex"},
    {"http://h/a", "http://x/../../y", "http://x/y"},
    {"http://h/a/", "../../../../z", "http://h/z"},
    {"http://H.EXAMPLE/a", "b", "http://H.EXAMPLE/b"},
    {"http://h/a?x#y", "#z", "http://h/a?x#z"}, /* RFC */
    {"http://h/a?x", "?", "http://h/a?"}, /* RFC */
    {"http://h/a", "//g:99", "http://g:99/"},
    {"https://h/a", "//g", "https://g/"},
    {"ftp://h/a", "b", NULL},
    {"http://h/a", "http:/x", NULL}, /* RFC */
    {"http://h/a", "https:x", NULL},
    {"http://127.0.0.1:5000/items", "/items?page=2", "http://127.0.0.1:5000/items?page=2"},
    {"http://h/a/b", "./", "http://h/a/"},
    {"http://h/a/b", "..", "http://h/"},
    {"http://h/a/b", "\\x", "http://h/a/\\x"},
    {"http://h/a/b", "/éx", "http://h/%c3%a9x"},
    {"http://h/a/b", "/a	b", NULL},
    {"http://h/a/b", "/a", NULL},
    {"http://h/a/b", "/a\"b<c>", "http://h/a\"b<c>"},
    {"http://h/a/b", "/a b?c d#e f", "http://h/a%20b?c+d#e+f"},
    {"http://h/a/b", "g%zz", "http://h/a/g%zz"},
    {"http://h/a/b", "/a/./b/../c/.", "http://h/a/c/"},
    {"http://h/a/b", "//g/./x/../y?q#f", "http://g/y?q#f"},
    {"http://h/a/b", "//[::1]:9/x", "http://[::1]:9/x"},
    {"http://h/a/b", "//u:p@g/x", "http://u:p@g/x"},
    {"http://h/a/b", " /x", "http://h/a/%20/x"},
    {"http://h/a/b", "/x ", "http://h/x%20"},
    {"http://h/a/b", "HTTPS://g/x", "https://g/x"},
    {"http://h/a/b", "//g", "http://g/"},
    {"http://h/a/b", "//g?x", "http://g/?x"},
    {"http://h/a/b", "http://g#f", "http://g/#f"},
    {"http://h/a/b", "https://g:8443", "https://g:8443/"},
};

static const Host hosts[] = {
    {"https://user:pw@api.example.com:8443/x?token=1", "api.example.com:8443"},
    {"http://h", "h"},
    {"http://H:80/b", "H:80"},
    {"http://h:80", "h:80"},
    {"https://h:443/", "h:443"},
    {"http://[::1]:8080/x", "[::1]:8080"},
    {"http://[::1]/x", "[::1]"},
    {"ftp://h/x", NULL},
    {"h/x", NULL},
    {"http://", NULL},
    {"http:///x", NULL}, /* RFC */
    {"http://h:99999/", NULL},
    {"http://h:abc/", NULL},
    {"http://h?x", "h"},
    {"http://h#f", "h"},
    {"HTTP://Host.Example/", "Host.Example"},
    {"http://a@b@c/", NULL},
    {"http://h:/x", "h"},
    {"http://h.", "h."},
    {"http://127.0.0.1:5000/x", "127.0.0.1:5000"},
    {"http:h", NULL},
    {"http://user@h/", "h"},
    {"http://h x/", NULL},
    {"http://%41/", NULL}, /* RFC */
    {"https://h:0/", "h:0"},
    {"http://hé/x", "hé"},
    {"http://h_x/", "h_x"},
    {"http://h!$&'()*+,;=/", NULL},
    {"http://[zz]/", NULL},
    {"http://[::1/", NULL},
    {"http://h:080/", "h:80"},
    {"http://h:65535/", "h:65535"},
    {"http://h:65536/", NULL},
    {" http://h/", NULL},
    {"http://h/ ", "h"},
    {"http://u:p:x@h/", "h"},
    {"http://:80/", NULL},
    {"http://@h/", "h"},
};

/* now = 2025-12-01 00:00:00 UTC */
static const Date dates[] = {
    {"Wed, 21 Oct 2015 07:28:30 GMT", 0LL},
    {"Wednesday, 21-Oct-15 07:28:30 GMT", 0LL},
    {"Wed Oct 21 07:28:30 2015", 0LL},
    {"Sun, 06 Nov 1994 08:49:37 GMT", 0LL},
    {"Sunday, 06-Nov-94 08:49:37 GMT", 0LL},
    {"Sun Nov  6 08:49:37 1994", 0LL},
    {"soon", -1LL},
    {"Wed, 21 Oct 2015 07:28:30", 0LL},
    {"21 Oct 2015 07:28:30 GMT", -1LL},
    {"Wed, 32 Oct 2015 07:28:30 GMT", -1LL},
    {"Wed, 21 Foo 2015 07:28:30 GMT", -1LL},
    {"Wed, 21 Oct 2015 25:28:30 GMT", -1LL},
    {"Mon, 01 Dec 2025 00:00:10 GMT", 10000LL},
    {"Mon, 01 Dec 2025 00:00:10 +0000", 10000LL},
    {"Tue, 02 Dec 2025 00:00:00 GMT", 86400000LL},
    {"Mon, 30 Nov 2025 00:00:00 GMT", 0LL},
    {"1994999999", 604800000LL},
    {"Mon, 01 Dec 2025 00:01:00 UTC", 60000LL},
    {"Thu, 01 Jan 2099 00:00:00 GMT", 604800000LL},
    {"Mon, 1 Dec 2025 00:00:10 GMT", 10000LL},
    {"mon, 01 dec 2025 00:00:10 gmt", 10000LL},
    {"Mon, 01 Dec 2025 00:00:10 GMT  ", 10000LL},
    {"Mon,01 Dec 2025 00:00:10 GMT", 10000LL},
    {"Mon, 01 Dec 2025 00:00 GMT", 0LL},
};

static void test_resolve(void)
{
    for (size_t i = 0; i < sizeof resolves / sizeof resolves[0]; i++) {
        char *s = http_url_resolve(resolves[i].base, resolves[i].ref);
        t_checks++;
        if (resolves[i].want ? !s || strcmp(s, resolves[i].want) : s != NULL) {
            t_failures++;
            fprintf(stderr, "resolve(%s, %s) = %s, expected %s\n", resolves[i].base, resolves[i].ref,
                    s ? s : "NULL", resolves[i].want ? resolves[i].want : "NULL");
        }
        free(s);
    }
    CHECK(http_url_resolve("http://h/", "/a\tb") == NULL);
    CHECK(http_url_resolve("http://h/", "/a\x01") == NULL);
    CHECK(http_url_resolve("not a url", "x") == NULL);
}

static void test_host(void)
{
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        char *s = http_url_host(hosts[i].url);
        t_checks++;
        if (hosts[i].want ? !s || strcmp(s, hosts[i].want) : s != NULL) {
            t_failures++;
            fprintf(stderr, "host(%s) = %s, expected %s\n", hosts[i].url, s ? s : "NULL",
                    hosts[i].want ? hosts[i].want : "NULL");
        }
        free(s);
    }

    CHECK_INT(http_same_origin("http://h/a", "http://H:80/b"), 1);
    CHECK_INT(http_same_origin("http://h/a", "https://h/a"), 0);
    CHECK_INT(http_same_origin("https://h/a", "https://h:443/b"), 1);
    CHECK_INT(http_same_origin("http://h:8080/", "http://h:8081/"), 0);
    CHECK_INT(http_same_origin("http://h/", "ftp://h/"), 0);
    CHECK_INT(http_same_origin("http://a@h/", "http://h/"), 1);
    CHECK_INT(http_same_origin("http://[::1]/", "http://[::1]:80/"), 1);
    CHECK_INT(http_same_origin("bad", "bad"), 0);
}

static void test_dates(void)
{
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
        long long got = http_parse_retry_after(dates[i].value, 1764547200000LL);
        t_checks++;
        if (got != dates[i].want) {
            t_failures++;
            fprintf(stderr, "retry_after(%s) = %lld, expected %lld\n", dates[i].value, got, dates[i].want);
        }
    }
    /* a zone offset moves the instant */
    CHECK_INT(http_parse_retry_after("Mon, 01 Dec 2025 01:00:10 +0100", 1764547200000LL), 10000);
    CHECK_INT(http_parse_retry_after("Sun, 30 Nov 2025 23:00:10 -0100", 1764547200000LL), 10000);
    CHECK_INT(http_parse_retry_after("Mon, 01 Dec 2025 00:00:10 GMT junk", 1764547200000LL), -1);
}

int main(void)
{
    RUN(test_resolve);
    RUN(test_host);
    RUN(test_dates);
    return t_done();
}
