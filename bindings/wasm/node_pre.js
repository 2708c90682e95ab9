// Inside the module factory (--pre-js): under node, the .wasm is the file
// next to demat_engine.js, read with fs (node_shim.js).
if (__demat_node && !Module['locateFile']) Module['locateFile'] = (path, dir) => dir + path;
