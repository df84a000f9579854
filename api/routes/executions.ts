/**
 * Executions: start a run of a workflow (`POST /workflows/:id/execute`), read one live or after
 * the fact, list them. The row is written before Temporal is asked, so no run exists that the
 * API cannot show, and a failed hand-off is recorded, not lost.
 */
import { Router, type Request, type Response } from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../../runtime/config';
import { LOCAL_ORGANIZATION_ID, type Database } from '../../runtime/database';
import { checkInputParams } from '../../workflows/definition/input-params';
import { NotFoundError, ServiceUnavailableError, ValidationError } from '../errors';
import { toPage } from '../pagination';
import {
  createExecution,
  failExecution,
  findExecution,
  findLockedResults,
  listExecutions,
  setTemporalRun,
} from '../repositories/executions';
import { findWorkflow } from '../repositories/workflows';
import { liveSnapshot, startRun } from '../../runtime/runs';
import { idParamsSchema } from '../schemas/common';
import { executeBodySchema, listExecutionsQuerySchema } from '../schemas/executions';
import { parseBody, parseParams, parseQuery } from '../validate';
import { executionSummary, executionView } from '../views/execution';

export interface ExecutionRouterDeps {
  db: Database;
  temporal: Client;
  config: Config;
}

/** Routes under `/workflows/:id/execute` and `/workflow-executions`; mount at `/api`. */
export function executionRouter({ db, temporal, config }: ExecutionRouterDeps): Router {
  const router = Router();

  router.post('/workflows/:id/execute', async (req: Request, res: Response) => {
    const { id } = parseParams(idParamsSchema, req);
    const body = parseBody(executeBodySchema, req);
    const workflow = await findWorkflow(db, LOCAL_ORGANIZATION_ID, id);
    if (!workflow) throw new NotFoundError('workflow', id);
    const checked = checkInputParams(workflow.definition.settings, body.input_params);
    if (checked.errors.length > 0) {
      throw new ValidationError(
        checked.errors.map((e) => ({ path: e.field, message: e.message })),
        'body',
      );
    }
    const row = await createExecution(db, {
      workflowId: workflow.id,
      version: workflow.version,
      definition: workflow.definition,
      inputParams: checked.values,
    });
    const seed = await findLockedResults(db, workflow.id, workflow.definition);
    try {
      const runId = await startRun(temporal, config, {
        executionId: row.id,
        definition: workflow.definition,
        inputParams: checked.values,
        seed,
        statusHistory: [{ status: 'pending', at: row.created_at.toISOString() }],
        lastEventSeq: row.last_event_seq,
      });
      await setTemporalRun(db, row.id, runId);
    } catch (err) {
      const message = `could not start the run on Temporal: ${(err as Error).message}`;
      await failExecution(db, row.id, { code: 'start_failed', message });
      throw new ServiceUnavailableError(message);
    }
    res.status(201).json({ execution: await executionView(db, row) });
  });

  router.get('/workflow-executions/:id', async (req: Request, res: Response) => {
    const { id } = parseParams(idParamsSchema, req);
    const row = await findExecution(db, id);
    if (!row) throw new NotFoundError('execution', id);
    const live = row.finished_at ? undefined : await liveSnapshot(temporal, id);
    res.json({ execution: await executionView(db, row, live) });
  });

  router.get('/workflow-executions', async (req: Request, res: Response) => {
    const query = parseQuery(listExecutionsQuerySchema, req);
    const { workflow_id, status, ...page } = query;
    const rows = await listExecutions(db, { workflow_id, status }, page);
    res.json(toPage(rows, page.limit, executionSummary));
  });

  return router;
}
