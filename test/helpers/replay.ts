/**
 * Determinism check: replays the recorded histories of the given workflows against the current
 * workflow bundle. A nondeterminism error means the interpreter changed in a way that would
 * break runs already in flight.
 */
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';

export async function replayFailures(address: string, workflowIds: string[]): Promise<string[]> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection });
    const histories = [];
    for (const workflowId of workflowIds) {
      const handle = client.workflow.getHandle(workflowId);
      // A run writes its final status to the database before its workflow closes: replaying a
      // history that is still open would run past its end into live (not replayed) code.
      await handle.result().catch(() => undefined);
      histories.push({ workflowId, history: await handle.fetchHistory() });
    }
    const failures: string[] = [];
    const bundlePath = process.env.SKEIN_WORKFLOW_BUNDLE;
    if (!bundlePath) throw new Error('global-setup did not build the workflow bundle');
    const results = Worker.runReplayHistories(
      { workflowBundle: { codePath: bundlePath } },
      histories,
    );
    for await (const result of results) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    return failures;
  } finally {
    await connection.close();
  }
}
