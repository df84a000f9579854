/** Builds the execution the API returns from the database row and, while it runs, live state. */
import type { Database } from '../../runtime/database';
import { isTerminal, type ExecutionStatus, type RunSnapshot } from '../../workflows/run/state';
import { loadNodeStates, loadStatusHistory, type ExecutionRow } from '../repositories/executions';
import type { ExecutionDto, ExecutionSummaryDto } from '../schemas/executions';
import type { Definition } from '../../workflows/definition/schema';

export function executionSummary(row: ExecutionRow): ExecutionSummaryDto {
  return {
    id: row.id,
    workflow_id: row.workflow_id,
    workflow_version: row.workflow_version,
    organization_id: row.organization_id,
    status: row.status as ExecutionStatus,
    progress: row.progress,
    input_params: row.input_params as Record<string, unknown>,
    error: (row.error as ExecutionDto['error']) ?? null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    started_at: row.started_at?.toISOString() ?? null,
    finished_at: row.finished_at?.toISOString() ?? null,
  };
}

/**
 * The full view. Live state wins while the run is open (it is ahead of the projection); attempts
 * of running nodes come from the database, where each activity attempt records itself.
 */
export async function executionView(
  db: Database,
  row: ExecutionRow,
  live?: RunSnapshot,
): Promise<ExecutionDto> {
  const [stored, history] = await Promise.all([
    loadNodeStates(db, row.id),
    loadStatusHistory(db, row.id),
  ]);
  const base = { ...executionSummary(row), status_history: history };
  const nodeIds = Object.keys((row.definition as Definition).dag.nodes);
  if (!live || isTerminal(row.status as ExecutionStatus)) {
    const nodes = Object.fromEntries(nodeIds.map((id) => [id, stored[id] ?? pendingNode()]));
    return { ...base, nodes, outputs: (row.outputs as ExecutionDto['outputs']) ?? null };
  }
  const nodes = Object.fromEntries(
    nodeIds.map((id) => {
      const node = live.nodes[id] ?? pendingNode();
      const attempts = Math.max(node.attempts, stored[id]?.attempts ?? 0);
      return [id, { ...node, attempts }];
    }),
  );
  return {
    ...base,
    status: live.status,
    progress: live.progress,
    error: live.error,
    outputs: live.outputs,
    nodes,
    status_history: live.status_history,
  };
}

function pendingNode() {
  return {
    status: 'pending' as const,
    attempts: 0,
    started_at: null,
    finished_at: null,
    result: null,
    error: null,
  };
}
