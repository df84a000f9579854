/**
 * Operator controls on a run: pause, resume, cancel, retry from the failure point, approve or
 * reject a user-approval node. Each answers with the execution as it is afterwards; a control
 * that makes no sense in the current state answers 409 with `current_status`.
 */
import { Router, type Request, type Response } from 'express';
import {
  cancelExecution,
  decideNode,
  pauseExecution,
  requireExecution,
  resumeExecution,
  retryExecution,
  type ControlDeps,
} from '../controls/execution-controls';
import { liveSnapshot } from '../../runtime/runs';
import { idParamsSchema } from '../schemas/common';
import {
  actorHeaderSchema,
  approveBodySchema,
  nodeParamsSchema,
  rejectBodySchema,
  retryBodySchema,
} from '../schemas/controls';
import { ValidationError } from '../errors';
import { parseBody, parseParams } from '../validate';
import { executionView } from '../views/execution';

export function controlsRouter(deps: ControlDeps): Router {
  const router = Router();
  const respond = async (res: Response, id: string, status = 200, extra = {}) => {
    const row = await requireExecution(deps.db, id);
    const live = row.finished_at ? undefined : await liveSnapshot(deps.temporal, id);
    res.status(status).json({ execution: await executionView(deps.db, row, live), ...extra });
  };

  router.post('/workflow-executions/:id/pause', async (req: Request, res: Response) => {
    const { id } = parseParams(idParamsSchema, req);
    await pauseExecution(deps, id);
    await respond(res, id);
  });

  router.post('/workflow-executions/:id/resume', async (req: Request, res: Response) => {
    const { id } = parseParams(idParamsSchema, req);
    await resumeExecution(deps, id);
    await respond(res, id);
  });

  router.post('/workflow-executions/:id/cancel', async (req: Request, res: Response) => {
    const { id } = parseParams(idParamsSchema, req);
    await cancelExecution(deps, id);
    await respond(res, id, 202);
  });

  router.post('/workflow-executions/:id/retry', async (req: Request, res: Response) => {
    const { id } = parseParams(idParamsSchema, req);
    const body = req.body === undefined ? {} : parseBody(retryBodySchema, req);
    const retried = await retryExecution(deps, id, body);
    await respond(res, id, 202, { retried_nodes: retried });
  });

  router.post(
    '/workflow-executions/:id/nodes/:nodeId/approve',
    async (req: Request, res: Response) => {
      const { id, nodeId } = parseParams(nodeParamsSchema, req);
      const body = req.body === undefined ? {} : parseBody(approveBodySchema, req);
      const hasValue = Object.hasOwn(body, 'value');
      await decideNode(deps, id, {
        node_id: nodeId,
        approved: true,
        by: actorOf(req),
        comment: body.comment,
        value: body.value,
        has_value: hasValue,
      });
      await respond(res, id);
    },
  );

  router.post(
    '/workflow-executions/:id/nodes/:nodeId/reject',
    async (req: Request, res: Response) => {
      const { id, nodeId } = parseParams(nodeParamsSchema, req);
      const body = req.body === undefined ? {} : parseBody(rejectBodySchema, req);
      await decideNode(deps, id, {
        node_id: nodeId,
        approved: false,
        by: actorOf(req),
        comment: body.comment,
      });
      await respond(res, id);
    },
  );

  return router;
}

function actorOf(req: Request): string {
  const parsed = actorHeaderSchema.safeParse(req.header('x-skein-actor') ?? undefined);
  if (!parsed.success) {
    throw new ValidationError(
      [{ path: 'headers.x-skein-actor', message: parsed.error.issues[0]!.message }],
      'headers',
    );
  }
  return parsed.data;
}
