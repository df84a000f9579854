/** Builds a Skein worker: the interpreter workflow plus every activity, wired to their deps. */
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createBatchActivities } from '../activities/batch/dispatch';
import { LocalAssetStore } from '../activities/assets/local-store';
import { createPersistenceActivities } from '../activities/persistence/record-run-events';
import { createProviders } from '../activities/providers/registry';
import { createTaskActivities } from '../activities/run-task';
import type { Config } from '../runtime/config';
import { LOCAL_ORGANIZATION_ID, type Database } from '../runtime/database';
import type { Logger } from '../runtime/logger';

export interface WorkerDeps {
  config: Config;
  db: Database;
  connection: NativeConnection;
  /** A client for activities that start or control other workflows (batch dispatcher). */
  temporal: Client;
  logger: Logger;
  /** A prebuilt workflow bundle (tests build it once); default: bundle `workflows/` now. */
  workflowBundlePath?: string;
}

export async function createWorker(deps: WorkerDeps): Promise<Worker> {
  const { config, db } = deps;
  const assets = new LocalAssetStore({
    dir: config.ASSETS_DIR,
    publicUrl: config.PUBLIC_URL,
    db,
    organizationId: LOCAL_ORGANIZATION_ID,
  });
  const providers = createProviders({ config });
  const activities = {
    ...createTaskActivities({
      db,
      assets,
      providerFor: (task) => providers.forTask(task),
      logger: deps.logger,
    }),
    ...createPersistenceActivities(db),
    ...createBatchActivities({ db, temporal: deps.temporal, config, logger: deps.logger }),
  };
  const workflows = deps.workflowBundlePath
    ? { workflowBundle: { codePath: deps.workflowBundlePath } }
    : { workflowsPath: require.resolve('../workflows') };
  return Worker.create({
    connection: deps.connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities,
    ...workflows,
  });
}
