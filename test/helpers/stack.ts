/**
 * A whole Skein stack for one test file, on real parts: the run's Temporal dev server (from
 * global-setup), a fresh PostgreSQL database, a worker on a task queue of its own (so parallel
 * test files never take each other's tasks) and the API on a free port.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startApi, type ApiService } from '../../api/server';
import { loadConfig, type Config } from '../../runtime/config';
import { createLogger } from '../../runtime/logger';
import type { Endpoints } from '../../runtime/service';
import { startWorker, type WorkerService } from '../../worker/run-worker';
import { freePort } from './ports';
import { createTestDatabase, type TestDatabase } from './database';

export interface StackOptions {
  /** Extra environment (FAL_QUEUE_URL, OPENAI_BASE_URL, ...). */
  env?: Record<string, string>;
  /** Start without a worker (tests that run workers as separate processes). */
  worker?: boolean;
}

export interface TestStack {
  url: string;
  config: Config;
  env: Record<string, string>;
  endpoints: Endpoints;
  database: TestDatabase;
  worker?: WorkerService;
  api: ApiService;
  /** Starts an in-process worker (again). */
  startWorker(): Promise<WorkerService>;
  close(): Promise<void>;
}

export async function startStack(opts: StackOptions = {}): Promise<TestStack> {
  const temporalAddress = process.env.SKEIN_TEST_TEMPORAL_ADDRESS;
  if (!temporalAddress) throw new Error('global-setup did not start Temporal');
  const database = await createTestDatabase();
  const home = mkdtempSync(path.join(tmpdir(), 'skein-stack-'));
  const port = await freePort();
  const env: Record<string, string> = {
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    SKEIN_HOME: home,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: `test-${randomBytes(4).toString('hex')}`,
    DATABASE_URL: database.url,
    FAL_POLL_INTERVAL_MS: '50',
    HEARTBEAT_TIMEOUT_S: '2',
    LOG_LEVEL: 'silent',
    ...opts.env,
  };
  const config = loadConfig(env);
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', 'test');
  const endpoints = { temporalAddress, databaseUrl: database.url };
  const bundle = { workflowBundlePath: process.env.SKEIN_WORKFLOW_BUNDLE };
  const workers: WorkerService[] = [];
  const launchWorker = async () => {
    const w = await startWorker(config, endpoints, logger, bundle);
    workers.push(w);
    return w;
  };
  const worker = opts.worker === false ? undefined : await launchWorker();
  const api = await startApi(config, endpoints, logger);
  return {
    url: api.url,
    config,
    env,
    endpoints,
    database,
    worker,
    api,
    startWorker: launchWorker,
    async close() {
      await api.stop();
      for (const w of workers) await w.stop();
      await database.drop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
