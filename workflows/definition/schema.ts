/**
 * The workflow definition format (casola-compatible): a DAG of nodes wired by edges, plus
 * settings. Pure module: imported by the workflow bundle and by the API.
 *
 * Shape errors (wrong types, unknown keys) are reported by zod with the field's path (HTTP 400);
 * graph problems (cycles, dangling edges, unknown tasks, bad references) are diagnostics from
 * `validate.ts` (HTTP 422), so a definition with a missing `task` still parses.
 */
import { z } from 'zod';

/** Node ids appear inside `${nodes.<id>...}` templates, so they are identifier-like. */
export const nodeIdSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_-]{0,127}$/, 'must start with a letter or _ and use [A-Za-z0-9_-]');

/** Retry policy of a task node (falls back to `settings.retry`, then to the engine default). */
export const retryPolicySchema = z.strictObject({
  max_attempts: z.number().int().min(1).max(100).optional(),
  initial_interval_s: z.number().positive().max(3600).optional(),
  backoff_coefficient: z.number().min(1).max(10).optional(),
  max_interval_s: z.number().positive().max(86_400).optional(),
});
export type RetryPolicy = z.infer<typeof retryPolicySchema>;

/** Fields every node kind accepts: editor metadata that does not affect execution. */
const nodeMetadata = {
  label: z.string().max(200).optional(),
  description: z.string().max(2000).optional(),
  position: z.strictObject({ x: z.number(), y: z.number() }).optional(),
};

/** A node that calls one model (or built-in) once. */
export const taskNodeSchema = z.strictObject({
  type: z.literal('task'),
  task: z.string().optional(),
  model_id: z.string().optional(),
  /** `inputs` and `payload` are synonyms (casola uses both); templates resolve inside either. */
  inputs: z.record(z.string(), z.unknown()).optional(),
  payload: z.record(z.string(), z.unknown()).optional(),
  /** Output paths this node promises, e.g. `video.url`; used for reference diagnostics. */
  outputs: z.array(z.string()).optional(),
  retry: retryPolicySchema.optional(),
  /** Upper bound for one attempt of this node. */
  timeout_s: z.number().positive().max(86_400).optional(),
  /**
   * Reuse this node's result from an earlier execution instead of calling the provider: the
   * latest completed execution of the workflow, or `locked_from`.
   */
  locked: z.boolean().optional(),
  locked_from: z.string().optional(),
  ...nodeMetadata,
});
export type TaskNode = z.infer<typeof taskNodeSchema>;

/**
 * A gate: the run waits (status `awaiting_approval`) until an operator approves or rejects.
 * Its output is its upstream result (one parent) or `{parent_id: result}`, unless the approver
 * sends an edited `value`.
 */
export const approvalNodeSchema = z.strictObject({
  type: z.literal('user-approval'),
  message: z.string().max(5000).optional(),
  timeout_s: z
    .number()
    .positive()
    .max(30 * 86_400)
    .optional(),
  /** What a timeout means; default `reject`. */
  on_timeout: z.enum(['reject', 'approve', 'fail']).optional(),
  /** `fail` (default) fails the node; `skip` skips it and what depends only on it. */
  on_reject: z.enum(['fail', 'skip']).optional(),
  ...nodeMetadata,
});
export type ApprovalNode = z.infer<typeof approvalNodeSchema>;

/**
 * The task a map node runs once per element: a task node whose `type` may be left out, without
 * the node-level reuse switches (a map node's elements are never locked one by one).
 */
export const mapInnerNodeSchema = taskNodeSchema
  .omit({ type: true, locked: true, locked_from: true })
  .extend({ type: z.literal('task').optional() });
export type MapInnerNode = z.infer<typeof mapInnerNodeSchema>;

/**
 * Fan-out: runs `node` once per element of `items` (`${item}` / `${item.x}` bound inside it) and
 * answers `{items: [...]}` in input order, `null` where an element failed. The node fails when
 * more than `tolerance` (a fraction, default 0) of the elements failed.
 */
export const mapNodeSchema = z.strictObject({
  type: z.literal('map'),
  /** A `${...}` reference resolving to an array, or a literal array. */
  items: z.union([z.string(), z.array(z.unknown())]),
  node: mapInnerNodeSchema,
  tolerance: z.number().min(0).max(1).optional(),
  /** Elements in flight at once across the whole node (default 32). */
  max_concurrency: z.number().int().min(1).max(1000).optional(),
  ...nodeMetadata,
});
export type MapNode = z.infer<typeof mapNodeSchema>;

/** Every node kind, discriminated by `type`; a node without `type` is a task node. */
export const nodeSchema = z.preprocess(
  (value) =>
    value && typeof value === 'object' && !Array.isArray(value) && !('type' in value)
      ? { ...value, type: 'task' }
      : value,
  z.discriminatedUnion('type', [taskNodeSchema, approvalNodeSchema, mapNodeSchema]),
);
export type DagNode = z.infer<typeof nodeSchema>;

export const edgeSchema = z.strictObject({
  from: z.string().min(1),
  to: z.string().min(1),
});
export type Edge = z.infer<typeof edgeSchema>;

export const dagSchema = z.strictObject({
  nodes: z
    .record(nodeIdSchema, nodeSchema)
    .refine((nodes) => Object.keys(nodes).length > 0, 'a DAG needs at least one node'),
  edges: z.array(edgeSchema).default([]),
});
export type Dag = z.infer<typeof dagSchema>;

export const inputParamTypeSchema = z.enum([
  'string',
  'number',
  'integer',
  'boolean',
  'array',
  'object',
  'image',
  'video',
  'audio',
  'file',
]);

/** A run-time parameter, referenced as `${input.<name>}`. Media types carry a URL string. */
export const inputParamSchema = z.strictObject({
  type: inputParamTypeSchema,
  required: z.boolean().optional(),
  default: z.unknown().optional(),
  description: z.string().max(2000).optional(),
});
export type InputParam = z.infer<typeof inputParamSchema>;

export const settingsSchema = z.strictObject({
  /** Whole-run deadline; the run ends `timed_out` when it passes. */
  timeout_s: z
    .number()
    .positive()
    .max(30 * 86_400)
    .optional(),
  input_params: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), inputParamSchema).optional(),
  /** Default retry policy of every task node. */
  retry: retryPolicySchema.optional(),
  /** Accepted for casola compatibility; Skein runs wherever its workers run. */
  region: z.string().optional(),
});
export type Settings = z.infer<typeof settingsSchema>;

export const definitionSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000).optional(),
  dag: dagSchema,
  settings: settingsSchema.optional(),
});
export type Definition = z.infer<typeof definitionSchema>;
