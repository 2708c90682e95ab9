// Prepended to demat_engine.js (an ES module, --extern-pre-js): emscripten
// 3.1.6's node code calls require() and reads __dirname, which ES modules
// lack, and would fetch() the .wasm by a file: URL, which node's fetch
// refuses; under node the engine reads it with fs instead (node_pre.js sets
// the path). In a browser or a Web Worker nothing changes.
const __demat_node = typeof process == 'object' && typeof process.versions == 'object' &&
                     typeof process.versions.node == 'string';
const require = __demat_node ? (await import('module')).createRequire(import.meta.url) : undefined;
const __dirname = __demat_node ? (await import('path')).dirname((await import('url')).fileURLToPath(import.meta.url)) : '';
const fetch = __demat_node ? undefined : globalThis.fetch;
