/**
 * Runs map elements as `runTask` activities through a fixed number of lanes: each lane takes the
 * next index until none are left, so at most `concurrency` activities are in flight and the
 * schedule is a pure function of history (deterministic on replay). Used by the execution
 * workflow for small maps and by each chunk workflow for large ones.
 */
import { CancellationScope, isCancellation } from '@temporalio/workflow';
import type { MapInnerNode, Settings } from '../../definition/schema';
import { resolveTemplates, TemplateError, type TemplateScope } from '../../definition/template';
import type { RunError } from '../../run/state';
import type { RunOptions } from '../kind';
import { taskActivity, toNodeFailure } from '../task';
import type { ChunkResult } from './plan';

/** Everything needed to run a slice of a map node's elements. */
export interface ElementsJob {
  executionId: string;
  nodeId: string;
  node: MapInnerNode;
  /** Inputs and upstream results the inner node reads (`item` is bound per element). */
  scope: TemplateScope;
  settings: Settings;
  options: RunOptions;
  /** Index of `items[0]` in the map node's whole `items`. */
  offset: number;
  items: unknown[];
  concurrency: number;
  /** Failures the whole map tolerates; one more here and the rest need not run. */
  maxFailures: number;
}

/** Counts while the elements run. */
export interface ElementsProgress {
  completed: number;
  failed: number;
  running: number;
}

/**
 * Runs every element and returns their results in order (null where one failed). Stops early,
 * cancelling what is in flight, once failures exceed `maxFailures`. Rethrows the cancellation
 * when the surrounding scope (run cancelled, timed out, map stopped) is cancelled, after every
 * activity has wound down.
 */
export async function runElements(
  job: ElementsJob,
  onProgress: (progress: ElementsProgress) => void = () => undefined,
): Promise<ChunkResult> {
  const { runTask, maxAttempts } = taskActivity(job.node, job.settings, job.options);
  const template = { ...job.node.payload, ...job.node.inputs };
  const out: ChunkResult = {
    offset: job.offset,
    results: new Array<unknown>(job.items.length).fill(null),
    completed: 0,
    failed: 0,
    firstFailure: null,
    cost: null,
  };
  let running = 0;
  let next = 0;
  let stopping = false;
  let cancelled: unknown;
  const scope = new CancellationScope();
  const report = () => onProgress({ completed: out.completed, failed: out.failed, running });

  const fail = (i: number, error: RunError) => {
    out.failed++;
    const index = job.offset + i;
    if (!out.firstFailure || index < out.firstFailure.index) out.firstFailure = { index, error };
    if (out.failed > job.maxFailures && !stopping) {
      // The map has failed whatever the rest do: spend nothing more on it.
      stopping = true;
      scope.cancel();
    }
  };

  const runOne = async (i: number) => {
    let payload: Record<string, unknown>;
    try {
      payload = resolveTemplates(template, { ...job.scope, item: job.items[i] }) as typeof payload;
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      return fail(i, { code: 'template_error', message: err.message });
    }
    running++;
    report();
    try {
      const result = await runTask({
        executionId: job.executionId,
        nodeId: job.nodeId,
        task: job.node.task ?? '',
        modelId: job.node.model_id,
        payload,
        element: job.offset + i,
      });
      out.results[i] = result.result ?? null;
      out.completed++;
      if (result.cost != null) out.cost = (out.cost ?? 0) + result.cost;
    } catch (err) {
      // Cancelled by our own early stop: not run. Cancelled from outside: the map is cancelled.
      if (isCancellation(err)) cancelled ??= stopping ? undefined : err;
      else fail(i, toNodeFailure(err, maxAttempts).error);
    } finally {
      running--;
      report();
    }
  };

  const lane = async () => {
    while (next < job.items.length && !stopping && cancelled === undefined) await runOne(next++);
  };
  const lanes = Math.max(1, Math.min(job.concurrency, job.items.length));
  await scope.run(() => Promise.all(Array.from({ length: lanes }, lane)));
  if (cancelled !== undefined) throw cancelled;
  return out;
}
