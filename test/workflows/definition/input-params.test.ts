import { checkInputParams } from '../../../workflows/definition/input-params';
import { settingsSchema, type Settings } from '../../../workflows/definition/schema';

const settings: Settings = settingsSchema.parse({
  input_params: {
    prompt: { type: 'string', required: true },
    steps: { type: 'integer', default: 30 },
    strength: { type: 'number' },
    loop: { type: 'boolean', default: false },
    tags: { type: 'array' },
    extra: { type: 'object' },
    image: { type: 'image' },
    clip: { type: 'video' },
    voice: { type: 'audio' },
    doc: { type: 'file' },
  },
});

describe('checkInputParams', () => {
  it('applies defaults and passes unknown params through', () => {
    const { values, errors } = checkInputParams(settings, { prompt: 'a cat', other: 1 });
    expect(errors).toEqual([]);
    expect(values).toEqual({ prompt: 'a cat', other: 1, steps: 30, loop: false });
  });

  it('keeps given values over defaults', () => {
    const { values } = checkInputParams(settings, { prompt: 'p', steps: 4, loop: true });
    expect(values).toMatchObject({ steps: 4, loop: true });
  });

  it('reports a missing required param by field', () => {
    const { errors } = checkInputParams(settings, {});
    expect(errors).toEqual([{ field: 'input_params.prompt', message: 'prompt is required' }]);
  });

  it('accepts values of every declared type', () => {
    const { errors } = checkInputParams(settings, {
      prompt: 'p',
      steps: 12,
      strength: 0.5,
      tags: ['a'],
      extra: { k: 1 },
      image: 'https://example.com/cat.png',
      clip: 'http://cdn.example.com/v.mp4?sig=1',
      voice: 'data:audio/wav;base64,UklGRg==',
      doc: 'HTTPS://example.com/a.pdf',
    });
    expect(errors).toEqual([]);
  });

  it('reports each wrongly typed value', () => {
    const { errors } = checkInputParams(settings, {
      prompt: 42,
      steps: 1.5,
      strength: Number.NaN,
      loop: 'yes',
      tags: 'a,b',
      extra: [1],
      image: '/tmp/cat.png',
      clip: 'ftp://example.com/v.mp4',
      voice: 'https://',
      doc: null,
    });
    expect(errors.map((e) => e.field)).toEqual([
      'input_params.prompt',
      'input_params.steps',
      'input_params.strength',
      'input_params.loop',
      'input_params.tags',
      'input_params.extra',
      'input_params.image',
      'input_params.clip',
      'input_params.voice',
      'input_params.doc',
    ]);
    expect(errors[0]!.message).toBe('prompt must be a string, got 42');
    expect(errors[1]!.message).toBe('steps must be an integer, got 1.5');
    expect(errors[6]!.message).toBe(
      'image must be an http(s) or data: URL (image), got "/tmp/cat.png"',
    );
    expect(errors[9]!.message).toContain('got null');
  });

  it('accepts anything when nothing is declared', () => {
    expect(checkInputParams(undefined, { a: 1 })).toEqual({ values: { a: 1 }, errors: [] });
    expect(checkInputParams({}, {})).toEqual({ values: {}, errors: [] });
  });

  it('sets a default for a param named __proto__ as a plain property', () => {
    // JSON.parse makes `__proto__` an own key, as a request body would.
    const odd = JSON.parse('{"input_params":{"__proto__":{"type":"string","default":"x"}}}');
    const { values } = checkInputParams(odd, {});
    expect(Object.getPrototypeOf(values)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(values, '__proto__')?.value).toBe('x');
  });
});
