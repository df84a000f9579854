/** `npm run api`: the HTTP API alone (scale-out: any number behind a load balancer). */
import { loadConfig } from '../runtime/config';
import { createLogger } from '../runtime/logger';
import { applyMigrations, defaultEndpoints, handleShutdown } from '../runtime/process';
import { startApi } from './server';

async function main() {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'skein-api');
  const endpoints = defaultEndpoints(config);
  await applyMigrations(endpoints.databaseUrl, logger);
  const api = await startApi(config, endpoints, logger);
  handleShutdown(logger, () => api.stop());
  await api.done;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
