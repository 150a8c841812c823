import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels, useWasmBackend } from '../../src/models/training/wasmBackend';

type BackendName = 'cpu' | 'wasm';
type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
type Shape4D = [number, number, number, number];

/** Deterministic uniform values in [-1, 1) (mulberry32), so both backends get identical inputs. */
function randomValues(size: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Runs `f` on `backend` and returns the values of its outputs; all tensors are released. */
async function valuesOn(backend: BackendName, f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} unavailable`);
  const outs = tf.tidy(() => {
    const result = f();
    return Array.isArray(result) ? result : [result];
  });
  const values = outs.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(outs);
  return values;
}

/** Max abs difference within 1e-4 of the reference's magnitude (at least 1). */
function expectClose(actual: Float32Array, expected: Float32Array, label: string): void {
  expect(actual.length).toBe(expected.length);
  let maxDiff = 0;
  let magnitude = 1;
  for (let i = 0; i < expected.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
    magnitude = Math.max(magnitude, Math.abs(expected[i]));
  }
  if (!(maxDiff <= 1e-4 * magnitude)) {
    throw new Error(`${label}: max abs diff ${maxDiff} > 1e-4 * ${magnitude}`);
  }
}

async function expectWasmMatchesCpu(f: () => tf.Tensor | tf.Tensor[], label: string): Promise<void> {
  const expected = await valuesOn('cpu', f);
  await tf.setBackend('wasm');
  const tensorsBefore = tf.memory().numTensors;
  const dataIdsBefore = tf.engine().backend.numDataIds();
  const actual = await valuesOn('wasm', f);
  // No intermediate of the custom kernels may outlive them.
  expect(tf.engine().backend.numDataIds()).toBe(dataIdsBefore);
  expect(tf.memory().numTensors).toBe(tensorsBefore);
  expect(actual.length).toBe(expected.length);
  actual.forEach((values, i) => expectClose(values, expected[i], `${label} [output ${i}]`));
}

interface ConvCase {
  x: Shape4D;
  k: number;
  outChannels: number;
  stride: number | [number, number];
  pad: Pad;
}

function convCaseName(c: ConvCase): string {
  return `x [${c.x.join(',')}] k${c.k} -> ${c.outChannels} stride ${String(c.stride)} pad ${JSON.stringify(c.pad)}`;
}

/** Strides 1 and 2, 'same' and 'valid', kernels 3 and 4, several channel counts, batch > 1, odd sizes. */
const convCases: ConvCase[] = [];
{
  const shapes: Array<{ x: Shape4D; outChannels: number }> = [
    { x: [2, 8, 8, 1], outChannels: 2 },
    { x: [3, 9, 7, 3], outChannels: 5 },
    { x: [2, 8, 10, 8], outChannels: 16 },
  ];
  for (const stride of [1, 2]) {
    for (const pad of ['same', 'valid'] as const) {
      for (const k of [3, 4]) {
        for (const s of shapes) convCases.push({ x: s.x, k, outChannels: s.outChannels, stride, pad });
      }
    }
  }
  // Unequal strides, numeric and explicit padding.
  convCases.push({ x: [2, 9, 8, 3], k: 3, outChannels: 4, stride: [2, 1], pad: 'same' });
  convCases.push({ x: [2, 9, 9, 3], k: 3, outChannels: 4, stride: 2, pad: 1 });
  convCases.push({
    x: [2, 9, 8, 2],
    k: 4,
    outChannels: 3,
    stride: 2,
    pad: [
      [0, 0],
      [1, 2],
      [2, 0],
      [0, 0],
    ],
  });
}

function convOutShape(c: ConvCase): Shape4D {
  const info = tf.backend_util.computeConv2DInfo(c.x, [c.k, c.k, c.x[3], c.outChannels], c.stride, 1, c.pad);
  return [info.outShape[0], info.outShape[1], info.outShape[2], info.outShape[3]];
}

beforeAll(async () => {
  await useWasmBackend();
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('useWasmBackend', () => {
  it('activates wasm with the training kernels, idempotently', async () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
    const fast = tf.getKernel('Conv2DBackpropInput', 'wasm');
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      registerWasmTrainingKernels();
      await useWasmBackend();
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).toBe(fast?.kernelFunc);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('can put the built-in Conv2DBackpropInput back and the fast one again', async () => {
    const fast = tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc;
    await useWasmBackend({ fastConv2DBackpropInput: false });
    const builtin = tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc;
    expect(builtin).toBeDefined();
    expect(builtin).not.toBe(fast);
    const c: ConvCase = { x: [2, 8, 8, 3], k: 4, outChannels: 5, stride: 2, pad: 'same' };
    const dy = randomValues(sizeOf(convOutShape(c)), 7);
    const filter = randomValues(c.k * c.k * c.x[3] * c.outChannels, 8);
    const run = (): tf.Tensor =>
      tf.conv2dTranspose(
        tf.tensor4d(dy, convOutShape(c)),
        tf.tensor4d(filter, [c.k, c.k, c.x[3], c.outChannels]),
        c.x,
        c.stride,
        'same',
      );
    const [withBuiltin] = await valuesOn('wasm', run);
    await useWasmBackend();
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).toBe(fast);
    const [withFast] = await valuesOn('wasm', run);
    expectClose(withFast, withBuiltin, 'fast vs built-in Conv2DBackpropInput');
  });
});

describe('Conv2DBackpropFilter on wasm equals the cpu backend', () => {
  it.each(convCases.map((c) => [convCaseName(c), c] as const))('%s', async (_name, c) => {
    const filterShape: Shape4D = [c.k, c.k, c.x[3], c.outChannels];
    const dyShape = convOutShape(c);
    const x = randomValues(sizeOf(c.x), 1);
    const dy = randomValues(sizeOf(dyShape), 2);
    await expectWasmMatchesCpu(
      () =>
        tf.engine().runKernel(
          'Conv2DBackpropFilter',
          { x: tf.tensor4d(x, c.x), dy: tf.tensor4d(dy, dyShape) },
          { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape },
        ) as tf.Tensor,
      convCaseName(c),
    );
  });

  it('handles NCHW data', async () => {
    const c: ConvCase = { x: [2, 9, 7, 3], k: 3, outChannels: 4, stride: 2, pad: 'same' };
    const dyShape = convOutShape(c);
    const x = tf.tidy(() => tf.tensor4d(randomValues(sizeOf(c.x), 3), c.x).transpose([0, 3, 1, 2]));
    const dy = tf.tidy(() => tf.tensor4d(randomValues(sizeOf(dyShape), 4), dyShape).transpose([0, 3, 1, 2]));
    const xValues = x.dataSync().slice();
    const dyValues = dy.dataSync().slice();
    const xNchw = x.shape;
    const dyNchw = dy.shape;
    tf.dispose([x, dy]);
    await expectWasmMatchesCpu(
      () =>
        tf.engine().runKernel(
          'Conv2DBackpropFilter',
          { x: tf.tensor(xValues, xNchw), dy: tf.tensor(dyValues, dyNchw) },
          { strides: c.stride, pad: c.pad, dataFormat: 'NCHW', filterShape: [c.k, c.k, c.x[3], c.outChannels] },
        ) as tf.Tensor,
      'NCHW',
    );
  });
});

describe('Conv2DBackpropInput on wasm equals the cpu backend', () => {
  it.each(convCases.map((c) => [convCaseName(c), c] as const))('%s', async (_name, c) => {
    const filterShape: Shape4D = [c.k, c.k, c.x[3], c.outChannels];
    const dyShape = convOutShape(c);
    const dy = randomValues(sizeOf(dyShape), 5);
    const filter = randomValues(sizeOf(filterShape), 6);
    await expectWasmMatchesCpu(
      () =>
        tf.engine().runKernel(
          'Conv2DBackpropInput',
          { dy: tf.tensor4d(dy, dyShape), filter: tf.tensor4d(filter, filterShape) },
          { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x },
        ) as tf.Tensor,
      convCaseName(c),
    );
  });
});

describe('UnsortedSegmentSum on wasm equals the cpu backend', () => {
  it('sums rows into segments, dropping ids out of range', async () => {
    const x = randomValues(7 * 3 * 2, 9);
    const ids = [0, 2, 2, 4, -1, 0, 6];
    await expectWasmMatchesCpu(
      () => tf.unsortedSegmentSum(tf.tensor3d(x, [7, 3, 2]), tf.tensor1d(ids, 'int32'), 5),
      'rank 3',
    );
    await expectWasmMatchesCpu(
      () => tf.unsortedSegmentSum(tf.tensor1d(x.slice(0, 6)), tf.tensor1d([1, 1, 0, 3, 1, 0], 'int32'), 4),
      'rank 1',
    );
  });

  it('gives gather (embedding) gradients', async () => {
    const params = randomValues(10 * 4, 10);
    const weights = randomValues(5 * 4, 11);
    const indices = [3, 1, 3, 9, 0];
    await expectWasmMatchesCpu(
      () =>
        tf.grad((p: tf.Tensor) => tf.gather(p, tf.tensor1d(indices, 'int32')).mul(tf.tensor2d(weights, [5, 4])).sum())(
          tf.tensor2d(params, [10, 4]),
        ),
      'gather axis 0',
    );
    await expectWasmMatchesCpu(
      () =>
        tf.grad((p: tf.Tensor) =>
          tf.gather(p, tf.tensor1d([2, 0, 2], 'int32'), 1).mul(tf.tensor2d(randomValues(30, 12), [10, 3])).sum(),
        )(tf.tensor2d(params, [10, 4])),
      'gather axis 1',
    );
  });
});

/** A tiny conv -> convTranspose -> dense model as plain ops over named parameters. */
const tinyShapes: Record<string, number[]> = {
  convW: [3, 3, 2, 4],
  convB: [4],
  deconvW: [4, 4, 3, 4],
  deconvB: [3],
  denseW: [8 * 8 * 3, 2],
  denseB: [2],
};
const tinyBatch = 4;

function tinyInitial(): Record<string, Float32Array> {
  const values: Record<string, Float32Array> = {};
  Object.entries(tinyShapes).forEach(([name, shape], i) => {
    // conv2d filters are [h, w, in, out]; conv2dTranspose filters are [h, w, out, in].
    const fanIn = shape.length === 4 ? shape[0] * shape[1] * (name === 'deconvW' ? shape[3] : shape[2]) : shape[0];
    const scale = shape.length === 1 ? 0.1 : Math.sqrt(2 / fanIn);
    values[name] = randomValues(sizeOf(shape), 100 + i).map((v) => v * scale);
  });
  return values;
}

function tinyForward(params: Record<string, tf.Tensor>, x: tf.Tensor4D): tf.Tensor2D {
  const h = tf.relu(tf.conv2d(x, params.convW as tf.Tensor4D, 2, 'same').add(params.convB)) as tf.Tensor4D; // [b, 4, 4, 4]
  const up = tf.relu(
    tf.conv2dTranspose(h, params.deconvW as tf.Tensor4D, [x.shape[0], 8, 8, 3], 2, 'same').add(params.deconvB),
  ); // [b, 8, 8, 3]
  return up.reshape([x.shape[0], 8 * 8 * 3]).matMul(params.denseW as tf.Tensor2D).add(params.denseB);
}

const tinyX = randomValues(tinyBatch * 8 * 8 * 2, 200);
const tinyY = randomValues(tinyBatch * 2, 201);

function tinyLoss(params: Record<string, tf.Tensor>): tf.Scalar {
  const x = tf.tensor4d(tinyX, [tinyBatch, 8, 8, 2]);
  const y = tf.tensor2d(tinyY, [tinyBatch, 2]);
  return tf.losses.meanSquaredError(y, tinyForward(params, x));
}

describe('a tiny conv + convTranspose + dense model on wasm', () => {
  it('has the same loss and gradients as on the cpu backend', async () => {
    const initial = tinyInitial();
    const names = Object.keys(tinyShapes);
    await expectWasmMatchesCpu(() => {
      const params: Record<string, tf.Tensor> = {};
      for (const name of names) params[name] = tf.tensor(initial[name], tinyShapes[name]);
      const { value, grads } = tf.valueAndGrads((...ps: tf.Tensor[]) => {
        const named: Record<string, tf.Tensor> = {};
        names.forEach((name, i) => (named[name] = ps[i]));
        return tinyLoss(named);
      })(names.map((name) => params[name]));
      return [value, ...grads];
    }, 'tiny model loss and gradients');
  });

  it('trains: the loss decreases', async () => {
    await tf.setBackend('wasm');
    const initial = tinyInitial();
    const params: Record<string, tf.Variable> = {};
    for (const [name, shape] of Object.entries(tinyShapes)) params[name] = tf.variable(tf.tensor(initial[name], shape), true, `tiny_${name}`);
    const optimizer = tf.train.adam(0.01);
    const losses: number[] = [];
    try {
      for (let step = 0; step < 20; step++) {
        const loss = optimizer.minimize(() => tinyLoss(params), true, Object.values(params));
        if (loss === null) throw new Error('no loss');
        losses.push(loss.dataSync()[0]);
        loss.dispose();
      }
    } finally {
      optimizer.dispose();
      tf.dispose(Object.values(params));
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan(0.5 * losses[0]);
  });

  it('trains as a tf.layers model with embedding, conv and convTranspose layers', async () => {
    await tf.setBackend('wasm');
    const seed = 3;
    const tokens = tf.input({ shape: [6], dtype: 'int32' });
    const embedded = tf.layers
      .embedding({ inputDim: 20, outputDim: 4, embeddingsInitializer: tf.initializers.randomUniform({ seed }) })
      .apply(tokens) as tf.SymbolicTensor; // [b, 6, 4]
    const grid = tf.layers.reshape({ targetShape: [6, 4, 1] }).apply(embedded) as tf.SymbolicTensor;
    const conv = tf.layers
      .conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) })
      .apply(grid) as tf.SymbolicTensor; // [b, 3, 2, 4]
    const deconv = tf.layers
      .conv2dTranspose({ filters: 2, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) })
      .apply(conv) as tf.SymbolicTensor; // [b, 6, 4, 2]
    const flat = tf.layers.flatten().apply(deconv) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed }) }).apply(flat) as tf.SymbolicTensor;
    const model = tf.model({ inputs: tokens, outputs: out });
    model.compile({ optimizer: tf.train.adam(0.02), loss: 'meanSquaredError' });

    const ids = Int32Array.from(randomValues(16 * 6, 300), (v) => Math.floor((v + 1) * 10));
    const xs = tf.tensor2d(ids, [16, 6], 'int32');
    // A learnable target: it depends on the first two tokens of each sequence.
    const ys = tf.tensor2d(
      Array.from({ length: 16 }, (_, i) => (ids[i * 6] - ids[i * 6 + 1]) / 20),
      [16, 1],
    );
    try {
      const history = await model.fit(xs, ys, { epochs: 30, batchSize: 8, shuffle: false, verbose: 0 });
      const losses = history.history.loss.map(Number);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses[losses.length - 1]).toBeLessThan(0.5 * losses[0]);
    } finally {
      tf.dispose([xs, ys]);
      model.dispose();
    }
  });
});
