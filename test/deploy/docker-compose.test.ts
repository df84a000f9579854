/**
 * The scale-out files say what the README says they do: docker-compose.yml runs PostgreSQL,
 * Temporal on that PostgreSQL, and the API and workers built from the repository's Dockerfile,
 * wired to both; CI runs exactly the README's test command. (Docker itself is not run here.)
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../runtime/config';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | number> | string[];
  depends_on?: string[] | Record<string, unknown>;
  ports?: string[];
}
const compose = parse(read('docker-compose.yml')) as { services: Record<string, Service> };
const services = compose.services;

/** `environment` as a map, whichever form (map or KEY=value list) the file uses. */
function envOf(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((e) => [e.split('=')[0]!, e.split('=').slice(1).join('=')]));
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
}

function dependsOn(service: Service): string[] {
  const d = service.depends_on ?? [];
  return Array.isArray(d) ? d : Object.keys(d);
}

/** The Dockerfile a service builds from, resolved against the compose file. */
function dockerfileOf(service: Service): string | undefined {
  if (!service.build) return undefined;
  const build = typeof service.build === 'string' ? { context: service.build } : service.build;
  return path.resolve(ROOT, build.context ?? '.', build.dockerfile ?? 'Dockerfile');
}

test('names the postgres, temporal, api and worker services', () => {
  expect(Object.keys(services)).toEqual(
    expect.arrayContaining(['postgres', 'temporal', 'api', 'worker']),
  );
  expect(services.postgres!.image).toMatch(/^postgres:/);
  expect(services.temporal!.image).toMatch(/^temporalio\//);
});

test.each(['api', 'worker'])('%s builds from the Dockerfile and runs its npm script', (name) => {
  const service = services[name]!;
  expect(service.image).toBeUndefined();
  expect(dockerfileOf(service)).toBe(path.join(ROOT, 'Dockerfile'));
  expect(existsSync(path.join(ROOT, 'Dockerfile'))).toBe(true);
  const command = Array.isArray(service.command) ? service.command.join(' ') : service.command;
  expect(command).toBe(`npm run ${name}`);
  const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
  expect(scripts[name]).toBeDefined();
  expect(dependsOn(service)).toEqual(expect.arrayContaining(['postgres', 'temporal']));
});

test.each(['api', 'worker'])(
  '%s gets DATABASE_URL and TEMPORAL_ADDRESS for the services',
  (name) => {
    const env = envOf(services[name]!);
    const pg = envOf(services.postgres!);
    const db = new URL(env.DATABASE_URL!);
    expect(db.protocol).toBe('postgresql:');
    expect(db.hostname).toBe('postgres');
    expect(db.username).toBe(pg.POSTGRES_USER);
    expect(db.password).toBe(pg.POSTGRES_PASSWORD);
    expect(db.pathname).toBe(`/${pg.POSTGRES_DB}`);
    expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
    // Every variable is one Skein reads, with a value its configuration accepts (the compose
    // `${VAR:-default}` interpolations are given their defaults, as Compose would).
    const interpolated = Object.fromEntries(
      Object.entries(env).map(([k, v]) => [k, v.replace(/\$\{\w+:-([^}]*)\}/g, '$1')]),
    );
    const known = [...read('runtime/config.ts').matchAll(/^ {2}([A-Z][A-Z0-9_]+): z\./gm)].map(
      (m) => m[1],
    );
    expect(Object.keys(env).filter((k) => !known.includes(k))).toEqual([]);
    const config = loadConfig(interpolated);
    expect(config.DATABASE_URL).toBe(env.DATABASE_URL);
    expect(config.TEMPORAL_ADDRESS).toBe('temporal:7233');
  },
);

test('Temporal persists to the postgres service', () => {
  const temporal = services.temporal!;
  const env = envOf(temporal);
  const pg = envOf(services.postgres!);
  expect(dependsOn(temporal)).toContain('postgres');
  expect(env.DB).toMatch(/^postgres/);
  expect(env.POSTGRES_SEEDS).toBe('postgres');
  expect(env.POSTGRES_USER).toBe(pg.POSTGRES_USER);
  expect(env.POSTGRES_PWD).toBe(pg.POSTGRES_PASSWORD);
});

test("CI runs the README's test command, npm test", () => {
  const commands = read('.ci/run')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  expect(commands).toContain('npm test');
  const readme = read('README.md');
  expect(readme).toMatch(/^npm test$/m);
  // `npm test` is the whole gate: lint, typecheck and the jest suites.
  const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
  expect(scripts.test).toMatch(/npm run lint/);
  expect(scripts.test).toMatch(/npm run typecheck/);
  expect(scripts.test).toMatch(/jest/);
});
