import { AsyncQueue } from '../../src/services/async-queue';

describe('AsyncQueue', () => {
  it('hands out pushed values in order, then done after end()', async () => {
    const queue = new AsyncQueue<number>(() => undefined);
    const waiting = queue.next();
    queue.push(1);
    queue.push(2);
    queue.end();
    queue.push(3); // after end: dropped
    expect(await waiting).toEqual({ value: 1, done: false });
    expect(await queue.next()).toEqual({ value: 2, done: false });
    expect(await queue.next()).toEqual({ value: undefined, done: true });
  });

  it('return() settles a read that is waiting and closes exactly once', async () => {
    const onClose = jest.fn();
    const queue = new AsyncQueue<number>(onClose);
    const waiting = queue.next();
    await queue.return();
    expect(await waiting).toEqual({ value: undefined, done: true });
    queue.end();
    await queue.return();
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('fail() delivers what is queued first, then rejects', async () => {
    const queue = new AsyncQueue<number>(() => undefined);
    queue.push(1);
    queue.fail(new Error('gone'));
    expect(await queue.next()).toEqual({ value: 1, done: false });
    await expect(queue.next()).rejects.toThrow('gone');
    expect(await queue.next()).toEqual({ value: undefined, done: true });
  });

  it('fail() rejects a read that is waiting', async () => {
    const queue = new AsyncQueue<number>(() => undefined);
    const waiting = queue.next();
    queue.fail(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
  });
});
