/** Which rows of a card's user-data box show whole, and when "+N more" / "Show all" is needed. */
import { describe, expect, it } from 'vitest';
import { collapsedLayout, type Box, type Row } from '../../../renderer/shared/clipped-rows.js';

/** Rows of 18 px lines in a 300 px wide box that shows two lines (36 px). */
const BOX: Box = { top: 0, bottom: 36, left: 0, right: 300 };
const row = (line: number, left: number, width: number, truncated = false): Row => ({
  top: line * 18,
  bottom: line * 18 + 18,
  left,
  right: left + width,
  truncated,
});
/** The button in the box's bottom-right corner. */
const BUTTON: Box = { top: 18, bottom: 36, left: 222, right: 300 };

describe('collapsedLayout', () => {
  it('every row fits whole: all shown, no button', () => {
    const rows = [row(0, 0, 120), row(0, 132, 120), row(1, 0, 260)];
    expect(collapsedLayout(rows, BOX, BUTTON)).toEqual({ shown: 3, button: false });
    expect(collapsedLayout([], BOX, BUTTON)).toEqual({ shown: 0, button: false });
  });

  it('rows on a third line are hidden, and every row after them', () => {
    const rows = [row(0, 0, 280), row(1, 0, 100), row(2, 0, 100), row(1, 112, 50), row(3, 0, 100)];
    expect(collapsedLayout(rows, BOX, BUTTON)).toEqual({ shown: 2, button: true });
  });

  it('a row under the button is hidden too, so the button covers nothing', () => {
    const rows = [row(0, 0, 280), row(1, 0, 100), row(1, 112, 150), row(2, 0, 100)];
    expect(collapsedLayout(rows, BOX, BUTTON)).toEqual({ shown: 2, button: true });
  });

  it('a row that only touches the button stays', () => {
    const rows = [row(0, 0, 280), row(1, 0, 222), row(2, 0, 100)];
    expect(collapsedLayout(rows, BOX, BUTTON)).toEqual({ shown: 2, button: true });
  });

  it('all rows fit but one is cut short: the button shows ("Show all"), covering nothing', () => {
    expect(collapsedLayout([row(0, 0, 100), row(1, 0, 200, true)], BOX, BUTTON)).toEqual({
      shown: 2,
      button: true,
    });
    // A cut row that reaches under the button goes behind it: "+1 more".
    expect(collapsedLayout([row(0, 0, 100), row(1, 0, 300, true)], BOX, BUTTON)).toEqual({
      shown: 1,
      button: true,
    });
  });

  it('a row a hair past the bottom (fractional layout) still fits', () => {
    const rows = [row(0, 0, 100), { ...row(1, 0, 100), bottom: 36.4 }];
    expect(collapsedLayout(rows, BOX, BUTTON)).toEqual({ shown: 2, button: false });
  });

  it('a row that is not laid out (no size) is hidden with the rest', () => {
    const rows = [row(0, 0, 100), { ...row(0, 0, 0), top: 0, bottom: 0 }, row(0, 112, 100)];
    expect(collapsedLayout(rows, BOX, BUTTON)).toEqual({ shown: 1, button: true });
  });

  it('one line (a waiting call): the button takes the end of the first line', () => {
    const oneLine: Box = { ...BOX, bottom: 18 };
    const button: Box = { top: 0, bottom: 18, left: 222, right: 300 };
    const rows = [row(0, 0, 100), row(0, 112, 150), row(1, 0, 100)];
    expect(collapsedLayout(rows, oneLine, button)).toEqual({ shown: 1, button: true });
  });
});
