/**
 * Once per `jest` run: a real Temporal dev server (the same launcher `npm start` uses) and the
 * workflow bundle, built once so each test's worker starts in a fraction of a second.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createLogger } from '../runtime/logger';
import { startTemporalServer } from '../runtime/temporal-server';
import { freePort } from './helpers/ports';

export default async function globalSetup(): Promise<void> {
  // The dev server's SQLite file on tmpfs where there is one: ~4x faster on this VM's disk, and
  // the suite's server holds nothing that needs to outlive it.
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dir = mkdtempSync(path.join(base, 'skein-test-'));
  const logger = createLogger('warn', 'test-temporal');
  const server = await startTemporalServer({
    dbFile: path.join(dir, 'temporal.db'),
    port: await freePort(),
    uiPort: await freePort(),
    logger,
  });
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} },
  });
  mkdirSync(dir, { recursive: true });
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, code);
  process.env.SKEIN_TEST_TEMPORAL_ADDRESS = server.address;
  process.env.SKEIN_TEST_DIR = dir;
  process.env.SKEIN_WORKFLOW_BUNDLE = bundlePath;
  (globalThis as Record<string, unknown>).__skeinTemporal = server;
}
