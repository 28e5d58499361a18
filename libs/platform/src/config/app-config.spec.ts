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

describe('TRUST_PROXY', () => {
  it('believes no X-Forwarded-For by default or when false', () => {
    expect(loadConfig(base).trustedProxies).toEqual([]);
    expect(loadConfig({ ...base, TRUST_PROXY: 'false' }).trustedProxies).toEqual([]);
  });

  it('takes the proxies as addresses, CIDR ranges and proxy-addr names', () => {
    const config = loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/8, 192.0.2.10 ,loopback,2001:db8::/32' });
    expect(config.trustedProxies).toEqual(['10.0.0.0/8', '192.0.2.10', 'loopback', '2001:db8::/32']);
  });

  it.each(['true', 'yes', '1'])('refuses %s: a client would choose its own address', (value) => {
    expect(() => loadConfig({ ...base, TRUST_PROXY: value })).toThrow(/TRUST_PROXY must list the proxies/);
  });

  it.each(['0.0.0.0/0', '::/0', '10.0.0.0/8,0.0.0.0/00'])('refuses %s, which believes every address', (value) => {
    expect(() => loadConfig({ ...base, TRUST_PROXY: value })).toThrow(/would believe every address/);
  });

  it.each(['proxy.example.kr', '10.0.0.0/33', '10.0.0.1/8/2', '999.1.1.1'])('refuses the entry %s', (entry) => {
    expect(() => loadConfig({ ...base, TRUST_PROXY: `loopback,${entry}` })).toThrow(/TRUST_PROXY entry/);
  });
});
