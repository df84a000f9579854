/** Request and response shapes of batch runs, defined once (handlers parse, OpenAPI documents). */
import { z } from 'zod';
import { BATCH_STATUSES } from '../../workflows/batch/state';
import { executionStatusSchema } from '../../workflows/run/state';
import { registry } from '../openapi';
import {
  errorResponses,
  idParamsSchema,
  pageSchema,
  paginationQuerySchema,
  timestampSchema,
} from './common';
import { executionSummarySchema } from './executions';

/** Items per batch; each is an execution row, so this bounds one request's insert. */
export const MAX_BATCH_ITEMS = 10_000;
export const DEFAULT_MAX_CONCURRENCY = 10;

export const batchStatusSchema = z.enum(BATCH_STATUSES);

const maxConcurrency = z.number().int().min(1).max(1000);
const batchName = z.string().trim().min(1).max(200);

export const createBatchBodySchema = z
  .strictObject({
    /** One object of input params per item. */
    items: z.array(z.record(z.string(), z.unknown())).min(1).max(MAX_BATCH_ITEMS),
    max_concurrency: maxConcurrency.default(DEFAULT_MAX_CONCURRENCY),
    name: batchName.optional(),
  })
  .meta({ id: 'CreateBatchRequest' });

/** Query of a CSV or JSON Lines upload (the body is the items). */
export const uploadBatchQuerySchema = z.object({
  max_concurrency: z.coerce.number().pipe(maxConcurrency).default(DEFAULT_MAX_CONCURRENCY),
  name: batchName.optional(),
});

export const patchBatchBodySchema = z
  .strictObject({ max_concurrency: maxConcurrency })
  .meta({ id: 'PatchBatchRequest' });

export const listBatchItemsQuerySchema = paginationQuerySchema.extend({
  status: executionStatusSchema.optional(),
});

export const batchCountsSchema = z.object({
  total: z.number().int(),
  pending: z.number().int(),
  running: z.number().int(),
  paused: z.number().int(),
  awaiting_approval: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
  timed_out: z.number().int(),
});

export const costEstimateSchema = z.object({
  currency: z.literal('USD'),
  /** Provider cost reported by the batch's steps so far. */
  spent: z.number(),
  /** Mean recent cost of one run of the workflow; null until a provider reports costs. */
  per_item: z.number().nullable(),
  total: z.number().nullable(),
});

const batchFields = {
  id: z.string(),
  workflow_id: z.string(),
  workflow_version: z.number().int(),
  name: z.string().nullable(),
  status: batchStatusSchema,
  max_concurrency: z.number().int(),
  counts: batchCountsSchema,
  /** Mean item progress (0..1); final items count 1. */
  progress: z.number(),
  created_at: timestampSchema,
  updated_at: timestampSchema,
  finished_at: timestampSchema.nullable(),
};

export const batchSummarySchema = z.object(batchFields).meta({ id: 'BatchSummary' });
export type BatchSummaryDto = z.infer<typeof batchSummarySchema>;

export const batchSchema = z
  .object({ ...batchFields, estimated_cost: costEstimateSchema })
  .meta({ id: 'Batch' });
export type BatchDto = z.infer<typeof batchSchema>;

export const batchResponseSchema = z.object({ batch: batchSchema });

/** An item: its execution, with its position in the batch's input. */
export const batchItemSchema = executionSummarySchema
  .extend({ batch_index: z.number().int() })
  .meta({ id: 'BatchItem' });
export type BatchItemDto = z.infer<typeof batchItemSchema>;

const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

registry.registerPath({
  method: 'post',
  path: '/api/workflows/{id}/batches',
  summary: 'Run the workflow once per item (JSON, CSV with a header row, or JSON Lines)',
  request: {
    params: idParamsSchema,
    query: uploadBatchQuerySchema,
    body: {
      content: {
        'application/json': { schema: createBatchBodySchema },
        'text/csv': { schema: z.string() },
        'application/x-ndjson': { schema: z.string() },
      },
    },
  },
  responses: {
    201: json(batchResponseSchema, 'Created and started'),
    ...errorResponses(400, 404, 413, 503),
  },
});
registry.registerPath({
  method: 'get',
  path: '/api/batches/{id}',
  summary: 'A batch with live item counts',
  request: { params: idParamsSchema },
  responses: { 200: json(batchResponseSchema, 'The batch'), ...errorResponses(400, 404) },
});
registry.registerPath({
  method: 'patch',
  path: '/api/batches/{id}',
  summary: 'Change max_concurrency of a running or paused batch',
  request: {
    params: idParamsSchema,
    body: { content: { 'application/json': { schema: patchBatchBodySchema } } },
  },
  responses: { 200: json(batchResponseSchema, 'Changed'), ...errorResponses(400, 404, 409) },
});
registry.registerPath({
  method: 'get',
  path: '/api/batches',
  summary: 'Batches, newest first',
  request: { query: paginationQuerySchema },
  responses: { 200: json(pageSchema(batchSummarySchema), 'A page'), ...errorResponses(400) },
});
registry.registerPath({
  method: 'get',
  path: '/api/batches/{id}/executions',
  summary: 'The items of a batch, newest first',
  request: { params: idParamsSchema, query: listBatchItemsQuerySchema },
  responses: {
    200: json(pageSchema(batchItemSchema), 'A page'),
    ...errorResponses(400, 404),
  },
});
for (const control of ['pause', 'resume', 'cancel', 'retry-failed'] as const) {
  registry.registerPath({
    method: 'post',
    path: `/api/batches/{id}/${control}`,
    summary: `${control} the batch`,
    request: { params: idParamsSchema },
    responses: {
      [control === 'pause' || control === 'resume' ? 200 : 202]: json(batchResponseSchema, 'Done'),
      ...errorResponses(400, 404, 409),
    },
  });
}
