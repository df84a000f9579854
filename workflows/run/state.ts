/**
 * The observable state of a run: what the workflow answers to a query, what the persistence
 * activity projects into PostgreSQL, and what the API returns. Pure module.
 */
import { z } from 'zod';

/** Statuses of an execution (and, later, of a batch item) across the project. */
export const executionStatusSchema = z.enum([
  'pending',
  'running',
  'paused',
  'awaiting_approval',
  'completed',
  'failed',
  'cancelled',
  'timed_out',
]);
export type ExecutionStatus = z.infer<typeof executionStatusSchema>;

export const TERMINAL_STATUSES: readonly ExecutionStatus[] = [
  'completed',
  'failed',
  'cancelled',
  'timed_out',
];

export function isTerminal(status: ExecutionStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export const nodeStatusSchema = z.enum([
  'pending',
  'running',
  'awaiting_approval',
  'completed',
  'failed',
  'skipped',
  'cancelled',
]);
export type NodeStatus = z.infer<typeof nodeStatusSchema>;

/** Why a node or a run failed. `status` is the provider's HTTP status when there was one. */
export const runErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  node_id: z.string().optional(),
  status: z.number().int().optional(),
  provider: z.string().optional(),
  body: z.unknown().optional(),
});
export type RunError = z.infer<typeof runErrorSchema>;

/** An operator's answer to a user-approval node. */
export const approvalDecisionSchema = z.object({
  approved: z.boolean(),
  by: z.string(),
  at: z.string(),
  comment: z.string().nullable(),
  /** True when the approver replaced the node's output with an edited value. */
  edited: z.boolean(),
  /** True when no one answered in time and `on_timeout` decided. */
  timed_out: z.boolean(),
});
export type ApprovalDecision = z.infer<typeof approvalDecisionSchema>;

/** What an approver sees while a user-approval node waits, and what they decided. */
export const approvalStateSchema = z.object({
  message: z.string().nullable(),
  /** The results of the node's parents, to review before deciding. */
  upstream: z.record(z.string(), z.unknown()),
  expires_at: z.string().nullable(),
  decision: approvalDecisionSchema.nullable(),
});
export type ApprovalState = z.infer<typeof approvalStateSchema>;

/** Element counts of a map node: live while it runs, final once it ends. */
export const mapProgressSchema = z.object({
  total: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
  /** Elements in flight (chunked maps: as each chunk last reported, at most 1/s). */
  running: z.number().int(),
});
export type MapProgress = z.infer<typeof mapProgressSchema>;

export const nodeStateSchema = z.object({
  status: nodeStatusSchema,
  attempts: z.number().int(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  result: z.unknown().nullable(),
  error: runErrorSchema.nullable(),
  /** Provider request id (fal request_id...) when the provider gave one. */
  request_id: z.string().nullable().optional(),
  cost: z.number().nullable().optional(),
  approval: approvalStateSchema.optional(),
  /** Set when the result was reused from this earlier execution (locked node). */
  locked_from: z.string().nullable().optional(),
  /** Map nodes only: how many elements are done, failed and in flight. */
  map: mapProgressSchema.optional(),
});
export type NodeState = z.infer<typeof nodeStateSchema>;

export const statusChangeSchema = z.object({ status: executionStatusSchema, at: z.string() });
export type StatusChange = z.infer<typeof statusChangeSchema>;

/** The whole live state of one execution, as returned by the workflow's `state` query. */
export const runSnapshotSchema = z.object({
  status: executionStatusSchema,
  progress: z.number().min(0).max(1),
  nodes: z.record(z.string(), nodeStateSchema),
  outputs: z.record(z.string(), z.unknown()).nullable(),
  error: runErrorSchema.nullable(),
  status_history: z.array(statusChangeSchema),
});
export type RunSnapshot = z.infer<typeof runSnapshotSchema>;

/**
 * One durable fact about a run, numbered by the workflow. The persistence activity writes
 * events in order; `seq` makes a re-delivered write a no-op.
 */
export const runEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('status'),
    seq: z.number().int(),
    at: z.string(),
    status: executionStatusSchema,
    progress: z.number(),
    outputs: z.record(z.string(), z.unknown()).nullable(),
    error: runErrorSchema.nullable(),
  }),
  z.object({
    type: z.literal('node'),
    seq: z.number().int(),
    at: z.string(),
    node_id: z.string(),
    state: nodeStateSchema,
    progress: z.number(),
  }),
]);
export type RunEvent = z.infer<typeof runEventSchema>;
