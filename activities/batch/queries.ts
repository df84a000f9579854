/**
 * The dispatcher's SQL. Every statement touches a bounded number of rows (at most one round of
 * starts or one fan-out), so a tick costs the same for a 50-item and a 10,000-item batch, bar
 * the GROUP BY of `batchStats`, which walks the (batch_id, status) index.
 */
import type { Database } from '../../runtime/database';
import type { BatchStatus } from '../../workflows/batch/state';
import type { ExecutionStatus } from '../../workflows/run/state';

/** What the dispatcher reads of the batch row each tick. */
export interface BatchControl {
  status: BatchStatus;
  max_concurrency: number;
  workflow_id: string;
  finished_at: Date | null;
}

export async function loadBatchControl(db: Database, id: string): Promise<BatchControl | null> {
  return db.batch.findUnique({
    where: { id },
    select: { status: true, max_concurrency: true, workflow_id: true, finished_at: true },
  }) as Promise<BatchControl | null>;
}

/** Queued items in input order: never started, or failed and queued by retry-failed. */
export async function queuedItems(
  db: Database,
  batchId: string,
  limit: number,
): Promise<{ id: string; status: ExecutionStatus }[]> {
  const rows = await db.execution.findMany({
    where: { batch_id: batchId, batch_queued: true },
    orderBy: { batch_index: 'asc' },
    take: limit,
    select: { id: true, status: true },
  });
  return rows as { id: string; status: ExecutionStatus }[];
}

/**
 * Ids of started items in the given statuses; `startedPending` adds items started but not yet
 * running (their workflow has not recorded `running` yet).
 */
export async function startedItems(
  db: Database,
  batchId: string,
  statuses: ExecutionStatus[],
  opts: { startedPending?: boolean; limit?: number } = {},
): Promise<string[]> {
  const pending = opts.startedPending ? [{ status: 'pending', batch_queued: false }] : [];
  const rows = await db.execution.findMany({
    where: { batch_id: batchId, OR: [{ status: { in: statuses } }, ...pending] },
    orderBy: { batch_index: 'asc' },
    take: opts.limit ?? 1000,
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

/** The item was handed to Temporal (first start or retry): it leaves the queue. */
export async function markStarted(db: Database, id: string, runId?: string): Promise<void> {
  await db.execution.update({
    where: { id },
    data: { batch_queued: false, ...(runId ? { temporal_run_id: runId } : {}) },
  });
}

/**
 * Cancels items that never started, straight in the database (there is no workflow to ask), with
 * their `cancelled` status event; items queued for a retry just leave the queue, still failed.
 */
export async function cancelQueuedItems(db: Database, batchId: string): Promise<number> {
  const reason = { code: 'cancelled', message: 'the batch was cancelled' };
  const error = JSON.stringify(reason);
  const data = JSON.stringify({ status: 'cancelled', progress: 0, outputs: null, error: reason });
  const [cancelled] = await db.$transaction([
    db.$executeRaw`
      WITH cancelled AS (
        UPDATE executions
        SET status = 'cancelled', batch_queued = false, error = ${error}::jsonb,
            finished_at = now(), updated_at = now(), last_event_seq = last_event_seq + 1
        WHERE batch_id = ${batchId} AND batch_queued AND status = 'pending'
        RETURNING id, last_event_seq)
      INSERT INTO execution_events (execution_id, seq, type, node_id, data, at)
      SELECT id, last_event_seq, 'status', NULL, ${data}::jsonb, now() FROM cancelled`,
    db.execution.updateMany({
      where: { batch_id: batchId, batch_queued: true },
      data: { batch_queued: false },
    }),
  ]);
  return cancelled;
}

/**
 * Closes the batch when nothing is open or queued: `cancelled` stays, else `completed` when every
 * item completed, `failed` otherwise. Runs under the batch row's lock, as retry-failed does, so
 * an item queued concurrently keeps the batch open. Returns the final status, or null.
 */
export async function finalizeIfSettled(db: Database, id: string): Promise<BatchStatus | null> {
  return db.$transaction(async (tx) => {
    const [batch] = await tx.$queryRaw<{ status: BatchStatus; finished_at: Date | null }[]>`
      SELECT status, finished_at FROM batches WHERE id = ${id} FOR UPDATE`;
    if (!batch) return 'cancelled';
    if (batch.finished_at) return batch.status;
    const [items] = await tx.$queryRaw<{ open: number; unfinished: number }[]>`
      SELECT (count(*) FILTER (WHERE batch_queued
                OR status IN ('pending', 'running', 'paused', 'awaiting_approval')))::int AS open,
             (count(*) FILTER (WHERE status <> 'completed'))::int AS unfinished
      FROM executions WHERE batch_id = ${id}`;
    if (!items || items.open > 0) return null;
    const status: BatchStatus =
      batch.status === 'cancelled' ? 'cancelled' : items.unfinished > 0 ? 'failed' : 'completed';
    await tx.batch.update({ where: { id }, data: { status, finished_at: new Date() } });
    return status;
  });
}
