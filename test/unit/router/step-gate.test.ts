import { describe, expect, it } from 'vitest';
import { StepGate } from '../../../router/step-gate.js';

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

describe('StepGate', () => {
  it('runs at most `limit` at once, the others in the order they came, and passes results and errors on', async () => {
    const gate = new StepGate(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const results = await Promise.allSettled(
      Array.from({ length: 7 }, (_, i) =>
        gate.run(async () => {
          running += 1;
          most = Math.max(most, running);
          order.push(i);
          await tick();
          running -= 1;
          if (i === 3) throw new Error('step 3 failed');
          return i * 10;
        }),
      ),
    );
    expect(most).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      0,
      10,
      20,
      'step 3 failed',
      40,
      50,
      60,
    ]);
    expect(gate.load).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses a limit below 1', () => {
    expect(() => new StepGate(0)).toThrow(RangeError);
  });
});
