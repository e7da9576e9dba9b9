#!/usr/bin/env node
// Bundles the hot entry points (the five bins and the supervisor) into dist/ at the
// repository root, after `tsc -b` has type-checked and built the per-package dist/
// (which stays the development build). Why: docs/decisions.md, "Performance, round two".
//
//   dist/bin/<tool>.cjs      one file per bin (what scripts/task-manager/<tool> links to):
//                            a loader that runs <tool>.main.cjs (the bundle) from V8's
//                            code cache, <tool>.main.cjs.cache, made here
//   dist/bin/supervisor.cjs  the detached supervisor the bundled bins start (the same way)
//   dist/bin/run-guard.cjs   the guard the supervisor starts beside a contained run
//   dist/lib/yaml.cjs        the YAML parser, loaded only when a task file is read
//   dist/lib/pg.cjs          the PostgreSQL client, loaded only for a postgres:// store
//   dist/**/*.cjs.map        source maps to the TypeScript sources
//                            (node --enable-source-maps, or NODE_OPTIONS=--enable-source-maps)
//
// Every output file sits exactly one directory below dist/, so a path computed from
// import.meta.url resolves the same from whichever file the code lands in.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist');
const TOOLS = ['dispatch', 'dispatch-watch', 'dispatch-continue', 'hb-tick', 'worker-reap', 'dispatch-stop'];
const coreSrc = path.join(root, 'shared', 'core', 'src');

// import.meta.url in the sources names files next to the compiled module. In a bundle,
// the supervisor is our own dist/bin/supervisor.js; anything else (the demo agent) is
// the tsc-built file beside the module's compiled twin in shared/core/dist/.
const SUPERVISOR_URL = "new URL('../supervisor/main.js', import.meta.url)";
// Likewise the run guard (supervisor/run-guard.ts) is our own dist/bin/run-guard.js.
const GUARD_URL = "new URL('./run-guard-main.js', import.meta.url)";
// CommonJS, one file per entry point: an ES module entry costs ~6% more start-up CPU
// than a CommonJS one (bench/measure/startup.mjs), and each extra module file costs a read.
const EXT = '.cjs';
const META_URL = "require('node:url').pathToFileURL(__filename).href";
const importMetaUrl = {
  name: 'import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      let text = await fs.promises.readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      if (!args.path.startsWith(coreSrc + path.sep)) throw new Error(`bundle: import.meta.url outside shared/core/src: ${args.path}`);
      if (args.path.endsWith(`${path.sep}spawn-supervisor.ts`)) {
        if (!text.includes(SUPERVISOR_URL)) throw new Error(`bundle: ${args.path} no longer has ${SUPERVISOR_URL}; update scripts/bundle.mjs`);
        return { contents: text.replace(SUPERVISOR_URL, `new URL('../bin/supervisor${EXT}', ${META_URL})`), loader: 'ts' };
      }
      if (args.path.endsWith(`${path.sep}supervisor${path.sep}run-guard.ts`)) {
        if (!text.includes(GUARD_URL)) throw new Error(`bundle: ${args.path} no longer has ${GUARD_URL}; update scripts/bundle.mjs`);
        return { contents: text.replace(GUARD_URL, `new URL('../bin/run-guard${EXT}', ${META_URL})`), loader: 'ts' };
      }
      const compiled = path.relative(out, path.join(root, 'shared', 'core', 'dist', path.relative(coreSrc, args.path)).replace(/\.ts$/, '.js'));
      // From dist/<dir>/<file>.js, '../' is dist/.
      text = text.replaceAll('import.meta.url', `new URL(${JSON.stringify(`../${compiled.split(path.sep).join('/')}`)}, ${META_URL}).href`);
      return { contents: text, loader: 'ts' };
    });
  },
};

