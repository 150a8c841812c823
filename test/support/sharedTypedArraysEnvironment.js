// The jest test environment of this project: jest's node environment, except that typed arrays
// and ArrayBuffer are the process's own. onnxruntime-node's native code creates its output
// tensors with the process's constructors, and onnxruntime-common rejects them when the test's
// sandbox has its own copies ("A float32 tensor's data must be type of function Float32Array()").
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView',
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
];

class SharedTypedArraysEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = SharedTypedArraysEnvironment;
