/* projects.c — the projects dataset as a kanban board: one column per
 * status (planning, active, blocked, paused, done, then any other status as
 * it is written), a count in each column's header and one card per project
 * with its name and owner. j/k move the selected card through the board
 * (column by column, kept on the project by the list helper as cards move);
 * Enter shows the selected project, then the whole board. */
#include <ctype.h>
#include <stdio.h>
#include "wkit.h"

#define MAX_PROJECTS 1000
#define MAX_COLUMNS 12
#define MIN_COL_W 10

typedef struct Card {
    char *source, *key, *name, *owner, *updated;
} Card;

typedef struct Column {
    char *status;
    Card *cards;
    int n, cap;
} Column;

typedef struct Projects {
    Column cols[MAX_COLUMNS];
    int ncols, total, scroll, maxcards;
    ListView lv;            /* the selected card, in board order (column by column) */
} Projects;

static const char *const known[] = {"planning", "active", "blocked", "paused", "done"};
#define NKNOWN ((int)MC_ARRAY_LEN(known))

static void clear_board(Projects *p)
{
    for (int c = 0; c < p->ncols; c++) {
        Column *col = &p->cols[c];
        for (int i = 0; i < col->n; i++) {
            free(col->cards[i].source);
            free(col->cards[i].key);
            free(col->cards[i].name);
            free(col->cards[i].owner);
            free(col->cards[i].updated);
        }
        free(col->cards);
        free(col->status);
    }
    memset(p->cols, 0, sizeof p->cols);
    p->ncols = p->total = p->maxcards = 0;
}

static void *proj_create(const YNode *opts, const Config *cfg, char **err)
{
    static const char *const keys[] = {WK_COMMON_KEYS, NULL};
    if (opts && ynode_check_keys(opts, keys, "projects widget", err) < 0)
        return NULL;
    return xcalloc(1, sizeof(Projects));
}

static void proj_destroy(void *self)
{
    Projects *p = self;
    if (!p)
        return;
    clear_board(p);
    list_free(&p->lv);
    free(p);
}

/* The card at board index i (column by column); its column in *col. */
static const Card *card_at(const Projects *p, int i, int *col)
{
    for (int c = 0; c < p->ncols; c++) {
        if (i < p->cols[c].n) {
            if (col)
                *col = c;
            return &p->cols[c].cards[i];
        }
        i -= p->cols[c].n;
    }
    return NULL;
}

/* A card's identity and label for the list helper. */
static void card_id(const void *rows, int i, const char **source, const char **key,
                    const char **label)
{
    const Card *c = card_at(rows, i, NULL);
    *source = c ? c->source : NULL;
    *key = c ? c->key : NULL;
    *label = c ? c->name : NULL;
}

/* The column for a status (case-insensitive, trimmed), created as needed;
 * the five known statuses always exist and come first. */
static Column *column_for(Projects *p, const char *status)
{
    char s[64];
    while (isspace((unsigned char)*status))
        status++;
    snprintf(s, sizeof s, "%s", *status ? status : "unknown");
    for (size_t n = strlen(s); n > 0 && isspace((unsigned char)s[n - 1]); n--)
        s[n - 1] = '\0';
    for (int c = 0; c < p->ncols; c++)
        if (strcasecmp(p->cols[c].status, s) == 0)
            return &p->cols[c];
    if (p->ncols == MAX_COLUMNS)
        return &p->cols[MAX_COLUMNS - 1];     /* the rest share the last column */
    p->cols[p->ncols].status = xstrdup(s);
    return &p->cols[p->ncols++];
}

