/**
 * `npm start`: the whole stack in one process. Without TEMPORAL_ADDRESS it runs a Temporal dev
 * server persisted to SKEIN_HOME/temporal.db; without DATABASE_URL an embedded PostgreSQL under
 * SKEIN_HOME/postgres. Then migrations, one worker and the API. Ctrl-C stops it all in order.
 */
import path from 'node:path';
import { startApi } from '../api/server';
import { loadConfig } from '../runtime/config';
import { startEmbeddedPostgres } from '../runtime/embedded-postgres';
import { createLogger } from '../runtime/logger';
import { applyMigrations, handleShutdown } from '../runtime/process';
import { startTemporalServer } from '../runtime/temporal-server';
import { startWorker } from '../worker/run-worker';

async function main() {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'skein');
  const stops: (() => Promise<void>)[] = [];
  handleShutdown(logger, async () => {
    for (const stop of stops.reverse()) await stop();
  });

  let temporalAddress = config.TEMPORAL_ADDRESS;
  if (!temporalAddress) {
    const server = await startTemporalServer({
      dbFile: path.join(config.SKEIN_HOME, 'temporal.db'),
      port: config.TEMPORAL_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      cliPath: config.TEMPORAL_CLI_PATH,
      logger,
    });
    stops.push(server.stop);
    temporalAddress = server.address;
  }
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres({
      dataDir: path.join(config.SKEIN_HOME, 'postgres'),
      port: config.EMBEDDED_POSTGRES_PORT,
      logger,
    });
    stops.push(pg.stop);
    databaseUrl = pg.url;
  }
  await applyMigrations(databaseUrl, logger);
  const endpoints = { temporalAddress, databaseUrl };
  const worker = await startWorker(config, endpoints, logger);
  stops.push(worker.stop);
  const api = await startApi(config, endpoints, logger);
  stops.push(api.stop);
  logger.info(
    {
      api: config.PUBLIC_URL,
      temporal_ui: config.TEMPORAL_ADDRESS
        ? undefined
        : `http://127.0.0.1:${config.TEMPORAL_UI_PORT}`,
    },
    'Skein is up — Ctrl-C to stop',
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
