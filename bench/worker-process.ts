/**
 * The Skein worker as its own process for the bench (as deployed: `npm run worker`), on a
 * prebuilt workflow bundle, so its peak RSS is measured alone (VmHWM from /proc).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

const ROOT = path.join(__dirname, '..');

/** Bundles `workflows/` once into `dir`, as a deployment would at build time. */
export async function prebuildBundle(dir: string): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} },
  });
  const file = path.join(dir, 'workflow-bundle.js');
  writeFileSync(file, code);
  return file;
}

export interface WorkerProcess {
  /** Current and peak resident set size, MiB. */
  memory(): { rss: number; peak: number };
  stop(): Promise<void>;
}

export function spawnWorker(env: Record<string, string>): WorkerProcess {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'worker', 'main.ts')],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let peak = 0;
  const memory = () => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
      peak = Math.max(peak, Math.round(kb('VmHWM') / 1024));
      return { rss: Math.round(kb('VmRSS') / 1024), peak };
    } catch {
      return { rss: 0, peak };
    }
  };
  return {
    memory,
    async stop() {
      memory();
      child.kill('SIGTERM');
      await exited;
    },
  };
}
