/**
 * Errors the API answers with. Each carries its HTTP status and a stable `code` that clients
 * branch on; `details()` adds fields next to `code` and `message` in the JSON error body.
 */
import type { ZodError } from 'zod';
import type { Diagnostic, Diagnostics } from '../workflows/definition/diagnostics';

/** Base class: the error handler answers `{"error": {"code", "message", ...details()}}`. */
export abstract class ApiError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;

  /** Extra fields of the error body; none by default. */
  details(): Record<string, unknown> {
    return {};
  }
}

/** One rejected field: `path` like `dag.nodes.enhance.retry.max_attempts` or `dag.edges[0].to`. */
export interface FieldError {
  path: string;
  message: string;
}

/** The request (body, query or path) does not have the expected shape. */
export class ValidationError extends ApiError {
  override readonly name = 'ValidationError';
  readonly status = 400;
  readonly code = 'validation_error';

  constructor(
    readonly fields: FieldError[],
    where = 'request',
  ) {
    super(summarise(`invalid ${where}`, fields.map(describeField)));
  }

  /** Turns zod's issues into field errors; `where` names the part (`body`, `query`, ...). */
  static fromZod(error: ZodError, where = 'request'): ValidationError {
    return new ValidationError(error.issues.flatMap(issueToFields), where);
  }

  override details() {
    return { fields: this.fields };
  }
}

/** The definition is well-formed but its graph cannot run (cycle, unknown node, ...). */
export class InvalidDagError extends ApiError {
  override readonly name = 'InvalidDagError';
  readonly status = 422;
  readonly code = 'invalid_dag';

  constructor(readonly diagnostics: Diagnostics) {
    super(summarise('invalid workflow DAG', diagnostics.errors.map(describeDiagnostic)));
  }

  override details() {
    return { diagnostics: this.diagnostics };
  }
}

/** The addressed resource does not exist (or belongs to another organization, or was deleted). */
export class NotFoundError extends ApiError {
  override readonly name = 'NotFoundError';
  readonly status = 404;
  readonly code = 'not_found';

  constructor(kind: string, id: string) {
    super(`${kind} ${id} not found`);
  }
}

/** The resource exists but its state forbids the request (e.g. cancelling a finished run). */
export class ConflictError extends ApiError {
  override readonly name = 'ConflictError';
  readonly status = 409;
  readonly code = 'conflict';

  constructor(
    message: string,
    readonly currentStatus: string,
  ) {
    super(message);
  }

  override details() {
    return { current_status: this.currentStatus };
  }
}

/** A dependency (Temporal, the database) is unreachable; the client may retry later. */
export class ServiceUnavailableError extends ApiError {
  override readonly name = 'ServiceUnavailableError';
  readonly status = 503;
  readonly code = 'service_unavailable';
}

/** Formats a zod path as `a.b[0].c`; the root (empty path) is `(root)`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(root)';
}

type ZodIssue = ZodError['issues'][number];

/** Unknown keys become one error per key, so the message names the offending field itself. */
function issueToFields(issue: ZodIssue): FieldError[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      path: formatPath([...issue.path, key]),
      message: 'unknown field',
    }));
  }
  return [{ path: formatPath(issue.path), message: issue.message }];
}

function describeField(field: FieldError): string {
  return `${field.path}: ${field.message}`;
}

function describeDiagnostic(d: Diagnostic): string {
  return d.path ? `${d.path}: ${d.message}` : d.message;
}

/** `head: a; b; c (and 2 more)` — long lists stay readable in logs and client UIs. */
function summarise(head: string, items: string[], max = 3): string {
  if (items.length === 0) return head;
  const shown = items.slice(0, max).join('; ');
  const more = items.length > max ? ` (and ${items.length - max} more)` : '';
  return `${head}: ${shown}${more}`;
}
