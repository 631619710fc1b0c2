/* theme.c — colors as roles. Widgets and the screen loop ask for a Role
 * (ROLE_OK, ROLE_WARN, ...) and get curses attributes from the theme chosen
 * once at start: a 256-color palette, an 8-color one, or mono (attributes
 * only, also what NO_COLOR selects). Nothing else calls init_pair. */
#include "draw.h"

#include <stdlib.h>
#include <string.h>

typedef struct RoleStyle {
    short fg, bg;       /* -1: terminal default */
    attr_t attr;
} RoleStyle;

static const RoleStyle theme256[ROLE__COUNT] = {
    [ROLE_NORMAL] = {-1, -1, 0},
    [ROLE_DIM] = {245, -1, 0},
    [ROLE_TITLE] = {117, -1, A_BOLD},
    [ROLE_BORDER] = {240, -1, 0},
    [ROLE_BORDER_FOCUS] = {39, -1, A_BOLD},
    [ROLE_SELECTED] = {231, 24, 0},
    [ROLE_OK] = {78, -1, 0},
    [ROLE_WARN] = {214, -1, 0},
    [ROLE_CRIT] = {203, -1, A_BOLD},
    [ROLE_STALE] = {179, -1, 0},
    [ROLE_BLOCKER] = {205, -1, A_BOLD},
    [ROLE_ACCENT] = {81, -1, A_BOLD},
    [ROLE_MONEY] = {114, -1, A_BOLD},
    [ROLE_BAR] = {71, -1, 0},
    [ROLE_BAR_EMPTY] = {238, 236, 0},
    [ROLE_STATUS] = {252, 236, 0},
    [ROLE_PLACEHOLDER] = {244, -1, 0},
};

static const RoleStyle theme8[ROLE__COUNT] = {
    [ROLE_NORMAL] = {-1, -1, 0},
    [ROLE_DIM] = {-1, -1, A_DIM},
    [ROLE_TITLE] = {COLOR_CYAN, -1, A_BOLD},
    [ROLE_BORDER] = {-1, -1, 0},
    [ROLE_BORDER_FOCUS] = {COLOR_CYAN, -1, A_BOLD},
    [ROLE_SELECTED] = {COLOR_BLACK, COLOR_CYAN, 0},
    [ROLE_OK] = {COLOR_GREEN, -1, 0},
    [ROLE_WARN] = {COLOR_YELLOW, -1, 0},
    [ROLE_CRIT] = {COLOR_RED, -1, A_BOLD},
    [ROLE_STALE] = {COLOR_YELLOW, -1, A_DIM},
    [ROLE_BLOCKER] = {COLOR_MAGENTA, -1, A_BOLD},
    [ROLE_ACCENT] = {COLOR_CYAN, -1, A_BOLD},
    [ROLE_MONEY] = {COLOR_GREEN, -1, A_BOLD},
    [ROLE_BAR] = {COLOR_GREEN, -1, 0},
    [ROLE_BAR_EMPTY] = {-1, -1, A_DIM},
    [ROLE_STATUS] = {COLOR_BLACK, COLOR_WHITE, 0},
    [ROLE_PLACEHOLDER] = {COLOR_MAGENTA, -1, 0},
};

static const attr_t mono[ROLE__COUNT] = {
    [ROLE_DIM] = A_DIM,
    [ROLE_TITLE] = A_BOLD,
    [ROLE_BORDER_FOCUS] = A_BOLD,
    [ROLE_SELECTED] = A_REVERSE,
    [ROLE_WARN] = A_BOLD,
    [ROLE_CRIT] = A_BOLD | A_UNDERLINE,
    [ROLE_STALE] = A_DIM,
    [ROLE_BLOCKER] = A_BOLD,
    [ROLE_ACCENT] = A_BOLD,
    [ROLE_MONEY] = A_BOLD,
    [ROLE_BAR_EMPTY] = A_DIM,
    [ROLE_STATUS] = A_REVERSE,
    [ROLE_PLACEHOLDER] = A_DIM,
};

static attr_t attrs[ROLE__COUNT];
static int ascii_mode;
static const char *theme_name = "mono";

void draw_set_ascii(int ascii)
{
    ascii_mode = ascii != 0;
}

int draw_is_ascii(void)
{
    return ascii_mode;
}

const char *draw_theme_name(void)
{
    return theme_name;
}

attr_t draw_role(Role r)
{
    return (r >= 0 && r < ROLE__COUNT) ? attrs[r] : A_NORMAL;
}

static void use_palette(const RoleStyle *t)
{
    start_color();
    use_default_colors();
    for (int r = 0; r < ROLE__COUNT; r++) {
        init_pair((short)(r + 1), t[r].fg, t[r].bg);
        attrs[r] = COLOR_PAIR(r + 1) | t[r].attr;
    }
}

void draw_init(const char *theme, int ascii)
{
    const char *nc = getenv("NO_COLOR");
    ascii_mode = ascii != 0;
    if (!theme || !*theme)
        theme = "auto";
    int want = 0;   /* 256, 8 or 0 (mono) */
    /* COLORS is set by start_color, which mono must not call (it would paint
     * the default white on black): ask terminfo instead */
    int colors = tigetnum("colors");
    if (strcmp(theme, "256") == 0)
        want = 256;
    else if (strcmp(theme, "8") == 0)
        want = 8;
    else if (strcmp(theme, "auto") == 0)
        want = !has_colors() ? 0 : colors >= 256 ? 256 : 8;
    if ((nc && *nc) || !has_colors())
        want = 0;
    if (want == 256 && colors < 256)
        want = 8;
    if (want == 256) {
        use_palette(theme256);
        theme_name = "256";
    } else if (want == 8) {
        use_palette(theme8);
        theme_name = "8";
    } else {
        memcpy(attrs, mono, sizeof attrs);
        theme_name = "mono";
    }
}
