/**
 * The committed migrations, applied by runtime/migrate.ts to an empty database, produce exactly
 * the schema the Prisma client was generated from: every model is a table and every table a
 * model, every scalar field a column and every column a field (with @map/@@map names), with the
 * PostgreSQL type, nullability and primary key Prisma expects. Generic over models and
 * migrations, so a new model without its migration (or the reverse) fails here.
 *
 * Where the model comes from: the generated client carries a runtime data model (models, their
 * table names, scalar fields, their column names and Prisma types) but not nullability or
 * native (@db.*) types; those are read from the schema text the client was generated from (also
 * carried by the client) with the small parser below, cross-checked against the data model.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { createDatabase } from '../../runtime/database';
import { migrate, MIGRATIONS_DIR } from '../../runtime/migrate';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

// ---------------------------------------------------------------------------------------------
// The model, as the generated client knows it.

interface RuntimeField {
  name: string;
  kind: 'scalar' | 'object' | 'enum' | 'unsupported';
  type: string;
  dbName?: string | null;
}
interface RuntimeDataModel {
  models: Record<string, { dbName: string | null; fields: RuntimeField[] }>;
  enums: Record<string, { values: { name: string; dbName: string | null }[]; dbName?: string }>;
}

/** Reads what the generated PrismaClient was built from (no connection is made). */
function generatedClientModel(): { dataModel: RuntimeDataModel; schema: string } {
  const client = createDatabase('postgresql://unused@127.0.0.1:1/unused') as unknown as {
    _runtimeDataModel?: RuntimeDataModel;
    _engineConfig?: { inlineSchema?: string };
  };
  const dataModel = client._runtimeDataModel;
  const schema = client._engineConfig?.inlineSchema;
  if (!dataModel || !schema) {
    throw new Error(
      'the generated Prisma client no longer exposes its data model; update this test',
    );
  }
  return { dataModel, schema };
}

// ---------------------------------------------------------------------------------------------
// A small parser for what the runtime data model leaves out. It understands the subset of the
// Prisma schema language a model block uses: one field per line, `name Type`, `Type?` for
// optional, `Type[]` for lists, attributes `@map("col")`, `@db.Native(args)`, `@id`, and
// block attributes `@@map("table")`, `@@id([a, b])`. Comments (`//`, `///`) are ignored.

interface ParsedField {
  name: string;
  type: string;
  optional: boolean;
  list: boolean;
  column: string;
  /** e.g. `{name: 'Timestamptz', args: ['3']}` for `@db.Timestamptz(3)`. */
  native?: { name: string; args: string[] };
  id: boolean;
}
interface ParsedBlock {
  name: string;
  fields: ParsedField[];
  dbName: string;
  primaryKey: string[];
}

function stripComment(line: string): string {
  // Strings in attributes never contain `//` in our schema; good enough for this subset.
  const at = line.indexOf('//');
  return (at === -1 ? line : line.slice(0, at)).trim();
}

function parseBlocks(schema: string, keyword: 'model' | 'enum'): Map<string, string[]> {
  const blocks = new Map<string, string[]>();
  const re = new RegExp(`^${keyword}\\s+(\\w+)\\s*\\{([\\s\\S]*?)^\\}`, 'gm');
  for (const m of schema.matchAll(re)) {
    const lines = m[2]!.split('\n').map(stripComment).filter(Boolean);
    blocks.set(m[1]!, lines);
  }
  return blocks;
}

function parseModels(schema: string): Map<string, ParsedBlock> {
  const models = new Map<string, ParsedBlock>();
  for (const [name, lines] of parseBlocks(schema, 'model')) {
    const block: ParsedBlock = { name, fields: [], dbName: name, primaryKey: [] };
    for (const line of lines) {
      if (line.startsWith('@@')) {
        const map = /^@@map\("([^"]+)"\)/.exec(line);
        if (map) block.dbName = map[1]!;
        const id = /^@@id\(\[([^\]]+)\]/.exec(line);
        if (id) block.primaryKey = id[1]!.split(',').map((s) => s.trim());
        continue;
      }
      const field = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(line);
      if (!field) throw new Error(`cannot parse field line in model ${name}: ${line}`);
      const attrs = field[5] ?? '';
      const map = /@map\("([^"]+)"\)/.exec(attrs);
      const native = /@db\.(\w+)(?:\(([^)]*)\))?/.exec(attrs);
      const parsed: ParsedField = {
        name: field[1]!,
        type: field[2]!,
        list: field[3] === '[]',
        optional: field[4] === '?',
        column: map?.[1] ?? field[1]!,
        id: /@id\b/.test(attrs),
      };
      if (native) {
        const args = native[2]?.split(',').map((s) => s.trim()) ?? [];
        parsed.native = { name: native[1]!, args: args.filter(Boolean) };
      }
      block.fields.push(parsed);
    }
    const ids = block.fields.filter((f) => f.id).map((f) => f.column);
    if (ids.length > 0) block.primaryKey = ids;
    else block.primaryKey = block.primaryKey.map((f) => columnOf(block, f));
    models.set(name, block);
  }
  return models;
}

