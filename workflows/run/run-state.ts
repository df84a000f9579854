/**
 * The bookkeeping of one run: which nodes are pending, running, done; which may start next; what
 * a failure or a rejection takes down with it; what the run's status is. Pure and synchronous,
 * so the scheduling rules are unit-testable and the Temporal workflow around it stays a loop.
 */
import type { Dag } from '../definition/schema';
import { descendantsOf, topologicalOrder, upstreamOf } from '../definition/graph';
import {
  isTerminal,
  type ExecutionStatus,
  type NodeState,
  type RunError,
  type RunSnapshot,
  type StatusChange,
} from './state';

const FINISHED: ReadonlySet<NodeState['status']> = new Set([
  'completed',
  'failed',
  'skipped',
  'cancelled',
]);
/** A parent in one of these states blocks its children for good. */
const BLOCKING: ReadonlySet<NodeState['status']> = new Set(['failed', 'cancelled']);
/** Error code of nodes skipped because something upstream failed. */
export const UPSTREAM_FAILED = 'upstream_failed';

function pendingNode(): NodeState {
  return {
    status: 'pending',
    attempts: 0,
    started_at: null,
    finished_at: null,
    result: null,
    error: null,
  };
}

export interface SeedOptions {
  /** Node states persisted by an earlier Temporal run of the same execution. */
  seed?: Record<string, NodeState>;
  /** Failed seeded nodes to run again; undefined means every failed node. */
  retry?: string[];
}

export class RunState {
  readonly nodes: Record<string, NodeState> = {};
  status: ExecutionStatus = 'pending';
  readonly statusHistory: StatusChange[];
  private readonly parents: Map<string, string[]>;
  private readonly order: string[];

  constructor(
    readonly dag: Dag,
    { seed = {}, retry }: SeedOptions = {},
    statusHistory: StatusChange[] = [],
  ) {
    this.parents = upstreamOf(dag);
    this.order = topologicalOrder(dag);
    this.statusHistory = [...statusHistory];
    // A retry's new run starts from the closed run's history but is open again.
    const last = statusHistory[statusHistory.length - 1];
    if (last && !isTerminal(last.status)) this.status = last.status;
    for (const id of Object.keys(dag.nodes)) {
      const earlier = seed[id];
      const keep =
        earlier?.status === 'completed' ||
        (earlier?.status === 'failed' && retry !== undefined && !retry.includes(id));
      this.nodes[id] = keep
        ? { ...earlier }
        : { ...pendingNode(), attempts: earlier?.attempts ?? 0 };
    }
    this.propagateSkips(new Date(0).toISOString());
  }

  /** Pending nodes whose parents are all done and not blocking, in definition order. */
  readyNodes(): string[] {
    return Object.keys(this.nodes).filter((id) => {
      if (this.nodes[id]!.status !== 'pending') return false;
      const parents = this.parents.get(id) ?? [];
      return parents.every((p) => ['completed', 'skipped'].includes(this.nodes[p]!.status));
      // (all-skipped and blocked children never get here: propagateSkips already skipped them)
    });
  }

  /** Nodes an activity or an operator is working on right now. */
  activeNodes(): string[] {
    return Object.keys(this.nodes).filter((id) =>
      ['running', 'awaiting_approval'].includes(this.nodes[id]!.status),
    );
  }

  /** True when nothing is active and nothing can start. */
  isSettled(): boolean {
    return this.activeNodes().length === 0 && this.readyNodes().length === 0;
  }

  /** Records a new run status; returns false when it did not change. */
  setStatus(status: ExecutionStatus, at: string): boolean {
    if (this.status === status) return false;
    this.status = status;
    this.statusHistory.push({ status, at });
    return true;
  }

  /** The status an open run shows, from its nodes and whether it is paused. */
  openStatus(paused: boolean): ExecutionStatus {
    if (paused) return 'paused';
    const waiting = Object.values(this.nodes).some((n) => n.status === 'awaiting_approval');
    return waiting ? 'awaiting_approval' : 'running';
  }

  /** The final status once settled: failed when any node failed. */
  outcome(): ExecutionStatus {
    return Object.values(this.nodes).some((n) => n.status === 'failed') ? 'failed' : 'completed';
  }

  update(id: string, patch: Partial<NodeState>): void {
    Object.assign(this.node(id), patch);
  }

  markRunning(id: string, at: string): void {
    this.update(id, { status: 'running', started_at: at, finished_at: null, error: null });
  }

  markCompleted(id: string, at: string, patch: Partial<NodeState>): void {
    this.update(id, { ...patch, status: 'completed', finished_at: at, error: null });
  }

