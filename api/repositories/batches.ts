/**
 * PostgreSQL access for batches. A batch's items are ordinary executions carrying `batch_id`,
 * so everything about their progress is a GROUP BY over `executions` (index on batch_id, status):
 * the batch row itself only holds the control state the dispatcher reads.
 */
import { Prisma } from '../../prisma/generated/client';
import { LOCAL_ORGANIZATION_ID, type Database } from '../../runtime/database';
import type { BatchStatus } from '../../workflows/batch/state';
import type { Definition } from '../../workflows/definition/schema';
import type { ExecutionStatus } from '../../workflows/run/state';
import { newId } from '../ids';
import { pageArgs } from '../pagination';
import type { PaginationQuery } from '../schemas/common';
import type { ExecutionRow } from './executions';

export type BatchRow = Prisma.BatchGetPayload<object>;

/** Items are inserted this many at a time (well under PostgreSQL's bind-parameter limit). */
const INSERT_CHUNK = 1000;

/** Item counts by status, as the API shows them. */
export interface BatchCounts {
  total: number;
  pending: number;
  running: number;
  paused: number;
  awaiting_approval: number;
  completed: number;
  failed: number;
  cancelled: number;
  timed_out: number;
}

export interface BatchStats {
  counts: BatchCounts;
  /** Mean item progress, final items counting 1. */
  progress: number;
  /** Items holding a concurrency slot: started and not final. */
  active: number;
  /** Items not final yet, or queued to be (re)started. */
  open: number;
}

/**
 * Creates the batch (status `running`) and one `pending`, queued execution per item, each with
 * its seq-1 status event, in one transaction: a batch is never half-created.
 */
export async function createBatch(
  db: Database,
  args: {
    workflowId: string;
    version: number;
    definition: Definition;
    name?: string;
    maxConcurrency: number;
    items: Record<string, unknown>[];
  },
): Promise<BatchRow> {
  const id = newId('batch');
  const at = new Date();
  const definition = args.definition as Prisma.InputJsonValue;
  return db.$transaction(
    async (tx) => {
      const batch = await tx.batch.create({
        data: {
          id,
          organization_id: LOCAL_ORGANIZATION_ID,
          workflow_id: args.workflowId,
          workflow_version: args.version,
          name: args.name ?? null,
          status: 'running',
          max_concurrency: args.maxConcurrency,
          total_items: args.items.length,
          created_at: at,
        },
      });
      for (let start = 0; start < args.items.length; start += INSERT_CHUNK) {
        const chunk = args.items.slice(start, start + INSERT_CHUNK).map((params, i) => {
          const execId = newId('exec');
          return {
            id: execId,
            organization_id: LOCAL_ORGANIZATION_ID,
            workflow_id: args.workflowId,
            workflow_version: args.version,
            definition,
            input_params: params as Prisma.InputJsonValue,
            status: 'pending',
            temporal_workflow_id: execId,
            last_event_seq: 1,
            created_at: at,
            batch_id: id,
            batch_index: start + i,
            batch_queued: true,
          };
        });
        await tx.execution.createMany({ data: chunk });
        await tx.executionEvent.createMany({
          data: chunk.map((e) => ({
            execution_id: e.id,
            seq: 1,
            type: 'status',
            data: { status: 'pending' },
            at,
          })),
        });
      }
      return batch;
    },
    { timeout: 120_000, maxWait: 10_000 },
  );
}

export async function findBatch(db: Database, id: string): Promise<BatchRow | null> {
  return db.batch.findFirst({ where: { id, organization_id: LOCAL_ORGANIZATION_ID } });
}

/** One page of batches (one more row than `limit`, for `toPage`). */
export async function listBatches(db: Database, page: PaginationQuery): Promise<BatchRow[]> {
  const args = pageArgs(page);
  return db.batch.findMany({
    where: { organization_id: LOCAL_ORGANIZATION_ID, ...args.where },
    orderBy: args.orderBy,
    take: args.take,
  });
}

/**
 * An item's status as batch views show it: a failed item queued by retry-failed is `pending`
 * again (it waits for a slot), so counts and the status filter agree.
 */
const EFFECTIVE_STATUS = Prisma.sql`CASE WHEN batch_queued AND status = 'failed' THEN 'pending' ELSE status END`;
const FINAL = Prisma.sql`('completed', 'failed', 'cancelled', 'timed_out')`;
const ACTIVE = Prisma.sql`(status IN ('running', 'paused', 'awaiting_approval') OR (status = 'pending' AND NOT batch_queued))`;

/** Live counts of several batches in one query. */
export async function batchStats(db: Database, ids: string[]): Promise<Map<string, BatchStats>> {
  const rows = await db.$queryRaw<
    { batch_id: string; status: string; n: number; progress: number; active: number }[]
  >`
    SELECT batch_id, ${EFFECTIVE_STATUS} AS status, count(*)::int AS n,
           sum(CASE WHEN status IN ${FINAL} AND NOT batch_queued THEN 1 ELSE progress END)::float8
             AS progress,
           (count(*) FILTER (WHERE ${ACTIVE}))::int AS active
    FROM executions WHERE batch_id = ANY(${ids}::text[])
    GROUP BY 1, 2`;
  const out = new Map<string, BatchStats>(ids.map((id) => [id, emptyStats()]));
  const sums = new Map<string, number>();
  for (const row of rows) {
    const stats = out.get(row.batch_id)!;
    const key = row.status as keyof BatchCounts;
    if (key in stats.counts && key !== 'total') stats.counts[key] += row.n;
    stats.counts.total += row.n;
    stats.active += row.active;
    if (!['completed', 'failed', 'cancelled', 'timed_out'].includes(row.status))
      stats.open += row.n;
    sums.set(row.batch_id, (sums.get(row.batch_id) ?? 0) + row.progress);
  }
  for (const [id, stats] of out) {
    stats.progress = stats.counts.total === 0 ? 1 : (sums.get(id) ?? 0) / stats.counts.total;
  }
  return out;
}

