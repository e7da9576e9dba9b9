import { BadInputError } from '../errors/errors.js';

export const MAX_SLUG_LENGTH = 100;

// Lowercase letters, digits, '.', '_' and '-'; never a leading '.' or '-' (hidden
// files, flags), never '..' (traversal). Checked before any path is built from it.
const SLUG = /^[a-z0-9_][a-z0-9._-]*$/;

/** Why `value` is not a valid slug, or undefined when it is. */
export const slugProblem = (value: unknown): string | undefined => {
  if (typeof value !== 'string') return 'a slug must be a string';
  if (value.length === 0) return 'the slug is empty';
  if (value.length > MAX_SLUG_LENGTH) return `the slug is longer than ${MAX_SLUG_LENGTH} characters`;
  if (value.includes('..')) return "the slug contains '..'";
  if (!SLUG.test(value)) {
    return "a slug may hold only lowercase letters, digits, '.', '_' and '-', and may not start with '.' or '-'";
  }
  return undefined;
};

/** Returns the slug, or throws a BadInputError naming the value and the rule. */
export const validateSlug = (value: unknown): string => {
  const problem = slugProblem(value);
  if (problem) {
    throw new BadInputError(`invalid slug ${JSON.stringify(value)}: ${problem}`, 'invalid_slug', {
      slug: typeof value === 'string' ? value : undefined,
    });
  }
  return value as string;
};
