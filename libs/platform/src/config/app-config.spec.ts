import { randomBytes } from 'node:crypto';
import { ConfigError, DEFAULT_WORKER_HEAP_MB, loadConfig, workerNodeArgs } from './app-config';

const base = { NODE_ENV: 'test', PII_MASTER_KEY: randomBytes(32).toString('base64') };

describe('worker heap cap', () => {
  it('defaults to 256 MB and becomes the worker process flag', () => {
    const config = loadConfig(base);
    expect(config.workerHeapMb).toBe(DEFAULT_WORKER_HEAP_MB);
    expect(workerNodeArgs(config)).toEqual(['--max-old-space-size=256']);
  });

  it('WORKER_HEAP_MB overrides it', () => {
    expect(workerNodeArgs(loadConfig({ ...base, WORKER_HEAP_MB: '1024' }))).toEqual(['--max-old-space-size=1024']);
  });

  it.each(['64', 'lots', '1e9'])('refuses WORKER_HEAP_MB=%s with a named problem', (value) => {
    expect(() => loadConfig({ ...base, WORKER_HEAP_MB: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, WORKER_HEAP_MB: value })).toThrow(/WORKER_HEAP_MB/);
  });
});
