/**
 * Graph helpers over a definition's DAG. Pure module: used by validation (API) and by the
 * workflow to schedule nodes, so it must stay deterministic and free of Node APIs.
 *
 * Edges whose `from` or `to` names a missing node are ignored everywhere here; validation
 * reports them as `unknown_node`.
 */
import type { Dag, Edge } from './schema';

/** Raised by `topologicalOrder` when the graph has a cycle; `cycle` repeats its first id. */
export class CycleError extends Error {
  override name = 'CycleError';
  constructor(readonly cycle: string[]) {
    super(`cycle: ${cycle.join(' → ')}`);
  }
}

/** Node ids in declaration order (the tie-breaker for every ordering in this module). */
export function nodeIdsOf(dag: Dag): string[] {
  return Object.keys(dag.nodes);
}

/** The edges whose two ends both exist. */
export function knownEdges(dag: Dag): Edge[] {
  return dag.edges.filter(
    (e) => Object.hasOwn(dag.nodes, e.from) && Object.hasOwn(dag.nodes, e.to),
  );
}

function adjacency(dag: Dag, direction: 'up' | 'down'): Map<string, string[]> {
  const map = new Map<string, string[]>(nodeIdsOf(dag).map((id) => [id, []]));
  for (const edge of knownEdges(dag)) {
    const [key, other] = direction === 'up' ? [edge.to, edge.from] : [edge.from, edge.to];
    const list = map.get(key)!;
    // Duplicate edges are a warning, not a second dependency.
    if (!list.includes(other)) list.push(other);
  }
  return map;
}

/** Every node → its direct parents (nodes with an edge into it), in edge order. */
export function upstreamOf(dag: Dag): Map<string, string[]> {
  return adjacency(dag, 'up');
}

/** Every node → its direct children (nodes it has an edge to), in edge order. */
export function downstreamOf(dag: Dag): Map<string, string[]> {
  return adjacency(dag, 'down');
}

/**
 * Nodes reachable from `id` by following `adjacency` (breadth first). `id` itself is included
 * only when it lies on a cycle.
 */
export function reachableFrom(adjacency: Map<string, string[]>, id: string): Set<string> {
  const seen = new Set<string>();
  const queue = [...(adjacency.get(id) ?? [])];
  for (let i = 0; i < queue.length; i++) {
    const next = queue[i]!;
    if (seen.has(next)) continue;
    seen.add(next);
    queue.push(...(adjacency.get(next) ?? []));
  }
  return seen;
}

/** Transitive parents of `id`: every node whose result may flow into it. */
export function ancestorsOf(dag: Dag, id: string): Set<string> {
  return reachableFrom(upstreamOf(dag), id);
}

/** Transitive children of `id`: every node its result may flow into. */
export function descendantsOf(dag: Dag, id: string): Set<string> {
  return reachableFrom(downstreamOf(dag), id);
}

/**
 * One cycle of the graph as node ids with the first id repeated at the end (a self loop gives
 * `[a, a]`), or null when the graph is acyclic. Iterative DFS so long chains cannot overflow the
 * stack of the workflow sandbox.
 */
export function findCycle(dag: Dag): string[] | null {
  const children = downstreamOf(dag);
  const state = new Map<string, 'active' | 'done'>();
  for (const start of nodeIdsOf(dag)) {
    if (state.has(start)) continue;
    const stack = [{ id: start, next: 0 }];
    state.set(start, 'active');
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const child = children.get(frame.id)![frame.next++];
      if (child === undefined) {
        state.set(frame.id, 'done');
        stack.pop();
      } else if (state.get(child) === 'active') {
        const from = stack.findIndex((f) => f.id === child);
        return [...stack.slice(from).map((f) => f.id), child];
      } else if (!state.has(child)) {
        state.set(child, 'active');
        stack.push({ id: child, next: 0 });
      }
    }
  }
  return null;
}

/**
 * All node ids, parents before children. Stable: whenever several nodes are ready, the one
 * declared first in `dag.nodes` comes first, so the same definition always schedules the same way
 * (workflow replay depends on it). Throws `CycleError` when the graph is not a DAG.
 */
export function topologicalOrder(dag: Dag): string[] {
  const ids = nodeIdsOf(dag);
  const rank = new Map(ids.map((id, i) => [id, i]));
  const parents = upstreamOf(dag);
  const children = downstreamOf(dag);
  const waiting = new Map(ids.map((id) => [id, parents.get(id)!.length]));
  const ready = ids.filter((id) => waiting.get(id) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(id);
    for (const child of children.get(id)!) {
      const left = waiting.get(child)! - 1;
      waiting.set(child, left);
      if (left === 0) insertByRank(ready, child, rank);
    }
  }
  if (order.length < ids.length) throw new CycleError(findCycle(dag) ?? []);
  return order;
}

function insertByRank(list: string[], id: string, rank: Map<string, number>): void {
  const r = rank.get(id)!;
  const at = list.findIndex((other) => rank.get(other)! > r);
  if (at === -1) list.push(id);
  else list.splice(at, 0, id);
}
