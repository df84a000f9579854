/** Starts the worker role: polls the task queue until stopped. */
import { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Config } from '../runtime/config';
import { createDatabase } from '../runtime/database';
import type { Logger } from '../runtime/logger';
import type { Endpoints, Service } from '../runtime/service';
import { installTemporalRuntime } from '../runtime/temporal-runtime';
import { createWorker } from './create-worker';

export interface WorkerService extends Service {
  worker: Worker;
}

export async function startWorker(
  config: Config,
  endpoints: Endpoints,
  logger: Logger,
  opts: { workflowBundlePath?: string } = {},
): Promise<WorkerService> {
  installTemporalRuntime(logger);
  const db = createDatabase(endpoints.databaseUrl);
  const connection = await NativeConnection.connect({ address: endpoints.temporalAddress });
  // Batch dispatchers start and control item workflows over the worker's own connection.
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const worker = await createWorker({ config, db, connection, temporal, logger, ...opts });
  const done = worker.run().finally(async () => {
    await connection.close();
    await db.$disconnect();
  });
  logger.info({ task_queue: config.TEMPORAL_TASK_QUEUE }, 'worker polling');
  return {
    worker,
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
