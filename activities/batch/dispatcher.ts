/**
 * One tick of a batch's dispatcher: read the batch row, then make the items agree with it —
 * start queued items while `running` (within `max_concurrency`), pause started items while
 * `paused`, cancel everything while `cancelled` — and close the batch once nothing is open.
 *
 * The dispatcher is the only thing that starts or controls a batch's items, and it re-reads the
 * database every tick, so controls are level-triggered: a pause that reaches an item before its
 * workflow can take it (409) is simply sent again next tick, and a crashed dispatcher's
 * successor picks up exactly where the rows say.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import {
  cancelExecution,
  pauseExecution,
  resumeExecution,
  retryExecution,
  type ControlDeps,
} from '../../api/controls/execution-controls';
import { ConflictError } from '../../api/errors';
import { batchStats, type BatchStats } from '../../api/repositories/batches';
import { findExecution, findLockedResults } from '../../api/repositories/executions';
import type { Config } from '../../runtime/config';
import type { Database } from '../../runtime/database';
import type { Logger } from '../../runtime/logger';
import { startRun } from '../../runtime/runs';
import type { BatchStatus } from '../../workflows/batch/state';
import type { Definition } from '../../workflows/definition/schema';
import type { ExecutionStatus, NodeState } from '../../workflows/run/state';
import {
  cancelQueuedItems,
  finalizeIfSettled,
  loadBatchControl,
  markStarted,
  queuedItems,
  startedItems,
  type BatchControl,
} from './queries';

export interface DispatcherDeps {
  db: Database;
  temporal: Client;
  config: Config;
  logger: Logger;
  /** Called between item operations, so a long fan-out still heartbeats. */
  heartbeat: () => void;
}

/** What a tick saw: the batch status, and whether the batch is closed. */
export interface TickResult {
  done: boolean;
  status: BatchStatus;
}

/** After a resume, paused items are resumed for this long (their pause may still be landing). */
const RESUME_SWEEP_MS = 5_000;
/** Items started per tick at most, so one tick stays short whatever max_concurrency says. */
const MAX_STARTS_PER_TICK = 200;
/** Temporal calls in flight at once during a tick. */
const PARALLELISM = 16;
/**
 * The same for pause and cancel, whose latency operators feel: each item's update waits for a
 * workflow task on a busy worker, so sending them 16 at a time made a 50-item pause take 2 s.
 */
const CONTROL_PARALLELISM = 128;

export class Dispatcher {
  private resumeUntil = 0;
  private readonly cancelSent = new Set<string>();
  private lockedSeed?: Promise<Record<string, NodeState>>;
  private readonly controls: ControlDeps;

  constructor(
    private readonly deps: DispatcherDeps,
    private readonly batchId: string,
    private lastStatus?: BatchStatus,
  ) {
    this.controls = { db: deps.db, temporal: deps.temporal, config: deps.config };
  }

  async tick(): Promise<TickResult> {
    const { db } = this.deps;
    const batch = await loadBatchControl(db, this.batchId);
    // A deleted batch has nothing left to drive.
    if (!batch) return { done: true, status: 'cancelled' };
    if (batch.finished_at) return { done: true, status: batch.status };
    const stats = (await batchStats(db, [this.batchId])).get(this.batchId)!;
    if (batch.status === 'running') await this.run(batch, stats);
    else if (batch.status === 'paused') await this.pauseItems();
    else if (batch.status === 'cancelled') await this.cancel();
    this.lastStatus = batch.status;
    if (stats.open === 0) {
      const final = await finalizeIfSettled(db, this.batchId);
      if (final) return { done: true, status: final };
    }
    return { done: false, status: batch.status };
  }

