/** Step-row writes made by a running task activity itself (outside the workflow's event log). */
import type { Database } from '../../runtime/database';

/**
 * Records that attempt `attempt` of a node began, so `attempts` is visible while the node runs.
 * Never lowers the count and never touches the status the workflow owns.
 */
export async function recordAttemptStarted(
  db: Database,
  executionId: string,
  nodeId: string,
  attempt: number,
) {
  await db.$executeRaw`
    INSERT INTO steps (execution_id, node_id, status, attempts, started_at, updated_at)
    VALUES (${executionId}, ${nodeId}, 'running', ${attempt}, now(), now())
    ON CONFLICT (execution_id, node_id) DO UPDATE SET
      attempts = GREATEST(steps.attempts, EXCLUDED.attempts), updated_at = now()`;
}

/** Keeps the provider's request id on the step for support and cancellation. */
export async function recordProviderRequest(
  db: Database,
  executionId: string,
  nodeId: string,
  requestId: string,
) {
  await db.$executeRaw`
    UPDATE steps SET provider_request_id = ${requestId}, updated_at = now()
    WHERE execution_id = ${executionId} AND node_id = ${nodeId}`;
}
