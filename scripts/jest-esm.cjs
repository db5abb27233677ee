// Jest runs CommonJS; the Parquet reader and writer (hyparquet*) ship only ES modules.
// esbuild turns each of their files into CommonJS for the tests; Node itself loads them as
// they are (natlab imports them with a dynamic import()).
const { transformSync } = require('esbuild');

module.exports = {
  process(source, path) {
    const { code, map } = transformSync(source, { loader: 'js', format: 'cjs', target: 'node20', sourcemap: true, sourcefile: path });
    return { code, map };
  },
};
