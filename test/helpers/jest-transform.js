// Jest on Node 20 cannot require() ES modules, and NestJS 12 ships as ESM only. This transformer
// compiles our TypeScript and those ESM packages to CommonJS with SWC, rewriting `import.meta`
// (which CommonJS lacks) first. The built app itself runs on Node's native require(esm).
const swcJest = require('@swc/jest');

const META = [
  // An ES module that builds its own `require` clashes with CommonJS's: use the module's own.
  [/const require = createRequire\(import\.meta\.url\);?/g, ''],
  [/import\.meta\.url/g, "require('node:url').pathToFileURL(__filename).href"],
  [/import\.meta\.dirname/g, '__dirname'],
  [/import\.meta\.filename/g, '__filename'],
];

module.exports = {
  createTransformer(options) {
    const inner = swcJest.createTransformer(options);
    const rewrite = (src) => (src.includes('import.meta') ? META.reduce((s, [re, to]) => s.replace(re, to), src) : src);
    return {
      ...inner,
      process: (src, filename, opts) => inner.process(rewrite(src), filename, opts),
      processAsync: (src, filename, opts) => inner.processAsync(rewrite(src), filename, opts),
      getCacheKey: (src, filename, opts) => `v2:${inner.getCacheKey(src, filename, opts)}`,
    };
  },
};
