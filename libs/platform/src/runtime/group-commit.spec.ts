import { GroupCommit } from './group-commit';

/** A runner whose calls stay open until the test settles them. */
function gatedRunner() {
  const calls: { items: number[]; settle: (fail?: Error) => void }[] = [];
  const runner = (items: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      calls.push({
        items,
        settle: (fail) => (fail ? reject(fail) : resolve(items.map((i) => `done ${i}`))),
      });
    });
  return { calls, runner };
}

/** Resolves once `cond` holds, checking after each turn of the event loop. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setImmediate(r));
  if (!cond()) throw new Error('condition never held');
}

describe('GroupCommit', () => {
  it('sends the items of one event-loop turn together, in order, and answers each', async () => {
    const { calls, runner } = gatedRunner();
    const group = new GroupCommit(runner, { maxBatch: 10, maxInFlight: 1 });
    const outs = [1, 2, 3].map((i) => group.submit(i));
    await until(() => calls.length === 1);
    expect(calls[0].items).toEqual([1, 2, 3]);
    calls[0].settle();
    await expect(Promise.all(outs)).resolves.toEqual(['done 1', 'done 2', 'done 3']);
  });

  it('holds items while the calls in flight are at the limit, then sends them as one batch', async () => {
    const { calls, runner } = gatedRunner();
    const group = new GroupCommit(runner, { maxBatch: 10, maxInFlight: 1 });
    const first = group.submit(1);
    await until(() => calls.length === 1);
    const later = [2, 3, 4].map((i) => group.submit(i));
    await new Promise((r) => setImmediate(r));
    expect(calls).toHaveLength(1);
    expect(group.waiting).toBe(3);
    calls[0].settle();
    await expect(first).resolves.toBe('done 1');
    await until(() => calls.length === 2);
    expect(calls[1].items).toEqual([2, 3, 4]);
    calls[1].settle();
    await expect(Promise.all(later)).resolves.toEqual(['done 2', 'done 3', 'done 4']);
  });

  it('splits at maxBatch and runs up to maxInFlight calls at once', async () => {
    const { calls, runner } = gatedRunner();
    const group = new GroupCommit(runner, { maxBatch: 2, maxInFlight: 2 });
    const outs = [1, 2, 3, 4, 5].map((i) => group.submit(i));
    await until(() => calls.length === 2);
    expect(calls.map((c) => c.items)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(group.waiting).toBe(1);
    calls[1].settle();
    await until(() => calls.length === 3);
    expect(calls[2].items).toEqual([5]);
    calls[0].settle();
    calls[2].settle();
    await expect(Promise.all(outs)).resolves.toEqual(['done 1', 'done 2', 'done 3', 'done 4', 'done 5']);
  });

  it('runs each item of a failed batch on its own, so only the culprit sees the error', async () => {
    const seen: number[][] = [];
    const group = new GroupCommit(
      (items: number[]) => {
        seen.push(items);
        if (items.includes(2)) return Promise.reject(new Error(`bad batch ${items.join(',')}`));
        return Promise.resolve(items.map((i) => i * 10));
      },
      { maxBatch: 10, maxInFlight: 1 },
    );
    const outs = [1, 2, 3].map((i) =>
      group.submit(i).then(
        (v) => ({ ok: v }),
        (e: Error) => ({ err: e.message }),
      ),
    );
    await expect(Promise.all(outs)).resolves.toEqual([{ ok: 10 }, { err: 'bad batch 2' }, { ok: 30 }]);
    expect(seen[0]).toEqual([1, 2, 3]);
    expect(seen.slice(1).sort()).toEqual([[1], [2], [3]]);
  });

  it('treats a runner that answers the wrong number of items as a failure', async () => {
    const group = new GroupCommit((items: number[]) => Promise.resolve(items.slice(1)), {
      maxBatch: 10,
      maxInFlight: 1,
    });
    await expect(group.submit(1)).rejects.toThrow('runner returned 0 outcomes for 1');
  });

  it('refuses a configuration with no room', () => {
    expect(() => new GroupCommit(() => Promise.resolve([]), { maxBatch: 0, maxInFlight: 1 })).toThrow();
    expect(() => new GroupCommit(() => Promise.resolve([]), { maxBatch: 1, maxInFlight: 0 })).toThrow();
  });
});
