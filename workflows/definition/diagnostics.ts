/** What validation says about a definition. Pure module. */
import { z } from 'zod';

export const diagnosticCodeSchema = z.enum([
  'cycle',
  'unknown_node',
  'duplicate_edge',
  'self_loop',
  'missing_task',
  'missing_model',
  'unknown_task',
  'reference_not_upstream',
  'reference_unknown_node',
  'invalid_template',
  'undeclared_input',
  'unknown_output',
  'locked_unavailable',
]);
export type DiagnosticCode = z.infer<typeof diagnosticCodeSchema>;

export const diagnosticSchema = z.object({
  code: diagnosticCodeSchema,
  message: z.string(),
  /** Where in the definition, e.g. `dag.nodes.enhance.inputs.prompt` or `dag.edges[2].to`. */
  path: z.string().optional(),
  node_id: z.string().optional(),
  /** For `cycle`: the node ids around the cycle, first id repeated at the end. */
  cycle: z.array(z.string()).optional(),
});
export type Diagnostic = z.infer<typeof diagnosticSchema>;

/** `errors` block a run; `warnings` and `type_issues` are reported and stored. */
export const diagnosticsSchema = z.object({
  errors: z.array(diagnosticSchema),
  warnings: z.array(diagnosticSchema),
  type_issues: z.array(diagnosticSchema),
});
export type Diagnostics = z.infer<typeof diagnosticsSchema>;
