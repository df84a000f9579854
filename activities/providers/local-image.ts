/**
 * `local/*` tasks: image operations run in the worker with sharp (libvips). Inputs are read from
 * the asset store when they are Skein's own, else downloaded; every result is stored as an asset.
 */
import sharp from 'sharp';
import { invalidPayload, readInput, throwIfAborted } from './common';
import {
  border,
  composite,
  convert,
  crop,
  renderSvg,
  resize,
  trim,
  type ImageOp,
  type ImageOutput,
  type LoadImage,
} from './local-image-ops';
import { outline } from './local-image-outline';
import { renderText } from './local-image-text';
import type { Provider, ProviderContext, TaskCall, TaskResult } from './provider';

const OPS: Record<string, ImageOp> = {
  'local/render-text': renderText,
  'local/render-svg': renderSvg,
  'local/resize': resize,
  'local/crop': crop,
  'local/trim': trim,
  'local/border': border,
  'local/outline': outline,
  'local/composite': composite,
  'local/convert': convert,
};

/** How a stored image appears in a node result. */
export interface ImageRef {
  url: string;
  width: number;
  height: number;
  content_type: string;
}

/** The result of every `local/*` task: `image`, and `images` for fal-shaped templates. */
export interface LocalImageResult {
  image: ImageRef;
  images: ImageRef[];
}

/** Runs `local/*` image tasks in-process. */
export class LocalImageProvider implements Provider {
  readonly name = 'local';

  async run(call: TaskCall, ctx: ProviderContext): Promise<TaskResult> {
    const op = OPS[call.task];
    if (!op) throw invalidPayload('local', 'task', `unknown local task ${call.task}`);
    const output = await op(call.payload, imageLoader(ctx));
    // sharp work cannot be interrupted; at least do not store a result nobody wants.
    throwIfAborted(ctx.signal);
    return { result: await store(output, call, ctx) };
  }
}

function imageLoader(ctx: ProviderContext): LoadImage {
  return async (field, url) => {
    const bytes = await readInput('local', field, url, ctx);
    try {
      await sharp(bytes).metadata();
    } catch {
      throw invalidPayload('local', field, 'is not an image sharp can decode');
    }
    return bytes;
  };
}

async function store(output: ImageOutput, call: TaskCall, ctx: ProviderContext) {
  const { width, height } = await sharp(output.bytes).metadata();
  const stored = await ctx.assets.put(output.bytes, {
    executionId: call.executionId,
    nodeId: call.nodeId,
    contentType: output.contentType,
  });
  const image: ImageRef = { url: stored.url, width, height, content_type: stored.contentType };
  const result: LocalImageResult = { image, images: [image] };
  return result;
}
