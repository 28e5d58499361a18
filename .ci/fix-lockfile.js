#!/usr/bin/env node
// This machine's npm registry mirror lacks other platforms' prebuilt binaries (@swc/core-darwin-*,
// @unrs/resolver-binding-*, ...), so `npm install` leaves them out of package-lock.json and
// `npm ci` (npm 11) then refuses the lockfile as out of sync. This adds each missing optional
// platform package as an optional entry restricted to its own os/cpu, which npm skips on other
// platforms. Run it after every `npm install`: `node .ci/fix-lockfile.js`.
const fs = require('node:fs');
const path = require('node:path');

const file = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const pkgs = lock.packages;
const OS = ['darwin', 'linux', 'win32', 'freebsd', 'android', 'openharmony', 'sunos', 'aix', 'netbsd', 'openbsd'];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el', 'wasm32'];
let added = 0;

for (const [where, meta] of Object.entries(pkgs)) {
  for (const [name, spec] of Object.entries(meta.optionalDependencies ?? {})) {
    const base = where === '' ? 'node_modules' : `${where}/node_modules`;
    const candidates = [`${base}/${name}`, `node_modules/${name}`];
    if (candidates.some((c) => pkgs[c])) continue;
    const parts = name.split(/[/-]/);
    const os = OS.filter((o) => parts.includes(o));
    const cpu = CPU.filter((c) => parts.includes(c) || (c === 'arm' && parts.includes('gnueabihf')));
    if (os.length === 0) continue; // not a platform binary: leave it alone
    const version = String(spec).replace(/^[\^~=]/, '');
    pkgs[`node_modules/${name}`] = {
      version,
      optional: true,
      os,
      ...(cpu.length > 0 ? { cpu: cpu.includes('arm64') ? ['arm64'] : cpu.slice(0, 1) } : {}),
    };
    added++;
  }
}
fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`fix-lockfile: added ${added} optional platform entries\n`);