function columnOf(block: ParsedBlock, field: string): string {
  return block.fields.find((f) => f.name === field)?.column ?? field;
}

function enumDbNames(schema: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const [name, lines] of parseBlocks(schema, 'enum')) {
    const map = lines.map((l) => /^@@map\("([^"]+)"\)/.exec(l)).find(Boolean);
    names.set(name, map?.[1] ?? name);
  }
  return names;
}

// ---------------------------------------------------------------------------------------------
// Prisma types → what PostgreSQL's information_schema reports for the column Prisma creates.

interface ColumnShape {
  table: string;
  column: string;
  data_type: string;
  udt_name?: string;
  nullable: boolean;
  /** Fractional-second digits of timestamps. */
  datetime_precision?: number;
  /** Digits / scale of numeric, length of character types. */
  numeric_precision?: number;
  numeric_scale?: number;
  character_maximum_length?: number;
}

/** Column type of each Prisma scalar when no `@db.*` attribute says otherwise. */
const SCALAR_DEFAULTS: Record<string, { name: string; args: string[] }> = {
  String: { name: 'Text', args: [] },
  Int: { name: 'Integer', args: [] },
  BigInt: { name: 'BigInt', args: [] },
  Float: { name: 'DoublePrecision', args: [] },
  Decimal: { name: 'Decimal', args: ['65', '30'] },
  Boolean: { name: 'Boolean', args: [] },
  DateTime: { name: 'Timestamp', args: ['3'] },
  Json: { name: 'JsonB', args: [] },
  Bytes: { name: 'ByteA', args: [] },
};

/** `@db.*` native types → information_schema `data_type` (and its `udt_name`). */
const NATIVE_TYPES: Record<string, [dataType: string, udt: string]> = {
  Text: ['text', 'text'],
  VarChar: ['character varying', 'varchar'],
  Char: ['character', 'bpchar'],
  Uuid: ['uuid', 'uuid'],
  Citext: ['USER-DEFINED', 'citext'],
  Inet: ['inet', 'inet'],
  Xml: ['xml', 'xml'],
  Bit: ['bit', 'bit'],
  VarBit: ['bit varying', 'varbit'],
  SmallInt: ['smallint', 'int2'],
  Integer: ['integer', 'int4'],
  Oid: ['oid', 'oid'],
  BigInt: ['bigint', 'int8'],
  DoublePrecision: ['double precision', 'float8'],
  Real: ['real', 'float4'],
  Decimal: ['numeric', 'numeric'],
  Money: ['money', 'money'],
  Boolean: ['boolean', 'bool'],
  Timestamp: ['timestamp without time zone', 'timestamp'],
  Timestamptz: ['timestamp with time zone', 'timestamptz'],
  Date: ['date', 'date'],
  Time: ['time without time zone', 'time'],
  Timetz: ['time with time zone', 'timetz'],
  Json: ['json', 'json'],
  JsonB: ['jsonb', 'jsonb'],
  ByteA: ['bytea', 'bytea'],
};

