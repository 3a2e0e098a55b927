import { describe, expect, it } from 'vitest';
import { choosePlacement, type Box, type ToastPlacement } from '../../../../src/renderer/src/ui/toast-placement';

const box = (left: number, top: number, width: number, height: number): Box => ({ left, top, right: left + width, bottom: top + height });
// A 1366×768 window: a 420 px wide stack of one toast, 16 px from the edges.
const corners = new Map<ToastPlacement, Box>([
  ['top-right', box(930, 16, 420, 90)],
  ['bottom-right', box(930, 662, 420, 90)],
  ['bottom-left', box(16, 662, 420, 90)],
  ['top-left', box(16, 16, 420, 90)],
]);

// Issue 14: "a toast covers 'Add a node'" (the page header's primary button, top right).
describe('toast placement', () => {
  it('leaves the top right when a primary button is there', () => {
    const addANode = box(1200, 40, 130, 40);
    expect(choosePlacement(corners, [addANode])).toBe('bottom-right');
  });

  it('stays top right when nothing is covered', () => {
    expect(choosePlacement(corners, [box(300, 300, 100, 40)])).toBe('top-right');
  });

  it('avoids a dialog footer at the bottom right as well', () => {
    expect(choosePlacement(corners, [box(1200, 40, 130, 40), box(1100, 700, 120, 40)])).toBe('bottom-left');
  });

  it('covers the least when every corner covers something', () => {
    const everywhere = [box(1300, 40, 40, 40), box(1300, 700, 40, 40), box(30, 700, 100, 40), box(30, 40, 200, 40)];
    expect(choosePlacement(corners, everywhere)).toBe('top-right');
  });
});
