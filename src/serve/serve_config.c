/* serve_config.c — the checks `mc serve` makes of its settings before it
 * starts, in one place so `mc check` makes the very same ones (without
 * binding a port or loading libmicrohttpd): the token files, read through
 * the one secret reader (which warns about group/world-readable files and
 * hands the tokens to the scrubber); the listen address parsed and known to
 * be loopback or not; and the refusal of a non-loopback address without
 * serve.token_file. Errors name the key (FILE:LINE:COLUMN when it is in the
 * config) and the file, never a token. */
#include "serve.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../net/secret.h"
#include "../util.h"
#include "../ynode.h"

/* serve.KEY's value node in the config, or NULL (then errors have no position). */
static const YNode *serve_node(const Config *cfg, const char *key)
{
    return ynode_get(cfg->doc ? ynode_get(cfg->doc, "serve") : NULL, key);
}

int serve_token_load(const Config *cfg, int write, char **tok, char **name, char **err)
{
    const char *key = write ? "write_token_file" : "token_file";
    const char *path = write ? cfg->serve.write_token_file : cfg->serve.token_file;
    *tok = *name = NULL;
    if (!path)
        return 0;
    char *e = NULL;
    *tok = secret_read_file(path, &e);    /* registers it with the scrubber */
    if (!*tok) {
        ynode_error(serve_node(cfg, key), err, "serve.%s: %s", key, e);
        free(e);
        return -1;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strcspn(base, ".");
    *name = xasprintf("api:%.*s", (int)(n ? n : strlen(base)), base);
    return 0;
}

static int is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        return IN6_IS_ADDR_LOOPBACK(a) ||
               (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
    }
    return 0;
}

int serve_addr_parse(const char *spec, ServeAddr *a, char **err)
{
    const char *colon = strrchr(spec, ':');
    memset(a, 0, sizeof *a);
    if (!colon || colon == spec || !colon[1] || (size_t)(colon - spec) >= sizeof a->host) {
        set_err(err, "listen address '%s' must be ADDR:PORT (like 127.0.0.1:8765)", spec);
        return -1;
    }
    snprintf(a->host, sizeof a->host, "%.*s", (int)(colon - spec), spec);
    size_t hl = strlen(a->host);
    if (a->host[0] == '[' && hl > 1 && a->host[hl - 1] == ']') {
        memmove(a->host, a->host + 1, hl);
        a->host[hl - 2] = '\0';
    }
    long port;
    if (parse_long(colon + 1, 0, 65535, &port) != 0) {
        set_err(err, "listen address '%s': bad port", spec);
        return -1;
    }
    a->port = (int)port;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICHOST | AI_PASSIVE}, *ai = NULL;
    if (getaddrinfo(a->host, colon + 1, &hints, &ai) != 0 || !ai ||
        ai->ai_addrlen > sizeof a->sa) {
        set_err(err, "listen address '%s': '%s' is not a numeric IP address", spec, a->host);
        if (ai)
            freeaddrinfo(ai);
        return -1;
    }
    memcpy(&a->sa, ai->ai_addr, ai->ai_addrlen);
    a->len = ai->ai_addrlen;
    a->family = ai->ai_family;
    a->loopback = is_loopback(ai->ai_addr);
    freeaddrinfo(ai);
    return 0;
}

int serve_exposure_check(const Config *cfg, int loopback, const char *shown, char **err)
{
    if (loopback || cfg->serve.token_file)
        return 0;
    set_err(err, "refusing to listen on %s without serve.token_file: anyone who can reach "
            "it could read the cache (set serve.token_file, or listen on 127.0.0.1)", shown);
    return -1;
}

int serve_settings_check(const Config *cfg, char **err)
{
    char *tok = NULL, *name = NULL;
    for (int write = 0; write < 2; write++) {
        if (serve_token_load(cfg, write, &tok, &name, err) != 0)
            return -1;
        secret_free(tok);
        free(name);
    }
    ServeAddr a;
    char shown[300], *e = NULL;
    const YNode *listen = serve_node(cfg, "listen");
    if (serve_addr_parse(cfg->serve.listen, &a, &e) != 0) {
        ynode_error(listen, err, "serve.listen: %s", e);
        free(e);
        return -1;
    }
    snprintf(shown, sizeof shown, a.family == AF_INET6 ? "[%s]:%d" : "%s:%d", a.host, a.port);
    if (serve_exposure_check(cfg, a.loopback, shown, &e) != 0) {
        ynode_error(listen, err, "%s", e);
        free(e);
        return -1;
    }
    return 0;
}