// '@task-manager/core/x/y' -> shared/core/src/x/y.ts (the package exports point at dist/).
const coreFromSource = {
  name: 'core-from-source',
  setup(build) {
    build.onResolve({ filter: /^@task-manager\/core\// }, (args) => ({ path: path.join(coreSrc, `${args.path.slice('@task-manager/core/'.length)}.ts`) }));
    // Relative '.js' imports name the .ts source.
    build.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (args) => {
      const ts = path.join(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
      return fs.existsSync(ts) ? { path: ts } : undefined;
    });
  },
};

// yaml is ~260 KB of the ~410 KB a bin would be, and only task files need it (imported
// lazily): in its own file, so a start that never reads YAML never parses it either.
const yamlApart = {
  name: 'yaml-apart',
  setup(build) {
    build.onResolve({ filter: /^yaml$/ }, () => ({ path: `../lib/yaml${EXT}`, external: true }));
  },
};
// The PostgreSQL client (pg) likewise: only a postgres:// store loads it (store/open-store.ts
// imports the PostgreSQL store lazily), so the default file store pays nothing for it.
const pgApart = {
  name: 'pg-apart',
  setup(build) {
    build.onResolve({ filter: /^pg$/ }, () => ({ path: `../lib/pg${EXT}`, external: true }));
  },
};
// proper-lockfile requires graceful-fs only for its default `fs`; lock/critical-section.ts
// always passes its own (plain fs), so graceful-fs's queue never sees a lock operation.
// Loading it still patches fs.close and process.cwd for the whole process and reads
// fs.ReadStream, which loads node's stream, promise and readline modules: plain fs instead.
const gracefulFsIsFs = {
  name: 'graceful-fs-is-fs',
  setup(build) {
    build.onResolve({ filter: /^graceful-fs$/ }, () => ({ path: 'graceful-fs', namespace: 'graceful-fs-is-fs' }));
    build.onLoad({ filter: /.*/, namespace: 'graceful-fs-is-fs' }, () => ({ contents: 'module.exports = require("fs");', loader: 'js' }));
  },
};
// signal-exit (proper-lockfile's) checks its argument with node's assert when
// proper-lockfile is loaded, at every start: assert costs ~3 ms of CPU to load
// (`node bench/measure/startup.mjs`), for one typeof check. The same check, without it.
const signalExitAssert = {
  name: 'signal-exit-assert',
  setup(build) {
    build.onResolve({ filter: /^assert$/ }, (args) => (/[\\/]signal-exit[\\/]/.test(args.importer) ? { path: 'assert', namespace: 'signal-exit-assert' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'signal-exit-assert' }, () => ({
      contents: 'module.exports = { equal(actual, expected, message) { if (actual != expected) throw new TypeError(message); } };',
      loader: 'js',
    }));
  },
};
const require = createRequire(path.join(root, 'shared', 'core', 'package.json'));

// V8 parses the whole bundle (~230 KB) before it runs a line of it: ~5 ms of each start
// of a bin or supervisor (wrapSafe in a CPU profile). A code cache made here spares that:
// the loader compiles the bundle inside the CommonJS wrapper node's loader used to add
// (same file name and lines in stack traces) with the cache. V8 checks the cache against
// the source and its own version and flags, and compiles from source when it does not
// match (a newer node: run `just build` again). With --enable-source-maps the loader
// requires the bundle instead, because node maps stack traces only for files it loaded itself.
//
// The cache is made after a run, not after the compile: V8 compiles a function the first
// time it is called, and a cache taken at exit holds every function that run compiled
// (--help through a bin: 1.19x -> 1.12x `node -e 0` in CPU). So the build runs each bin
// once (warmUp below) with TASK_MANAGER_CODE_CACHE_OUT set, and the loader writes its
// cache there at exit.
const WRAP_HEAD = '(function (exports, require, module, __filename, __dirname) { ';
const WRAP_TAIL = '\n})';
const CACHE_OUT = 'TASK_MANAGER_CODE_CACHE_OUT';
const loaderFor = (main, shebang) => `${shebang ? '#!/usr/bin/env node\n' : ''}'use strict';
// Made by scripts/bundle.mjs: runs ./${main} compiled from V8's code cache (./${main}.cache).
const main = require('node:path').join(__dirname, ${JSON.stringify(main)});
if (process.sourceMapsEnabled) require(main);
else {
  const fs = require('node:fs');
  let cachedData;
  try {
    cachedData = fs.readFileSync(\`\${main}.cache\`);
  } catch {}
  const script = new (require('node:vm').Script)(${JSON.stringify(WRAP_HEAD)} + fs.readFileSync(main, 'utf8') + ${JSON.stringify(WRAP_TAIL)}, { filename: main, cachedData });
  // Only the build sets this (scripts/bundle.mjs): the cache, with what this run compiled.
  const out = process.env.${CACHE_OUT};
  if (out) process.once('exit', () => fs.writeFileSync(require('node:path').join(out, ${JSON.stringify(`${main}.cache`)}), script.createCachedData()));
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, require, module, main, __dirname);
}
`;
const writeCached = (entry, text, shebang) => {
  const main = `${entry}.main${EXT}`;
  const file = path.join(out, 'bin', main);
  // The hashbang is the loader's: a comment here keeps the lines the source map counts.
  const body = text.startsWith('#!') ? `//${text.slice(2)}` : text;
  fs.writeFileSync(file, body);
  // The compile's own cache, until warmUp replaces it with a run's.
  fs.writeFileSync(`${file}.cache`, new vm.Script(WRAP_HEAD + body + WRAP_TAIL, { filename: file }).createCachedData());
  const loader = path.join(out, 'bin', `${entry}${EXT}`);
  fs.writeFileSync(loader, loaderFor(main, shebang));
  // The shims are links to the bins' loaders: a node shebang, executable.
  if (shebang) fs.chmodSync(loader, 0o755);
};

/**
 * Runs what users run most, in a throwaway repository, so each loader leaves the cache of
 * a real run: a dispatch to its end (which runs the supervisor too), a snapshot, a dry-run
 * tick, and --help of the rest. A run that fails keeps the compile's cache, with a warning.
 */
const warmUp = () => {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'tm-bundle-')));
  const caches = path.join(base, 'caches');
  const repo = path.join(base, 'repo');
  fs.mkdirSync(caches);
  fs.mkdirSync(repo);
  const env = { ...process.env, [CACHE_OUT]: caches, GIT_AUTHOR_NAME: 'build', GIT_AUTHOR_EMAIL: 'build@task-manager.invalid', GIT_COMMITTER_NAME: 'build', GIT_COMMITTER_EMAIL: 'build@task-manager.invalid' };
  // The caches must match the flags bins run with: none (NODE_OPTIONS may hold V8 flags).
  delete env.NODE_OPTIONS;
  // Nothing of the operator's own setup (a state directory, a store, hooks) may be touched.
  for (const name of Object.keys(env)) if (name.startsWith('TASK_MANAGER_') && name !== CACHE_OUT) delete env[name];
  const bin = (tool) => path.join(out, 'bin', `${tool}${EXT}`);
  const state = path.join(repo, 'tasks', 'logs');
  const runs = [
    ['dispatch', ['warm', '--prompt', 'x', '--worker-cmd', 'true', '--wait']],
    ['dispatch-watch', ['--state-dir', state]],
    ['hb-tick', ['-', '--dry-run', '--state-dir', state], '{"slug":"t","status":"blocked"}\n'],
    ['dispatch-continue', ['--help']],
    ['worker-reap', ['--help']],
    ['dispatch-stop', ['--help']],
  ];
  try {
    execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: repo, env });
    execFileSync('git', ['commit', '-q', '--allow-empty', '-m', 'build'], { cwd: repo, env });
    for (const [tool, args, input] of runs) {
      try {
        execFileSync(process.execPath, [bin(tool), ...args], { cwd: repo, env, input: input ?? '', stdio: ['pipe', 'ignore', 'pipe'] });
      } catch (error) {
        process.stderr.write(`bundle: warning: warming ${tool}'s code cache failed (it keeps the compile's): ${String(error.stderr ?? error.message).trim().split('\n')[0]}\n`);
      }
    }
    // The supervisor writes its cache when it exits, just after dispatch --wait returns.
    const deadline = Date.now() + 10_000;
    while (!fs.existsSync(path.join(caches, `supervisor.main${EXT}.cache`)) && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    for (const name of fs.readdirSync(caches)) fs.copyFileSync(path.join(caches, name), path.join(out, 'bin', name));
    const made = fs.readdirSync(caches).length;
    if (made < TOOLS.length + 1) process.stderr.write(`bundle: warning: ${made} of ${TOOLS.length + 1} code caches come from a run\n`);
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
};

