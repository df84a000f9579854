/**
 * The interpreter: one Temporal workflow per execution. It starts every node whose parents have
 * completed (so independent branches run in parallel), records each transition, and ends when
 * nothing more can run. All I/O happens in activities; this code is replayed deterministically.
 */
import { condition, setHandler } from '@temporalio/workflow';
import type { Definition } from '../definition/schema';
import { runNode, NodeFailure, type NodeOutcome, type RunOptions } from '../nodes';
import { EventLog } from './event-log';
import { stateQuery } from './messages';
import { RunState } from './run-state';
import type { NodeState, RunSnapshot, StatusChange } from './state';

export interface RunExecutionInput {
  executionId: string;
  definition: Definition;
  inputParams: Record<string, unknown>;
  options: RunOptions;
  /** Node states persisted by an earlier Temporal run of this execution (retry after close). */
  seed?: Record<string, NodeState>;
  /** Status history so far (at least the `pending` the API recorded). */
  statusHistory?: StatusChange[];
  /** The last event number already written; this run continues after it. */
  lastEventSeq?: number;
}

const now = () => new Date().toISOString();

export async function runExecution(input: RunExecutionInput): Promise<RunSnapshot> {
  const run = new RunState(input.definition.dag, input.seed, input.statusHistory);
  const log = new EventLog(input.executionId, input.lastEventSeq ?? 0);
  let changed = false;
  setHandler(stateQuery, () => run.snapshot());

  const recordStatus = () => {
    const snap = run.snapshot();
    log.append({
      type: 'status',
      at: now(),
      status: snap.status,
      progress: snap.progress,
      outputs: snap.outputs,
      error: snap.error,
    });
  };
  const recordNode = (id: string) =>
    log.append({
      type: 'node',
      at: now(),
      node_id: id,
      state: { ...run.node(id) },
      progress: run.progress(),
    });

  const start = (id: string) => {
    run.markRunning(id, now());
    recordNode(id);
    const node = input.definition.dag.nodes[id]!;
    const scope = { input: input.inputParams, nodes: resultsOf(run) };
    runNode(node, {
      executionId: input.executionId,
      nodeId: id,
      scope,
      settings: input.definition.settings ?? {},
      options: input.options,
    })
      .then((outcome: NodeOutcome) => {
        run.markCompleted(id, now(), outcome);
        recordNode(id);
      })
      .catch((err: unknown) => {
        const failure =
          err instanceof NodeFailure
            ? err
            : new NodeFailure({ code: 'internal_error', message: String(err) }, 0);
        for (const skipped of [id, ...run.markFailed(id, now(), failure.error, failure.attempts)])
          recordNode(skipped);
      })
      .finally(() => {
        changed = true;
      });
  };

  run.setStatus('running', now());
  recordStatus();
  for (;;) {
    for (const id of run.readyNodes()) start(id);
    if (run.isSettled()) break;
    await condition(() => changed);
    changed = false;
  }
  run.setStatus(run.outcome(), now());
  recordStatus();
  await log.flushed();
  return run.snapshot();
}

function resultsOf(run: RunState): Record<string, { result: unknown }> {
  const out: Record<string, { result: unknown }> = {};
  for (const [id, node] of Object.entries(run.nodes)) {
    if (node.status === 'completed') out[id] = { result: node.result };
  }
  return out;
}