static int proj_load(void *self, const WidgetEnv *env, int rows, char **err)
{
    Projects *p = self;
    sqlite3 *db = env && env->cache ? cache_db(env->cache) : NULL;
    clear_board(p);
    if (!db) {
        set_err(err, "projects: no cache");
        return -1;
    }
    for (int i = 0; i < NKNOWN; i++)
        column_for(p, known[i]);
    sqlite3_stmt *st = wk_prepare(db, "projects",
        "SELECT source, key, name, status, owner, updated_at FROM projects"
        " ORDER BY name LIMIT 1000", err);
    if (!st)
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        Column *col = column_for(p, wk_col(st, 3));
        if (col->n == col->cap) {
            col->cap = col->cap ? col->cap * 2 : 8;
            col->cards = xrealloc(col->cards, (size_t)col->cap * sizeof *col->cards);
        }
        Card *c = &col->cards[col->n++];
        c->source = wk_dup(st, 0);
        c->key = wk_dup(st, 1);
        c->name = wk_dup(st, 2);
        if (!*c->name) {
            free(c->name);
            c->name = xstrdup(c->key);
        }
        c->owner = wk_dup(st, 4);
        c->updated = wk_dup(st, 5);
        p->total++;
        if (col->n > p->maxcards)
            p->maxcards = col->n;
    }
    if (wk_finish(db, st, rc, "projects", err) < 0)
        return -1;
    list_sync(&p->lv, p, p->total, rows, card_id);
    return 0;
}

static Role status_role(const char *s)
{
    if (strcasecmp(s, "active") == 0)
        return ROLE_OK;
    if (strcasecmp(s, "blocked") == 0)
        return ROLE_CRIT;
    if (strcasecmp(s, "paused") == 0)
        return ROLE_WARN;
    if (strcasecmp(s, "done") == 0)
        return ROLE_DIM;
    return ROLE_ACCENT;
}

/* The columns to show in W cells: all when they fit, else empty ones go first. */
static int pick_columns(const Projects *p, int W, int *idx)
{
    int n = 0;
    int fit = (W + 1) / (MIN_COL_W + 1);
    if (fit < 1)
        fit = 1;
    int all = p->ncols <= fit;
    for (int c = 0; c < p->ncols && n < fit; c++)
        if (all || p->cols[c].n > 0)
            idx[n++] = c;
    return n;
}

/* Cards take two lines (name, then owner) when every column fits that way;
 * else one line, with the owner only where the whole name still fits. */
static void draw_column(Projects *p, WINDOW *w, const Column *col, int x, int cw, int lines,
                        const Card *sel, const PaneInfo *pane)
{
    int H = getmaxy(w);
    char head[96];
    snprintf(head, sizeof head, "%s", col->status);
    for (char *h = head; *h; h++)
        *h = (char)toupper((unsigned char)*h);
    char count[16];
    snprintf(count, sizeof count, " %d", col->n);
    int hw = wk_text(w, 0, x, cw - text_width(count), status_role(col->status), head);
    wk_text(w, 0, x + hw, cw - hw, ROLE_DIM, count);
    for (int y = 1, i = p->scroll; y + lines - 1 < H && i < col->n; y += lines, i++) {
        const Card *c = &col->cards[i];
        if (y + 2 * lines - 1 >= H && i < col->n - 1 && H > 2) {
            char more[24];
            snprintf(more, sizeof more, "+%d more", col->n - i);
            wk_text(w, y, x, cw, ROLE_DIM, more);
            break;
        }
        Role name = wk_row_role(c == sel, pane, ROLE_NORMAL);
        Role dim = wk_row_role(c == sel, pane, ROLE_DIM);
        for (int k = 0; k < lines && name == ROLE_SELECTED; k++)
            wk_fill(w, y + k, x, cw, ROLE_SELECTED);
        if (lines == 2) {
            wk_text(w, y, x, cw, name, c->name);
            wk_text(w, y + 1, x + 1, cw - 1, dim, c->owner);
            continue;
        }
        int nw = text_width(c->name), ow = text_width(c->owner);
        int with_owner = ow > 0 && nw + 1 + ow <= cw;
        wk_text(w, y, x, cw, name, c->name);
        if (with_owner)
            wk_text_right(w, y, x + cw, ow, dim, c->owner);
    }
}

