/**
 * How a node kind runs inside the interpreter. Each kind is one module; the scheduling loop only
 * knows this interface, so new kinds (map, approval, if-else...) add a module, not a branch.
 */
import type { ApprovalNode, Settings } from '../definition/schema';
import type { TemplateScope } from '../definition/template';
import type { ApprovalDecision, MapProgress, RunError } from '../run/state';

/** Knobs fixed when the run starts (so replays see the same values). */
export interface RunOptions {
  /** Heartbeat timeout of task activities, in seconds. */
  heartbeatTimeoutS: number;
}

/** The interpreter's side of user approvals, as approval nodes see it. */
export interface Approvals {
  /** Results of the node's parents, keyed by parent id. */
  upstreamOf(nodeId: string): Record<string, unknown>;
  /** Marks the node as waiting for a decision. */
  open(nodeId: string, node: ApprovalNode, upstream: Record<string, unknown>): void;
  decisionOf(nodeId: string): { decision: ApprovalDecision; value: unknown } | undefined;
  /** Records the decision `on_timeout` implies. */
  timeOut(nodeId: string, onTimeout: 'reject' | 'approve' | 'fail'): void;
}

export interface NodeRunContext {
  executionId: string;
  nodeId: string;
  scope: TemplateScope;
  settings: Settings;
  options: RunOptions;
  /** Input fields an operator replaced when retrying this node. */
  overrides?: Record<string, unknown>;
  approvals?: Approvals;
  /**
   * Live element counts of a map node. The interpreter keeps the latest in the node's state
   * (`map`), in memory only: it is called often, so it must not write an event each time.
   */
  reportProgress?: (progress: MapProgress) => void;
}

export interface NodeOutcome {
  result: unknown;
  attempts: number;
  request_id?: string | null;
  cost?: number | null;
}

/** A node that ended in failure; `attempts` is how many tries it took. */
export class NodeFailure extends Error {
  override readonly name = 'NodeFailure';
  constructor(
    readonly error: RunError,
    readonly attempts: number,
  ) {
    super(error.message);
  }
}

export interface NodeKindRunner<N> {
  run(node: N, ctx: NodeRunContext): Promise<NodeOutcome>;
}
