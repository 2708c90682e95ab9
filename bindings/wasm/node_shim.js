// Prepended to demat_engine.js (an ES module): emscripten 3.1.6's node code
// calls require() and reads __dirname, which ES modules lack. In a browser
// or a Web Worker this defines nothing that the engine uses.
const __demat_node = typeof process == 'object' && typeof process.versions == 'object' &&
                     typeof process.versions.node == 'string';
const require = __demat_node ? (await import('module')).createRequire(import.meta.url) : undefined;
const __dirname = __demat_node ? (await import('path')).dirname((await import('url')).fileURLToPath(import.meta.url)) : '';
