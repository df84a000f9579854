import { rmSync } from 'node:fs';
import type { RunningTemporalServer } from '../runtime/temporal-server';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as Record<string, unknown>).__skeinTemporal as
    RunningTemporalServer | undefined;
  await server?.stop();
  if (process.env.SKEIN_TEST_DIR)
    rmSync(process.env.SKEIN_TEST_DIR, { recursive: true, force: true });
}
