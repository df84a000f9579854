/**
 * Request parsing: every handler reads its input through these helpers, so bad input always
 * ends as a 400 naming the field, never as an exception deeper down (and never as a 500).
 */
import type { Request } from 'express';
import type { z } from 'zod';
import { formatPath, ValidationError, type FieldError } from './errors';

/**
 * Deepest JSON nesting accepted. Deeper values would overflow the stack of JSON.stringify and
 * of PostgreSQL's jsonb parser, turning a bad request into a 500.
 */
export const MAX_JSON_DEPTH = 64;

/** An unpaired UTF-16 surrogate (paired ones form one code point and do not match). */
const LONE_SURROGATE = /\p{Cs}/u;

/** PostgreSQL rejects NUL and lone surrogates in text and jsonb columns. */
function isUnstorable(text: string): boolean {
  return text.includes('\u0000') || LONE_SURROGATE.test(text);
}

/** Parses the JSON body with `schema`; throws ValidationError naming each bad field. */
export function parseBody<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  if (req.body === undefined) {
    // express.json leaves the body unset when Content-Type is not JSON.
    throw new ValidationError(
      [{ path: '(root)', message: 'expected a JSON body (Content-Type: application/json)' }],
      'body',
    );
  }
  return parseWith(schema, req.body, 'body');
}

/** Parses `req.query` (strings, coerced by the schema). */
export function parseQuery<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  return parseWith(schema, req.query, 'query');
}

/** Parses `req.params` (route path parameters). */
export function parseParams<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  return parseWith(schema, req.params, 'path parameters');
}

/** Checks storability first, so no handler can pass a NUL byte on to PostgreSQL. */
function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const unstorable = findUnstorable(value);
  if (unstorable) throw new ValidationError([unstorable], where);
  const result = schema.safeParse(value);
  if (!result.success) throw ValidationError.fromZod(result.error, where);
  return result.data;
}

/**
 * Finds the first value the database could not store: a too-deep nesting or a string (or key)
 * with NUL or a lone surrogate. Iterative, so hostile nesting cannot overflow the stack here.
 */
export function findUnstorable(root: unknown): FieldError | null {
  const stack: { value: unknown; path: PropertyKey[] }[] = [{ value: root, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      if (isUnstorable(value)) return unstorableField(path, 'contains');
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (path.length >= MAX_JSON_DEPTH) {
      return { path: formatPath(path), message: `nested deeper than ${MAX_JSON_DEPTH} levels` };
    }
    const entries = Array.isArray(value) ? value.entries() : Object.entries(value);
    for (const [key, child] of entries) {
      if (typeof key === 'string' && isUnstorable(key))
        return unstorableField(path, 'has a key with');
      stack.push({ value: child, path: [...path, key] });
    }
  }
  return null;
}

function unstorableField(path: PropertyKey[], what: string): FieldError {
  return { path: formatPath(path), message: `${what} a NUL character or an unpaired surrogate` };
}
