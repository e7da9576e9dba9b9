import { BadInputError } from '../errors/errors.js';
import { validateSlug } from '../paths/slug.js';
import { batchItems } from './batch.js';
import type { Io } from './io.js';

export interface SlugInput {
  slug?: string;
  /** Set instead of slug when the input was bad. */
  error?: { code: string; message: string; source: string };
}

/**
 * The slugs a reader tool works on: positionals, or `{"slug": ...}` records (such as
 * dispatch-watch's own output) from stdin with `-`, or else `all()` (every dispatch in
 * the state directory). Bad items come back as errors.
 */
export async function* slugInputs(positionals: string[], io: Io, all: () => string[]): AsyncGenerator<SlugInput> {
  if (positionals.length === 0) {
    for (const slug of all()) yield { slug };
    return;
  }
  const bad: SlugInput[] = [];
  for await (const item of batchItems(positionals, io, async (b) => {
    bad.push({ error: { code: 'invalid_record', message: `${b.reason}: ${b.text}`, source: b.source } });
  })) {
    while (bad.length) yield bad.shift() as SlugInput;
    try {
      yield { slug: validateSlug(item.value.slug) };
    } catch (error) {
      const message = error instanceof BadInputError ? error.message : String(error);
      yield { error: { code: 'invalid_slug', message, source: item.source } };
    }
  }
  while (bad.length) yield bad.shift() as SlugInput;
}
