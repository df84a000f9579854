/** Runs the bare-Temporal baseline (bench/bare-workflows.ts) and measures it like a batch. */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createLogger } from '../runtime/logger';
import { installTemporalRuntime } from '../runtime/temporal-runtime';
import { createBareActivities } from './bare-activities';
import type { bareFanOut } from './bare-workflows';
import { maxHistoryOf, rssSampler, runHistoryLengths, sample } from './measure';

/** What each bench run reports. */
export interface RunResult {
  seconds: number;
  itemsPerSecond: number;
  peakRssMiB: number;
  /** History length of each run of the parent (batch) workflow. */
  parentRuns: number[];
  maxItemHistory: number;
  sampled: number;
  note?: string;
}

/** Children per parent run before it continues as new. */
const PER_RUN = 1000;

export async function runBareFanOut(
  args: { items: number; concurrency: number },
  address: string,
): Promise<RunResult> {
  const taskQueue = 'bench-bare';
  installTemporalRuntime(createLogger('warn', 'bench-bare'));
  const native = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection: native,
    taskQueue,
    workflowsPath: require.resolve('./bare-workflows'),
    activities: createBareActivities(),
  });
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const temporal = new Client({ connection });
  try {
    const parentId = `bare-${Date.now()}`;
    const rss = rssSampler();
    const started = Date.now();
    await temporal.workflow.execute<typeof bareFanOut>('bareFanOut', {
      taskQueue,
      workflowId: parentId,
      args: [{ items: args.items, concurrency: args.concurrency, perRun: PER_RUN }],
    });
    const seconds = (Date.now() - started) / 1000;
    const peakRssMiB = rss.stop();
    const ids = Array.from({ length: args.items }, (_, i) => `${parentId}-item-${i}`);
    const sampled = sample(ids, 500);
    return {
      seconds,
      itemsPerSecond: args.items / seconds,
      peakRssMiB,
      parentRuns: await runHistoryLengths(temporal, parentId),
      maxItemHistory: await maxHistoryOf(temporal, sampled),
      sampled: sampled.length,
      note: `${PER_RUN} children per parent run`,
    };
  } finally {
    worker.shutdown();
    await running;
    await connection.close();
    await native.close();
  }
}
