/**
 * The pure arithmetic of map nodes: which execution path, how elements split into chunks, how
 * concurrency is shared, what the tolerance allows, and how partial results are put back
 * together. No Temporal APIs here, so all of it is unit-tested directly.
 */
import type { MapInnerNode } from '../../definition/schema';
import { findReferences, type TemplateScope } from '../../definition/template';
import type { MapProgress, RunError } from '../../run/state';

/** Elements in flight when the node does not say (`max_concurrency`). */
export const DEFAULT_MAX_CONCURRENCY = 32;
/** Up to this many elements run as activities of the execution workflow itself. */
export const DIRECT_MAX_ITEMS = 100;
/**
 * Worst case history events per element run directly: 3 for the activity plus 3 for a
 * workflow task of its own when completions arrive one at a time.
 */
export const EVENTS_PER_DIRECT_ELEMENT = 6;
/** The direct path is only taken while the execution's history stays below this. */
export const DIRECT_HISTORY_BUDGET = 4_000;
/** Elements per chunk workflow: ≤ 200 × 6 events ≈ 1,200 events per chunk history. */
export const CHUNK_MAX_ITEMS = 200;
/** Serialized elements per chunk, so a chunk's input stays far below Temporal's 2 MB. */
export const CHUNK_MAX_INPUT_CHARS = 512 * 1024;
/** A chunk refuses to return results larger than this (the 2 MB payload limit, with margin). */
export const CHUNK_MAX_RESULT_CHARS = 1_500_000;
/** Each running chunk gets about this many concurrent elements. */
export const TARGET_CHUNK_CONCURRENCY = 8;
/**
 * Progress signals all chunks of one map may send in total (each costs the execution workflow
 * about 4 history events), and at most per chunk.
 */
export const PROGRESS_SIGNAL_BUDGET = 250;
export const MAX_SIGNALS_PER_CHUNK = 10;
/**
 * The whole `{items}` result lives in the execution workflow and is handed to downstream
 * activities, so it must stay under Temporal's 2 MB payload limit, with margin.
 */
export const MAP_MAX_RESULT_CHARS = 1_500_000;

/** A run of consecutive elements: `items[offset .. offset + items.length)`. */
export interface Chunk {
  offset: number;
  items: unknown[];
}

/** A failed element: its index in the map's `items` and why. */
export interface ElementFailure {
  index: number;
  error: RunError;
}

/** What running a chunk (or all elements, on the direct path) produced. */
export interface ChunkResult {
  offset: number;
  /** One entry per element of the chunk: the result, or null when it failed or did not run. */
  results: unknown[];
  completed: number;
  failed: number;
  /** The failure with the lowest index. */
  firstFailure: ElementFailure | null;
  /** Sum of the elements' provider costs, null when none reported one. */
  cost: number | null;
}

/** `direct` runs elements from the execution workflow; `chunked` through child workflows. */
export function choosePath(total: number, historyLength: number): 'direct' | 'chunked' {
  const projected = historyLength + total * EVENTS_PER_DIRECT_ELEMENT;
  return total <= DIRECT_MAX_ITEMS && projected <= DIRECT_HISTORY_BUDGET ? 'direct' : 'chunked';
}

/**
 * Splits `items` into consecutive chunks of at most `maxItems` elements and (except for a
 * single oversized element) `maxChars` characters of JSON.
 */
export function splitChunks(
  items: readonly unknown[],
  maxItems = CHUNK_MAX_ITEMS,
  maxChars = CHUNK_MAX_INPUT_CHARS,
): Chunk[] {
  const chunks: Chunk[] = [];
  let current: Chunk = { offset: 0, items: [] };
  let chars = 0;
  items.forEach((item, index) => {
    const size = (JSON.stringify(item) ?? 'null').length + 1;
    const full = current.items.length >= maxItems || chars + size > maxChars;
    if (current.items.length > 0 && full) {
      chunks.push(current);
      current = { offset: index, items: [] };
      chars = 0;
    }
    current.items.push(item);
    chars += size;
  });
  if (current.items.length > 0) chunks.push(current);
  return chunks;
}

/**
 * How `maxConcurrency` is shared out: `parallel` chunks at a time, `perChunk` elements in each,
 * so `parallel × perChunk ≤ maxConcurrency` always holds.
 */
