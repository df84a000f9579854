import {
  allowedFailures,
  assemble,
  CHUNK_MAX_ITEMS,
  choosePath,
  exceedsTolerance,
  pruneScope,
  shareConcurrency,
  signalsPerChunk,
  splitChunks,
  toleranceError,
  type ChunkResult,
} from '../../../workflows/nodes/map/plan';

const chunk = (offset: number, results: unknown[], extra: Partial<ChunkResult> = {}) => ({
  offset,
  results,
  completed: results.filter((r) => r !== null).length,
  failed: 0,
  firstFailure: null,
  cost: null,
  ...extra,
});

describe('choosePath', () => {
  it('runs small maps directly and large ones in chunks', () => {
    expect(choosePath(0, 10)).toBe('direct');
    expect(choosePath(100, 10)).toBe('direct');
    expect(choosePath(101, 10)).toBe('chunked');
    expect(choosePath(5000, 10)).toBe('chunked');
  });

  it('goes through chunks when the execution history is already long', () => {
    expect(choosePath(50, 3_800)).toBe('chunked');
  });
});

describe('splitChunks', () => {
  it('cuts consecutive chunks of at most maxItems, remembering offsets', () => {
    const items = Array.from({ length: 450 }, (_, i) => i);
    const chunks = splitChunks(items);
    expect(chunks.map((c) => [c.offset, c.items.length])).toEqual([
      [0, CHUNK_MAX_ITEMS],
      [200, 200],
      [400, 50],
    ]);
    expect(chunks.flatMap((c) => c.items)).toEqual(items);
  });

  it('also cuts on serialized size, keeping an oversized element on its own', () => {
    const big = 'x'.repeat(100);
    const chunks = splitChunks(['a', big, 'b', 'c'], 10, 50);
    expect(chunks.map((c) => c.items)).toEqual([['a'], [big], ['b', 'c']]);
    expect(chunks.map((c) => c.offset)).toEqual([0, 1, 2]);
  });

  it('gives no chunk for no items', () => {
    expect(splitChunks([])).toEqual([]);
  });
});

describe('shareConcurrency', () => {
  it.each([
    [25, 32, 4, 8],
    [25, 1, 1, 1],
    [25, 5, 1, 5],
    [2, 100, 2, 50],
    [25, 100, 12, 8],
  ])('%i chunks, max %i → %i parallel × %i', (chunks, max, parallel, perChunk) => {
    const share = shareConcurrency(chunks, max);
    expect(share).toEqual({ parallel, perChunk });
    expect(share.parallel * share.perChunk).toBeLessThanOrEqual(max);
  });
});

describe('signalsPerChunk', () => {
  it('shares a fixed progress budget, so huge maps do not flood the parent history', () => {
    expect(signalsPerChunk(1)).toBe(10);
    expect(signalsPerChunk(25)).toBe(10);
    expect(signalsPerChunk(50)).toBe(5);
    expect(signalsPerChunk(500)).toBe(0);
  });
});

describe('tolerance', () => {
  it('fails only when failed/total is above the tolerance', () => {
    expect(exceedsTolerance(0, 10, 0)).toBe(false);
    expect(exceedsTolerance(1, 10, 0)).toBe(true);
    expect(exceedsTolerance(5, 10, 0.5)).toBe(false);
    expect(exceedsTolerance(6, 10, 0.5)).toBe(true);
    expect(exceedsTolerance(3, 10, 0.3)).toBe(false);
    expect(exceedsTolerance(10, 10, 1)).toBe(false);
    expect(exceedsTolerance(0, 0, 0)).toBe(false);
  });

  it('knows the largest number of failures allowed', () => {
    expect(allowedFailures(10, 0)).toBe(0);
    expect(allowedFailures(10, 0.3)).toBe(3);
    expect(allowedFailures(3, 0.5)).toBe(1);
    expect(allowedFailures(7, 1)).toBe(7);
    expect(allowedFailures(5000, 0.1)).toBe(500);
    for (const [total, tolerance] of [
      [10, 0.7],
      [3, 0.34],
      [1000, 0.001],
    ] as const) {
      const allowed = allowedFailures(total, tolerance);
      expect(exceedsTolerance(allowed, total, tolerance)).toBe(false);
      expect(exceedsTolerance(allowed + 1, total, tolerance)).toBe(true);
    }
  });
});

describe('assemble', () => {
  it('puts results back in input order with nulls, whatever order chunks finished in', () => {
    const boom = { index: 3, error: { code: 'provider_error', message: 'boom' } };
    const summary = assemble(6, [
      chunk(4, ['e', 'f'], { cost: 0.5 }),
      chunk(0, ['a', null], { failed: 1, firstFailure: { ...boom, index: 1 } }),
      chunk(2, ['c', null], { failed: 1, firstFailure: boom, cost: 0.25 }),
    ]);
    expect(summary.items).toEqual(['a', null, 'c', null, 'e', 'f']);
    expect(summary.progress).toEqual({ total: 6, completed: 4, failed: 2, running: 0 });
    expect(summary.notRun).toBe(0);
    expect(summary.firstFailure?.index).toBe(1);
    expect(summary.cost).toBe(0.75);
  });

  it('counts the elements of chunks that never ran as not run', () => {
    const summary = assemble(5, [chunk(0, ['a', 'b'])]);
    expect(summary.items).toEqual(['a', 'b', null, null, null]);
    expect(summary.notRun).toBe(3);
    expect(summary.cost).toBeNull();
  });
});

describe('toleranceError', () => {
  const failing = () =>
    assemble(4, [
      chunk(0, ['a', null, 'c', null], {
        failed: 2,
        firstFailure: { index: 1, error: { code: 'provider_error', message: 'fal said 422' } },
      }),
    ]);

  it('is null within the tolerance', () => {
    expect(toleranceError(failing(), 0.5)).toBeNull();
    expect(toleranceError(failing(), 1)).toBeNull();
  });

  it('names the counts, the allowance and the first failure', () => {
    const error = toleranceError(failing(), 0.25);
    expect(error).toMatchObject({
      code: 'map_tolerance_exceeded',
      message:
        '2 of 4 elements failed; tolerance 0.25 allows 1: first failure, items[1]: fal said 422',
      body: { total: 4, completed: 2, failed: 2, not_run: 0, tolerance: 0.25 },
    });
  });

  it('mentions elements left unrun after an early stop', () => {
    const summary = assemble(4, [
      chunk(0, [null], {
        failed: 1,
        firstFailure: { index: 0, error: { code: 'x', message: 'no' } },
      }),
    ]);
    expect(toleranceError(summary, 0)?.message).toBe(
      '1 of 4 elements failed; tolerance 0 allows 0, 3 not run: first failure, items[0]: no',
    );
  });
});

describe('pruneScope', () => {
  it('keeps only the inputs and node results the inner node reads', () => {
    const scope = {
      input: { prompts: ['a'], style: 'ink', unused: 1 },
      nodes: { a: { result: 1 }, b: { result: 2 } },
    };
    const node = {
      task: 'fal/text-to-image',
      payload: { prompt: '${item} in ${input.style}', seed: '${nodes.b.result}' },
      inputs: { tags: { $each: '${input.missing}', template: '${item}' } },
    };
    expect(pruneScope(node, scope)).toEqual({
      input: { style: 'ink' },
      nodes: { b: { result: 2 } },
    });
  });
});
