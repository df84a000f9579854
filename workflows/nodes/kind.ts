/**
 * How a node kind runs inside the interpreter. Each kind is one module; the scheduling loop only
 * knows this interface, so new kinds (map, approval, if-else...) add a module, not a branch.
 */
import type { Settings } from '../definition/schema';
import type { TemplateScope } from '../definition/template';
import type { RunError } from '../run/state';

/** Knobs fixed when the run starts (so replays see the same values). */
export interface RunOptions {
  /** Heartbeat timeout of task activities, in seconds. */
  heartbeatTimeoutS: number;
}

export interface NodeRunContext {
  executionId: string;
  nodeId: string;
  scope: TemplateScope;
  settings: Settings;
  options: RunOptions;
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
