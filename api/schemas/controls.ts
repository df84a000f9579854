/** Bodies of the operator controls on an execution. */
import { z } from 'zod';
import { nodeIdSchema } from '../../workflows/definition/schema';
import { registry } from '../openapi';
import { errorResponses, idParamsSchema } from './common';
import { executionResponseSchema } from './executions';

export const retryBodySchema = z
  .strictObject({
    node_id: nodeIdSchema.optional(),
    /** Replaces fields of the node's inputs; needs `node_id`. */
    inputs: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((b) => b.inputs === undefined || b.node_id !== undefined, {
    message: 'inputs needs node_id',
    path: ['inputs'],
  })
  .meta({ id: 'RetryRequest' });

export const approveBodySchema = z
  .strictObject({
    comment: z.string().max(5000).optional(),
    /** Replaces the approval node's output for downstream nodes. */
    value: z.unknown().optional(),
  })
  .meta({ id: 'ApproveRequest' });

export const rejectBodySchema = z
  .strictObject({ comment: z.string().max(5000).optional() })
  .meta({ id: 'RejectRequest' });

export const nodeParamsSchema = idParamsSchema.extend({ nodeId: nodeIdSchema });

/** Who made a decision: the `X-Skein-Actor` header until API tokens name the caller. */
export const actorHeaderSchema = z.string().trim().min(1).max(200).default('anonymous');

const ok = { content: { 'application/json': { schema: executionResponseSchema } } };
for (const control of ['pause', 'resume', 'cancel', 'retry'] as const) {
  registry.registerPath({
    method: 'post',
    path: `/api/workflow-executions/{id}/${control}`,
    summary: `${control[0]!.toUpperCase()}${control.slice(1)} a run`,
    request: {
      params: idParamsSchema,
      ...(control === 'retry'
        ? { body: { content: { 'application/json': { schema: retryBodySchema } } } }
        : {}),
    },
    responses: {
      [control === 'cancel' || control === 'retry' ? 202 : 200]: { description: 'Done', ...ok },
      ...errorResponses(400, 404, 409),
    },
  });
}
for (const [decision, schema] of [
  ['approve', approveBodySchema],
  ['reject', rejectBodySchema],
] as const) {
  registry.registerPath({
    method: 'post',
    path: `/api/workflow-executions/{id}/nodes/{nodeId}/${decision}`,
    summary: `${decision === 'approve' ? 'Approve' : 'Reject'} a waiting user-approval node`,
    request: {
      params: nodeParamsSchema,
      body: { content: { 'application/json': { schema } } },
    },
    responses: { 200: { description: 'Decided', ...ok }, ...errorResponses(400, 404, 409) },
  });
}
