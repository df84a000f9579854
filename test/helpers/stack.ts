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
import { createLogger, type Logger } from '../../runtime/logger';
import { startTemporalServer } from '../../runtime/temporal-server';
import type { Endpoints } from '../../runtime/service';
import { startWorker, type WorkerService } from '../../worker/run-worker';
import { freePort } from './ports';
import { createTestDatabase, type TestDatabase } from './database';

export interface StackOptions {
  /** Extra environment (FAL_QUEUE_URL, OPENAI_BASE_URL, ...). */
  env?: Record<string, string>;
  /** Start without a worker (tests that run workers as separate processes). */
  worker?: boolean;
  /**
   * Run a Temporal dev server of this stack's own (file-backed), so a test can stop and
   * restart it; default: the suite's shared server.
   */
  ownTemporal?: boolean;
  /** The stack's logger (worker and API); default: silent, or `TEST_LOG_LEVEL`. */
  logger?: Logger;
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
  /**
   * Stops the workers, the API and (with `ownTemporal`) the Temporal server, then starts them
   * again on the same ports and files: a whole-stack restart.
   */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(opts: StackOptions = {}): Promise<TestStack> {
  const database = await createTestDatabase();
  const home = mkdtempSync(path.join(tmpdir(), 'skein-stack-'));
  const logger = opts.logger ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', 'test');
  const temporal = opts.ownTemporal ? await ownTemporalServer(home, logger) : sharedTemporal();
  const port = await freePort();
  const env: Record<string, string> = {
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    SKEIN_HOME: home,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: `test-${randomBytes(4).toString('hex')}`,
    DATABASE_URL: database.url,
    FAL_POLL_INTERVAL_MS: '50',
    HEARTBEAT_TIMEOUT_S: '2',
    LOG_LEVEL: 'silent',
    ...opts.env,
  };
  const config = loadConfig(env);
  const endpoints = { temporalAddress: temporal.address, databaseUrl: database.url };
  const bundle = { workflowBundlePath: process.env.SKEIN_WORKFLOW_BUNDLE };
  const workers: WorkerService[] = [];
  const launchWorker = async () => {
    const w = await startWorker(config, endpoints, logger, bundle);
    workers.push(w);
    return w;
  };
  const stack: TestStack = {
    url: '',
    config,
    env,
    endpoints,
    database,
    worker: opts.worker === false ? undefined : await launchWorker(),
    api: await startApi(config, endpoints, logger),
    startWorker: launchWorker,
    async restart() {
      await stack.api.stop();
      for (const w of workers.splice(0)) await w.stop();
      await temporal.restart();
      stack.worker = await launchWorker();
      stack.api = await startApi(config, endpoints, logger);
    },
    async close() {
      await stack.api.stop();
      for (const w of workers) await w.stop();
      await temporal.stop();
      await database.drop();
      rmSync(home, { recursive: true, force: true });
    },
  };
  stack.url = stack.api.url;
  return stack;
}

interface StackTemporal {
  address: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function sharedTemporal(): StackTemporal {
  const address = process.env.SKEIN_TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('global-setup did not start Temporal');
  return { address, restart: async () => undefined, stop: async () => undefined };
}

/** A dev server persisted to a file in the stack's home, restartable on the same port. */
async function ownTemporalServer(home: string, logger: Logger): Promise<StackTemporal> {
  const opts = {
    dbFile: path.join(home, 'temporal.db'),
    port: await freePort(),
    uiPort: await freePort(),
    logger,
  };
  let server = await startTemporalServer(opts);
  return {
    address: server.address,
    async restart() {
      await server.stop();
      server = await startTemporalServer(opts);
    },
    stop: () => server.stop(),
  };
}
