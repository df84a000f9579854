/** Shared fixtures for the control tests: chains of fal nodes against the fake fal server. */

/** `n` fal nodes in a line; node i+1 reads node i's first image URL. */
export function falChain(
  n: number,
  model = 'fake/slow-image',
  extra: Record<string, unknown> = {},
) {
  const ids = Array.from({ length: n }, (_, i) => `step${i + 1}`);
  const nodes = Object.fromEntries(
    ids.map((id, i) => [
      id,
      {
        task: 'fal/text-to-image',
        model_id: model,
        inputs: {
          prompt: i === 0 ? 'start' : `\${nodes.${ids[i - 1]}.result.images[0].url}`,
          step: id,
        },
        retry: { max_attempts: 2, initial_interval_s: 0.1 },
      },
    ]),
  );
  const edges = ids.slice(1).map((id, i) => ({ from: ids[i]!, to: id }));
  return { name: `chain of ${n}`, dag: { nodes, edges }, ...extra };
}

/** How many submissions the fake saw for one step of the chain. */
export function submissionsOf(fal: { submissions: { payload: unknown }[] }, step: string): number {
  return fal.submissions.filter((s) => (s.payload as { step?: string }).step === step).length;
}
