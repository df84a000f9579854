import {
  CycleError,
  ancestorsOf,
  descendantsOf,
  downstreamOf,
  findCycle,
  topologicalOrder,
  upstreamOf,
} from '../../../workflows/definition/graph';
import type { Dag } from '../../../workflows/definition/schema';

/** A DAG whose nodes are bare task nodes, declared in the order given. */
function dag(ids: string[], edges: [string, string][]): Dag {
  return {
    nodes: Object.fromEntries(ids.map((id) => [id, { type: 'task' as const, task: 'pick' }])),
    edges: edges.map(([from, to]) => ({ from, to })),
  };
}

// Declared bottom-up on purpose, so declaration order and dependency order disagree.
const diamond = dag(
  ['d', 'c', 'b', 'a'],
  [
    ['a', 'b'],
    ['a', 'c'],
    ['b', 'd'],
    ['c', 'd'],
  ],
);

describe('adjacency', () => {
  it('maps every node to its direct parents and children', () => {
    expect(upstreamOf(diamond)).toEqual(
      new Map([
        ['d', ['b', 'c']],
        ['c', ['a']],
        ['b', ['a']],
        ['a', []],
      ]),
    );
    expect(downstreamOf(diamond).get('a')).toEqual(['b', 'c']);
    expect(downstreamOf(diamond).get('d')).toEqual([]);
  });

  it('ignores edges to or from missing nodes and collapses duplicate edges', () => {
    const g = dag(
      ['a', 'b'],
      [
        ['a', 'b'],
        ['a', 'b'],
        ['ghost', 'b'],
        ['a', 'nowhere'],
      ],
    );
    expect(upstreamOf(g)).toEqual(
      new Map([
        ['a', []],
        ['b', ['a']],
      ]),
    );
    expect(downstreamOf(g).has('ghost')).toBe(false);
  });
});

describe('ancestorsOf / descendantsOf', () => {
  it('follows edges transitively and excludes the node itself', () => {
    expect([...ancestorsOf(diamond, 'd')].sort()).toEqual(['a', 'b', 'c']);
    expect([...ancestorsOf(diamond, 'a')]).toEqual([]);
    expect([...descendantsOf(diamond, 'a')].sort()).toEqual(['b', 'c', 'd']);
    expect([...descendantsOf(diamond, 'b')]).toEqual(['d']);
  });

  it('includes the node itself when it lies on a cycle', () => {
    const loop = dag(
      ['a', 'b'],
      [
        ['a', 'b'],
        ['b', 'a'],
      ],
    );
    expect(ancestorsOf(loop, 'a')).toEqual(new Set(['b', 'a']));
  });
});

describe('findCycle', () => {
  it('returns null for a DAG', () => {
    expect(findCycle(diamond)).toBeNull();
  });

  it('returns a 3-cycle with the first id repeated at the end', () => {
    const g = dag(
      ['start', 'a', 'b', 'c'],
      [
        ['start', 'a'],
        ['a', 'b'],
        ['b', 'c'],
        ['c', 'a'],
      ],
    );
    expect(findCycle(g)).toEqual(['a', 'b', 'c', 'a']);
  });

  it('reports a self loop as a one-node cycle', () => {
    expect(findCycle(dag(['a'], [['a', 'a']]))).toEqual(['a', 'a']);
  });

  it('handles long chains without recursion limits', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `n${i}`);
    const edges = ids.slice(1).map((id, i): [string, string] => [ids[i]!, id]);
    expect(findCycle(dag(ids, edges))).toBeNull();
  });
});

describe('topologicalOrder', () => {
  it('orders a diamond parents-first, breaking ties by declaration order', () => {
    // b and c are both ready after a; c is declared before b.
    expect(topologicalOrder(diamond)).toEqual(['a', 'c', 'b', 'd']);
  });

  it('keeps declaration order for independent nodes', () => {
    expect(topologicalOrder(dag(['z', 'y', 'x'], []))).toEqual(['z', 'y', 'x']);
  });

  it('places a late-ready node by declaration rank among ready nodes', () => {
    // After a: ready = [c]; b becomes ready after c and is declared before d.
    const g = dag(
      ['a', 'b', 'c', 'd'],
      [
        ['a', 'c'],
        ['c', 'b'],
        ['a', 'd'],
      ],
    );
    expect(topologicalOrder(g)).toEqual(['a', 'c', 'b', 'd']);
  });

  it('throws a CycleError carrying the cycle', () => {
    const g = dag(
      ['a', 'b'],
      [
        ['a', 'b'],
        ['b', 'a'],
      ],
    );
    expect(() => topologicalOrder(g)).toThrow(CycleError);
    expect(() => topologicalOrder(g)).toThrow('cycle: a → b → a');
  });
});
