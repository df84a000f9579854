/**
 * The Express application: JSON API under /api, health check, OpenAPI document and the asset
 * files steps write. Built from its dependencies so tests run it against a scratch database.
 */
import express from 'express';
import { pinoHttp } from 'pino-http';
import type { Config } from '../runtime/config';
import type { Database } from '../runtime/database';
import type { Logger } from '../runtime/logger';
import { errorHandler, notFoundHandler } from './middleware/error-handler';
import { buildOpenApiDocument } from './openapi';
import { workflowsRouter } from './routes/workflows';
// Registers the workflow paths in the OpenAPI registry.
import './schemas/workflows';

/** What the API needs; `routers` are extra routers mounted under `/api` (e.g. executions). */
export interface ApiDeps {
  db: Database;
  config: Config;
  logger: Logger;
  routers?: express.Router[];
}

/** Largest accepted JSON body; definitions with inline prompts stay far below it. */
export const JSON_BODY_LIMIT = '5mb';

/** Builds the app; the caller listens (`app.listen(config.PORT, config.HOST)`). */
export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestLogger(deps.logger));
  app.use(express.json({ limit: JSON_BODY_LIMIT }));

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/openapi.json', openApiHandler());
  app.use('/assets', assetsHandler(deps.config.ASSETS_DIR));

  app.use('/api', workflowsRouter(deps.db));
  for (const router of deps.routers ?? []) app.use('/api', router);

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}

/** One line per request; 5xx at `error`. Only method and URL, so headers (tokens) stay out. */
function requestLogger(logger: Logger) {
  return pinoHttp({
    logger,
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
}

/** Serves the document built on first request, when every router module has registered. */
function openApiHandler(): express.RequestHandler {
  let document: ReturnType<typeof buildOpenApiDocument> | undefined;
  return (_req, res) => {
    document ??= buildOpenApiDocument();
    res.json(document);
  };
}

/**
 * Asset files are never rewritten (every write gets a new key), so they are cached forever.
 * Misses fall through to the JSON 404; `nosniff` keeps browsers from running uploaded HTML/SVG
 * as another type.
 */
function assetsHandler(dir: string): express.RequestHandler {
  return express.static(dir, {
    immutable: true,
    maxAge: '365d',
    index: false,
    redirect: false,
    dotfiles: 'ignore',
    setHeaders: (res) => res.setHeader('X-Content-Type-Options', 'nosniff'),
  });
}
