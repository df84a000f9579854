/**
 * The OpenAPI registry every schema module registers its paths into, and the document built
 * from it. Schemas are named with zod's `.meta({ id })`, which zod-to-openapi reads for zod 4;
 * `extendZodWithOpenApi` is avoided on purpose: it only patches schemas created after it runs,
 * and the definition schemas are created by modules the workflow bundle also loads.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';

/** Shared registry; route modules call `registry.registerPath` when they are imported. */
export const registry = new OpenAPIRegistry();

/** Builds the OpenAPI 3.1 document from everything registered so far. */
export function buildOpenApiDocument(): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Skein API',
      version: '0.1.0',
      description: 'Define workflows (DAGs of AI model steps) and run them on Temporal.',
    },
  });
}
