/** Measurements shared by the benches: peak RSS, history sizes, machine description. */
import { execSync } from 'node:child_process';
import os from 'node:os';
import type { Client } from '@temporalio/client';

const MiB = 2 ** 20;

/**
 * Samples this process's RSS until `stop()`, which answers the peak in MiB; `BENCH_MEMORY=1`
 * prints a breakdown every 10 s (main-thread heap vs. the rest: workflow thread, Rust core).
 */
export function rssSampler(intervalMs = 250) {
  let peak = process.memoryUsage().rss;
  let ticks = 0;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    if (process.env.BENCH_MEMORY && ++ticks % Math.round(10_000 / intervalMs) === 0) {
      const f = (n: number) => Math.round(n / MiB);
      console.log(
        `  memory: rss ${f(m.rss)} heap ${f(m.heapUsed)}/${f(m.heapTotal)} ext ${f(m.external)} MiB`,
      );
    }
  }, intervalMs);
  return {
    stop(): number {
      clearInterval(timer);
      return Math.round(Math.max(peak, process.memoryUsage().rss) / MiB);
    },
  };
}

/** History length of every run of a workflow id (all continue-as-new generations). */
export async function runHistoryLengths(temporal: Client, workflowId: string): Promise<number[]> {
  const lengths: number[] = [];
  // Visibility lists every run; describe has the exact length (visibility's may lag).
  for await (const run of temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    const info = await temporal.workflow.getHandle(workflowId, run.runId).describe();
    lengths.push(info.historyLength);
  }
  if (lengths.length === 0)
    lengths.push((await temporal.workflow.getHandle(workflowId).describe()).historyLength);
  return lengths;
}

/** Largest history among `ids` (latest run of each), `parallel` describes at a time. */
export async function maxHistoryOf(temporal: Client, ids: string[], parallel = 16) {
  let max = 0;
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      const info = await temporal.workflow.getHandle(id).describe();
      max = Math.max(max, info.historyLength);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return max;
}

/** `count` ids spread evenly over `all` (all of them when fewer). */
export function sample<T>(all: T[], count: number): T[] {
  if (all.length <= count) return all;
  const step = all.length / count;
  return Array.from({ length: count }, (_, i) => all[Math.floor(i * step)]!);
}

/** nproc, memory and CPU model, for the record. */
export function machine(): string {
  const free = (() => {
    try {
      return execSync('free -h', { encoding: 'utf8' }).split('\n')[1]?.replace(/\s+/g, ' ').trim();
    } catch {
      return `${Math.round(os.totalmem() / 2 ** 30)} GiB total`;
    }
  })();
  return `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ${free}, Node ${process.version}`;
}
