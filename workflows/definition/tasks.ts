/**
 * The task types Skein knows, declared once. The provider that runs a task is chosen from its
 * prefix by the activities; the API uses this list to reject unknown tasks before a run starts.
 */

/** Result path hints for diagnostics and editors (casola's documented output references). */
export interface TaskType {
  /** Which provider family executes it. */
  provider: 'fal' | 'openai' | 'builtin' | 'local';
  /** True when the task needs no `model_id` (built-ins). */
  builtin?: boolean;
}

const fal = (names: string[]) =>
  Object.fromEntries(names.map((name) => [`fal/${name}`, { provider: 'fal' } as TaskType]));

export const TASK_TYPES: Readonly<Record<string, TaskType>> = {
  ...fal([
    'text-to-image',
    'image-to-image',
    'image-edit',
    'text-to-video',
    'image-to-video',
    'speech-to-video',
    'video-interpolation',
    'upscale',
    'remove-background',
    'text-to-speech',
    'speech-to-text',
    'run',
  ]),
  'openai/chat-completion': { provider: 'openai' },
  'openai/image-generation': { provider: 'openai' },
  'openai/audio-speech': { provider: 'openai' },
  'openai/audio-transcription': { provider: 'openai' },
  'openai/embeddings': { provider: 'openai' },
  pick: { provider: 'builtin', builtin: true },
  'casola/pick': { provider: 'builtin', builtin: true },
  'local/render-text': { provider: 'local', builtin: true },
  'local/render-svg': { provider: 'local', builtin: true },
  'local/resize': { provider: 'local', builtin: true },
  'local/crop': { provider: 'local', builtin: true },
  'local/trim': { provider: 'local', builtin: true },
  'local/border': { provider: 'local', builtin: true },
  'local/outline': { provider: 'local', builtin: true },
  'local/composite': { provider: 'local', builtin: true },
  'local/convert': { provider: 'local', builtin: true },
};

export function findTaskType(task: string): TaskType | undefined {
  return TASK_TYPES[task];
}