  /** Fails a node and skips everything downstream of it; returns every node it changed. */
  markFailed(id: string, at: string, error: RunError, attempts: number): string[] {
    this.update(id, { status: 'failed', finished_at: at, error, attempts });
    return [id, ...this.propagateSkips(at)];
  }

  /** Skips a node (rejected approval) and what depends only on skipped nodes. */
  markSkipped(id: string, at: string, patch: Partial<NodeState> = {}): string[] {
    this.update(id, { ...patch, status: 'skipped', finished_at: at });
    return [id, ...this.propagateSkips(at)];
  }

  /** Marks active and pending nodes cancelled (run cancelled or timed out). */
  cancelOpenNodes(at: string, error: RunError): string[] {
    const changed = Object.keys(this.nodes).filter((id) => !FINISHED.has(this.nodes[id]!.status));
    for (const id of changed) this.update(id, { status: 'cancelled', finished_at: at, error });
    return changed;
  }

  /** Failed nodes: all of them, or those named. */
  failedNodes(): string[] {
    return Object.keys(this.nodes).filter((id) => this.nodes[id]!.status === 'failed');
  }

  /**
   * Puts failed nodes back to pending, with everything that was skipped because of them, then
   * re-applies the skips other failures still impose. Returns every node it changed.
   */
  resetForRetry(ids: string[], at: string): string[] {
    const changed = new Set<string>();
    for (const id of ids) {
      this.nodes[id] = { ...pendingNode(), attempts: this.node(id).attempts };
      changed.add(id);
      for (const d of descendantsOf(this.dag, id)) {
        if (this.nodes[d]!.status !== 'skipped') continue;
        this.nodes[d] = pendingNode();
        changed.add(d);
      }
    }
    for (const id of this.propagateSkips(at)) changed.add(id);
    return [...changed];
  }

  /**
   * A pending node is skipped when a parent failed, was cancelled or was itself skipped because
   * of a failure (recorded as `upstream_failed`), or when all its parents were skipped by a
   * decision. Applied in topological order so one pass reaches every descendant.
   */
  private propagateSkips(at: string): string[] {
    const skipped: string[] = [];
    for (const id of this.order) {
      const node = this.nodes[id]!;
      const parents = this.parents.get(id) ?? [];
      if (node.status !== 'pending' || parents.length === 0) continue;
      const blocker = parents.find((p) => this.blocks(p));
      if (blocker !== undefined) {
        const message = `not run: upstream node '${blocker}' did not complete`;
        Object.assign(node, {
          status: 'skipped',
          finished_at: at,
          error: { code: UPSTREAM_FAILED, message },
        });
        skipped.push(id);
      } else if (parents.every((p) => this.nodes[p]!.status === 'skipped')) {
        Object.assign(node, { status: 'skipped', finished_at: at });
        skipped.push(id);
      }
    }
    return skipped;
  }

  private blocks(id: string): boolean {
    const node = this.nodes[id]!;
    if (BLOCKING.has(node.status)) return true;
    return node.status === 'skipped' && node.error?.code === UPSTREAM_FAILED;
  }

  /** First failure, with the node it happened on. */
  error(): RunError | null {
    for (const id of this.order) {
      const node = this.nodes[id]!;
      if (node.status === 'failed' && node.error) return { ...node.error, node_id: id };
    }
    return null;
  }

  /** Fraction of nodes that reached a final state. */
  progress(): number {
    const ids = Object.keys(this.nodes);
    const done = ids.filter((id) => FINISHED.has(this.nodes[id]!.status)).length;
    return ids.length === 0 ? 1 : done / ids.length;
  }

  /** Results of completed nodes, keyed by node id. */
  results(): Record<string, { result: unknown }> {
    const out: Record<string, { result: unknown }> = {};
    for (const [id, node] of Object.entries(this.nodes)) {
      if (node.status === 'completed') out[id] = { result: node.result };
    }
    return out;
  }

  snapshot(): RunSnapshot {
    const outputs =
      this.status === 'completed'
        ? Object.fromEntries(Object.entries(this.results()).map(([id, r]) => [id, r.result]))
        : null;
    return {
      status: this.status,
      progress: this.progress(),
      nodes: Object.fromEntries(Object.entries(this.nodes).map(([id, n]) => [id, { ...n }])),
      outputs,
      error: this.status === 'completed' ? null : this.error(),
      status_history: [...this.statusHistory],
    };
  }

  node(id: string): NodeState {
    const node = this.nodes[id];
    if (!node) throw new Error(`unknown node ${id}`);
    return node;
  }

  parentsOf(id: string): string[] {
    return this.parents.get(id) ?? [];
  }
}
