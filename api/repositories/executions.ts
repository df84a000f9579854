/** PostgreSQL access for executions, their steps and their status history. */
import { Prisma } from '../../prisma/generated/client';
import { LOCAL_ORGANIZATION_ID, type Database } from '../../runtime/database';
import type { Definition } from '../../workflows/definition/schema';
import type { ExecutionStatus, NodeState, StatusChange } from '../../workflows/run/state';
import { newId } from '../ids';
import { pageArgs, type PageArgs } from '../pagination';
import type { PaginationQuery } from '../schemas/common';

export type ExecutionRow = Prisma.ExecutionGetPayload<object>;

/** Creates the execution in `pending`, with its definition snapshot and first status event. */
export async function createExecution(
  db: Database,
  args: {
    workflowId: string;
    version: number;
    definition: Definition;
    inputParams: Record<string, unknown>;
  },
): Promise<ExecutionRow> {
  const id = newId('exec');
  const at = new Date();
  return db.$transaction(async (tx) => {
    const row = await tx.execution.create({
      data: {
        id,
        organization_id: LOCAL_ORGANIZATION_ID,
        workflow_id: args.workflowId,
        workflow_version: args.version,
        definition: args.definition as Prisma.InputJsonValue,
        input_params: args.inputParams as Prisma.InputJsonValue,
        status: 'pending',
        temporal_workflow_id: id,
        last_event_seq: 1,
        created_at: at,
      },
    });
    await tx.executionEvent.create({
      data: { execution_id: id, seq: 1, type: 'status', data: { status: 'pending' }, at },
    });
    return row;
  });
}

export async function findExecution(db: Database, id: string): Promise<ExecutionRow | null> {
  return db.execution.findFirst({ where: { id, organization_id: LOCAL_ORGANIZATION_ID } });
}

export async function setTemporalRun(db: Database, id: string, runId: string): Promise<void> {
  await db.execution.update({ where: { id }, data: { temporal_run_id: runId } });
}

/**
 * Re-opens a failed execution for a retry's new Temporal run, before that run starts, so the
 * run's own final write can never be overwritten by this one. Returns false when the execution
 * was no longer failed (another retry got there first).
 */
export async function reopenExecution(db: Database, id: string): Promise<boolean> {
  const { count } = await db.execution.updateMany({
    where: { id, status: 'failed' },
    data: { status: 'running', finished_at: null },
  });
  return count === 1;
}

/** Undoes {@link reopenExecution} when the new run could not be started. */
export async function restoreFailed(db: Database, row: ExecutionRow): Promise<void> {
  await db.execution.update({
    where: { id: row.id },
    data: { status: 'failed', finished_at: row.finished_at, error: row.error ?? Prisma.DbNull },
  });
}

/** Marks an execution that could not be handed to Temporal as failed. */
export async function failExecution(
  db: Database,
  id: string,
  error: { code: string; message: string },
) {
  await db.execution.update({
    where: { id },
    data: { status: 'failed', error, finished_at: new Date() },
  });
}

/** Node states as persisted (the view after a run closes, and the seed of a retry). */
export async function loadNodeStates(
  db: Database,
  executionId: string,
): Promise<Record<string, NodeState>> {
  const steps = await db.step.findMany({ where: { execution_id: executionId } });
  return Object.fromEntries(
    steps.map((s) => [
      s.node_id,
      {
        status: s.status as NodeState['status'],
        attempts: s.attempts,
        started_at: s.started_at?.toISOString() ?? null,
        finished_at: s.finished_at?.toISOString() ?? null,
        result: s.result ?? null,
        error: (s.error as NodeState['error']) ?? null,
        request_id: s.provider_request_id,
        cost: s.cost === null ? null : Number(s.cost),
        ...(s.details as Partial<NodeState> | null),
      },
    ]),
  );
}

export async function loadStatusHistory(
  db: Database,
  executionId: string,
): Promise<StatusChange[]> {
  const events = await db.executionEvent.findMany({
    where: { execution_id: executionId, type: 'status' },
    orderBy: { seq: 'asc' },
  });
  return events.map((e) => ({
    status: (e.data as { status: ExecutionStatus }).status,
    at: e.at.toISOString(),
  }));
}

export async function listExecutions(
  db: Database,
  filter: { workflow_id?: string; status?: ExecutionStatus },
  page: PaginationQuery,
): Promise<ExecutionRow[]> {
  const args: PageArgs = pageArgs(page);
  return db.execution.findMany({
    where: { organization_id: LOCAL_ORGANIZATION_ID, ...filter, ...args.where },
    orderBy: args.orderBy,
    take: args.take,
  });
}

/**
 * Results locked nodes reuse: for each `locked` task node, its completed step in `locked_from`
 * or in the latest completed execution of the workflow. Nodes with nothing to reuse are absent
 * (they run normally).
 */
export async function findLockedResults(
  db: Database,
  workflowId: string,
  definition: Definition,
): Promise<Record<string, NodeState>> {
  const seed: Record<string, NodeState> = {};
  for (const [nodeId, node] of Object.entries(definition.dag.nodes)) {
    if (node.type !== 'task' || !node.locked) continue;
    const step = await db.step.findFirst({
      where: {
        node_id: nodeId,
        status: 'completed',
        execution: node.locked_from
          ? { id: node.locked_from, organization_id: LOCAL_ORGANIZATION_ID }
          : {
              workflow_id: workflowId,
              status: 'completed',
              organization_id: LOCAL_ORGANIZATION_ID,
            },
      },
      orderBy: { execution: { created_at: 'desc' } },
    });
    if (!step) continue;
    seed[nodeId] = {
      status: 'completed',
      attempts: 0,
      started_at: step.started_at?.toISOString() ?? null,
      finished_at: step.finished_at?.toISOString() ?? null,
      result: step.result ?? null,
      error: null,
      locked_from: step.execution_id,
    };
  }
  return seed;
}
