/**
 * Request and response schemas of /api/workflows, and their OpenAPI paths. The request body is
 * the definition schema itself, so what the API accepts and what the engine runs cannot drift.
 */
import { z } from 'zod';
import { dagSchema, definitionSchema, settingsSchema } from '../../workflows/definition/schema';
import { diagnosticSchema } from '../../workflows/definition/diagnostics';
import { registry } from '../openapi';
import {
  errorResponses,
  idParamsSchema,
  pageSchema,
  paginationQuerySchema,
  timestampSchema,
} from './common';

/** POST/PUT body: a workflow definition (name, description, dag, settings). */
export const workflowBodySchema = definitionSchema.meta({ id: 'WorkflowDefinition' });

/** `GET /api/workflows/:id?version=N`; versions are int4 in the database. */
export const getWorkflowQuerySchema = z.object({
  version: z.coerce.number().int().min(1).max(2_147_483_647).optional(),
});

const workflowFields = {
  id: z.string(),
  organization_id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  /** The version shown: the current one unless `?version=` asked for another. */
  version: z.number().int(),
  created_at: timestampSchema,
  updated_at: timestampSchema,
};

/** List item: the workflow without its (possibly large) DAG. */
export const workflowSummarySchema = z.object(workflowFields).meta({ id: 'WorkflowSummary' });
export type WorkflowSummaryDto = z.infer<typeof workflowSummarySchema>;

export const workflowSchema = z
  .object({ ...workflowFields, dag: dagSchema, settings: settingsSchema })
  .meta({ id: 'Workflow' });
export type WorkflowDto = z.infer<typeof workflowSchema>;

/** Non-blocking findings; blocking ones (`errors`) turn the request into a 422 instead. */
export const workflowDiagnosticsSchema = z.object({
  type_issues: z.array(diagnosticSchema),
  warnings: z.array(diagnosticSchema),
});

/** Answer of POST, PUT and GET one. */
export const workflowResponseSchema = z
  .object({ workflow: workflowSchema, diagnostics: workflowDiagnosticsSchema })
  .meta({ id: 'WorkflowResponse' });
export type WorkflowResponse = z.infer<typeof workflowResponseSchema>;

export const workflowPageSchema = pageSchema(workflowSummarySchema).meta({ id: 'WorkflowPage' });

const jsonBody = { content: { 'application/json': { schema: workflowBodySchema } } };
const jsonResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: workflowResponseSchema } },
});

registry.registerPath({
  method: 'post',
  path: '/api/workflows',
  summary: 'Create a workflow (version 1)',
  request: { body: jsonBody },
  responses: { 201: jsonResponse('Created'), ...errorResponses(400, 413, 422) },
});

registry.registerPath({
  method: 'get',
  path: '/api/workflows',
  summary: 'List workflows, newest first',
  request: { query: paginationQuerySchema },
  responses: {
    200: {
      description: 'A page of workflows',
      content: { 'application/json': { schema: workflowPageSchema } },
    },
    ...errorResponses(400),
  },
});

registry.registerPath({
  method: 'get',
  path: '/api/workflows/{id}',
  summary: 'Get a workflow at its current (or a given) version',
  request: { params: idParamsSchema, query: getWorkflowQuerySchema },
  responses: { 200: jsonResponse('The workflow'), ...errorResponses(400, 404) },
});

registry.registerPath({
  method: 'put',
  path: '/api/workflows/{id}',
  summary: 'Replace the definition (appends a version)',
  request: { params: idParamsSchema, body: jsonBody },
  responses: { 200: jsonResponse('Updated'), ...errorResponses(400, 404, 413, 422) },
});

registry.registerPath({
  method: 'delete',
  path: '/api/workflows/{id}',
  summary: 'Delete a workflow (its executions stay readable)',
  request: { params: idParamsSchema },
  responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 404) },
});