// `import fs from 'node:fs'` becomes `__toESM(require("node:fs"))`: a new object with a
// getter per export (fs has ~100), once per importing module — 30 times in the supervisor,
// hot enough that V8 optimized the copy loop with TurboFan, whose code pages alone were
// ~3.6 MiB of each supervisor's resident memory (bench/measure/supervisor-rss.mjs).
// A builtin's default import only needs `.default`; other reads go to the module through
// the prototype. Same length as the call it replaces, so the source maps stay exact.
const NODE_DEFAULT_HELPER = 'function __toNod(mod) { return Object.create(mod, { default: { value: mod, enumerable: true } }); }';
// Builtins that cost ~3 ms of CPU each to load (`node bench/measure/startup.mjs`:
// child_process, crypto against `node -e 0`) and that many runs never use: a snapshot
// spawns nothing, --help draws no random token. Each is loaded at its first use.
// `__lazyR` is as long as `require`, for the source maps.
const LAZY_HELPER = 'function __lazyR(id) { let mod; return new Proxy({}, { get: (_, key) => (mod ??= require(id))[key] }); }';
const LAZY = ['node:child_process', 'node:crypto'];
const lightDefaultImports = (text) =>
  LAZY.reduce((t, id) => t.replaceAll(`require("${id}")`, `__lazyR("${id}")`), text.replaceAll('__toESM(require("node:', '__toNod(require("node:'));
