/** Request and response shapes of executions, defined once (handlers parse, OpenAPI documents). */
import { z } from 'zod';
import {
  executionStatusSchema,
  nodeStateSchema,
  runErrorSchema,
  statusChangeSchema,
} from '../../workflows/run/state';
import {
  errorResponses,
  idParamsSchema,
  pageSchema,
  paginationQuerySchema,
  resourceIdSchema,
  timestampSchema,
} from './common';
import { registry } from '../openapi';

export const executeBodySchema = z
  .strictObject({
    input_params: z.record(z.string(), z.unknown()).default({}),
  })
  .meta({ id: 'ExecuteRequest' });

export const listExecutionsQuerySchema = paginationQuerySchema.extend({
  workflow_id: resourceIdSchema.optional(),
  status: executionStatusSchema.optional(),
});

export const executionSchema = z
  .object({
    id: z.string(),
    workflow_id: z.string(),
    workflow_version: z.number().int(),
    organization_id: z.string(),
    status: executionStatusSchema,
    progress: z.number(),
    input_params: z.record(z.string(), z.unknown()),
    outputs: z.record(z.string(), z.unknown()).nullable(),
    error: runErrorSchema.nullable(),
    nodes: z.record(z.string(), nodeStateSchema),
    status_history: z.array(statusChangeSchema),
    created_at: timestampSchema,
    updated_at: timestampSchema,
    started_at: timestampSchema.nullable(),
    finished_at: timestampSchema.nullable(),
  })
  .meta({ id: 'Execution' });
export type ExecutionDto = z.infer<typeof executionSchema>;

export const executionResponseSchema = z.object({ execution: executionSchema });

export const executionSummarySchema = executionSchema
  .omit({ nodes: true, status_history: true, outputs: true })
  .meta({ id: 'ExecutionSummary' });
export type ExecutionSummaryDto = z.infer<typeof executionSummarySchema>;

registry.registerPath({
  method: 'post',
  path: '/api/workflows/{id}/execute',
  summary: 'Start an execution of the workflow’s current version',
  request: {
    params: idParamsSchema,
    body: { content: { 'application/json': { schema: executeBodySchema } } },
  },
  responses: {
    201: {
      description: 'Started',
      content: { 'application/json': { schema: executionResponseSchema } },
    },
    ...errorResponses(400, 404, 503),
  },
});
registry.registerPath({
  method: 'get',
  path: '/api/workflow-executions/{id}',
  summary: 'An execution with per-node state; live while it runs',
  request: { params: idParamsSchema },
  responses: {
    200: {
      description: 'The execution',
      content: { 'application/json': { schema: executionResponseSchema } },
    },
    ...errorResponses(400, 404),
  },
});
registry.registerPath({
  method: 'get',
  path: '/api/workflow-executions',
  summary: 'Executions, newest first',
  request: { query: listExecutionsQuerySchema },
  responses: {
    200: {
      description: 'A page',
      content: { 'application/json': { schema: pageSchema(executionSummarySchema) } },
    },
    ...errorResponses(400),
  },
});
