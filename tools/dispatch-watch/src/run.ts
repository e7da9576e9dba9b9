import type { ParsedArgs } from '@task-manager/core/cli/flags';
import type { Io } from '@task-manager/core/cli/io';
import { wantsColor, wantsTable } from '@task-manager/core/cli/output-mode';
import { slugInputs } from '@task-manager/core/cli/slug-inputs';
import { parseNonNegative } from '@task-manager/core/config/env-values';
import { resolveConfig } from '@task-manager/core/config/resolve-config';
import { EXIT, type ExitCode, worstExitCode } from '@task-manager/core/errors/exit-codes';
import { UsageError } from '@task-manager/core/errors/errors';
import { RecordOutput } from '@task-manager/core/ndjson/output';
import { validateSlug } from '@task-manager/core/paths/slug';
import { STATES } from '@task-manager/core/status/schema';
import { nowIso } from '@task-manager/core/time/clock';
import { followSnapshots, type WatchRecord } from '@task-manager/core/watch/follow';
import { listSlugs } from '@task-manager/core/watch/list-slugs';
import { readSnapshot } from '@task-manager/core/watch/read-snapshot';
import { renderTable } from '@task-manager/core/watch/table-view';
import { streamLog } from './stream-log.js';

const KNOWN_STATES = new Set<string>([...STATES, 'orphaned']);

const parseStates = (raw: unknown): Set<string> | undefined => {
  if (raw === undefined) return undefined;
  const states = String(raw).split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of states) if (!KNOWN_STATES.has(s)) throw new UsageError(`--state: unknown state ${JSON.stringify(s)}; use ${[...KNOWN_STATES].join(', ')}`);
  return new Set(states);
};

/** Ctrl-C or SIGTERM ends a follow cleanly (exit 0). */
const stopSignal = (): AbortController => {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller;
};

export const run = async ({ flags, positionals }: ParsedArgs, io: Io): Promise<ExitCode> => {
  const config = resolveConfig(flags, io.env, io.cwd);
  const stateDir = config.stateDir;
  const out = new RecordOutput(io.stdout);
  const table = wantsTable(io, flags);
  const states = parseStates(flags.state);
  const livenessMs = flags.interval === undefined ? 2000 : parseNonNegative('--interval', String(flags.interval)) * 1000 || 2000;
  const follow = Boolean(flags.follow) || Boolean(flags['until-done']);

  if (flags.log !== undefined) {
    const slug = validateSlug(flags.log);
    return streamLog(stateDir, slug, io, out, { raw: table, follow: Boolean(flags.follow), signal: stopSignal().signal });
  }

  const codes: ExitCode[] = [EXIT.ok];
  const slugs: string[] = [];
  for await (const input of slugInputs(positionals, io, () => listSlugs(stateDir))) {
    if (input.slug) slugs.push(input.slug);
    else if (input.error) {
      io.stderr.write(`dispatch-watch: ${input.error.source}: ${input.error.message}\n`);
      codes.push(EXIT.badInput);
      await out.write({ type: 'error', ...input.error, ts: nowIso() });
    }
  }
  const explicit = positionals.length > 0;
  const shown = (r: WatchRecord) => r.type === 'error' || !states || states.has(r.dispatch_state);
  const reportError = (r: WatchRecord) => {
    if (r.type !== 'error') return;
    io.stderr.write(`dispatch-watch: ${r.slug ?? ''}: ${r.message}\n`);
    codes.push(EXIT.badInput);
  };

  if (!follow) {
    const records = slugs.map((slug) => readSnapshot(stateDir, slug)).filter(shown);
    records.forEach(reportError);
    if (table) io.stdout.write(records.length ? renderTable(records, wantsColor(io), io.stdout.columns) : 'no dispatches\n');
    // One write for the whole snapshot: 10,000 records are one syscall's worth of text.
    else out.writeText(records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    return worstExitCode(codes);
  }

  // Following: the latest record per slug, printed as it changes.
  const latest = new Map<string, WatchRecord>();
  const controller = stopSignal();
  const untilDone = Boolean(flags['until-done']);
  const watched = new Set(slugs);
  const doneOf = (r: WatchRecord) => r.type === 'error' || r.done;
  const allDone = () => [...watched].every((slug) => latest.has(slug) && doneOf(latest.get(slug) as WatchRecord));
  const repaint = () => {
    const rows = [...latest.values()].filter(shown);
    io.stdout.write(`\x1b[H\x1b[2J${rows.length ? renderTable(rows, wantsColor(io), io.stdout.columns) : 'no dispatches\n'}`);
  };
  if (untilDone && watched.size === 0) return worstExitCode(codes);
  await followSnapshots(
    stateDir,
    (record) => {
      if (untilDone && !watched.has(record.slug as string)) return;
      const seen = latest.get(record.slug as string);
      latest.set(record.slug as string, record);
      if (record.type === 'error' && seen?.type !== 'error') reportError(record);
      if (table) repaint();
      else if (shown(record)) void out.write(record);
      if (out.closed || (untilDone && allDone())) controller.abort();
    },
    { slugs: explicit || untilDone ? [...watched] : undefined, livenessMs, signal: controller.signal },
  );
  if (untilDone) {
    const failed = [...watched].some((slug) => {
      const r = latest.get(slug);
      return r !== undefined && r.type !== 'error' && r.dispatch_state !== 'exited';
    });
    if (failed) codes.push(EXIT.runFailed);
  }
  return worstExitCode(codes);
};
