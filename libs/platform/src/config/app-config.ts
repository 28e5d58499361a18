import { isIP } from 'node:net';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type NodeEnv = 'development' | 'production' | 'test';

/** Typed, validated configuration. Built once at boot by {@link loadConfig}. */
export interface AppConfig {
  readonly nodeEnv: NodeEnv;
  readonly version: string;
  readonly host: string;
  readonly port: number;
  readonly databaseUrl: string | undefined;
  readonly databasePoolMax: number;
  /**
   * How long an API statement may wait for a row or lock held elsewhere (e.g. plaintiffs held by a
   * filing while it renders) before the request is answered 409 RECORD_BUSY. Not applied to workers,
   * nor to the audit chain's lock (see AuditService).
   */
  readonly apiLockTimeoutMs: number;
  readonly redisUrl: string;
  readonly redisUrlExplicit: boolean;
  readonly queuePrefix: string;
  readonly dataDir: string;
  readonly logLevel: string;
  /** A file to append JSON logs to instead of stdout (tests, or hosts without a log collector). */
  readonly logDestination: string | undefined;
  readonly corsOrigins: readonly string[];
  readonly bodyLimitBytes: number;
  /**
   * Proxies whose X-Forwarded-For entries are believed (addresses, CIDR ranges, or proxy-addr's
   * names loopback, linklocal, uniquelocal); empty: the socket's address is the client's.
   */
  readonly trustedProxies: readonly string[];
  /** Master keys for personal data, newest version first. The newest encrypts; all decrypt. */
  readonly piiKeys: readonly PiiMasterKey[];
  readonly piiMasterKeyGenerated: boolean;
  readonly sessionIdleMinutes: number;
  readonly sessionAbsoluteHours: number;
  readonly loginMaxPerAccount: number;
  readonly loginMaxPerAddress: number;
  readonly loginWindowSeconds: number;
  readonly intakeMaxPerAddress: number;
  readonly intakeWindowSeconds: number;
  readonly velocityMaxPerAddress: number;
  readonly velocityWindowMinutes: number;
  /** Most public submissions one intake statement carries (INTAKE_BATCH_MAX). */
  readonly intakeBatchMax: number;
  /** Intake statements in flight at once per API process, for each kind of submission (INTAKE_BATCH_IN_FLIGHT). */
  readonly intakeBatchInFlight: number;
  readonly claimantSessionMinutes: number;
  readonly portalMaxPerAddress: number;
  readonly readAlarmThreshold: number;
  readonly readAlarmWindowMinutes: number;
  readonly readAlarmSuspend: boolean;
  readonly auditAccessRetentionDays: number;
  readonly auditRightsRetentionDays: number;
  /** How often the worker purges audit events past keep_until (AUDIT_PURGE_INTERVAL_HOURS; 0: never). */
  readonly auditPurgeIntervalHours: number;
  readonly outboxRelayEnabled: boolean;
  readonly outboxRelayIntervalMs: number;
  readonly outboxRedispatchAfterSeconds: number;
  /** How long a replaced claim generation stays readable before it is dropped (0 only for tests). */
  readonly claimGenerationGraceSeconds: number;
  /** JSON file of court-fee schedules added to the built-in ones (see loadFeeSchedules); none: built-in only. */
  readonly courtFeeSchedulesFile: string | undefined;
  readonly shutdownGraceMs: number;
  /**
   * The worker process's V8 old-generation cap in MB (WORKER_HEAP_MB, default 256), passed as
   * --max-old-space-size by whatever starts it (see {@link workerNodeArgs}).
   */
  readonly workerHeapMb: number;
  /** Overrides every queue's BullMQ lock duration (tests: a killed worker's job comes back quickly). */
  readonly queueLockDurationMs: number | undefined;
  /** Overrides BullMQ's stalled-job check interval (default 30 s). */
  readonly queueStalledIntervalMs: number | undefined;
  /** Filing annexes: rows per volume at most (FILING_VOLUME_MAX_ROWS, default 5,000). */
  readonly filingVolumeMaxRows: number;
  /** Filing annexes: bytes per volume file at most (FILING_VOLUME_MAX_BYTES, default 10,000,000). */
  readonly filingVolumeMaxBytes: number;
  /** Largest evidence file accepted, in bytes (multipart `fileSize` limit). */
  readonly evidenceMaxBytes: number;
  readonly evidenceMaxFilesPerClaimant: number;
  readonly evidenceMaxBytesPerClaimant: number;
  /** Largest CSV accepted by `POST /cases/:caseId/imports`, in bytes (IMPORT_MAX_BYTES). */
  readonly importMaxBytes: number;
  /** Rows the import job validates, encrypts and commits (with its checkpoint) per transaction. */
  readonly importBatchRows: number;
}

