/**
 * Which rows of a clipped list the KW can see whole (pure; user-data-card.tsx
 * measures). A card shows its user data in a box of one or two lines; the
 * rows that do not fit whole, and those under the "+N more" (or "Show all")
 * button in the box's corner, are hidden, so none is cut in half or covered.
 */

export interface Box {
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
}

/** Half a pixel: fractional layouts put a row that fits a hair past the edge. */
const EPSILON = 0.5;

function overlaps(a: Box, b: Box): boolean {
  return a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top;
}

function isEmpty(r: Box): boolean {
  return r.bottom - r.top <= 0 || r.right - r.left <= 0;
}

/** A row of the box, and whether its key or value is cut with an ellipsis. */
export interface Row extends Box {
  readonly truncated: boolean;
}

/** What the collapsed box shows: the first `shown` rows, and the button when anything is left out. */
export interface CollapsedLayout {
  readonly shown: number;
  readonly button: boolean;
}

/**
 * The first row that reaches below the box or is not laid out, and every
 * row after it, are hidden. When rows are hidden or a shown one is cut
 * short, the button shows (the list opened has every value whole), and the
 * rows under it are hidden too. What shows is always the first rows, in order.
 */
export function collapsedLayout(rows: readonly Row[], box: Box, button: Box): CollapsedLayout {
  const cut = rows.findIndex((r) => isEmpty(r) || r.bottom > box.bottom + EPSILON);
  const fitting = cut === -1 ? rows.length : cut;
  if (fitting === rows.length && !rows.some((r) => r.truncated)) return { shown: rows.length, button: false };
  const covered = isEmpty(button) ? -1 : rows.findIndex((r) => overlaps(r, button));
  return { shown: covered === -1 ? fitting : Math.min(fitting, covered), button: true };
}
