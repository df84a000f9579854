/**
 * Temporal-side operations on runs, shared by the API and batch activities: start the
 * interpreter workflow for an execution and read its live state. The execution id doubles as the Temporal workflow id, so a start is idempotent and any
 * API instance can find the run.
 */
import type { Client } from '@temporalio/client';
import type { Config } from './config';
import type { runExecution, RunExecutionInput } from '../workflows/run/run-execution';
import { stateQuery } from '../workflows/run/messages';
import type { RunSnapshot } from '../workflows/run/state';

/** How long a GET waits for a live answer before falling back to the database. */
const QUERY_DEADLINE_MS = 3000;

export async function startRun(
  temporal: Client,
  config: Config,
  input: Omit<RunExecutionInput, 'options'>,
): Promise<string> {
  const handle = await temporal.workflow.start<typeof runExecution>('runExecution', {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowId: input.executionId,
    args: [{ ...input, options: { heartbeatTimeoutS: config.HEARTBEAT_TIMEOUT_S } }],
  });
  return handle.firstExecutionRunId;
}

/**
 * The run's live state, or undefined when it cannot be had quickly (no worker up, run closed
 * and evicted): callers then read the persisted projection instead.
 */
export async function liveSnapshot(
  temporal: Client,
  executionId: string,
): Promise<RunSnapshot | undefined> {
  try {
    return await temporal.withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
      temporal.workflow.getHandle(executionId).query(stateQuery),
    );
  } catch {
    // Not found, closed and evicted, no worker polling, deadline passed: all mean "ask the
    // database", which always has the state up to the last recorded transition.
    return undefined;
  }
}
