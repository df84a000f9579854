/**
 * Queries and updates of the run workflow, shared by the workflow and its clients. Controls are
 * updates, not signals: their validators refuse a control that makes no sense in the current
 * state, so the API can answer 409 synchronously and nothing is half-applied.
 */
import { ApplicationFailure, defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ExecutionStatus, NodeState, RunSnapshot } from './state';

/** The whole live state of the run. */
export const stateQuery = defineQuery<RunSnapshot>('state');

/** Stop starting nodes; running ones finish. Returns the new status. */
export const pauseUpdate = defineUpdate<ExecutionStatus, []>('pause');
/** Start nodes again. Returns the new status. */
export const resumeUpdate = defineUpdate<ExecutionStatus, []>('resume');

export interface DecisionRequest {
  node_id: string;
  approved: boolean;
  by: string;
  comment?: string;
  /** Replaces the approval node's output for downstream nodes. */
  value?: unknown;
  /** True when `value` was given (it may legitimately be null). */
  has_value?: boolean;
}
/** Approve or reject a user-approval node that is waiting. Returns the node's state. */
export const decideUpdate = defineUpdate<NodeState, [DecisionRequest]>('decide');

export interface RetryRequest {
  /** The failed node to run again; all failed nodes when absent. */
  node_id?: string;
  /** Replaces fields of the node's inputs for the new attempt. */
  inputs?: Record<string, unknown>;
}
/** Run failed nodes again, then continue downstream. Returns the node ids reset. */
export const retryUpdate = defineUpdate<string[], [RetryRequest]>('retry');

/** Failure type of a control refused in the current state (the API answers 409). */
export const INVALID_STATE = 'InvalidRunState';
/** Failure type of a control that arrived while the run is writing its final state. */
export const RUN_CLOSING = 'RunClosing';

export function runClosing(currentStatus: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: RUN_CLOSING,
    message: `the run is closing (${currentStatus})`,
    nonRetryable: true,
    details: [{ current_status: currentStatus }],
  });
}

export function invalidState(message: string, currentStatus: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: INVALID_STATE,
    message,
    nonRetryable: true,
    details: [{ current_status: currentStatus }],
  });
}