export function shareConcurrency(
  chunkCount: number,
  maxConcurrency: number,
): { parallel: number; perChunk: number } {
  const wanted = Math.floor(maxConcurrency / TARGET_CHUNK_CONCURRENCY);
  const parallel = Math.max(1, Math.min(chunkCount, wanted));
  return { parallel, perChunk: Math.max(1, Math.floor(maxConcurrency / parallel)) };
}

/** How many progress signals each of `chunkCount` chunks may send (0 for very large maps). */
export function signalsPerChunk(chunkCount: number): number {
  return Math.min(MAX_SIGNALS_PER_CHUNK, Math.floor(PROGRESS_SIGNAL_BUDGET / chunkCount));
}

/** True when `failed` of `total` is more than `tolerance` allows (`failed / total > tolerance`). */
export function exceedsTolerance(failed: number, total: number, tolerance: number): boolean {
  return total > 0 && failed / total > tolerance;
}

/**
 * The most failures `tolerance` allows out of `total`. One more and the node has failed
 * whatever the other elements do, which is when the map stops starting new ones.
 */
export function allowedFailures(total: number, tolerance: number): number {
  let allowed = Math.floor(tolerance * total);
  // Float products can land just beside the integer; settle on the exact boundary.
  while (allowed > 0 && exceedsTolerance(allowed, total, tolerance)) allowed--;
  while (allowed < total && !exceedsTolerance(allowed + 1, total, tolerance)) allowed++;
  return allowed;
}

/** The whole map's outcome, from its chunks' results. */
export interface MapSummary {
  items: unknown[];
  progress: MapProgress;
  /** Elements never started (or cancelled) because the map had already failed. */
  notRun: number;
  firstFailure: ElementFailure | null;
  cost: number | null;
}

/** Puts chunk results back in input order; elements of missing chunks are null (not run). */
export function assemble(total: number, chunks: readonly ChunkResult[]): MapSummary {
  const items: unknown[] = new Array<unknown>(total).fill(null);
  let completed = 0;
  let failed = 0;
  let cost: number | null = null;
  let firstFailure: ElementFailure | null = null;
  for (const chunk of chunks) {
    chunk.results.forEach((result, i) => (items[chunk.offset + i] = result ?? null));
    completed += chunk.completed;
    failed += chunk.failed;
    if (chunk.cost !== null) cost = (cost ?? 0) + chunk.cost;
    const first = chunk.firstFailure;
    if (first && (!firstFailure || first.index < firstFailure.index)) firstFailure = first;
  }
  const progress = { total, completed, failed, running: 0 };
  return { items, progress, notRun: total - completed - failed, firstFailure, cost };
}

/** The node's error when the failures exceed the tolerance, else null. */
export function toleranceError(summary: MapSummary, tolerance: number): RunError | null {
  const { total, failed } = summary.progress;
  if (!exceedsTolerance(failed, total, tolerance)) return null;
  const allowed = allowedFailures(total, tolerance);
  const parts = [`${failed} of ${total} elements failed; tolerance ${tolerance} allows ${allowed}`];
  if (summary.notRun > 0) parts.push(`${summary.notRun} not run`);
  const first = summary.firstFailure;
  const cause = first ? `: first failure, items[${first.index}]: ${first.error.message}` : '';
  return {
    code: 'map_tolerance_exceeded',
    message: `${parts.join(', ')}${cause}`,
    body: { ...summary.progress, not_run: summary.notRun, tolerance, first_failure: first },
  };
}

/**
 * The part of the scope the inner node reads: only the inputs and node results its templates
 * name. Chunk workflows receive this instead of every upstream result.
 */
export function pruneScope(node: MapInnerNode, scope: TemplateScope): TemplateScope {
  const input: Record<string, unknown> = {};
  const nodes: TemplateScope['nodes'] = {};
  for (const { ref } of findReferences([node.payload, node.inputs])) {
    const name = String(ref.path[0]);
    if (ref.root === 'input' && Object.hasOwn(scope.input, name)) input[name] = scope.input[name];
    const id = ref.nodeId;
    if (ref.root === 'nodes' && id !== undefined && Object.hasOwn(scope.nodes, id)) {
      nodes[id] = scope.nodes[id]!;
    }
  }
  return { input, nodes };
}
