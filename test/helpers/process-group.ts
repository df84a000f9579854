/**
 * Skein roles as real OS processes (`node --import tsx <script>`, as the npm scripts run them),
 * each in its own process group so a test can signal it the way a terminal does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

export interface RoleProcess {
  child: ChildProcess;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnRole(script: string, env: NodeJS.ProcessEnv): RoleProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output, exited };
}

/** True while any process of the role's group (it, Temporal, PostgreSQL...) is alive. */
export function groupAlive(role: RoleProcess): boolean {
  try {
    process.kill(-role.child.pid!, 0);
    return true;
  } catch {
    return false;
  }
}

/** Signals the role's whole process group; a group already gone is fine. */
export function killGroup(role: RoleProcess, signal: NodeJS.Signals): void {
  if (role.child.pid === undefined) return;
  try {
    process.kill(-role.child.pid, signal);
  } catch {
    // Already gone.
  }
}
