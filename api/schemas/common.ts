/**
 * Schemas shared by every resource: error bodies, ids, pagination. Defined once; parsed by the
 * handlers and documented in /openapi.json from the same objects.
 */
import { z } from 'zod';
import { diagnosticsSchema } from '../../workflows/definition/diagnostics';

/** Ids are generated as `<prefix>_<base62>`; anything else cannot exist and is rejected early. */
export const resourceIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,128}$/, 'malformed id')
  .meta({ description: 'Resource id, e.g. `wf_…`', example: 'wf_3kTMd9Qx0aLbZ2vR7nYp' });

/** Path parameters `{id}`. */
export const idParamsSchema = z.object({ id: resourceIdSchema });

/** Query of every list endpoint; `cursor` is the `next_cursor` of the previous page. */
export const paginationQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(512).optional().meta({ description: 'Opaque `next_cursor`' }),
});
export type PaginationQuery = z.output<typeof paginationQuerySchema>;

/** A page of `item`s, newest first; `next_cursor` is null on the last page. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), next_cursor: z.string().nullable() });
}

/** A stored timestamp, serialised as ISO 8601 (UTC). */
export const timestampSchema = z.iso.datetime();

/** What validation says about a definition (documented once, referenced as `Diagnostics`). */
export const diagnosticsDocSchema = diagnosticsSchema.meta({ id: 'Diagnostics' });

export const fieldErrorSchema = z.object({ path: z.string(), message: z.string() });

/** Every non-2xx body. Extra members depend on `code` (fields, diagnostics, current_status). */
export const errorResponseSchema = z
  .object({
    error: z.looseObject({
      code: z.string(),
      message: z.string(),
      fields: z.array(fieldErrorSchema).optional(),
      diagnostics: diagnosticsDocSchema.optional(),
      current_status: z.string().optional(),
    }),
  })
  .meta({ id: 'Error' });

const errorDescriptions: Record<number, string> = {
  400: 'Malformed request (`validation_error` with `fields`, or `invalid_json`)',
  404: 'Not found',
  409: 'Conflict with the current state (`current_status`)',
  413: 'Body larger than 5 MB',
  422: 'Definition graph cannot run (`invalid_dag` with `diagnostics`)',
  503: 'A dependency is unavailable; retry later',
};

/** The `responses` entries of the given error statuses, for `registry.registerPath`. */
export function errorResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: errorDescriptions[status] ?? 'Error',
        content: { 'application/json': { schema: errorResponseSchema } },
      },
    ]),
  );
}
