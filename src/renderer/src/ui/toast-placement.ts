/**
 * Where the toast stack goes so it never covers a primary action. A fixed corner always covered something:
 * at the bottom the Create/Apply/Done buttons of dialogs, at the top right the page header's "Add a node"
 * (issue 14). So the corners are tried in order and the first one whose stack overlaps no visible primary
 * button wins; when every corner overlaps one, the corner that covers the least.
 */
export const TOAST_PLACEMENTS = ['top-right', 'bottom-right', 'bottom-left', 'top-left'] as const;
export type ToastPlacement = (typeof TOAST_PLACEMENTS)[number];

export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export function overlapArea(a: Box, b: Box): number {
  const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
  const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
  return w > 0 && h > 0 ? w * h : 0;
}

/** The placement whose box covers no obstacle, else the one covering the least area; the first wins ties. */
export function choosePlacement(boxes: ReadonlyMap<ToastPlacement, Box>, obstacles: readonly Box[]): ToastPlacement {
  let best: ToastPlacement = TOAST_PLACEMENTS[0];
  let bestArea = Number.POSITIVE_INFINITY;
  for (const placement of TOAST_PLACEMENTS) {
    const box = boxes.get(placement);
    if (!box) continue;
    const area = obstacles.reduce((sum, o) => sum + overlapArea(box, o), 0);
    if (area < bestArea) {
      best = placement;
      bestArea = area;
      if (area === 0) break;
    }
  }
  return best;
}

/** Primary buttons a person can act on now: visible, and not behind an open dialog (inert). */
export function primaryActionBoxes(root: ParentNode = document): Box[] {
  return Array.from(root.querySelectorAll<HTMLElement>('.fb-button[data-variant="primary"]'))
    .filter((el) => !el.closest('[inert]') && !el.closest('[data-fb-layer]'))
    .map((el) => el.getBoundingClientRect())
    .filter((r) => r.width > 0 && r.height > 0);
}