function expectedColumn(
  table: string,
  field: ParsedField,
  enums: Map<string, string>,
): ColumnShape {
  const base = { table, column: field.column };
  // Prisma creates scalar lists as nullable arrays.
  if (field.list) {
    return { ...base, data_type: 'ARRAY', nullable: true };
  }
  const nullable = field.optional;
  const enumName = enums.get(field.type);
  if (enumName) return { ...base, data_type: 'USER-DEFINED', udt_name: enumName, nullable };
  const native = field.native ?? SCALAR_DEFAULTS[field.type];
  if (!native) throw new Error(`no PostgreSQL mapping for ${table}.${field.column}: ${field.type}`);
  const mapped = NATIVE_TYPES[native.name];
  if (!mapped)
    throw new Error(`unknown native type @db.${native.name} on ${table}.${field.column}`);
  const [data_type, udt_name] = mapped;
  const shape: ColumnShape = { ...base, data_type, udt_name, nullable };
  const [a, b] = native.args.map(Number);
  if (/^(Timestamp|Timestamptz|Time|Timetz)$/.test(native.name)) {
    shape.datetime_precision = a ?? 6;
  }
  if (native.name === 'Decimal' && a !== undefined) {
    shape.numeric_precision = a;
    shape.numeric_scale = b ?? 0;
  }
  if ((native.name === 'VarChar' || native.name === 'Char') && a !== undefined) {
    shape.character_maximum_length = a;
  }
  return shape;
}

// ---------------------------------------------------------------------------------------------
// What the database actually has.

interface ColumnRow {
  table_name: string;
  column_name: string;
  data_type: string;
  udt_name: string;
  is_nullable: 'YES' | 'NO';
  datetime_precision: number | null;
  numeric_precision: number | null;
  numeric_scale: number | null;
  character_maximum_length: number | null;
}

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The actual column, reduced to the attributes its expectation states. */
function actualColumn(row: ColumnRow, expected: ColumnShape | undefined): ColumnShape {
  const shape: ColumnShape = {
    table: row.table_name,
    column: row.column_name,
    data_type: row.data_type,
    nullable: row.is_nullable === 'YES',
  };
  if (!expected) return { ...shape, udt_name: row.udt_name };
  if (expected.udt_name !== undefined) shape.udt_name = row.udt_name;
  for (const key of [
    'datetime_precision',
    'numeric_precision',
    'numeric_scale',
    'character_maximum_length',
  ] as const) {
    if (expected[key] !== undefined) shape[key] = row[key] ?? undefined;
  }
  return shape;
}

const byKey = (a: { table: string; column: string }, b: { table: string; column: string }) =>
  `${a.table}.${a.column}`.localeCompare(`${b.table}.${b.column}`);

const migrationNames = () =>
  readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();

// ---------------------------------------------------------------------------------------------

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrated: false });
});
afterAll(async () => {
  await db?.drop();
});