function emptyStats(): BatchStats {
  const counts: BatchCounts = {
    total: 0,
    pending: 0,
    running: 0,
    paused: 0,
    awaiting_approval: 0,
    completed: 0,
    failed: 0,
    cancelled: 0,
    timed_out: 0,
  };
  return { counts, progress: 0, active: 0, open: 0 };
}

/** Provider cost of the batch: spent so far, and an estimate from the workflow's recent runs. */
export interface CostEstimate {
  currency: 'USD';
  spent: number;
  /** Sum over the DAG's nodes of their mean recent cost; null until some provider reports one. */
  per_item: number | null;
  total: number | null;
}

/** How many of the workflow's latest executions the per-node cost means are taken from. */
const COST_SAMPLE = 2000;

export async function estimateCost(db: Database, batch: BatchRow): Promise<CostEstimate> {
  const [spent] = await db.$queryRaw<{ spent: number }[]>`
    SELECT coalesce(sum(s.cost), 0)::float8 AS spent
    FROM steps s JOIN executions e ON e.id = s.execution_id WHERE e.batch_id = ${batch.id}`;
  const means = await db.$queryRaw<{ mean: number }[]>`
    WITH recent AS (
      SELECT id FROM executions WHERE organization_id = ${batch.organization_id}
        AND workflow_id = ${batch.workflow_id} ORDER BY created_at DESC LIMIT ${COST_SAMPLE})
    SELECT avg(s.cost)::float8 AS mean FROM steps s JOIN recent r ON r.id = s.execution_id
    WHERE s.status = 'completed' AND s.cost IS NOT NULL GROUP BY s.node_id`;
  const perItem = means.length === 0 ? null : means.reduce((sum, m) => sum + m.mean, 0);
  return {
    currency: 'USD',
    spent: spent?.spent ?? 0,
    per_item: perItem,
    total: perItem === null ? null : perItem * batch.total_items,
  };
}

/** One page of a batch's items, optionally of one (effective) status. */
export async function listBatchItems(
  db: Database,
  batchId: string,
  status: ExecutionStatus | undefined,
  page: PaginationQuery,
): Promise<ExecutionRow[]> {
  const args = pageArgs(page);
  return db.execution.findMany({
    where: { AND: [{ batch_id: batchId }, statusWhere(status), args.where] },
    orderBy: args.orderBy,
    take: args.take,
  });
}

function statusWhere(status: ExecutionStatus | undefined): Prisma.ExecutionWhereInput {
  if (status === 'pending') {
    return { OR: [{ status: 'pending' }, { status: 'failed', batch_queued: true }] };
  }
  if (status === 'failed') return { status: 'failed', batch_queued: false };
  return status ? { status } : {};
}

/** The status batch views show for an item (see EFFECTIVE_STATUS). */
export function effectiveItemStatus(row: ExecutionRow): ExecutionStatus {
  return row.batch_queued && row.status === 'failed' ? 'pending' : (row.status as ExecutionStatus);
}

/**
 * Applies `data` if the batch is in one of `from`; false when it is not (or does not exist).
 * A single conditional UPDATE, so two racing controls cannot both succeed.
 */
export async function transitionBatch(
  db: Database,
  id: string,
  from: BatchStatus[],
  data: { status?: BatchStatus; max_concurrency?: number },
): Promise<boolean> {
  const { count } = await db.batch.updateMany({
    where: { id, organization_id: LOCAL_ORGANIZATION_ID, status: { in: from } },
    data,
  });
  return count > 0;
}

/**
 * retry-failed: queues every failed item for the dispatcher (again: idempotent) and re-opens a
 * `failed` batch. Locks the batch row first, as the dispatcher does before closing a batch, so a
 * batch is never closed with items queued. Returns the number queued (0 with the status when
 * the batch's status forbids it), or null when there is no such batch.
 */
export async function queueFailedItems(
  db: Database,
  id: string,
  allowed: BatchStatus[],
): Promise<{ queued: number; status: BatchStatus } | null> {
  return db.$transaction(async (tx) => {
    const [batch] = await tx.$queryRaw<{ status: BatchStatus }[]>`
      SELECT status FROM batches WHERE id = ${id} AND organization_id = ${LOCAL_ORGANIZATION_ID}
      FOR UPDATE`;
    if (!batch) return null;
    if (!allowed.includes(batch.status)) return { queued: 0, status: batch.status };
    const queued = await tx.$executeRaw`
      UPDATE executions SET batch_queued = true, updated_at = now()
      WHERE batch_id = ${id} AND status = 'failed'`;
    if (queued === 0) return { queued, status: batch.status };
    const status: BatchStatus = batch.status === 'failed' ? 'running' : batch.status;
    await tx.batch.update({ where: { id }, data: { status, finished_at: null } });
    return { queued, status };
  });
}

/** The batch workflow could not be started: the batch and its items end failed. */
export async function failBatchStart(db: Database, id: string, message: string): Promise<void> {
  const error = { code: 'start_failed', message } as Prisma.InputJsonValue;
  await db.$transaction([
    db.execution.updateMany({
      where: { batch_id: id },
      data: { status: 'failed', error, finished_at: new Date(), batch_queued: false },
    }),
    db.batch.update({ where: { id }, data: { status: 'failed', finished_at: new Date() } }),
  ]);
}
