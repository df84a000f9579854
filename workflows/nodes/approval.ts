/**
 * User-approval nodes: the run waits until an operator decides (or the node's timeout does).
 * The decision arrives through the `decide` update; this module only waits for it and turns it
 * into an outcome.
 */
import { condition } from '@temporalio/workflow';
import type { ApprovalNode } from '../definition/schema';
import type { ApprovalDecision } from '../run/state';
import { NodeFailure, type NodeKindRunner } from './kind';

/** Marker error: the node was rejected with `on_reject: "skip"`. */
export class NodeSkipped extends Error {
  override readonly name = 'NodeSkipped';
}

export const approvalRunner: NodeKindRunner<ApprovalNode> = {
  async run(node, ctx) {
    const decisions = ctx.approvals;
    if (!decisions) throw new Error('approval nodes need the interpreter’s approvals');
    const upstream = decisions.upstreamOf(ctx.nodeId);
    decisions.open(ctx.nodeId, node, upstream);
    const decidedNow = () => decisions.decisionOf(ctx.nodeId) !== undefined;
    // `condition(fn, undefined)` would time out at once: only pass a timeout when there is one.
    const decided = node.timeout_s
      ? await condition(decidedNow, `${node.timeout_s} seconds`)
      : (await condition(decidedNow), true);
    if (!decided) decisions.timeOut(ctx.nodeId, node.on_timeout ?? 'reject');
    const { decision, value } = decisions.decisionOf(ctx.nodeId)!;
    return settle(node, decision, value, defaultOutput(upstream));
  },
};

function settle(node: ApprovalNode, decision: ApprovalDecision, value: unknown, fallback: unknown) {
  if (decision.approved) return { result: decision.edited ? value : fallback, attempts: 1 };
  if (decision.timed_out && node.on_timeout === 'fail') {
    throw new NodeFailure(
      { code: 'approval_timeout', message: 'no decision before the approval timed out' },
      1,
    );
  }
  if ((node.on_reject ?? 'fail') === 'skip') throw new NodeSkipped('rejected');
  const by = decision.timed_out ? 'timeout' : decision.by;
  const comment = decision.comment ? `: ${decision.comment}` : '';
  throw new NodeFailure({ code: 'rejected', message: `rejected by ${by}${comment}` }, 1);
}

/** One parent: its result; several: `{parent_id: result}`; none: null. */
function defaultOutput(upstream: Record<string, unknown>): unknown {
  const ids = Object.keys(upstream);
  if (ids.length === 0) return null;
  if (ids.length === 1) return upstream[ids[0]!];
  return upstream;
}