  private async run(batch: BatchControl, stats: BatchStats): Promise<void> {
    if (this.lastStatus === 'paused') this.resumeUntil = Date.now() + RESUME_SWEEP_MS;
    if (Date.now() < this.resumeUntil) {
      const paused = await startedItems(this.deps.db, this.batchId, ['paused']);
      await this.each(paused, (id) => resumeExecution(this.controls, id));
    }
    const free = Math.min(batch.max_concurrency - stats.active, MAX_STARTS_PER_TICK);
    if (free <= 0) return;
    const items = await queuedItems(this.deps.db, this.batchId, free);
    await this.each(items, (item) => this.start(batch, item.id, item.status));
  }

  /** Items mid-step finish that step, then wait; items not yet running are asked next tick. */
  async pauseItems(): Promise<void> {
    const ids = await startedItems(this.deps.db, this.batchId, ['running', 'awaiting_approval'], {
      startedPending: true,
    });
    await this.each(ids, (id) => pauseExecution(this.controls, id), CONTROL_PARALLELISM);
  }

  private async cancel(): Promise<void> {
    await cancelQueuedItems(this.deps.db, this.batchId);
    const open = await startedItems(
      this.deps.db,
      this.batchId,
      ['running', 'paused', 'awaiting_approval'],
      { startedPending: true },
    );
    // A cancel request is final; asking again each tick would only add load.
    const ids = open.filter((id) => !this.cancelSent.has(id));
    await this.each(
      ids,
      async (id) => {
        await cancelExecution(this.controls, id);
        this.cancelSent.add(id);
      },
      CONTROL_PARALLELISM,
    );
  }

  /** Hands a queued item to Temporal: a first start, or a retry from its failure point. */
  private async start(batch: BatchControl, id: string, status: ExecutionStatus): Promise<void> {
    if (status === 'pending') return this.startFirst(batch, id);
    if (status !== 'failed') return markStarted(this.deps.db, id); // started before a crash
    try {
      await retryExecution(this.controls, id, {});
      await markStarted(this.deps.db, id);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      // `running`: its previous run is still closing; try again next tick. Anything else cannot
      // be retried (no failed step): it leaves the queue, still failed.
      if (err.currentStatus !== 'running') await markStarted(this.deps.db, id);
    }
  }

  private async startFirst(batch: BatchControl, id: string): Promise<void> {
    const { db, temporal, config } = this.deps;
    const row = await findExecution(db, id);
    if (!row) return;
    const definition = row.definition as Definition;
    this.lockedSeed ??= findLockedResults(db, batch.workflow_id, definition);
    let runId: string;
    try {
      runId = await startRun(temporal, config, {
        executionId: id,
        definition,
        inputParams: row.input_params as Record<string, unknown>,
        seed: await this.lockedSeed,
        statusHistory: [{ status: 'pending', at: row.created_at.toISOString() }],
        lastEventSeq: row.last_event_seq,
      });
    } catch (err) {
      // Started by a dispatcher that died before recording it.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      runId = (await temporal.workflow.getHandle(id).describe()).runId;
    }
    await markStarted(db, id, runId);
  }

  /**
   * Runs `op` over `items`, `parallelism` at a time. A 409 means the item is not in a state the
   * control applies to (yet, or any more): level-triggered, so it is left for the next tick.
   */
  private async each<T>(
    items: T[],
    op: (item: T) => Promise<unknown>,
    parallelism = PARALLELISM,
  ): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const item = items[next++]!;
        try {
          await op(item);
        } catch (err) {
          if (!(err instanceof ConflictError)) {
            this.deps.logger.warn({ err, batch_id: this.batchId }, 'batch item operation failed');
          }
        }
        this.deps.heartbeat();
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallelism, items.length) }, worker));
  }
}

/**
 * Pauses a paused batch's started items right away. The API calls it so a pause lands within
 * the request rather than a dispatcher tick later; the ticks repeat it until it holds.
 */
export function pauseStartedItems(deps: DispatcherDeps, batchId: string): Promise<void> {
  return new Dispatcher(deps, batchId).pauseItems();
}
