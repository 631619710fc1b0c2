/* layout.h — where panes go. A layout is a tree of cells: `rows:` and
 * `columns:` containers whose children each take a size (cells "12", percent
 * "30%" or a weight "2*", default weight 1), and leaves naming a widget.
 * Geometry is one pure function of the tree and the terminal size
 * (layout_compute), so it is tested over many sizes; panes that cannot fit
 * are hidden, never given a negative or off-screen box. The tree can be
 * edited (swap, resize, remove, add) and written back as YAML for `S`.
 * Shipped layouts live in layouts/NAME.yaml and are also compiled in. */
#ifndef MC_LAYOUT_H
#define MC_LAYOUT_H

#include "../ynode.h"

/* Smallest pane: a border and one line / a few columns inside. */
#define LAYOUT_MIN_H 3
#define LAYOUT_MIN_W 10
#define LAYOUT_MAX_DEPTH 16
#define LAYOUT_MAX_LEAVES 64

typedef enum { LN_LEAF, LN_ROWS, LN_COLUMNS } LayoutKind;
typedef enum { SZ_WEIGHT, SZ_CELLS, SZ_PERCENT } SizeKind;

typedef struct LayoutSize {
    SizeKind kind;
    int v;                      /* weight >= 1, cells >= 1, percent 1..100 */
} LayoutSize;

typedef struct LayoutNode LayoutNode;
struct LayoutNode {
    LayoutKind kind;
    LayoutSize size;            /* along the parent's axis */
    char *widget;               /* leaf: the reference as written ("blockers", "2", an id) */
    char *title;                /* leaf: title override, or NULL */
    int n;                      /* containers: children */
    LayoutNode **child;
    LayoutNode *parent;
    int line, col;              /* where it stood in the file (0 when made by an edit) */
};

typedef struct Layout {
    char *name;                 /* "default", "saved", ... */
    char *file;                 /* file name for messages ("<builtin>/ops.yaml" when compiled in) */
    LayoutNode *root;
    int skip_unfed;             /* `skip_unfed: true`: leave out panes no configured source feeds */
} Layout;

typedef struct Box {
    int y, x, h, w;             /* h == 0 && w == 0: hidden */
} Box;

/* Parses layout YAML. `file` names it in messages. Returns 0 with *out
 * (caller frees with layout_free), or -1 with *err = "FILE:LINE:COLUMN: what". */
int layout_parse(const char *name, const char *file, const char *text, Layout **out, char **err);
void layout_free(Layout *l);

/* Leaves in depth-first order (the pane order: Tab, 1-9). Returns the count;
 * *out is a new array (caller frees the array only). */
int layout_leaves(const Layout *l, LayoutNode ***out);

/* The geometry: boxes[i] for the i-th leaf, inside h x w cells at (0,0).
 * Leaves that cannot get LAYOUT_MIN_H x LAYOUT_MIN_W are hidden (zero box).
 * nboxes must be at least the leaf count. Pure. */
void layout_compute(const Layout *l, int h, int w, Box *boxes, int nboxes);

/* The same with the leaves where skip[i] is set left out, as if they were
 * not in the tree (their boxes are zero; the others share their space).
 * When every leaf would be skipped, none is. */
void layout_compute_without(const Layout *l, const int *skip, int h, int w, Box *boxes,
                            int nboxes);

/* One line per leaf: "widget y x h w" (for tests and debugging). New string. */
char *layout_dump(const Layout *l, int h, int w);

/* The tree as layout YAML, with a header comment. New string. */
char *layout_to_yaml(const Layout *l, const char *header);

/* Edits. Swap two leaves' widgets (sizes stay with the slots). */
void layout_swap(LayoutNode *a, LayoutNode *b);
/* Grows (delta > 0) or shrinks a leaf along its parent's axis: a weight by 1,
 * cells by 2, percent by 5. Returns 1 when something changed. */
int layout_resize(Layout *l, LayoutNode *leaf, int delta);
/* Removes a leaf (empty containers go too). Refuses (returns -1) to remove
 * the last leaf. */
int layout_remove(Layout *l, LayoutNode *leaf);
/* Adds a leaf for `widget` after `after` in its container (or at the end of
 * the root container when after is NULL). Returns the new leaf. */
LayoutNode *layout_add(Layout *l, LayoutNode *after, const char *widget);

/* Sizes as written: "12", "30%", "2*". Returns 0 or -1. */
int layout_size_parse(const char *s, LayoutSize *out);

/* The layouts compiled into the binary (layouts/NAME.yaml at build time). */
typedef struct LayoutBuiltin {
    const char *name;
    const char *text;
} LayoutBuiltin;
extern const LayoutBuiltin layout_builtins[];   /* ends with {NULL, NULL} */

#endif