describe('the committed migrations', () => {
  let applied: string[];
  beforeAll(async () => {
    applied = await migrate(db.url);
  });

  test('apply in order to an empty database', () => {
    expect(migrationNames().length).toBeGreaterThan(0);
    expect(applied).toEqual(migrationNames());
    const lock = readFileSync(path.join(MIGRATIONS_DIR, 'migration_lock.toml'), 'utf8');
    expect(lock).toMatch(/^provider = "postgresql"$/m);
  });

  test('the generated client is up to date with prisma/schema.prisma', () => {
    const { schema } = generatedClientModel();
    const onDisk = readFileSync(
      path.join(__dirname, '..', '..', 'prisma', 'schema.prisma'),
      'utf8',
    );
    // Compared as parsed models, so formatting alone does not matter. If this fails, the schema
    // changed since the client was generated: run `npm run generate`.
    const models = (text: string) => [...parseModels(text).values()];
    expect(models(schema)).toEqual(models(onDisk));
    expect([...enumDbNames(schema)]).toEqual([...enumDbNames(onDisk)]);
  });

  test('the schema parser agrees with the client runtime data model', () => {
    const { dataModel, schema } = generatedClientModel();
    const parsed = parseModels(schema);
    expect([...parsed.keys()].sort()).toEqual(Object.keys(dataModel.models).sort());
    for (const [name, model] of Object.entries(dataModel.models)) {
      const block = parsed.get(name)!;
      expect({ model: name, table: block.dbName }).toEqual({
        model: name,
        table: model.dbName ?? name,
      });
      const fromClient = model.fields
        .filter((f) => f.kind !== 'object')
        .map((f) => ({ field: f.name, type: f.type, column: f.dbName ?? f.name }));
      const modelNames = new Set(Object.keys(dataModel.models));
      const fromParser = block.fields
        .filter((f) => !modelNames.has(f.type))
        .map((f) => ({ field: f.name, type: f.type, column: f.column }));
      expect({ model: name, fields: fromParser }).toEqual({ model: name, fields: fromClient });
    }
  });

  test('create exactly the tables and columns of the Prisma models, both ways', async () => {
    const { dataModel, schema } = generatedClientModel();
    const parsed = parseModels(schema);
    const enums = enumDbNames(schema);
    const modelNames = new Set(Object.keys(dataModel.models));

    const expected: ColumnShape[] = [];
    for (const [name, model] of Object.entries(dataModel.models)) {
      const block = parsed.get(name)!;
      const table = model.dbName ?? name;
      for (const field of model.fields.filter((f) => f.kind !== 'object')) {
        const syntax = block.fields.find((f) => f.name === field.name)!;
        expect(modelNames.has(syntax.type)).toBe(false);
        expected.push(expectedColumn(table, syntax, enums));
      }
    }

    const rows = await withClient(db.url, async (c) => {
      const res = await c.query<ColumnRow>(
        `SELECT table_name, column_name, data_type, udt_name, is_nullable, datetime_precision,
                numeric_precision, numeric_scale, character_maximum_length
           FROM information_schema.columns
          WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
      );
      return res.rows;
    });
    const find = (t: string, c: string) => expected.find((e) => e.table === t && e.column === c);
    const actual = rows.map((r) => actualColumn(r, find(r.table_name, r.column_name)));

    // Tables first (clearer failure for a missing model or a stray table), then every column.
    const tables = (cols: { table: string }[]) => [...new Set(cols.map((c) => c.table))].sort();
    expect(tables(actual)).toEqual(tables(expected));
    expect(actual.sort(byKey)).toEqual(expected.sort(byKey));
  });

  test('create the primary keys the models declare', async () => {
    const { schema } = generatedClientModel();
    const parsed = [...parseModels(schema).values()];
    const keys = await withClient(db.url, async (c) => {
      const res = await c.query<{ table_name: string; columns: string[] }>(
        `SELECT tc.table_name, array_agg(kcu.column_name::text ORDER BY kcu.ordinal_position) AS columns
           FROM information_schema.table_constraints tc
           JOIN information_schema.key_column_usage kcu
             ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
          WHERE tc.table_schema = 'public' AND tc.constraint_type = 'PRIMARY KEY'
            AND tc.table_name <> '_prisma_migrations'
          GROUP BY tc.table_name`,
      );
      return Object.fromEntries(res.rows.map((r) => [r.table_name, r.columns]));
    });
    const expected = Object.fromEntries(parsed.map((b) => [b.dbName, b.primaryKey]));
    expect(keys).toEqual(expected);
  });

  test('are recorded in _prisma_migrations as `prisma migrate deploy` records them', async () => {
    const rows = await withClient(db.url, async (c) => {
      const res = await c.query(
        `SELECT id, checksum, migration_name, logs, rolled_back_at, started_at, finished_at,
                applied_steps_count
           FROM "_prisma_migrations" ORDER BY migration_name`,
      );
      return res.rows;
    });
    expect(rows.map((r) => r.migration_name)).toEqual(migrationNames());
    for (const row of rows) {
      const sql = readFileSync(path.join(MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.finished_at.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
    // Prisma's own column layout, so `prisma migrate deploy` can take over this table.
    const columns = await withClient(db.url, async (c) => {
      const res = await c.query<{ column_name: string; data_type: string; is_nullable: string }>(
        `SELECT column_name, data_type, is_nullable FROM information_schema.columns
          WHERE table_schema = 'public' AND table_name = '_prisma_migrations'
          ORDER BY ordinal_position`,
      );
      return res.rows.map((r) => `${r.column_name} ${r.data_type} ${r.is_nullable}`);
    });
    expect(columns).toEqual([
      'id character varying NO',
      'checksum character varying NO',
      'finished_at timestamp with time zone YES',
      'migration_name character varying NO',
      'logs text YES',
      'rolled_back_at timestamp with time zone YES',
      'started_at timestamp with time zone NO',
      'applied_steps_count integer NO',
    ]);
  });

  test('a second migrate() is a no-op', async () => {
    const snapshot = (c: Client) =>
      c
        .query('SELECT id, checksum, migration_name, finished_at FROM "_prisma_migrations"')
        .then((r) => r.rows.sort((a, b) => a.migration_name.localeCompare(b.migration_name)));
    const before = await withClient(db.url, snapshot);
    expect(await migrate(db.url)).toEqual([]);
    expect(await withClient(db.url, snapshot)).toEqual(before);
  });
});
