/**
 * `runMapChunk`: the child workflow that runs one chunk of a large map node's elements, so the
 * execution workflow's history grows by a few events per chunk instead of per element. It
 * reports progress to its parent by signal (a budget shared by all chunks, at most once a second)
 * and returns the chunk's results, refusing results too large for a Temporal payload.
 */
import {
  ApplicationFailure,
  defineSignal,
  getExternalWorkflowHandle,
  workflowInfo,
} from '@temporalio/workflow';
import { runElements, type ElementsJob, type ElementsProgress } from './elements';
import { CHUNK_MAX_RESULT_CHARS, type ChunkResult } from './plan';

/** The chunk's job; `index` is its position among the node's chunks. */
export interface MapChunkInput extends ElementsJob {
  index: number;
  /** Progress signals this chunk may send (the map's budget shared among its chunks). */
  maxSignals: number;
}

/** What a chunk tells its parent while it runs. */
export interface ChunkProgress extends ElementsProgress {
  chunk: number;
}

/** The progress signal of one map node (one name per node, so concurrent maps never mix). */
export function mapProgressSignal(nodeId: string) {
  return defineSignal<[ChunkProgress]>(`map-progress:${nodeId}`);
}

/** Minimum workflow time between two progress signals of one chunk. */
const SIGNAL_INTERVAL_MS = 1_000;

/** Runs one chunk's elements and returns their results (workflow type `runMapChunk`). */
export async function runMapChunk(input: MapChunkInput): Promise<ChunkResult> {
  const progress = progressSender(input);
  const result = await runElements(input, progress.send);
  await progress.flushed();
  const size = JSON.stringify(result).length;
  if (size > CHUNK_MAX_RESULT_CHARS) {
    throw ApplicationFailure.create({
      type: 'map_chunk_too_large',
      message: `the results of items[${input.offset}..${input.offset + input.items.length - 1}] take ${size} characters; a chunk may return at most ${CHUNK_MAX_RESULT_CHARS} (results must average under ${Math.floor(CHUNK_MAX_RESULT_CHARS / Math.max(1, input.items.length))})`,
      nonRetryable: true,
    });
  }
  return result;
}

/** Throttled, best-effort progress signals to the parent (the final counts travel in the result). */
function progressSender(input: MapChunkInput) {
  const parent = workflowInfo().parent;
  const handle = parent && getExternalWorkflowHandle(parent.workflowId, parent.runId);
  const signal = mapProgressSignal(input.nodeId);
  const step = Math.ceil(input.items.length / Math.max(1, input.maxSignals));
  const pending = new Set<Promise<void>>();
  let lastAt = Date.now();
  let lastSettled = 0;
  return {
    send(p: ElementsProgress) {
      const settled = p.completed + p.failed;
      const now = Date.now(); // workflow time: deterministic on replay
      if (
        !handle ||
        input.maxSignals < 1 ||
        settled - lastSettled < step ||
        now - lastAt < SIGNAL_INTERVAL_MS
      )
        return;
      lastSettled = settled;
      lastAt = now;
      const sent: Promise<void> = handle
        .signal(signal, { chunk: input.index, ...p })
        .catch(() => undefined) // a parent gone or closing needs no progress
        .finally(() => pending.delete(sent));
      pending.add(sent);
    },
    /** Waits for signals in flight, so they reach the parent before the chunk's result. */
    async flushed() {
      await Promise.all([...pending]);
    },
  };
}
