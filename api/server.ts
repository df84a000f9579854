/** Starts the HTTP API role: Express app, database and Temporal client. */
import type { Server } from 'node:http';
import type { Config } from '../runtime/config';
import { createDatabase } from '../runtime/database';
import type { Logger } from '../runtime/logger';
import type { Endpoints, Service } from '../runtime/service';
import { createTemporalClient } from '../runtime/temporal-client';
import { createApp } from './app';
import { batchesRouter } from './routes/batches';
import { controlsRouter } from './routes/controls';
import { executionRouter } from './routes/executions';

export interface ApiService extends Service {
  server: Server;
  /** The URL the server actually listens on (PORT=0 picks a free port). */
  url: string;
}

export async function startApi(
  config: Config,
  endpoints: Endpoints,
  logger: Logger,
): Promise<ApiService> {
  const db = createDatabase(endpoints.databaseUrl);
  const temporal = await createTemporalClient(config, endpoints.temporalAddress);
  const app = createApp({
    db,
    config,
    logger,
    routers: [
      executionRouter({ db, temporal, config }),
      controlsRouter({ db, temporal, config }),
      batchesRouter({ db, temporal, config, logger }),
    ],
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.PORT, config.HOST, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://127.0.0.1:${port}`;
  logger.info({ url, public_url: config.PUBLIC_URL }, 'API listening');
  let stopped: Promise<void> | undefined;
  let markDone!: () => void;
  const done = new Promise<void>((r) => (markDone = r));
  const stop = () =>
    (stopped ??= (async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await temporal.connection.close();
      await db.$disconnect();
      markDone();
    })());
  return { server, url, done, stop };
}
