/**
 * The items of a new batch, from a JSON body or an upload: CSV (header row = param names) or
 * JSON Lines (one object per line). Every item is checked against the workflow's input params
 * before anything is stored; errors name the item, e.g. `items[3].prompt`.
 */
import type { Settings } from '../../workflows/definition/schema';
import { checkInputParams } from '../../workflows/definition/input-params';
import { ValidationError, type FieldError } from '../errors';
import { MAX_BATCH_ITEMS } from '../schemas/batches';
import { findUnstorable } from '../validate';

type Item = Record<string, unknown>;

/** Content types of uploads, as `express.text` should accept them. */
export const CSV_TYPES = ['text/csv'];
export const JSON_LINES_TYPES = [
  'application/x-ndjson',
  'application/jsonl',
  'application/x-jsonl',
];

/** More errors than this are summarised: one bad column in 10,000 rows is one problem. */
const MAX_FIELD_ERRORS = 100;

/** Applies defaults and checks every item; throws a 400 listing the bad fields. */
export function checkItems(settings: Settings | undefined, items: Item[]): Item[] {
  const errors: FieldError[] = [];
  const checked = items.map((item, i) => {
    const unstorable = findUnstorable(item);
    if (unstorable) throw bad(`items[${i}].${unstorable.path}`, unstorable.message);
    const result = checkInputParams(settings, item);
    for (const e of result.errors) {
      errors.push({
        path: `items[${i}]${e.field.slice('input_params'.length)}`,
        message: e.message,
      });
    }
    return result.values;
  });
  if (errors.length > 0) throw new ValidationError(errors.slice(0, MAX_FIELD_ERRORS), 'body');
  return checked;
}

/** Items of a CSV upload; cells are strings except where the param's type says otherwise. */
export function csvItems(text: string, settings: Settings | undefined): Item[] {
  const rows = parseCsv(text).filter((row) => row.some((cell) => cell !== ''));
  const header = rows.shift();
  if (!header) throw bad('(root)', 'expected a header row naming the input params');
  const params = settings?.input_params ?? {};
  const items = rows.map((row, i) => {
    if (row.length > header.length) {
      throw bad(`items[${i}]`, `has ${row.length} cells, the header has ${header.length}`);
    }
    const item: Item = {};
    header.forEach((name, c) => {
      const cell = row[c] ?? '';
      // An empty cell is an absent value, so the param's default applies.
      if (cell !== '') defineOwn(item, name, coerce(cell, params[name]?.type));
    });
    return item;
  });
  return limited(items);
}

/** Items of a JSON Lines upload; blank lines are skipped. */
export function jsonLinesItems(text: string): Item[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const items = lines.map((line, i) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw bad(`items[${i}]`, 'is not valid JSON');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw bad(`items[${i}]`, 'must be a JSON object of input params');
    }
    return value as Item;
  });
  return limited(items);
}

function limited(items: Item[]): Item[] {
  if (items.length === 0) throw bad('items', 'a batch needs at least one item');
  if (items.length > MAX_BATCH_ITEMS) {
    throw bad('items', `a batch takes at most ${MAX_BATCH_ITEMS} items, got ${items.length}`);
  }
  return items;
}

/** Numbers, booleans and JSON values only where the param says so; anything else stays text. */
function coerce(cell: string, type: string | undefined): unknown {
  switch (type) {
    case 'number':
    case 'integer': {
      const n = Number(cell.trim());
      return cell.trim() !== '' && Number.isFinite(n) ? n : cell;
    }
    case 'boolean':
      if (/^(true|1)$/i.test(cell.trim())) return true;
      if (/^(false|0)$/i.test(cell.trim())) return false;
      return cell;
    case 'array':
    case 'object':
      try {
        return JSON.parse(cell);
      } catch {
        return cell;
      }
    default:
      return cell;
  }
}

/**
 * RFC 4180: comma-separated, `"` quotes fields (doubled inside), CRLF or LF line ends; quoted
 * fields may hold commas and line breaks.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const body = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (quoted) {
      if (ch !== '"') cell += ch;
      else if (body[i + 1] === '"') cell += body[++i];
      else quoted = false;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && body[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (quoted) throw bad('(root)', 'unterminated quoted CSV field');
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/** Assignment would let a column named `__proto__` swap the item's prototype. */
function defineOwn(item: Item, key: string, value: unknown): void {
  Object.defineProperty(item, key, { value, enumerable: true, writable: true, configurable: true });
}

function bad(path: string, message: string): ValidationError {
  return new ValidationError([{ path, message }], 'body');
}
