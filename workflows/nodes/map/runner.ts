/**
 * Map nodes: run the inner task once per element of `items`. Small maps run their elements as
 * activities of the execution workflow; large ones split into chunks, each a `runMapChunk`
 * child workflow, so no history grows past a few thousand events (see docs/map-nodes.md).
 */
import {
  CancellationScope,
  executeChild,
  isCancellation,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { MapNode } from '../../definition/schema';
import { resolveTemplates, TemplateError } from '../../definition/template';
import type { MapProgress, RunError } from '../../run/state';
import { NodeFailure, type NodeKindRunner, type NodeRunContext } from '../kind';
import { mapProgressSignal, runMapChunk, type ChunkProgress } from './chunk';
import { runElements, type ElementsJob } from './elements';
import {
  allowedFailures,
  assemble,
  choosePath,
  DEFAULT_MAX_CONCURRENCY,
  pruneScope,
  MAP_MAX_RESULT_CHARS,
  shareConcurrency,
  signalsPerChunk,
  splitChunks,
  toleranceError,
  type ChunkResult,
} from './plan';

/** Runs a map node: resolves `items`, runs every element, applies the tolerance. */
export const mapRunner: NodeKindRunner<MapNode> = {
  async run(node, ctx) {
    const items = resolveItems(node, ctx);
    const tolerance = node.tolerance ?? 0;
    const report = (p: MapProgress) => ctx.reportProgress?.(p);
    // An operator's retry inputs replace fields of the inner node, as they do for a task node.
    const inner = ctx.overrides
      ? { ...node.node, inputs: { ...node.node.inputs, ...ctx.overrides } }
      : node.node;
    const job: ElementsJob = {
      executionId: ctx.executionId,
      nodeId: ctx.nodeId,
      node: inner,
      scope: pruneScope(inner, ctx.scope),
      settings: ctx.settings,
      options: ctx.options,
      offset: 0,
      items,
      concurrency: node.max_concurrency ?? DEFAULT_MAX_CONCURRENCY,
      maxFailures: allowedFailures(items.length, tolerance),
    };
    report({ total: items.length, completed: 0, failed: 0, running: 0 });
    const chunks =
      choosePath(items.length, workflowInfo().historyLength) === 'direct'
        ? [await runElements(job, (p) => report({ total: items.length, ...p }))]
        : await runChunks(job, ctx, report);
    const summary = assemble(items.length, chunks);
    report(summary.progress);
    const error = toleranceError(summary, tolerance);
    if (error) throw new NodeFailure(error, 1);
    const result = { items: summary.items };
    checkResultSize(result);
    return { result, attempts: 1, cost: summary.cost };
  },
};

/** A clear failure instead of a payload Temporal would refuse further down the run. */
function checkResultSize(result: { items: unknown[] }): void {
  const size = JSON.stringify(result).length;
  if (size <= MAP_MAX_RESULT_CHARS) return;
  const message = `the map's results take ${size} characters; at most ${MAP_MAX_RESULT_CHARS} fit in a run (fewer elements, or smaller results per element)`;
  throw new NodeFailure({ code: 'map_result_too_large', message }, 1);
}

function resolveItems(node: MapNode, ctx: NodeRunContext): unknown[] {
  let items: unknown;
  try {
    items = resolveTemplates(node.items, ctx.scope);
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    throw new NodeFailure({ code: 'template_error', message: err.message }, 0);
  }
  if (!Array.isArray(items)) {
    const got = items === null ? 'null' : typeof items;
    const message = `items ${JSON.stringify(node.items).slice(0, 200)} resolved to ${got}, not an array`;
    throw new NodeFailure({ code: 'map_items_not_array', message }, 0);
  }
  return items;
}

/**
 * Runs the chunks as child workflows, `parallel` at a time, and stops (cancelling the running
 * ones) once the failures reported so far exceed what the tolerance allows.
 */
async function runChunks(
  job: ElementsJob,
  ctx: NodeRunContext,
  report: (p: MapProgress) => void,
): Promise<ChunkResult[]> {
  const chunks = splitChunks(job.items);
  const { parallel, perChunk } = shareConcurrency(chunks.length, job.concurrency);
  const maxSignals = signalsPerChunk(chunks.length);
  const total = job.items.length;
  const done: ChunkResult[] = [];
  const live = new Map<number, ChunkProgress>();
  const publish = () => {
    const counts = { total, completed: 0, failed: 0, running: 0 };
    for (const c of [...done, ...live.values()]) {
      counts.completed += c.completed;
      counts.failed += c.failed;
    }
    for (const c of live.values()) counts.running += c.running;
    report(counts);
  };
  const signal = mapProgressSignal(ctx.nodeId);
  setHandler(signal, (p) => {
    if (!live.has(p.chunk)) return; // late news from a chunk already accounted for
    live.set(p.chunk, p);
    publish();
  });

  const scope = new CancellationScope();
  let failedSoFar = 0;
  let stopping = false;
  let cancelled: unknown;
  let chunkError: RunError | undefined;
  // Unique per Temporal run of the execution: a retry in a new run never meets an old chunk.
  const base = `${ctx.executionId}/${ctx.nodeId}/map-${workflowInfo().runId.slice(0, 8)}`;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    scope.cancel();
  };

  const runOne = async (index: number) => {
    const chunk = chunks[index]!;
    // Until its first signal, a chunk is taken to fill its share of the concurrency.
    const running = Math.min(perChunk, chunk.items.length);
    live.set(index, { chunk: index, completed: 0, failed: 0, running });
    try {
      const result = await executeChild(runMapChunk, {
        workflowId: `${base}/${index}`,
        args: [{ ...job, ...chunk, index, concurrency: perChunk, maxSignals }],
      });
      done.push(result);
      failedSoFar += result.failed;
      if (failedSoFar > job.maxFailures) stop();
    } catch (err) {
      if (isCancellation(err)) {
        cancelled ??= stopping ? undefined : err;
      } else {
        // Not an element failure (those are counted in the result): the chunk itself broke.
        const cause = (err as { cause?: { type?: string; message?: string } }).cause;
        const message = `chunk ${index} (items[${chunk.offset}..]): ${cause?.message ?? String(err)}`;
        chunkError ??= { code: cause?.type ?? 'map_chunk_failed', message };
        stop();
      }
    } finally {
      live.delete(index);
      publish();
    }
  };

  let next = 0;
  const lane = async () => {
    while (next < chunks.length && !stopping && cancelled === undefined) await runOne(next++);
  };
  try {
    await scope.run(() => Promise.all(Array.from({ length: parallel }, lane)));
  } finally {
    setHandler(signal, undefined);
  }
  if (cancelled !== undefined) throw cancelled;
  if (chunkError) throw new NodeFailure(chunkError, 1);
  return done;
}
