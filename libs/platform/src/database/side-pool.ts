import { Pool } from 'pg';
import type { DataSource } from 'typeorm';

export interface SidePoolOptions {
  /** Appended to the DataSource's application_name (as `pg_stat_activity` shows it). */
  name: string;
  max: number;
  /** Session settings on top of the DataSource's own (e.g. its lock_timeout). */
  settings: Record<string, string | number>;
}

/**
 * A small pg pool of its own beside a DataSource's, to the same database with the same session
 * settings plus `settings`: for one hot statement that needs a setting the rest of the service
 * must not get (e.g. `plan_cache_mode`). Connects lazily; the owner ends it on shutdown.
 */
export function sidePool(ds: DataSource, opts: SidePoolOptions): Pool {
  const o = ds.options as {
    url?: string;
    applicationName?: string;
    extra?: { options?: string; idleTimeoutMillis?: number; connectionTimeoutMillis?: number };
  };
  const extra = o.extra ?? {};
  const settings = Object.entries(opts.settings).map(([k, v]) => `-c ${k}=${v}`);
  const pool = new Pool({
    connectionString: o.url,
    max: opts.max,
    idleTimeoutMillis: extra.idleTimeoutMillis ?? 30_000,
    connectionTimeoutMillis: extra.connectionTimeoutMillis ?? 5_000,
    application_name: `${o.applicationName ?? 'jsi'}-${opts.name}`,
    options: [extra.options, ...settings].filter(Boolean).join(' '),
  });
  // An idle connection that drops is replaced on the next query; the error itself needs no handling.
  pool.on('error', () => undefined);
  return pool;
}