export interface PiiMasterKey {
  readonly version: number;
  readonly key: Buffer;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  str(name: string, fallback: string): string {
    const v = this.env[name];
    return v === undefined || v === '' ? fallback : v;
  }

  optional(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v === '' ? undefined : v;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!/^\d+$/.test(raw)) {
      this.problems.push(`${name} must be an integer (got "${raw}")`);
      return fallback;
    }
    const n = Number(raw);
    if (n < min || n > max) {
      this.problems.push(`${name} must be between ${min} and ${max} (got ${n})`);
      return fallback;
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
    this.problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return raw as T;
  }

  url(name: string, protocols: readonly string[]): string | undefined {
    const raw = this.optional(name);
    if (raw === undefined) return undefined;
    try {
      const u = new URL(raw);
      if (!protocols.includes(u.protocol)) {
        this.problems.push(`${name} must use ${protocols.join(' or ')} (got ${u.protocol})`);
      }
    } catch {
      // The value may hold a password: never echo it.
      this.problems.push(`${name} is not a valid URL`);
    }
    return raw;
  }
}

/** V8 old-generation cap of the worker process, in MB (WORKER_HEAP_MB overrides it). */
export const DEFAULT_WORKER_HEAP_MB = 256;

const MASTER_KEY_FILE = 'pii-master.key';

function readPackageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(resolve(__dirname, '../../../../package.json'), 'utf8')) as {
      version?: string;
    };
    if (pkg.version) return pkg.version;
  } catch {
    // fall through: compiled layout differs, try the working directory
  }
  try {
    const pkg = JSON.parse(readFileSync(resolve(process.cwd(), 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * Decodes a 32-byte master key given as base64 or hex. Returns undefined when the text is not one.
 */
export function parseMasterKey(text: string): Buffer | undefined {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(t)) {
    const b = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (b.length === 32) return b;
  }
  return undefined;
}

/**
 * Parses `PII_MASTER_KEY`: one key (version 1), or a key ring `3:<key>,2:<key>,1:<key>` during a
 * rotation. Returns the keys newest first, or a problem description.
 */
export function parseKeyRing(text: string): PiiMasterKey[] | string {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (parts.length === 1 && !parts[0].includes(':')) {
    const key = parseMasterKey(parts[0]);
    return key ? [{ version: 1, key }] : 'PII_MASTER_KEY must be 32 bytes as base64 or 64 hex characters';
  }
  const ring: PiiMasterKey[] = [];
  for (const part of parts) {
    const m = /^(\d{1,4}):(.+)$/.exec(part);
    const key = m ? parseMasterKey(m[2]) : undefined;
    const version = m ? Number(m[1]) : 0;
    if (!key || version < 1) return 'PII_MASTER_KEY entries must look like <version>:<32-byte key, base64 or hex>';
    if (ring.some((k) => k.version === version)) return `PII_MASTER_KEY lists version ${version} twice`;
    ring.push({ version, key });
  }
  return ring.sort((x, y) => y.version - x.version);
}

function resolveMasterKey(r: Reader, nodeEnv: NodeEnv, dataDir: string): { keys: PiiMasterKey[]; generated: boolean } {
  const placeholder = [{ version: 1, key: Buffer.alloc(32) }];
  const given = r.optional('PII_MASTER_KEY');
  if (given !== undefined) {
    const ring = parseKeyRing(given);
    if (typeof ring === 'string') {
      r.problems.push(ring);
      return { keys: placeholder, generated: false };
    }
    return { keys: ring, generated: false };
  }
  if (nodeEnv === 'production') {
    r.problems.push('PII_MASTER_KEY is required when NODE_ENV=production (32 random bytes, base64); refusing to start');
    return { keys: placeholder, generated: false };
  }
  const file = join(dataDir, MASTER_KEY_FILE);
  if (existsSync(file)) {
    const key = parseMasterKey(readFileSync(file, 'utf8'));
    if (key) return { keys: [{ version: 1, key }], generated: true };
    r.problems.push(`${file} does not hold a valid key; delete it or set PII_MASTER_KEY`);
    return { keys: placeholder, generated: true };
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o711 });
  const key = randomBytes(32);
  try {
    writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    return { keys: [{ version: 1, key }], generated: true };
  } catch {
    // Another process created it first: use theirs.
    const other = parseMasterKey(readFileSync(file, 'utf8'));
    return { keys: [{ version: 1, key: other ?? key }], generated: true };
  }
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY: `false` (default) or the proxies in front of the API, comma-separated. The client is
 * then the nearest X-Forwarded-For address not on the list. `true` (believe every hop) is refused:
 * the client writes the leftmost entry itself, so it could pick a new address for every request.
 */
function trustedProxies(r: Reader): readonly string[] {
  const raw = r.str('TRUST_PROXY', 'false').trim();
  if (['', '0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return [];
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) {
    r.problems.push(
      'TRUST_PROXY must list the proxies in front of the API (e.g. 10.0.0.0/8 or loopback), not "true": ' +
        'believing every X-Forwarded-For hop lets a client choose its own address',
    );
    return [];
  }
  const list = raw.split(',').map((s) => s.trim());
  for (const entry of list) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address);
    if (family !== 0 && bits !== undefined && Number(bits) === 0) {
      r.problems.push(`TRUST_PROXY entry "${entry}" would believe every address, as "true" would: list the proxies`);
      continue;
    }
    const prefixOk =
      bits === undefined ||
      (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32) && extra === undefined);
    if (!(PROXY_NAMES.includes(entry) || (family !== 0 && prefixOk))) {
      r.problems.push(
        `TRUST_PROXY entry "${entry}" must be an IP address, a CIDR range or one of ${PROXY_NAMES.join(', ')}`,
      );
    }
  }
  return list;
}

/** Reads and validates every variable at once; throws a {@link ConfigError} listing all problems. */
export function loadConfig(env: Env = process.env): AppConfig {
  const r = new Reader(env);
  const nodeEnv = r.oneOf<NodeEnv>('NODE_ENV', 'development', ['development', 'production', 'test']);
  const dataDir = resolve(r.str('DATA_DIR', '.data'));
  const databaseUrl = r.url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const redisGiven = r.url('REDIS_URL', ['redis:', 'rediss:']);
  const corsOrigins = r
    .str('CORS_ORIGINS', '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const origin of corsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      r.problems.push(`CORS_ORIGINS entry "${origin}" must be an origin like https://app.example.kr`);
    }
  }
  const queuePrefix = r.str('QUEUE_PREFIX', 'jsi');
  if (!/^[a-zA-Z0-9_-]{1,40}$/.test(queuePrefix)) {
    r.problems.push('QUEUE_PREFIX may hold only letters, digits, _ and - (1 to 40)');
  }
  const master = resolveMasterKey(r, nodeEnv, dataDir);
  const config: AppConfig = {
    nodeEnv,
    version: readPackageVersion(),
    host: r.str('HOST', '0.0.0.0'),
    port: r.int('PORT', 3000, 0, 65535),
    databaseUrl,
    // a filing job alone holds two connections (cursor, plaintiffs' move) and uses a third, and
    // the worker runs import, recompute and system jobs beside it
    databasePoolMax: r.int('DATABASE_POOL_MAX', 10, 6, 200),
    apiLockTimeoutMs: r.int('API_LOCK_TIMEOUT_MS', 3000, 100, 600_000),
    redisUrl: redisGiven ?? 'redis://127.0.0.1:6379',
    redisUrlExplicit: redisGiven !== undefined,
    queuePrefix,
    dataDir,
    logLevel: r.oneOf('LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    logDestination: r.optional('LOG_DESTINATION'),
    corsOrigins,
    bodyLimitBytes: r.int('BODY_LIMIT_BYTES', 1_048_576, 1024, 104_857_600),
    trustedProxies: trustedProxies(r),
    piiKeys: master.keys,
    piiMasterKeyGenerated: master.generated,
    sessionIdleMinutes: r.int('SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
    sessionAbsoluteHours: r.int('SESSION_ABSOLUTE_HOURS', 12, 1, 24 * 7),
    loginMaxPerAccount: r.int('LOGIN_MAX_PER_ACCOUNT', 5, 1, 10_000),
    loginMaxPerAddress: r.int('LOGIN_MAX_PER_ADDRESS', 30, 1, 100_000),
    loginWindowSeconds: r.int('LOGIN_WINDOW_SECONDS', 900, 1, 86_400),
    intakeMaxPerAddress: r.int('INTAKE_MAX_PER_ADDRESS', 60, 1, 1_000_000),
    intakeWindowSeconds: r.int('INTAKE_WINDOW_SECONDS', 600, 1, 86_400),
    velocityMaxPerAddress: r.int('VELOCITY_MAX_PER_ADDRESS', 5, 1, 1_000_000),
    velocityWindowMinutes: r.int('VELOCITY_WINDOW_MINUTES', 10, 1, 24 * 60),
    intakeBatchMax: r.int('INTAKE_BATCH_MAX', 32, 1, 1000),
    intakeBatchInFlight: r.int('INTAKE_BATCH_IN_FLIGHT', 1, 1, 64),
    claimantSessionMinutes: r.int('CLAIMANT_SESSION_MINUTES', 60, 5, 24 * 60),
    portalMaxPerAddress: r.int('PORTAL_MAX_PER_ADDRESS', 20, 1, 1_000_000),
    readAlarmThreshold: r.int('READ_ALARM_THRESHOLD', 500, 1, 10_000_000),
    readAlarmWindowMinutes: r.int('READ_ALARM_WINDOW_MINUTES', 10, 1, 24 * 60),
    readAlarmSuspend: r.bool('READ_ALARM_SUSPEND', true),
    auditAccessRetentionDays: r.int('AUDIT_ACCESS_RETENTION_DAYS', 730, 730, 36_500),
    auditRightsRetentionDays: r.int('AUDIT_RIGHTS_RETENTION_DAYS', 1095, 1095, 36_500),
    auditPurgeIntervalHours: r.int('AUDIT_PURGE_INTERVAL_HOURS', 24, 0, 24 * 7), // a week fits one timer
    outboxRelayEnabled: r.bool('OUTBOX_RELAY', true),
    outboxRelayIntervalMs: r.int('OUTBOX_RELAY_INTERVAL_MS', 250, 10, 60_000),
    outboxRedispatchAfterSeconds: r.int('OUTBOX_REDISPATCH_AFTER_SECONDS', 300, 1, 86_400),
    claimGenerationGraceSeconds: r.int('CLAIM_GENERATION_GRACE_SECONDS', 300, 0, 86_400),
    courtFeeSchedulesFile: r.optional('COURT_FEE_SCHEDULES_FILE'),
    shutdownGraceMs: r.int('SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    workerHeapMb: r.int('WORKER_HEAP_MB', DEFAULT_WORKER_HEAP_MB, 128, 65_536),
    queueLockDurationMs: r.optional('QUEUE_LOCK_DURATION_MS')
      ? r.int('QUEUE_LOCK_DURATION_MS', 30_000, 1_000, 3_600_000)
      : undefined,
    queueStalledIntervalMs: r.optional('QUEUE_STALLED_INTERVAL_MS')
      ? r.int('QUEUE_STALLED_INTERVAL_MS', 30_000, 500, 3_600_000)
      : undefined,
    filingVolumeMaxRows: r.int('FILING_VOLUME_MAX_ROWS', 5_000, 1, 1_000_000),
    filingVolumeMaxBytes: r.int('FILING_VOLUME_MAX_BYTES', 10_000_000, 2_000_000, 2_000_000_000),
    evidenceMaxBytes: r.int('EVIDENCE_MAX_BYTES', 10_485_760, 1, 104_857_600),
    evidenceMaxFilesPerClaimant: r.int('EVIDENCE_MAX_FILES_PER_CLAIMANT', 20, 1, 10_000),
    evidenceMaxBytesPerClaimant: r.int('EVIDENCE_MAX_BYTES_PER_CLAIMANT', 52_428_800, 1, 10_737_418_240),
    importMaxBytes: r.int('IMPORT_MAX_BYTES', 209_715_200, 1024, 2_147_483_648),
    importBatchRows: r.int('IMPORT_BATCH_ROWS', 1000, 1, 20_000),
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}

/** Values safe to print: no secrets, no passwords inside URLs. */
/**
 * Node flags for the worker process. Its live heap stays small (every job streams: rows through
 * cursors, pages written as they fill), but it allocates fast, and with V8's default limit on a
 * large machine (a quarter of RAM) the old generation is left to grow with garbage for a long time:
 * a 100,000-plaintiff filing peaked at ~400 MB RSS uncapped and ~220 MB with a 256 MB cap, at the
 * same speed.
 */
export function workerNodeArgs(config: Pick<AppConfig, 'workerHeapMb'>): string[] {
  return [`--max-old-space-size=${config.workerHeapMb}`];
}

export function describeConfig(config: AppConfig): Record<string, unknown> {
  const hidePassword = (u: string | undefined): string | undefined => {
    if (!u) return u;
    try {
      const url = new URL(u);
      if (url.password) url.password = '***';
      return url.toString();
    } catch {
      return '***';
    }
  };
  return {
    nodeEnv: config.nodeEnv,
    host: config.host,
    port: config.port,
    databaseUrl: hidePassword(config.databaseUrl) ?? '(embedded)',
    redisUrl: hidePassword(config.redisUrl),
    queuePrefix: config.queuePrefix,
    dataDir: config.dataDir,
    workerHeapMb: config.workerHeapMb,
    piiMasterKey: config.piiMasterKeyGenerated ? 'generated (development only)' : 'given',
  };
}
