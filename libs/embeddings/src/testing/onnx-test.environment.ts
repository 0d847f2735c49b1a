import { TestEnvironment } from 'jest-environment-node';

/**
 * Jest runs each test file in its own realm, but onnxruntime-node builds output tensors with the host realm's
 * typed arrays, and onnxruntime-common then refuses them (`instanceof Float32Array` fails across realms). Specs
 * that run the ONNX model use this environment (jest.config.js, int project), which hands the test realm the host's
 * typed-array constructors.
 */
export default class OnnxTestEnvironment extends TestEnvironment {
  constructor(...args: ConstructorParameters<typeof TestEnvironment>) {
    super(...args);
    const shared = { Float32Array, Float64Array, Int32Array, Uint8Array, Int8Array, Uint16Array, Int16Array, Uint32Array, BigInt64Array, BigUint64Array, ArrayBuffer };
    Object.assign(this.global, shared);
  }
}
