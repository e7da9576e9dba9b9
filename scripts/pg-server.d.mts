// Types for pg-server.mjs (used from the TypeScript tests).
export interface PgServer {
  url: string;
  safeUrl: string;
  password: string;
  port: number;
  dir: string;
  bin: string;
  log: string;
  restart(options?: { immediate?: boolean }): Promise<void>;
  halt(options?: { immediate?: boolean }): Promise<void>;
  start(): Promise<void>;
  psql(sql: string): string;
  stop(): Promise<void>;
}
export function findPgBin(): string | undefined;
export function startPgServer(options?: { parent?: string; port?: number }): Promise<PgServer>;
