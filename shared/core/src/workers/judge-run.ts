import { geminiExitLimit } from './limit-signal.js';
import type { RunEnd, Verdict, WorkerAdapter } from './types.js';

/**
 * How a run ended. For agents, the final event decides first and the exit code second:
 * Claude exits 0 on SIGINT and Gemini on SIGINT and SIGTERM, so a zero exit without a
 * final success event is not success. The `command` worker has only its exit code.
 */
export const judgeRun = (adapter: WorkerAdapter, end: RunEnd, limits: { stallMs: number; maxRunMs: number }): Verdict => {
  const { observed } = end;
  // The worker's last words say why far better than an exit code alone.
  const said = (text: string) => (end.lastLine ? `${text}: ${end.lastLine}` : text);
  if (end.stoppedBy === 'stall') return { state: 'stalled', outcome: 'stalled', reason: `no output for ${limits.stallMs / 1000} s (the stall limit)` };
  if (end.stoppedBy === 'timeout') return { state: 'stalled', outcome: 'timeout', reason: `still running after ${limits.maxRunMs / 1000} s (the run-time limit)` };
  if (end.stoppedBy === 'stop') return { state: 'stopped', outcome: 'stopped', reason: 'stopped by an operator (dispatch-stop); held until released' };
  if (end.stoppedBy === 'interrupt') return { state: 'interrupted', outcome: 'interrupted', reason: 'interrupted by a follow-up' };
  if (end.stoppedBy === 'shutdown') return { state: 'interrupted', outcome: 'interrupted', reason: 'the supervisor was stopped' };
  if (end.stoppedBy === 'lease') return { state: 'interrupted', outcome: 'interrupted', reason: 'the chain lost its lease (the shared store was out of reach): the run was stopped before another host could take the task' };
  if (end.spawnError) return { state: 'failed', outcome: 'start_failed', reason: end.spawnError };
  if (observed.sessionNotFound) return { state: 'failed', outcome: 'session_not_found', reason: 'the agent does not know the session to resume' };
  if (end.signal) return { state: 'interrupted', outcome: 'interrupted', reason: `killed by ${end.signal}` };
  // A limit is the account's, not the task's: never judged a failure, unless the run
  // got through anyway (the agent retried and finished).
  const limit = observed.limit ?? (adapter.name === 'gemini' ? geminiExitLimit(end.exitCode) : undefined);
  const succeeded = end.exitCode === 0 && (adapter.name === 'command' || (observed.final !== undefined && !observed.final.isError));
  if (limit && !succeeded) {
    const words = limit.text ?? observed.final?.text ?? end.lastLine;
    return { state: 'limited', outcome: 'limited', reason: `${limit.kind === 'overloaded' ? 'the service is overloaded' : `${limit.kind} limit`}${words ? `: ${words}` : ''}` };
  }
  if (adapter.name === 'command') {
    return end.exitCode === 0 ? { state: 'exited', outcome: 'ok', reason: null } : { state: 'failed', outcome: 'error', reason: said(`exit code ${end.exitCode}`) };
  }
  if (observed.aborted) return { state: 'interrupted', outcome: 'interrupted', reason: 'the agent aborted its turn' };
  if (!observed.final) return { state: 'failed', outcome: 'error', reason: said(`no final event from the agent (exit code ${end.exitCode})`) };
  if (observed.final.isError) return { state: 'failed', outcome: 'error', reason: observed.final.reason ?? observed.final.text ?? 'the agent reported an error' };
  if (end.exitCode !== 0) return { state: 'failed', outcome: 'error', reason: said(`exit code ${end.exitCode}`) };
  return { state: 'exited', outcome: 'ok', reason: null };
};
