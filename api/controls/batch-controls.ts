/**
 * Controls on a batch. The batch row is the batch's control state: each control is one
 * conditional UPDATE (so racing controls cannot both win and a refusal is a 409 with the status
 * that caused it), and the batch's dispatcher, which re-reads the row every 250 ms, makes the
 * items follow: it pauses, resumes or cancels them through the per-execution controls, and
 * starts queued ones within `max_concurrency`. A pause is also sent to started items at once,
 * within the request, so no item starts another step while waiting for the next tick.
 */
import type { Client } from '@temporalio/client';
import type { Config } from '../../runtime/config';
import type { Database } from '../../runtime/database';
import type { Logger } from '../../runtime/logger';
import { pauseStartedItems } from '../../activities/batch/dispatcher';
import { runBatch, wakeSignal, type RunBatchInput } from '../../workflows/batch/run-batch';
import type { BatchStatus } from '../../workflows/batch/state';
import { ConflictError, NotFoundError, ServiceUnavailableError } from '../errors';
import {
  failBatchStart,
  findBatch,
  queueFailedItems,
  transitionBatch,
  type BatchRow,
} from '../repositories/batches';

export interface BatchControlDeps {
  db: Database;
  temporal: Client;
  config: Config;
  logger: Logger;
}

/** Loads a batch or throws 404. */
export async function requireBatch(db: Database, id: string): Promise<BatchRow> {
  const row = await findBatch(db, id);
  if (!row) throw new NotFoundError('batch', id);
  return row;
}

/** Starts the batch's `runBatch` workflow; when Temporal cannot be reached the batch fails. */
export async function startBatch(deps: BatchControlDeps, batch: BatchRow): Promise<void> {
  try {
    await deps.temporal.workflow.start(runBatch, {
      taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
      workflowId: batch.id,
      args: [runInput(deps, batch.id)],
    });
  } catch (err) {
    const message = `could not start the batch on Temporal: ${(err as Error).message}`;
    await failBatchStart(deps.db, batch.id, message);
    throw new ServiceUnavailableError(message);
  }
}

/** Nothing new starts; items mid-step finish that step, then wait. */
export async function pauseBatch(deps: BatchControlDeps, id: string): Promise<void> {
  await transition(deps, id, 'pause', ['running'], { status: 'paused' });
  await pauseStartedItems({ ...deps, heartbeat: () => undefined }, id);
}

export async function resumeBatch(deps: BatchControlDeps, id: string): Promise<void> {
  await transition(deps, id, 'resume', ['paused'], { status: 'running' });
}

/** Items that never started end cancelled at once; started ones are cancelled on Temporal. */
export async function cancelBatch(deps: BatchControlDeps, id: string): Promise<void> {
  await transition(deps, id, 'cancel', ['running', 'paused'], { status: 'cancelled' });
}

/** Takes effect at the dispatcher's next tick; lowering it never stops running items. */
export async function setMaxConcurrency(
  deps: BatchControlDeps,
  id: string,
  maxConcurrency: number,
): Promise<void> {
  await transition(deps, id, 'change', ['running', 'paused'], { max_concurrency: maxConcurrency });
}

/**
 * Queues every failed item to be retried from its failure point (completed steps are kept, never
 * re-run), within max_concurrency. A `failed` batch is re-opened; its workflow, closed by then,
 * is started again (signal-with-start also wakes a run that is just closing). Returns how many
 * items were queued.
 */
export async function retryFailedItems(deps: BatchControlDeps, id: string): Promise<number> {
  const result = await queueFailedItems(deps.db, id, ['running', 'paused', 'failed']);
  if (!result) throw new NotFoundError('batch', id);
  if (result.queued === 0) {
    const reason = ['running', 'paused', 'failed'].includes(result.status)
      ? 'the batch has no failed items'
      : `cannot retry items of a batch that is ${result.status}`;
    throw new ConflictError(reason, result.status);
  }
  try {
    await deps.temporal.workflow.signalWithStart(runBatch, {
      taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
      workflowId: id,
      args: [runInput(deps, id)],
      signal: wakeSignal,
      signalArgs: [],
    });
  } catch (err) {
    // The items stay queued: asking again re-sends the wake-up.
    throw new ServiceUnavailableError(
      `could not wake the batch on Temporal: ${(err as Error).message}`,
    );
  }
  return result.queued;
}

function runInput(deps: BatchControlDeps, batchId: string): RunBatchInput {
  return { batchId, heartbeatTimeoutS: deps.config.HEARTBEAT_TIMEOUT_S };
}

async function transition(
  deps: BatchControlDeps,
  id: string,
  control: string,
  from: BatchStatus[],
  data: { status?: BatchStatus; max_concurrency?: number },
): Promise<void> {
  if (await transitionBatch(deps.db, id, from, data)) return;
  const row = await requireBatch(deps.db, id);
  throw new ConflictError(`cannot ${control} a batch that is ${row.status}`, row.status);
}
