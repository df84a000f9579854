/**
 * Projects a run's events into PostgreSQL: the append-only `execution_events` log, the `steps`
 * rows and the `executions` row. Called by the workflow as a local activity, in order; every
 * write is idempotent (events keyed by seq, states absolute), so a re-delivered batch is harmless.
 */
import { Prisma } from '../../prisma/generated/client';
import type { Database } from '../../runtime/database';
import { isTerminal, type NodeState, type RunEvent } from '../../workflows/run/state';

export interface RecordRunEventsInput {
  executionId: string;
  events: RunEvent[];
}

const json = (value: unknown) =>
  value === null || value === undefined ? Prisma.DbNull : (value as Prisma.InputJsonValue);

export function createPersistenceActivities(db: Database) {
  return {
    async recordRunEvents({ executionId, events }: RecordRunEventsInput): Promise<void> {
      if (events.length === 0) return;
      await db.$transaction(async (tx) => {
        await tx.executionEvent.createMany({
          data: events.map((e) => ({
            execution_id: executionId,
            seq: e.seq,
            type: e.type,
            node_id: e.type === 'node' ? e.node_id : null,
            data: eventData(e),
            at: new Date(e.at),
          })),
          skipDuplicates: true,
        });
        for (const e of events) {
          if (e.type === 'node') await upsertStep(tx, executionId, e);
          else await applyStatus(tx, executionId, e);
        }
        const last = events[events.length - 1]!;
        await tx.execution.update({
          where: { id: executionId },
          data: {
            progress: last.progress,
            last_event_seq: { set: Math.max(...events.map((e) => e.seq)) },
          },
        });
      });
    },
  };
}

function eventData(e: RunEvent): Prisma.InputJsonValue {
  const { seq: _seq, at: _at, type: _type, ...rest } = e;
  return rest as Prisma.InputJsonValue;
}

type Tx = Prisma.TransactionClient;

async function upsertStep(tx: Tx, executionId: string, e: Extract<RunEvent, { type: 'node' }>) {
  const s = e.state;
  const asJson = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
  // One atomic statement: the running activity also bumps `attempts` at each try, so the larger
  // count wins whichever write lands last.
  await tx.$executeRaw`
    INSERT INTO steps (execution_id, node_id, status, attempts, started_at, finished_at, result, error,
                       provider_request_id, cost, details, updated_at)
    VALUES (${executionId}, ${e.node_id}, ${s.status}, ${s.attempts},
            ${s.started_at ? new Date(s.started_at) : null}::timestamptz,
            ${s.finished_at ? new Date(s.finished_at) : null}::timestamptz,
            ${asJson(s.result)}::jsonb, ${asJson(s.error)}::jsonb, ${s.request_id ?? null},
            ${s.cost ?? null}::numeric, ${asJson(stepDetails(s))}::jsonb, now())
    ON CONFLICT (execution_id, node_id) DO UPDATE SET
      status = EXCLUDED.status,
      attempts = GREATEST(steps.attempts, EXCLUDED.attempts),
      started_at = EXCLUDED.started_at,
      finished_at = EXCLUDED.finished_at,
      result = EXCLUDED.result,
      error = EXCLUDED.error,
      provider_request_id = COALESCE(EXCLUDED.provider_request_id, steps.provider_request_id),
      cost = COALESCE(EXCLUDED.cost, steps.cost),
      details = EXCLUDED.details,
      updated_at = now()`;
}

/** The parts of a node's state that only some node kinds have (kept in `steps.details`). */
export function stepDetails(s: NodeState): Record<string, unknown> | null {
  const {
    status: _s,
    attempts: _a,
    started_at: _sa,
    finished_at: _f,
    result: _r,
    error: _e,
    request_id: _q,
    cost: _c,
    ...rest
  } = s;
  return Object.keys(rest).length > 0 ? rest : null;
}

async function applyStatus(tx: Tx, executionId: string, e: Extract<RunEvent, { type: 'status' }>) {
  const data: Prisma.ExecutionUpdateInput = {
    status: e.status,
    outputs: json(e.outputs),
    error: json(e.error),
  };
  if (e.status === 'running') data.finished_at = null;
  if (isTerminal(e.status)) data.finished_at = new Date(e.at);
  await tx.execution.update({ where: { id: executionId }, data });
  if (e.status === 'running') {
    await tx.execution.updateMany({
      where: { id: executionId, started_at: null },
      data: { started_at: new Date(e.at) },
    });
  }
}
