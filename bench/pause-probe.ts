/**
 * Steering a batch while it runs, measured through the API as an operator sees it: how soon a
 * pause holds, whether it keeps holding, and how old the counts `GET /api/batches/:id` shows can
 * be (they are computed when asked, so their age is the request's own time).
 */

/** Counts as `GET /api/batches/:id` answers them. */
interface Counts {
  completed: number;
  running: number;
  pending: number;
  paused: number;
}

export interface BatchSnapshot {
  finished_at: string | null;
  counts: Counts;
}

/** Reads the batch; the probe times every call. */
export type ReadBatch = () => Promise<BatchSnapshot>;

export interface PauseFigures {
  /** Completed items when the pause was sent. */
  completedAtPause: number;
  /** The pause request's own time: when it answers, every started item has accepted it. */
  requestMs: number;
  /** From the pause request until no item is running any more. */
  settleMs: number;
  /** Items that completed after the pause was sent (those that were on their last step). */
  completedWhilePausing: number;
  /** Items that completed during the hold after settling: must be 0. */
  completedDuringHold: number;
  holdMs: number;
}

/** Timing of every batch read the bench made: the worst is how stale counts can be. */
export class ReadTimer {
  private readonly samples: number[] = [];

  wrap(read: ReadBatch): ReadBatch {
    return async () => {
      const started = performance.now();
      try {
        return await read();
      } finally {
        this.samples.push(performance.now() - started);
      }
    };
  }

  summary(): string {
    const sorted = [...this.samples].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    const ms = (n = 0) => `${Math.round(n)} ms`;
    return `${sorted.length} reads: p50 ${ms(at(0.5))}, p95 ${ms(at(0.95))}, max ${ms(at(1))}`;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Once `fraction` of `total` items completed: pause, wait until nothing runs, hold for `holdMs`
 * checking nothing completes, then resume. Answers the figures; throws if the pause never holds.
 */
export async function probePause(
  read: ReadBatch,
  control: (action: 'pause' | 'resume') => Promise<void>,
  total: number,
  { fraction = 0.3, holdMs = 3_000, pollMs = 100, giveUpMs = 30_000 } = {},
): Promise<PauseFigures> {
  let batch = await read();
  while (batch.counts.completed < fraction * total && !batch.finished_at) {
    // Only the settling is timed closely; polling fast before it would only load the machine.
    await sleep(1_000);
    batch = await read();
  }
  const completedAtPause = batch.counts.completed;
  const pausedAt = performance.now();
  await control('pause');
  const requestMs = performance.now() - pausedAt;
  batch = await read();
  while (batch.counts.running > 0) {
    if (performance.now() - pausedAt > giveUpMs)
      throw new Error(`pause did not hold in ${giveUpMs} ms: ${JSON.stringify(batch.counts)}`);
    await sleep(pollMs);
    batch = await read();
  }
  const settleMs = performance.now() - pausedAt;
  const settled = batch.counts.completed;
  await sleep(holdMs);
  batch = await read();
  const figures = {
    completedAtPause,
    requestMs,
    settleMs,
    completedWhilePausing: settled - completedAtPause,
    completedDuringHold: batch.counts.completed - settled,
    holdMs,
  };
  await control('resume');
  return figures;
}

export function describePause(f: PauseFigures): string {
  return (
    `pause at ${f.completedAtPause} completed: request ${Math.round(f.requestMs)} ms, ` +
    `no item running after ${Math.round(f.settleMs)} ms ` +
    `(${f.completedWhilePausing} finished their last step meanwhile); ` +
    `${f.completedDuringHold} completed during a ${f.holdMs / 1000} s hold`
  );
}