// One character outside Latin-1 makes V8 hold the whole source (which it keeps for lazy
// compilation) at two bytes a character: ~210 KB more in every supervisor. esbuild escapes
// strings and identifiers (charset: ascii) but keeps some comments as written; those
// characters are spelled out. Anything else non-ASCII would be code: refused.
const asciiComments = (text, file) =>
  text.replace(/^.*[^\x00-\x7f].*$/gm, (line) => {
    if (!/^\s*(\/\/|\/\*|\*)/.test(line)) throw new Error(`bundle: a non-ASCII character outside a comment in ${file}: ${line.trim().slice(0, 80)}`);
    return line.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.codePointAt(0).toString(16).padStart(4, '0')}`);
  });

fs.rmSync(out, { recursive: true, force: true });
// What every bundle shares: CommonJS for node 20, linked source maps, one folder.
const common = {
  absWorkingDir: root,
  outdir: out,
  bundle: true,
  format: 'cjs',
  outExtension: { '.js': EXT },
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
};
await esbuild.build({ ...common, entryPoints: [{ in: require.resolve('yaml'), out: 'lib/yaml' }] });
// pg-native is pg's optional libpq binding, never used here (pg requires it only when asked).
await esbuild.build({ ...common, entryPoints: [{ in: require.resolve('pg'), out: 'lib/pg' }], external: ['pg-native'] });
const result = await esbuild.build({
  ...common,
  entryPoints: [
    ...TOOLS.map((tool) => ({ in: path.join(root, 'tools', tool, 'src', 'bin.ts'), out: `bin/${tool}.main` })),
    { in: path.join(coreSrc, 'supervisor', 'main.ts'), out: 'bin/supervisor.main' },
    { in: path.join(coreSrc, 'supervisor', 'run-guard-main.ts'), out: 'bin/run-guard' },
  ],
  packages: 'bundle',
  plugins: [yamlApart, pgApart, gracefulFsIsFs, signalExitAssert, coreFromSource, importMetaUrl],
  metafile: true,
  // Defined here, called from the module inits above it (a hoisted function declaration).
  footer: { js: `${NODE_DEFAULT_HELPER}\n${LAZY_HELPER}` },
});
for (const entry of [...TOOLS, 'supervisor']) {
  const file = path.join(out, 'bin', `${entry}.main${EXT}`);
  writeCached(entry, asciiComments(lightDefaultImports(fs.readFileSync(file, 'utf8')), file), TOOLS.includes(entry));
}
// The run guard is ~6 KB: nothing to cache.
const guard = path.join(out, 'bin', `run-guard${EXT}`);
fs.writeFileSync(guard, asciiComments(lightDefaultImports(fs.readFileSync(guard, 'utf8')), guard));
warmUp();
if (process.argv.includes('--sizes')) {
  for (const [name, o] of Object.entries(result.metafile.outputs)) if (!name.endsWith('.map')) process.stdout.write(`${String(o.bytes).padStart(8)} ${name}\n`);
}
