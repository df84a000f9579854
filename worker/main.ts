/** `npm run worker`: one worker process (run as many as you like against the same cluster). */
import { loadConfig } from '../runtime/config';
import { createLogger } from '../runtime/logger';
import { applyMigrations, defaultEndpoints, handleShutdown } from '../runtime/process';
import { startWorker } from './run-worker';

async function main() {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'skein-worker');
  const endpoints = defaultEndpoints(config);
  await applyMigrations(endpoints.databaseUrl, logger);
  const worker = await startWorker(config, endpoints, logger, {
    workflowBundlePath: process.env.SKEIN_WORKFLOW_BUNDLE,
  });
  handleShutdown(logger, () => worker.stop());
  await worker.done;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
