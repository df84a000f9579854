/**
 * Payload schemas for the OpenAI tasks. Only what Skein relies on is checked; every other field
 * passes through to the API untouched, so new API options need no change here.
 */
import { z } from 'zod';
import { parsePayload } from './common';

const messageSchema = z.looseObject({ role: z.string().min(1) });

/** `openai/chat-completion`: the messages; `model` comes from the node. */
export const chatSchema = z.looseObject({
  messages: z.array(messageSchema).min(1),
  stream: z
    .literal(false, { error: 'streaming is not supported; a node result is one JSON value' })
    .optional(),
});

/** `openai/embeddings`. */
export const embeddingsSchema = z.looseObject({
  input: z.union([z.string().min(1), z.array(z.string()).min(1), z.array(z.number())]),
  encoding_format: z.enum(['float', 'base64']).optional(),
});

/** `openai/image-generation`. */
export const imageSchema = z.looseObject({ prompt: z.string().min(1) });

/** `openai/audio-speech`; the voice defaults to `alloy`. */
export const speechSchema = z.looseObject({
  input: z.string().min(1),
  voice: z.union([z.string().min(1), z.looseObject({ id: z.string() })]).default('alloy'),
  response_format: z.enum(['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm']).optional(),
});

/** `openai/audio-transcription`: the audio by URL, plus any API option. */
export const transcriptionSchema = z
  .looseObject({
    audio_url: z.string().min(1).optional(),
    file_url: z.string().min(1).optional(),
    language: z.string().optional(),
    prompt: z.string().optional(),
  })
  .refine((p) => p.audio_url ?? p.file_url, {
    message: 'audio_url or file_url is required',
    path: ['audio_url'],
  });

/**
 * Validates with `schema` and types the result as the client's parameter type `T`: the schema
 * checks the fields Skein needs, the API checks the rest (and its 400 names them).
 */
export function parseOpenAIPayload<T>(schema: z.ZodType, payload: unknown): T {
  return parsePayload('openai', schema, payload) as T;
}
