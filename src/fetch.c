/* fetch.c — the one way a source commits what it read: its row sets and its
 * cursor (offsets, ETag) in a single transaction, so a crash between the two
 * can neither lose rows nor read them twice. */
#include "source.h"

#include <stdlib.h>

int fetch_commit(FetchCtx *ctx, Rows *const *sets, int nsets, int mode)
{
    return fetch_commit_modes(ctx, sets, NULL, nsets, mode);
}

int fetch_commit_modes(FetchCtx *ctx, Rows *const *sets, const int *modes, int nsets, int mode)
{
    char *err = NULL;
    if (cache_begin(ctx->cache, &err) != 0)
        goto fail;
    for (int i = 0; i < nsets; i++) {
        if (!sets[i])
            continue;
        if (cache_put_rows(ctx->cache, ctx->src->id, sets[i], modes ? modes[i] : mode, &err) != 0)
            goto fail_tx;
        ctx->rows += sets[i]->nrows;
    }
    if (cache_cursor_put(ctx->cache, ctx->src->id, ctx->state, &err) != 0)
        goto fail_tx;
    if (cache_commit(ctx->cache, &err) != 0)
        goto fail;
    return 0;
fail_tx:
    cache_rollback(ctx->cache);
fail:
    set_err(&ctx->err, "%s", err ? err : "cache write failed");
    free(err);
    return -1;
}
