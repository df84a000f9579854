/**
 * The bookkeeping of one run: which nodes are pending, running, done; which may start next; what
 * a failure takes down with it. Pure and synchronous, so the scheduling rules are unit-testable
 * and the Temporal workflow around it stays a thin loop.
 */
import type { Dag } from '../definition/schema';
import { descendantsOf, upstreamOf } from '../definition/graph';
import type { ExecutionStatus, NodeState, RunError, RunSnapshot, StatusChange } from './state';

const FINISHED: ReadonlySet<NodeState['status']> = new Set([
  'completed',
  'failed',
  'skipped',
  'cancelled',
]);

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

export class RunState {
  readonly nodes: Record<string, NodeState> = {};
  status: ExecutionStatus = 'pending';
  error: RunError | null = null;
  readonly statusHistory: StatusChange[];
  private readonly parents: Map<string, string[]>;

  /**
   * @param seed node states from an earlier Temporal run of the same execution; completed nodes
   *   among them are never run again.
   */
  constructor(
    readonly dag: Dag,
    seed: Record<string, NodeState> = {},
    statusHistory: StatusChange[] = [],
  ) {
    this.parents = upstreamOf(dag);
    this.statusHistory = [...statusHistory];
    for (const id of Object.keys(dag.nodes)) {
      const earlier = seed[id];
      this.nodes[id] = earlier?.status === 'completed' ? earlier : pendingNode();
    }
  }

  /** Pending nodes whose parents all completed, in definition order. */
  readyNodes(): string[] {
    return Object.keys(this.nodes).filter(
      (id) =>
        this.nodes[id]!.status === 'pending' &&
        (this.parents.get(id) ?? []).every((p) => this.nodes[p]?.status === 'completed'),
    );
  }

  runningNodes(): string[] {
    return Object.keys(this.nodes).filter((id) => this.nodes[id]!.status === 'running');
  }

  /** True when no node is running and none can start. */
  isSettled(): boolean {
    return this.runningNodes().length === 0 && this.readyNodes().length === 0;
  }

  setStatus(status: ExecutionStatus, at: string): void {
    if (this.status === status && this.statusHistory.length > 0) return;
    this.status = status;
    this.statusHistory.push({ status, at });
  }

  markRunning(id: string, at: string): void {
    Object.assign(this.node(id), {
      status: 'running',
      started_at: at,
      finished_at: null,
      error: null,
    });
  }

  markCompleted(
    id: string,
    at: string,
    outcome: Pick<NodeState, 'result' | 'attempts'> & Partial<NodeState>,
  ): void {
    Object.assign(this.node(id), outcome, { status: 'completed', finished_at: at, error: null });
  }

  /** Fails a node and skips everything downstream of it; returns the skipped node ids. */
  markFailed(id: string, at: string, error: RunError, attempts: number): string[] {
    Object.assign(this.node(id), { status: 'failed', finished_at: at, error, attempts });
    this.error ??= { ...error, node_id: id };
    const skipped: string[] = [];
    for (const d of descendantsOf(this.dag, id)) {
      const node = this.node(d);
      if (node.status !== 'pending') continue;
      Object.assign(node, { status: 'skipped', finished_at: at });
      skipped.push(d);
    }
    return skipped;
  }

  /** Fraction of nodes that reached a final state. */
  progress(): number {
    const ids = Object.keys(this.nodes);
    const done = ids.filter((id) => FINISHED.has(this.nodes[id]!.status)).length;
    return ids.length === 0 ? 1 : done / ids.length;
  }

  /** Results of completed nodes, keyed by node id. */
  outputs(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [id, node] of Object.entries(this.nodes)) {
      if (node.status === 'completed') out[id] = node.result;
    }
    return out;
  }

  /** The final status once settled: failed when any node failed. */
  outcome(): ExecutionStatus {
    return Object.values(this.nodes).some((n) => n.status === 'failed') ? 'failed' : 'completed';
  }

  snapshot(): RunSnapshot {
    const finished = this.status === 'completed';
    return {
      status: this.status,
      progress: this.progress(),
      nodes: Object.fromEntries(Object.entries(this.nodes).map(([id, n]) => [id, { ...n }])),
      outputs: finished ? this.outputs() : null,
      error: this.error,
      status_history: [...this.statusHistory],
    };
  }

  node(id: string): NodeState {
    const node = this.nodes[id];
    if (!node) throw new Error(`unknown node ${id}`);
    return node;
  }
}
