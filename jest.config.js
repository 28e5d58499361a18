// Unit tests beside the code (libs/**/*.spec.ts) and e2e tests (test/e2e) against the real app,
// real PostgreSQL (a database created for this run) and real Redis (a per-run queue prefix).
const fs = require('node:fs');
const swc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
delete swc.$schema;
const transformer = `${__dirname}/test/helpers/jest-transform.js`;
const tsOptions = {
  ...swc,
  swcrc: false,
  jsc: { ...swc.jsc, baseUrl: __dirname },
  module: { type: 'commonjs', strictMode: true, ignoreDynamic: false },
};
const jsOptions = {
  swcrc: false,
  sourceMaps: false,
  jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' },
  module: { type: 'commonjs', ignoreDynamic: false },
};
// ESM-only packages (found by scanning node_modules, nested ones too); the rest is CommonJS already.
function esmOnlyPackages(dir, found = new Set()) {
  if (!fs.existsSync(dir)) return found;
  for (const name of fs.readdirSync(dir)) {
    if (name.startsWith('.')) continue;
    const full = `${dir}/${name}`;
    if (name.startsWith('@')) {
      esmOnlyPackages(full, found);
      continue;
    }
    try {
      const pkg = JSON.parse(fs.readFileSync(`${full}/package.json`, 'utf8'));
      if (pkg.type === 'module') found.add(pkg.name);
    } catch {
      // not a package
    }
    esmOnlyPackages(`${full}/node_modules`, found);
  }
  return found;
}
const ESM_PACKAGES = [...esmOnlyPackages(`${__dirname}/node_modules`)].map((n) => n.replace(/[.+]/g, '\\$&'));
const common = {
  testEnvironment: 'node',
  rootDir: __dirname,
  transform: { '^.+\\.ts$': [transformer, tsOptions], '^.+\\.m?js$': [transformer, jsOptions] },
  transformIgnorePatterns: [`^(?!.*/node_modules/(?:${ESM_PACKAGES.join('|')})/).*/node_modules/`],
  moduleNameMapper: { '^@app/([a-z-]+)$': '<rootDir>/libs/$1/src' },
};

module.exports = {
  testTimeout: 60_000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
      slowTestThreshold: 30,
    },
  ],
};
