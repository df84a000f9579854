/**
 * `runBatch`: the durable driver of one batch (workflow id = batch id). It holds no item state:
 * items are executions in PostgreSQL, each run by its own `runExecution` workflow. This workflow
 * only keeps the `dispatchBatch` activity running — a heartbeating loop that starts queued items
 * within `max_concurrency` and fans batch controls out to items — one bounded round at a time,
 * and continues as new every few rounds so its history stays small however long the batch runs.
 */
import {
  continueAsNew,
  defineSignal,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { createBatchActivities } from '../../activities/batch/dispatch';
import type { BatchStatus } from './state';

export interface RunBatchInput {
  batchId: string;
  /** Heartbeat timeout of the dispatcher (the run's HEARTBEAT_TIMEOUT_S). */
  heartbeatTimeoutS: number;
  /** The batch status the previous round saw, so a resume is noticed across rounds. */
  lastStatus?: BatchStatus;
}

/**
 * Sent (with signal-with-start) when retry-failed re-opens the batch, so a run that was about
 * to close goes round again, and a closed batch gets a new run.
 */
export const wakeSignal = defineSignal('wake');

/** One dispatcher round lasts about this long; each costs ~6 history events. */
export const ROUND_MS = 60_000;
/** Rounds per workflow run before continue-as-new: ~6 x 50 = 300 events per run at most. */
export const ROUNDS_PER_RUN = 50;

export async function runBatch(input: RunBatchInput): Promise<BatchStatus> {
  const { dispatchBatch } = proxyActivities<ReturnType<typeof createBatchActivities>>({
    // A round returns after ROUND_MS; the heartbeat notices a dead worker much sooner.
    startToCloseTimeout: `${ROUND_MS / 1000 + 120} seconds`,
    heartbeatTimeout: `${Math.max(input.heartbeatTimeoutS, 2)} seconds`,
    // Never give up on a batch because the database or Temporal blinked.
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds', backoffCoefficient: 2 },
  });
  let woken = false;
  setHandler(wakeSignal, () => {
    woken = true;
  });
  let lastStatus = input.lastStatus;
  for (let round = 1; ; round++) {
    const out = await dispatchBatch({ batchId: input.batchId, lastStatus, roundMs: ROUND_MS });
    lastStatus = out.status;
    // A wake during the round means the batch was re-opened after the dispatcher saw it settle.
    if (out.done && !woken) return out.status;
    woken = false;
    if (round >= ROUNDS_PER_RUN || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof runBatch>({ ...input, lastStatus });
    }
  }
}
