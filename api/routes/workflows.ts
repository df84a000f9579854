/**
 * /api/workflows: create, list, read, replace (new version) and delete workflow definitions.
 * Shape errors are 400s (zod), graph errors 422s (validateDefinition); nothing invalid is stored.
 */
import { Router, type Request, type Response } from 'express';
import { LOCAL_ORGANIZATION_ID, type Database } from '../../runtime/database';
import type { Diagnostics } from '../../workflows/definition/diagnostics';
import type { Definition } from '../../workflows/definition/schema';
import { hasErrors, validateDefinition } from '../../workflows/definition/validate';
import { InvalidDagError, NotFoundError } from '../errors';
import { findLockedResults } from '../repositories/executions';
import {
  appendWorkflowVersion,
  createWorkflow,
  findWorkflow,
  listWorkflows,
  softDeleteWorkflow,
  type StoredWorkflow,
} from '../repositories/workflows';
import { idParamsSchema, paginationQuerySchema } from '../schemas/common';
import {
  getWorkflowQuerySchema,
  workflowBodySchema,
  type WorkflowResponse,
  type WorkflowSummaryDto,
} from '../schemas/workflows';
import { parseBody, parseParams, parseQuery } from '../validate';
import type { Workflow } from '../../prisma/generated/client';

/** Routes under `/workflows`; mount the router at `/api`. */
export function workflowsRouter(db: Database, organizationId = LOCAL_ORGANIZATION_ID): Router {
  const router = Router();

  router.post('/workflows', async (req: Request, res: Response) => {
    const { definition, diagnostics } = readDefinition(req);
    const stored = await createWorkflow(db, organizationId, definition);
    res.status(201).json(toResponse(stored, await withLockWarnings(db, stored, diagnostics)));
  });

  router.get('/workflows', async (req: Request, res: Response) => {
    const query = parseQuery(paginationQuerySchema, req);
    const page = await listWorkflows(db, organizationId, query);
    res.json({ data: page.data.map(toSummary), next_cursor: page.next_cursor });
  });

  router.get('/workflows/:id', async (req: Request, res: Response) => {
    const { id } = parseParams(idParamsSchema, req);
    const { version } = parseQuery(getWorkflowQuerySchema, req);
    const stored = await findWorkflow(db, organizationId, id, version);
    if (!stored) throw notFound(id, version);
    const diagnostics = validateDefinition(stored.definition);
    res.json(toResponse(stored, await withLockWarnings(db, stored, diagnostics)));
  });

  router.put('/workflows/:id', async (req: Request, res: Response) => {
    const { id } = parseParams(idParamsSchema, req);
    const { definition, diagnostics } = readDefinition(req);
    const stored = await appendWorkflowVersion(db, organizationId, id, definition);
    if (!stored) throw notFound(id);
    res.json(toResponse(stored, await withLockWarnings(db, stored, diagnostics)));
  });

  router.delete('/workflows/:id', async (req: Request, res: Response) => {
    const { id } = parseParams(idParamsSchema, req);
    if (!(await softDeleteWorkflow(db, organizationId, id))) throw notFound(id);
    res.status(204).end();
  });

  return router;
}

/** Adds a `locked_unavailable` warning for each locked node with no earlier result to reuse. */
async function withLockWarnings(
  db: Database,
  stored: StoredWorkflow,
  d: Diagnostics,
): Promise<Diagnostics> {
  const reusable = await findLockedResults(db, stored.id, stored.definition);
  const warnings = [...d.warnings];
  for (const [id, node] of Object.entries(stored.definition.dag.nodes)) {
    if (node.type !== 'task' || !node.locked || reusable[id]) continue;
    const source = node.locked_from
      ? `execution ${node.locked_from}`
      : 'no completed execution yet';
    warnings.push({
      code: 'locked_unavailable',
      message: `node ${id} is locked but has no result to reuse (${source}); it will run`,
      path: `dag.nodes.${id}.locked`,
      node_id: id,
    });
  }
  return { ...d, warnings };
}

/** Parses and validates the body; throws 400 on shape errors and 422 on graph errors. */
function readDefinition(req: Request): { definition: Definition; diagnostics: Diagnostics } {
  const definition = parseBody(workflowBodySchema, req);
  const diagnostics = validateDefinition(definition);
  if (hasErrors(diagnostics)) throw new InvalidDagError(diagnostics);
  return { definition, diagnostics };
}

function notFound(id: string, version?: number): NotFoundError {
  return version === undefined
    ? new NotFoundError('workflow', id)
    : new NotFoundError('workflow version', `${id}@${version}`);
}

function toResponse(stored: StoredWorkflow, diagnostics: Diagnostics): WorkflowResponse {
  const { definition } = stored;
  return {
    workflow: {
      id: stored.id,
      organization_id: stored.organization_id,
      name: definition.name,
      description: definition.description ?? null,
      version: stored.version,
      dag: definition.dag,
      settings: definition.settings ?? {},
      created_at: stored.created_at.toISOString(),
      updated_at: stored.updated_at.toISOString(),
    },
    diagnostics: { type_issues: diagnostics.type_issues, warnings: diagnostics.warnings },
  };
}

function toSummary(row: Workflow): WorkflowSummaryDto {
  return {
    id: row.id,
    organization_id: row.organization_id,
    name: row.name,
    description: row.description,
    version: row.current_version,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
