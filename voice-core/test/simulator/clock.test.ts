import { SimClock, TimerGroup, WaitCancelled } from '../../src/simulator/clock';

const realMs = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('simulator clock', () => {
  it('close() wakes a long sleep at once, rejecting it with WaitCancelled', async () => {
    const clock = new SimClock(1);
    const started = Date.now();
    const sleeping = clock.newGroup().sleep(60_000);
    setTimeout(() => clock.close(), 5);
    await expect(sleeping).rejects.toBeInstanceOf(WaitCancelled);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(clock.closed).toBe(true);
  });

  it('scales simulated time: a 1000 ms sleep at timeScale 0.001 takes about 1 real ms and resolves false', async () => {
    const clock = new SimClock(0.001);
    expect(clock.toRealMs(1_000)).toBe(1);
    expect(clock.toRealMs(-5)).toBe(0);
    await expect(clock.newGroup().sleep(1_000)).resolves.toBe(false);
    clock.close();
  });

  it('waitUntil resolves true on notify() once its predicate holds, and false when the time is up', async () => {
    const clock = new SimClock(1);
    const group = clock.newGroup();
    let ready = false;
    const waiting = group.waitUntil(() => ready, 60_000);
    group.notify(); // predicate still false: nothing happens
    ready = true;
    group.notify();
    await expect(waiting).resolves.toBe(true);
    await expect(group.waitUntil(() => false, 1)).resolves.toBe(false);
    await expect(group.waitUntil(() => true, 1)).resolves.toBe(true);
    clock.close();
  });

  it('cancelling a group clears its timers and rejects its waits; other groups keep running', async () => {
    const clock = new SimClock(1);
    const call = clock.newGroup();
    const fired: string[] = [];
    call.later(() => fired.push('call'), 5);
    clock.shared.later(() => fired.push('shared'), 5);
    const waiting = call.waitUntil(() => false, Infinity);
    call.cancel();
    await expect(waiting).rejects.toBeInstanceOf(WaitCancelled);
    await expect(call.sleep(1)).rejects.toBeInstanceOf(WaitCancelled);
    call.later(() => fired.push('after cancel'), 0);
    await realMs(30);
    expect(fired).toEqual(['shared']);
    clock.close();
  });

  it('after close() no timer starts and new groups are born cancelled', async () => {
    const clock = new SimClock(1);
    clock.close();
    const fired: string[] = [];
    clock.shared.later(() => fired.push('shared'), 0);
    const group = clock.newGroup();
    expect(group.cancelled).toBe(true);
    group.later(() => fired.push('group'), 0);
    await expect(group.sleep(0)).rejects.toBeInstanceOf(WaitCancelled);
    await realMs(10);
    expect(fired).toEqual([]);
  });

  it('converts real intervals to simulated seconds, treating timeScale 0 as tiny rather than dividing by 0', () => {
    expect(new SimClock(0.01).simSecondsBetween(1_000, 1_050)).toBeCloseTo(5);
    expect(Number.isFinite(new SimClock(0).simSecondsBetween(0, 10))).toBe(true);
    expect(() => new SimClock(-1)).toThrow('timeScale must be >= 0');
    expect(() => new SimClock(Number.NaN)).toThrow('timeScale must be >= 0');
  });

  it('a standalone group scales with the function it is given', async () => {
    const group = new TimerGroup((simMs) => simMs / 1000);
    const started = Date.now();
    await group.sleep(2_000);
    expect(Date.now() - started).toBeLessThan(500);
  });
});
