/**
 * The `dispatchBatch` activity: one round of a batch's dispatcher. It ticks every TICK_MS (so a
 * pause or a new max_concurrency takes effect within a fraction of a second) and heartbeats each
 * tick; it returns when the batch closes or after `roundMs`, and the `runBatch` workflow calls it
 * again. Long-running but stateless: everything it needs is in PostgreSQL.
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Config } from '../../runtime/config';
import type { Database } from '../../runtime/database';
import type { Logger } from '../../runtime/logger';
import type { BatchStatus } from '../../workflows/batch/state';
import { Dispatcher, type TickResult } from './dispatcher';

export interface BatchActivityDeps {
  db: Database;
  temporal: Client;
  config: Config;
  logger: Logger;
}

export interface DispatchBatchInput {
  batchId: string;
  /** The status the previous round ended on (a paused → running change triggers a resume). */
  lastStatus?: BatchStatus;
  /** How long this round lasts at most. */
  roundMs: number;
}

/** Pause between ticks: the latency of every batch control. */
export const TICK_MS = 250;

export function createBatchActivities(deps: BatchActivityDeps) {
  return {
    async dispatchBatch(input: DispatchBatchInput): Promise<TickResult> {
      const ctx = Context.current();
      // After a retried attempt, the last status this round saw is in the heartbeat.
      let seen = (ctx.info.heartbeatDetails as BatchStatus | undefined) ?? input.lastStatus;
      const dispatcher = new Dispatcher(
        { ...deps, heartbeat: () => ctx.heartbeat(seen) },
        input.batchId,
        seen,
      );
      const deadline = Date.now() + input.roundMs;
      for (;;) {
        const result = await dispatcher.tick();
        seen = result.status;
        ctx.heartbeat(seen);
        if (result.done || Date.now() >= deadline) return result;
        // Rejects when the activity is cancelled (worker shutting down): the round ends there.
        await ctx.sleep(TICK_MS);
      }
    },
  };
}
