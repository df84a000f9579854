/**
 * Batch runs: `POST /workflows/:id/batches` runs the workflow once per item (each item its own
 * execution, isolated from the others), `/batches/...` reads and controls them. Counts are live
 * (a GROUP BY over the items' rows, which their runs keep current).
 */
import express, { Router, type Request, type Response } from 'express';
import { LOCAL_ORGANIZATION_ID } from '../../runtime/database';
import type { Settings } from '../../workflows/definition/schema';
import {
  cancelBatch,
  pauseBatch,
  requireBatch,
  resumeBatch,
  retryFailedItems,
  setMaxConcurrency,
  startBatch,
  type BatchControlDeps,
} from '../controls/batch-controls';
import { NotFoundError } from '../errors';
import { toPage } from '../pagination';
import {
  batchStats,
  createBatch,
  effectiveItemStatus,
  estimateCost,
  listBatches,
  listBatchItems,
  type BatchRow,
} from '../repositories/batches';
import type { ExecutionRow } from '../repositories/executions';
import { findWorkflow } from '../repositories/workflows';
import {
  createBatchBodySchema,
  listBatchItemsQuerySchema,
  patchBatchBodySchema,
  uploadBatchQuerySchema,
  type BatchDto,
  type BatchItemDto,
  type BatchSummaryDto,
} from '../schemas/batches';
import { idParamsSchema, paginationQuerySchema } from '../schemas/common';
import { parseBody, parseParams, parseQuery } from '../validate';
import { executionSummary } from '../views/execution';
import { checkItems, CSV_TYPES, csvItems, JSON_LINES_TYPES, jsonLinesItems } from './batch-items';

/** Uploads carry up to 10,000 rows; JSON bodies are bounded by the app's JSON limit. */
const UPLOAD_LIMIT = '20mb';

/** Routes under `/workflows/:id/batches` and `/batches`; mount at `/api`. */
export function batchesRouter(deps: BatchControlDeps): Router {
  const { db } = deps;
  const router = Router();
  const upload = express.text({ type: [...CSV_TYPES, ...JSON_LINES_TYPES], limit: UPLOAD_LIMIT });
  const respond = async (res: Response, id: string, status = 200) => {
    res.status(status).json({ batch: await batchView(deps, await requireBatch(db, id)) });
  };

  router.post('/workflows/:id/batches', upload, async (req: Request, res: Response) => {
    const { id } = parseParams(idParamsSchema, req);
    const workflow = await findWorkflow(db, LOCAL_ORGANIZATION_ID, id);
    if (!workflow) throw new NotFoundError('workflow', id);
    const request = readBatchRequest(req, workflow.definition.settings);
    const batch = await createBatch(db, {
      workflowId: workflow.id,
      version: workflow.version,
      definition: workflow.definition,
      name: request.name,
      maxConcurrency: request.max_concurrency,
      items: checkItems(workflow.definition.settings, request.items),
    });
    await startBatch(deps, batch);
    await respond(res, batch.id, 201);
  });

  router.get('/batches', async (req: Request, res: Response) => {
    const page = parseQuery(paginationQuerySchema, req);
    const rows = await listBatches(db, page);
    const stats = await batchStats(
      db,
      rows.map((r) => r.id),
    );
    res.json(toPage(rows, page.limit, (row) => batchSummary(row, stats)));
  });

  router.get('/batches/:id', async (req: Request, res: Response) => {
    await respond(res, parseParams(idParamsSchema, req).id);
  });

  router.patch('/batches/:id', async (req: Request, res: Response) => {
    const { id } = parseParams(idParamsSchema, req);
    const body = parseBody(patchBatchBodySchema, req);
    await setMaxConcurrency(deps, id, body.max_concurrency);
    await respond(res, id);
  });

  router.get('/batches/:id/executions', async (req: Request, res: Response) => {
    const { id } = parseParams(idParamsSchema, req);
    const { status, ...page } = parseQuery(listBatchItemsQuerySchema, req);
    await requireBatch(db, id);
    const rows = await listBatchItems(db, id, status, page);
    res.json(toPage(rows, page.limit, batchItem));
  });

  const controls = {
    pause: [pauseBatch, 200],
    resume: [resumeBatch, 200],
    cancel: [cancelBatch, 202],
    'retry-failed': [retryFailedItems, 202],
  } as const;
  for (const [name, [control, status]] of Object.entries(controls)) {
    router.post(`/batches/:id/${name}`, async (req: Request, res: Response) => {
      const { id } = parseParams(idParamsSchema, req);
      await control(deps, id);
      await respond(res, id, status);
    });
  }

  return router;
}

/** The body of a create: JSON, or a CSV / JSON Lines upload with options in the query. */
function readBatchRequest(req: Request, settings: Settings | undefined) {
  if (typeof req.body === 'string') {
    const options = parseQuery(uploadBatchQuerySchema, req);
    const items = req.is(CSV_TYPES) ? csvItems(req.body, settings) : jsonLinesItems(req.body);
    return { ...options, items };
  }
  return parseBody(createBatchBodySchema, req);
}

async function batchView(deps: BatchControlDeps, row: BatchRow): Promise<BatchDto> {
  const [stats, cost] = await Promise.all([
    batchStats(deps.db, [row.id]),
    estimateCost(deps.db, row),
  ]);
  return { ...batchSummary(row, stats), estimated_cost: cost };
}

function batchSummary(row: BatchRow, stats: Awaited<ReturnType<typeof batchStats>>) {
  const s = stats.get(row.id)!;
  const summary: BatchSummaryDto = {
    id: row.id,
    workflow_id: row.workflow_id,
    workflow_version: row.workflow_version,
    name: row.name,
    status: row.status as BatchSummaryDto['status'],
    max_concurrency: row.max_concurrency,
    counts: s.counts,
    progress: s.progress,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    finished_at: row.finished_at?.toISOString() ?? null,
  };
  return summary;
}

function batchItem(row: ExecutionRow): BatchItemDto {
  return {
    ...executionSummary(row),
    status: effectiveItemStatus(row),
    batch_index: row.batch_index ?? 0,
  };
}
