import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher.js';

/** A batch runner whose batches finish when the test says so. */
function controlledRunner() {
  const batches: number[][] = [];
  const finishers: Array<(error?: Error) => void> = [];
  const run = (items: readonly number[]): Promise<string[]> => {
    batches.push([...items]);
    return new Promise((resolve, reject) => {
      finishers.push((error) => (error ? reject(error) : resolve(items.map((item) => `done ${item}`))));
    });
  };
  return { batches, finishers, run };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Batcher', () => {
  it('runs the items submitted in one turn as one batch and answers each with its own output', async () => {
    const runner = controlledRunner();
    const batcher = new Batcher(runner.run, { maxBatch: 10, maxConcurrent: 1 });
    const answers = Promise.all([1, 2, 3].map((item) => batcher.submit(item)));
    await turn();
    expect(runner.batches).toEqual([[1, 2, 3]]);
    runner.finishers[0]!();
    expect(await answers).toEqual(['done 1', 'done 2', 'done 3']);
  });

  it('gathers what arrives while batches run into the next one, never more than maxConcurrent at once', async () => {
    const runner = controlledRunner();
    const batcher = new Batcher(runner.run, { maxBatch: 10, maxConcurrent: 2 });
    const first = batcher.submit(1);
    await turn();
    const second = batcher.submit(2);
    await turn();
    const waiting = [3, 4, 5].map((item) => batcher.submit(item));
    await turn();
    expect(runner.batches).toEqual([[1], [2]]);
    runner.finishers[0]!();
    await first;
    await turn(); // the finished batch frees its slot,
    await turn(); // and the next batch starts on the following turn
    expect(runner.batches).toEqual([[1], [2], [3, 4, 5]]);
    runner.finishers[1]!();
    runner.finishers[2]!();
    expect(await Promise.all([second, ...waiting])).toEqual(['done 2', 'done 3', 'done 4', 'done 5']);
  });

  it('splits at maxBatch', async () => {
    const runner = controlledRunner();
    const batcher = new Batcher(runner.run, { maxBatch: 2, maxConcurrent: 3 });
    const answers = Promise.all([1, 2, 3, 4, 5].map((item) => batcher.submit(item)));
    await turn();
    expect(runner.batches).toEqual([[1, 2], [3, 4], [5]]);
    runner.finishers.forEach((finish) => finish());
    expect(await answers).toHaveLength(5);
  });

  it('fails every item of a batch that throws, and goes on with the next batch', async () => {
    const runner = controlledRunner();
    const batcher = new Batcher(runner.run, { maxBatch: 10, maxConcurrent: 1 });
    const failed = [1, 2].map((item) => batcher.submit(item));
    await turn();
    const later = batcher.submit(3);
    runner.finishers[0]!(new Error('deadlock'));
    for (const answer of failed) await expect(answer).rejects.toThrow('deadlock');
    await turn();
    expect(runner.batches).toEqual([[1, 2], [3]]);
    runner.finishers[1]!();
    expect(await later).toBe('done 3');
  });
});
