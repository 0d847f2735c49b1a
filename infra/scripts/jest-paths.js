// Maps the tsconfig path aliases (@llm/<lib>) to source files for Jest, so tests run against sources, not dist.
const Module = require('node:module');
const path = require('node:path');
const { compilerOptions } = require('../../tsconfig.base.json');

const root = path.resolve(__dirname, '../..');
const aliases = Object.fromEntries(Object.entries(compilerOptions.paths).map(([alias, [target]]) => [alias, path.join(root, target)]));

function pathsToModuleNameMapper() {
  const mapper = {};
  for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
    mapper[`^${alias.replace(/[/]/g, '\\/')}$`] = `<rootDir>/${target}`;
  }
  return mapper;
}

/**
 * globalSetup/globalTeardown run in Jest's parent process, outside moduleNameMapper; resolve the aliases
 * there too (Jest's transformer already hooks require for .ts files).
 */
function registerAliasResolution() {
  const original = Module._resolveFilename;
  Module._resolveFilename = function resolveAlias(request, ...rest) {
    return original.call(this, aliases[request] ?? request, ...rest);
  };
}

module.exports = { pathsToModuleNameMapper, registerAliasResolution };
