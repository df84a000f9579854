/**
 * The baseline of bench/batch.ts: the same shape as a Skein batch written directly against
 * Temporal — a parent starting one child per item in a sliding window of `concurrency`, each
 * child running three trivial activities in sequence. No database, no event projection. The
 * parent continues as new every `perRun` items, as any fan-out of 10,000 children must (each
 * child costs the parent ~5 history events).
 */
import { continueAsNew, executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createBareActivities } from './bare-activities';

const { trivialStep } = proxyActivities<ReturnType<typeof createBareActivities>>({
  startToCloseTimeout: '1 minute',
});

/** One item: three steps, each a trivial activity. */
export async function bareItem(index: number): Promise<string> {
  let value = `item-${index}`;
  for (let step = 0; step < 3; step++) value = await trivialStep(value, step);
  return value;
}

export interface BareFanOutInput {
  items: number;
  concurrency: number;
  perRun: number;
  offset?: number;
}

export async function bareFanOut(input: BareFanOutInput): Promise<number> {
  const offset = input.offset ?? 0;
  const end = Math.min(input.items, offset + input.perRun);
  const running = new Set<Promise<unknown>>();
  let next = offset;
  while (next < end || running.size > 0) {
    while (running.size < input.concurrency && next < end) {
      const index = next++;
      const child: Promise<unknown> = executeChild(bareItem, {
        args: [index],
        workflowId: `${workflowInfo().workflowId}-item-${index}`,
      }).finally(() => running.delete(child));
      running.add(child);
    }
    await Promise.race(running);
  }
  if (end < input.items) await continueAsNew<typeof bareFanOut>({ ...input, offset: end });
  return input.items;
}
