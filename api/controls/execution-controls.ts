/**
 * Operator controls on one execution, shared by the HTTP routes and batch-wide controls. Each
 * control is a Temporal update on the run's workflow (validated there, so a control that makes
 * no sense answers 409 atomically). A retry of a run whose workflow has closed starts a new
 * Temporal run of the same execution, seeded with the persisted results of completed nodes.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../../runtime/config';
import type { Database } from '../../runtime/database';
import type { Definition } from '../../workflows/definition/schema';
import {
  decideUpdate,
  INVALID_STATE,
  RUN_CLOSING,
  pauseUpdate,
  resumeUpdate,
  retryUpdate,
  type DecisionRequest,
  type RetryRequest,
} from '../../workflows/run/messages';
import { isTerminal, type ExecutionStatus, type NodeState } from '../../workflows/run/state';
import { ConflictError, NotFoundError } from '../errors';
import {
  findExecution,
  loadNodeStates,
  loadStatusHistory,
  reopenExecution,
  restoreFailed,
  setTemporalRun,
  type ExecutionRow,
} from '../repositories/executions';
import { startRun } from '../../runtime/runs';

export interface ControlDeps {
  db: Database;
  temporal: Client;
  config: Config;
}

/** Loads an execution or throws 404. */
export async function requireExecution(db: Database, id: string): Promise<ExecutionRow> {
  const row = await findExecution(db, id);
  if (!row) throw new NotFoundError('execution', id);
  return row;
}

export async function pauseExecution(deps: ControlDeps, id: string): Promise<ExecutionStatus> {
  return runUpdate(deps, id, (h) => h.executeUpdate(pauseUpdate, { args: [] }));
}

export async function resumeExecution(deps: ControlDeps, id: string): Promise<ExecutionStatus> {
  return runUpdate(deps, id, (h) => h.executeUpdate(resumeUpdate, { args: [] }));
}

export async function decideNode(
  deps: ControlDeps,
  id: string,
  req: DecisionRequest,
): Promise<NodeState> {
  const row = await requireExecution(deps.db, id);
  const nodes = (row.definition as Definition).dag.nodes;
  if (!Object.hasOwn(nodes, req.node_id)) throw new NotFoundError('node', `${id}/${req.node_id}`);
  return runUpdate(deps, id, (h) => h.executeUpdate(decideUpdate, { args: [req] }), row);
}

/** Cancels the run: in-flight provider requests are cancelled, then the run ends `cancelled`. */
export async function cancelExecution(deps: ControlDeps, id: string): Promise<void> {
  const row = await requireExecution(deps.db, id);
  if (isTerminal(row.status as ExecutionStatus)) {
    throw new ConflictError(`cannot cancel a run that is ${row.status}`, row.status);
  }
  try {
    await deps.temporal.workflow.getHandle(id).cancel();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      const fresh = await requireExecution(deps.db, id);
      throw new ConflictError(`cannot cancel a run that is ${fresh.status}`, fresh.status);
    }
    throw err;
  }
}

/**
 * Re-runs failed nodes, then continues downstream. Completed nodes are never re-run: while the
 * workflow is open they are in its state; after it closed they seed the new Temporal run.
 */
export async function retryExecution(
  deps: ControlDeps,
  id: string,
  req: RetryRequest,
): Promise<string[]> {
  const row = await requireExecution(deps.db, id);
  if (!isTerminal(row.status as ExecutionStatus)) {
    try {
      return await runUpdate(deps, id, (h) => h.executeUpdate(retryUpdate, { args: [req] }), row);
    } catch (err) {
      // The workflow closed, or is closing, between our read and the update: once it has
      // closed, retry it as a closed run.
      if (!(err instanceof WorkflowClosedError || isRunClosing(err))) throw err;
      await waitUntilClosed(deps.temporal, id);
    }
  }
  return retryClosedRun(deps, id, req);
}

async function retryClosedRun(deps: ControlDeps, id: string, req: RetryRequest): Promise<string[]> {
  const row = await requireExecution(deps.db, id);
  const seed = await loadNodeStates(deps.db, id);
  const failed = Object.keys(seed).filter((n) => seed[n]!.status === 'failed');
  if (row.status !== 'failed' || failed.length === 0) {
    throw new ConflictError(`cannot retry a run that is ${row.status}`, row.status);
  }
  if (req.node_id !== undefined && !failed.includes(req.node_id)) {
    const status = seed[req.node_id]?.status ?? 'pending';
    throw new ConflictError(`node ${req.node_id} is ${status}, not failed`, status);
  }
  if (!(await reopenExecution(deps.db, id))) {
    throw new ConflictError('a retry of this run is already running', 'running');
  }
  try {
    const runId = await startRun(deps.temporal, deps.config, {
      executionId: id,
      definition: row.definition as Definition,
      inputParams: row.input_params as Record<string, unknown>,
      seed,
      retry: req,
      statusHistory: await loadStatusHistory(deps.db, id),
      lastEventSeq: row.last_event_seq,
    });
    await setTemporalRun(deps.db, id, runId);
  } catch (err) {
    await restoreFailed(deps.db, row);
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new ConflictError('a retry of this run is already running', 'running');
    }
    throw err;
  }
  return req.node_id ? [req.node_id] : failed;
}

/**
 * The run's workflow has closed (the read that preceded the control was stale). A 409 for most
 * controls; a retry starts a new run instead.
 */
class WorkflowClosedError extends ConflictError {}

type Handle = ReturnType<Client['workflow']['getHandle']>;

/**
 * Sends an update to the run's workflow. A refusal by the workflow's validator becomes 409 with
 * the status it reported; a closed workflow becomes 409 with the persisted status.
 */
async function runUpdate<T>(
  deps: ControlDeps,
  id: string,
  send: (handle: Handle) => Promise<T>,
  known?: ExecutionRow,
): Promise<T> {
  const row = known ?? (await requireExecution(deps.db, id));
  if (isTerminal(row.status as ExecutionStatus)) {
    throw new ConflictError(`the run is ${row.status}`, row.status);
  }
  try {
    return await send(deps.temporal.workflow.getHandle(id));
  } catch (err) {
    const refusal = invalidStateOf(err);
    if (refusal) throw new ConflictError(refusal.message, refusal.currentStatus);
    if (err instanceof WorkflowNotFoundError || isClosedWorkflowError(err)) {
      const fresh = await requireExecution(deps.db, id);
      throw new WorkflowClosedError(`the run is ${fresh.status}`, fresh.status);
    }
    throw err;
  }
}

function isRunClosing(err: unknown): boolean {
  const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
  return cause instanceof ApplicationFailure && cause.type === RUN_CLOSING;
}

/** Waits for the run's workflow to close, however it ends (its outcome is in the database). */
async function waitUntilClosed(temporal: Client, id: string): Promise<void> {
  await temporal.workflow
    .getHandle(id)
    .result()
    .catch(() => undefined);
}

function invalidStateOf(err: unknown): { message: string; currentStatus: string } | undefined {
  const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
  if (!(cause instanceof ApplicationFailure) || cause.type !== INVALID_STATE) return undefined;
  const details = (cause.details?.[0] ?? {}) as { current_status?: string };
  return { message: cause.message, currentStatus: details.current_status ?? 'unknown' };
}

/** Temporal answers "workflow execution already completed" for updates to a closed run. */
function isClosedWorkflowError(err: unknown): boolean {
  return err instanceof Error && /already completed|not found/i.test(err.message);
}
