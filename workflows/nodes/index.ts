/** The registry of node kinds the interpreter can run. */
import type { DagNode } from '../definition/schema';
import type { NodeKindRunner, NodeOutcome, NodeRunContext } from './kind';
import { approvalRunner } from './approval';
import { mapRunner } from './map/runner';
import { taskRunner } from './task';

type Runners = { [K in DagNode['type']]: NodeKindRunner<Extract<DagNode, { type: K }>> };

const runners: Runners = {
  task: taskRunner,
  'user-approval': approvalRunner,
  map: mapRunner,
};

export function runNode(node: DagNode, ctx: NodeRunContext): Promise<NodeOutcome> {
  const runner = runners[node.type] as NodeKindRunner<DagNode>;
  return runner.run(node, ctx);
}

export { NodeSkipped } from './approval';
export { NodeFailure } from './kind';
export type { Approvals, NodeOutcome, NodeRunContext, RunOptions } from './kind';
