/** Request bodies shared by the API suites. */
import type { Json } from './server';

/** casola's Prompt-to-Video example, verbatim. */
export const PROMPT_TO_VIDEO = JSON.parse(
  '{"name":"Prompt to Video","description":"Enhance a prompt with an LLM, then generate a video from it","dag":{"nodes":{"enhance":{"model_id":"Qwen/Qwen3.5-4B","task":"openai/chat-completion","inputs":{"messages":[{"role":"system","content":"Rewrite the following prompt to be more detailed and cinematic for video generation."},{"role":"user","content":"${input.prompt}"}]},"outputs":["choices[0].message.content"]},"generate_video":{"model_id":"fal-ai/wan/v2.2-5b","task":"fal/text-to-video","inputs":{"prompt":"${nodes.enhance.result.choices[0].message.content}","num_frames":81,"fps":16},"outputs":["video.url"]}},"edges":[{"from":"enhance","to":"generate_video"}]}}',
) as Json;

/** A fresh deep copy of Prompt-to-Video, for tests that break one part of it. */
export function promptToVideo(): Json {
  return structuredClone(PROMPT_TO_VIDEO);
}

/** A one-node workflow named `name`. */
export function simpleWorkflow(name: string): Json {
  return {
    name,
    dag: {
      nodes: {
        image: {
          task: 'fal/text-to-image',
          model_id: 'fal-ai/flux/dev',
          inputs: { prompt: 'a cat' },
        },
      },
      edges: [],
    },
  };
}
