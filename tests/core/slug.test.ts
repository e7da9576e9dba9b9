import t from 'tap';
import { slugProblem, validateSlug } from '@task-manager/core/paths/slug';

t.test('accepts ordinary slugs', async (t) => {
  for (const slug of ['a', 'fix-login', 'v1.2_x', '0abc', '_x']) t.equal(slugProblem(slug), undefined, slug);
});

t.test('rejects traversal, separators, control characters, leading . or - and long names', async (t) => {
  for (const slug of ['', '.hidden', '-flag', '..', 'a..b', '../x', 'a/b', 'a\\b', 'a\0b', 'a\nb', 'A', 'a b', 'é', 'x'.repeat(101)]) {
    t.type(slugProblem(slug), 'string', JSON.stringify(slug));
    t.throws(() => validateSlug(slug), { code: 'invalid_slug' });
  }
  t.equal(slugProblem('x'.repeat(100)), undefined);
});
