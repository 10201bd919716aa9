import { Rng, ThompsonSamplingChooser } from '@mwva/voice-core';
import { loadEnv } from '../config/env';
import { createLogger } from '../observability/logger';
import { startServer, type RunningServer } from '../server';
import { progressLine } from './progress';
import { installShiftedClock, type ShiftedClock } from './shifted-clock';

export interface DemoOptions {
  days: number;
  /** Calls on a weekday at the end of the period (weekends and the early days have fewer). */
  callsPerDay: number;
  seed: number;
  dataDir: string;
  /** Real seconds per simulated second while calls run (the shifted clock runs 1/timeScale fast). */
  timeScale: number;
}

const HOUR = 3_600_000;
/** When the sales floor calls, local time (hours), and each slot's share of the day's calls. */
const SLOTS = [
  { hour: 9.25, share: 0.22 },
  { hour: 11, share: 0.26 },
  { hour: 13.75, share: 0.2 },
  { hour: 15.5, share: 0.22 },
  { hour: 17, share: 0.1 },
];
/** No slot closer to the real now than this: its calls must end before the present. */
const PRESENT_MARGIN_MS = HOUR / 2;

export interface DemoSlot {
  at: number;
  calls: number;
}

/**
 * The calls of the backfill, oldest first: each day of the last `days` (today up to now), weekends
 * at a third, and volume growing from 60 % to 100 % over the period as the team takes the agent up.
 */
export function demoSchedule(options: Pick<DemoOptions, 'days' | 'callsPerDay' | 'seed'>, nowMs: number): DemoSlot[] {
  const rng = new Rng('demo-volume', options.seed);
  const slots: DemoSlot[] = [];
  for (let d = options.days; d >= 0; d -= 1) {
    const day = new Date(nowMs - d * 24 * HOUR);
    day.setHours(0, 0, 0, 0);
    const weekend = day.getDay() === 0 || day.getDay() === 6;
    const growth = 0.6 + (0.4 * (options.days - d)) / Math.max(1, options.days);
    const dayCalls = options.callsPerDay * growth * (weekend ? 0.33 : 1) * (0.85 + 0.3 * rng.next());
    for (const slot of SLOTS) {
      const at = day.getTime() + slot.hour * HOUR + Math.floor(rng.next() * 20 * 60_000);
      const calls = Math.round(dayCalls * slot.share);
      if (calls > 0 && at < nowMs - PRESENT_MARGIN_MS) slots.push({ at, calls });
    }
  }
  return slots;
}

/**
 * `voice-agent demo --days N`: backfills N days of simulated calls through the real engine, on the
 * embedded stores of --data-dir, under a clock shifted into the past: calls, transcripts, learning
 * credits, rollups and Beast Mode snapshots are the ones real calls would leave, at the times they
 * would have happened. Then `npm start` on the same data directory shows a month of history.
 */
export async function demo(options: DemoOptions): Promise<void> {
  const realNow = Date.now();
  const schedule = demoSchedule(options, realNow);
  const total = schedule.reduce((n, s) => n + s.calls, 0);
  if (schedule.length === 0) throw new Error('nothing to backfill: --days 0 and no calling hour has passed today');
  const clock = installShiftedClock(schedule[0]!.at, 1 / options.timeScale);
  let server: RunningServer | null = null;
  let finalized = 0;
  const started = performance.now();
  try {
    const env = loadEnv({
      ...process.env,
      TELNYX_API_KEY: '',
      DATA_DIR: options.dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
      SIMULATION_CALLS_PER_MINUTE: '0',
    });
    server = await startServer(env, createLogger(env.LOG_LEVEL, process.stderr), {
      trickle: false,
      chooser: new ThompsonSamplingChooser({ seed: options.seed }),
      simulator: { seed: options.seed, timeScale: options.timeScale, dialRatePerSecond: env.DIAL_RATE_PER_SECOND },
      // The built-in carrier delivers in order here, so a call need not wait long for late events;
      // the wait is real time, and each calling hour waits for its last call.
      finalizeSettleMs: 200,
      onFinalized: () => {
        finalized += 1;
      },
    });
    process.stderr.write(
      `demo: ${total} calls over ${options.days} days (${schedule.length} calling hours) into ${options.dataDir}\n`,
    );
    const progress = progressLine('demo');
    let placed = 0;
    for (const slot of schedule) {
      clock.jumpTo(slot.at);
      placed += await runSlot(server, clock, slot, placed, () => finalized);
      progress.update(finalized, total, new Date(slot.at).toISOString().slice(0, 10));
    }
    progress.done();
    await server.voice.beastMode.snapshotOnce();
    const status = await server.voice.beastMode.compute();
    process.stdout.write(
      [
        `demo: ${finalized}/${total} calls backfilled over ${options.days} days in ${Math.round((performance.now() - started) / 1000)} s`,
        `  Beast Mode now ${status.scores.overall.toFixed(1)}; data in ${options.dataDir}`,
        `  see it: DATA_DIR=${options.dataDir} npm start   (then open the preview URL it prints)`,
      ].join('\n') + '\n',
    );
    if (finalized < total) process.exitCode = 1;
  } finally {
    await server?.shutdown('demo finished');
    clock.restore();
  }
}

/** One calling hour: its calls start a few seconds apart (simulated), all end, learning is credited. */
async function runSlot(
  server: RunningServer,
  clock: ShiftedClock,
  slot: DemoSlot,
  placedBefore: number,
  finalized: () => number,
): Promise<number> {
  const { voice } = server;
  const carrier = voice.carrier!;
  for (let i = 0; i < slot.calls; i += 1) {
    const n = placedBefore + i;
    // Half dialled out by the agent, half coming in.
    if (n % 2 === 0) await carrier.placeInboundCall();
    else {
      await voice.dialer.enqueue({
        to: `+1555${String(4000000 + (n % 1_000_000)).slice(-7)}`,
        from: voice.defaultFrom!,
        persona: null,
        campaign: 'demo',
      });
    }
  }
  const target = placedBefore + slot.calls;
  const deadline = performance.now() + 120_000;
  while (finalized() < target && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await carrier.waitForIdle(30_000).catch(() => undefined);
  await voice.engine.idle();
  // The learning curve: one Beast Mode snapshot per calling hour, at its (shifted) time.
  await voice.beastMode.snapshotOnce(clock.now());
  return slot.calls;
}
