/** A task from tasks/*.md (or an NDJSON task record), as the heartbeat sees it. */
export interface Task {
  slug: string;
  /** The task file, or `stdin:N`. */
  source: string;
  status: string;
  /** 0 (p0, most urgent) to 3 (p3). */
  priority: number;
  id?: string;
  title?: string;
  milestone?: string;
  owner?: string;
  depends_on: string[];
  worker?: string;
  worker_cmd?: string;
  prompt?: string;
  /** Cost budget for all of the task's runs, in US dollars. */
  max_cost_usd?: number;
  /** Turns per run, for the agents that take a limit. */
  max_turns?: number;
  /** The text after the front matter. */
  body: string;
  /** For "oldest first": front-matter `created`, else the file's mtime, else input order. */
  order: number;
}

/** A task file or record that cannot be used; reported as class `invalid`. */
export interface InvalidTask {
  slug?: string;
  source: string;
  problem: string;
}

export type LoadedTask = { ok: true; task: Task } | { ok: false; invalid: InvalidTask };

export const DEFAULT_PRIORITY = 2;