static void proj_draw(void *self, WINDOW *w, const WidgetEnv *env, const PaneInfo *pane)
{
    Projects *p = self;
    werase(w);
    if (p->total == 0) {
        wk_empty(w, NULL);
        return;
    }
    int W = getmaxx(w), H = getmaxy(w);
    int idx[MAX_COLUMNS];
    int n = pick_columns(p, W, idx);
    int lines = H - 1 >= 2 * p->maxcards ? 2 : 1;
    /* scroll so the selected card shows (the last slot may say "+N more") */
    int selcol = 0;
    const Card *sel = p->lv.n > 0 ? card_at(p, p->lv.sel, &selcol) : NULL;
    int slots = (H - 1) / lines, row = sel ? (int)(sel - p->cols[selcol].cards) : 0;
    int room = slots > 1 ? slots - 1 : 1;
    if (row < p->scroll)
        p->scroll = row;
    if (row >= p->scroll + room)
        p->scroll = row - room + 1;
    if (p->scroll > p->maxcards - 1)
        p->scroll = p->maxcards - 1;
    if (p->scroll < 0)
        p->scroll = 0;
    int cw = (W - (n - 1)) / n;
    for (int k = 0; k < n; k++) {
        int x = k * (cw + 1);
        int width = k == n - 1 ? W - x : cw;
        draw_column(p, w, &p->cols[idx[k]], x, width, lines, sel, pane);
        if (k < n - 1)
            for (int y = 0; y < H; y++)
                wk_text(w, y, x + cw, 1, ROLE_BORDER, wk_g("\u2502", "|"));
    }
}

static HandlerResult proj_key(void *self, Action act, Intent *out)
{
    Projects *p = self;
    HandlerResult hr = list_move(&p->lv, act, 0);
    if (hr == HR_REDRAW)
        list_repin(&p->lv, p, card_id);
    return hr;
}

static ListView *proj_list(void *self)
{
    return &((Projects *)self)->lv;
}

static void proj_title_note(void *self, char *buf, size_t n)
{
    Projects *p = self;
    if (p->total)
        snprintf(buf, n, "%d", p->total);
    else if (n)
        buf[0] = '\0';
}

static int proj_detail(void *self, Buf *out)
{
    Projects *p = self;
    if (p->total == 0)
        return -1;
    int sc = 0;
    const Card *sel = card_at(p, p->lv.sel, &sc);
    if (sel) {
        buf_printf(out, "%s\n\n", sel->name);
        buf_printf(out, "status:   %s\n", p->cols[sc].status);
        buf_printf(out, "owner:    %s\n", *sel->owner ? sel->owner : "-");
        buf_printf(out, "updated:  %s\n", *sel->updated ? sel->updated : "-");
        buf_printf(out, "source:   %s\nkey:      %s\n\n-- the board --\n", sel->source, sel->key);
    }
    for (int c = 0; c < p->ncols; c++) {
        const Column *col = &p->cols[c];
        if (col->n == 0)
            continue;
        buf_printf(out, "%s (%d)\n", col->status, col->n);
        for (int i = 0; i < col->n; i++)
            buf_printf(out, "  %s  owner: %s  updated: %s  [%s:%s]\n", col->cards[i].name,
                       *col->cards[i].owner ? col->cards[i].owner : "-",
                       *col->cards[i].updated ? col->cards[i].updated : "-",
                       col->cards[i].source, col->cards[i].key);
        buf_puts(out, "\n");
    }
    return 0;
}

const WidgetClass projects_widget = {
    .name = "projects",
    .title = "Projects",
    .datasets = 1u << DS_PROJECTS,
    .create = proj_create,
    .load = proj_load,
    .draw = proj_draw,
    .key = proj_key,
    .title_note = proj_title_note,
    .detail = proj_detail,
    .list = proj_list,
    .destroy = proj_destroy,
};
