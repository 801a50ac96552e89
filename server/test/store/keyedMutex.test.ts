import { describe, expect, it } from 'vitest';
import { KeyedMutex } from '../../src/store/KeyedMutex.js';

const pause = (ms = 0) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('KeyedMutex', () => {
  it('100 racing read-modify-write increments on one key end at 100', async () => {
    const mutex = new KeyedMutex();
    let counter = 0;
    const increment = async () => {
      const read = counter;
      await pause(Math.random() < 0.5 ? 0 : 1); // yield between read and write, as a store round trip does
      counter = read + 1;
    };
    await Promise.all(Array.from({ length: 100 }, () => mutex.run('meeting-1', increment)));
    expect(counter).toBe(100);
  });

  it('without the mutex the same increments lose updates (the race is real)', async () => {
    let counter = 0;
    const increment = async () => {
      const read = counter;
      await pause();
      counter = read + 1;
    };
    await Promise.all(Array.from({ length: 100 }, () => increment()));
    expect(counter).toBeLessThan(100);
  });

  it('runs tasks of one key in the order they were queued', async () => {
    const mutex = new KeyedMutex();
    const order: number[] = [];
    await Promise.all(
      [5, 1, 3, 0, 2].map((delay, i) =>
        mutex.run('k', async () => {
          await pause(delay);
          order.push(i);
        }),
      ),
    );
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('runs different keys in parallel', async () => {
    const mutex = new KeyedMutex();
    const events: string[] = [];
    let releaseA: () => void = () => {};
    const a = mutex.run('a', async () => {
      events.push('a start');
      await new Promise<void>((resolve) => {
        releaseA = resolve;
      });
      events.push('a end');
    });
    await mutex.run('b', async () => {
      events.push('b ran');
    });
    releaseA();
    await a;
    expect(events).toEqual(['a start', 'b ran', 'a end']);
  });

  it('a failing task rejects its own caller and does not break the chain', async () => {
    const mutex = new KeyedMutex();
    const failing = mutex.run('k', async () => {
      throw new Error('boom');
    });
    const throwingSync = mutex.run('k', () => {
      throw new Error('sync boom');
    });
    const next = mutex.run('k', async () => 'still running');
    await expect(failing).rejects.toThrow('boom');
    await expect(throwingSync).rejects.toThrow('sync boom');
    await expect(next).resolves.toBe('still running');
  });

  it('returns each task result and forgets idle keys', async () => {
    const mutex = new KeyedMutex<number>();
    const results = await Promise.all([mutex.run(1, () => 'x'), mutex.run(2, async () => 42)]);
    expect(results).toEqual(['x', 42]);
    await pause();
    expect(mutex.size).toBe(0);
    expect(mutex.isBusy(1)).toBe(false);
  });
});
