import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { watchPath } from '@task-manager/core/fsx/watch-path';

const until = async (check: () => boolean, what: string) => {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

t.test('watchPath: named changes only, a directory that appears later is picked up, close stops everything', async (t) => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-watch-'));
  t.teardown(() => fs.rmSync(base, { recursive: true, force: true }));
  const dir = path.join(base, 'later');
  const seen: (string | undefined)[] = [];
  const handles = () => process.getActiveResourcesInfo().filter((r) => r === 'FSEventWrap' || r === 'Timeout').length;
  const before = handles();
  let polls = 0;
  const watch = watchPath(dir, (name) => seen.push(name), { names: (n) => n.endsWith('.json'), pollMs: 20, onPoll: () => (polls += 1) });
  t.notOk(watch.watching, 'no directory yet: the poll alone');
  await until(() => polls >= 2, 'polls without a directory');
  fs.mkdirSync(dir);
  await until(() => watch.watching, 'the watch to start once the directory exists');
  fs.writeFileSync(path.join(dir, 'a.log'), 'x');
  fs.writeFileSync(path.join(dir, 'b.json'), 'x');
  await until(() => seen.includes('b.json'), 'the named change');
  t.notOk(seen.includes('a.log'), 'other files are ignored');
  watch.close();
  t.notOk(watch.watching);
  // Nothing of it is left to fire: its timer and its watcher are gone (libuv closes the latter a moment later).
  await until(() => handles() === before, 'the timer and the watcher to be released');
  t.equal(handles(), before, 'no handle left after close');
});
