import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { exportSequentialModel, L2_NORMALIZE_EPSILON, type ExportSequentialOptions } from '../../src/models/onnx/exportSequential';
import { encodeTextReference, exportTextEncoder, type TextEncoderWeights } from '../../src/models/onnx/exportTextEncoder';
import { OnnxExportError } from '../../src/models/onnx/onnxErrors';
import { attr, OnnxGraphBuilder } from '../../src/models/onnx/onnxGraphBuilder';

const floatTensor = (data: ArrayLike<number>, dims: readonly number[]): ort.Tensor => new ort.Tensor('float32', Float32Array.from(data), dims);
const int64Tensor = (data: readonly number[], dims: readonly number[]): ort.Tensor => new ort.Tensor('int64', BigInt64Array.from(data.map(BigInt)), dims);

const TOLERANCE = 1e-5;
const BATCH = 3;

/** mulberry32: deterministic weights and inputs. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uniform(random: () => number, length: number, low: number, high: number): Float32Array {
  return Float32Array.from({ length }, () => low + (high - low) * random());
}

/** Replaces every weight with seeded random values: LeCun-uniform kernels, non-zero biases, non-trivial batch-norm statistics. */
function randomizeWeights(model: tf.LayersModel, seed: number): void {
  const random = rng(seed);
  for (const layer of model.layers) {
    const values = layer.weights.map((weight) => {
      const shape = weight.shape as number[];
      const size = shape.reduce((a, b) => a * b, 1);
      const role = weight.name.split('/').pop() ?? '';
      if (role === 'kernel') {
        const fanIn = size / shape[shape.length - 1]!;
        const limit = Math.sqrt(3 / fanIn);
        return tf.tensor(uniform(random, size, -limit, limit), shape);
      }
      if (role === 'gamma' || role === 'moving_variance') return tf.tensor(uniform(random, size, 0.5, 1.5), shape);
      return tf.tensor(uniform(random, size, -0.5, 0.5), shape);
    });
    if (values.length > 0) layer.setWeights(values);
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

async function runOnnx(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<{ session: ort.InferenceSession; output: ort.Tensor }> {
  const session = await ort.InferenceSession.create(bytes);
  const results = await session.run(feeds);
  return { session, output: results[session.outputNames[0]!]! };
}

/** The declared dims of a graph input/output: numbers, or the symbolic name. */
function declaredShapes(bytes: Uint8Array): { inputs: Record<string, Array<number | string>>; outputs: Record<string, Array<number | string>> } {
  const graph = onnx.ModelProto.decode(bytes).graph!;
  const dims = (info: onnx.IValueInfoProto) => info.type!.tensorType!.shape!.dim!.map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue)));
  return {
    inputs: Object.fromEntries(graph.input!.map((info) => [info.name!, dims(info)])),
    outputs: Object.fromEntries(graph.output!.map((info) => [info.name!, dims(info)])),
  };
}

const parities: Record<string, number> = {};

/**
 * Runs tfjs and ONNX on the same random batch; image inputs go to ONNX as NCHW and image outputs
 * are compared after tfjs NHWC -> NCHW. `reference` post-processes the tfjs output (e.g. L2 norm).
 */
async function checkParity(
  label: string,
  model: tf.LayersModel,
  options: ExportSequentialOptions,
  reference: (output: tf.Tensor) => tf.Tensor = (output) => output,
): Promise<{ bytes: Uint8Array; session: ort.InferenceSession; diff: number; outputDims: number[] }> {
  const bytes = exportSequentialModel(model, options);
  const inputShape = model.inputs[0]!.shape.slice(1) as number[];
  const input = tf.tensor(uniform(rng(99), BATCH * inputShape.reduce((a, b) => a * b, 1), -1, 1), [BATCH, ...inputShape]);
  const onnxInput = options.inputLayout === 'image' ? tf.transpose(input, [0, 3, 1, 2]) : input;
  const expectedTensor = tf.tidy(() => {
    const output = reference(model.predict(input) as tf.Tensor);
    return output.rank === 4 ? tf.transpose(output, [0, 3, 1, 2]) : output;
  });
  const { session, output } = await runOnnx(bytes, {
    [options.inputName]: floatTensor(onnxInput.dataSync(), onnxInput.shape),
  });
  expect(output.dims).toEqual(expectedTensor.shape);
  const diff = maxAbsDiff(output.data as Float32Array, expectedTensor.dataSync());
  parities[label] = diff;
  tf.dispose([input, onnxInput, expectedTensor]);
  return { bytes, session, diff, outputDims: [...output.dims] };
}

function l2Normalize(output: tf.Tensor): tf.Tensor {
  return tf.div(output, tf.maximum(tf.norm(output, 2, -1, true), L2_NORMALIZE_EPSILON));
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

afterAll(() => {
  // The max abs diffs, for the record.
  process.stdout.write(`ONNX export parity (max abs diff): ${JSON.stringify(parities)}\n`);
});

describe('OnnxGraphBuilder', () => {
  it('writes an IR 8 / opset 17 model that onnxruntime loads, with unique names', async () => {
    const g = new OnnxGraphBuilder('tiny');
    const x = g.addInput('x', 'float32', ['batch', 3]);
    const w = g.addFloatInitializer('w', Float32Array.from([1, 2, 3, 4, 5, 6]), [3, 2]);
    const w2 = g.addFloatInitializer('w', [0.5, -1], [2]);
    expect(w2).not.toBe(w);
    const y = g.addNode('MatMul', [x, w]);
    const shape = g.addInt64Initializer('shape', [0, -1]);
    const z = g.addNode('Reshape', [g.addNode('Add', [y, w2]), shape]);
    g.addNode('LeakyRelu', [z], { alpha: attr.float(0.5) }, 'y');
    g.addOutput('y', 'float32', ['batch', 2]);
    expect(() => g.addNode('Relu', ['missing'])).toThrow(/missing/);
    expect(() => g.addInput('y', 'float32', [1])).toThrow(/already used/);

    const bytes = g.toBytes();
    const model = onnx.ModelProto.decode(bytes);
    expect(Number(model.irVersion)).toBe(8);
    expect(model.opsetImport.map((o) => Number(o.version))).toEqual([17]);
    const { output } = await runOnnx(bytes, { x: floatTensor([1, 0, -1, 0, 1, 0], [2, 3]) });
    // [1,0,-1]·w = [1-5, 2-6] = [-4, -4] + [0.5, -1] -> leaky -> [-1.75, -2.5]; [0,1,0]·w = [3, 4] + ... = [3.5, 3]
    expect(Array.from(output.data as Float32Array)).toEqual([-1.75, -2.5, 3.5, 3]);
  });
});

describe('exportSequentialModel parity with tfjs', () => {
  it('(a) image CNN with L2-normalised output', async () => {
    const model = tf.sequential({ name: 'cnn' });
    model.add(tf.layers.conv2d({ inputShape: [20, 20, 3], filters: 8, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu' }));
    model.add(tf.layers.conv2d({ filters: 12, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu' }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    model.add(tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'valid' }));
    model.add(tf.layers.flatten());
    model.add(tf.layers.dense({ units: 24, activation: 'relu' }));
    model.add(tf.layers.dense({ units: 8 }));
    randomizeWeights(model, 1);
    const options: ExportSequentialOptions = { inputName: 'pixel_values', outputName: 'image_embeds', inputLayout: 'image', l2NormalizeOutput: true };
    const { bytes, session, diff } = await checkParity('a: image CNN + L2', model, options, l2Normalize);
    expect(diff).toBeLessThan(TOLERANCE);
    expect(session.inputNames).toEqual(['pixel_values']);
    expect(session.outputNames).toEqual(['image_embeds']);
    expect(declaredShapes(bytes)).toEqual({ inputs: { pixel_values: ['batch', 3, 20, 20] }, outputs: { image_embeds: ['batch', 8] } });
  });

  it('(b) decoder: dense -> reshape [4,4,16] -> three conv2dTranspose to a 32x32x3 NCHW image', async () => {
    const model = tf.sequential({ name: 'decoder' });
    model.add(tf.layers.dense({ inputShape: [6], units: 4 * 4 * 16, activation: 'relu' }));
    model.add(tf.layers.reshape({ targetShape: [4, 4, 16] }));
    model.add(tf.layers.conv2dTranspose({ filters: 8, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu' }));
    model.add(tf.layers.conv2dTranspose({ filters: 8, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu' }));
    model.add(tf.layers.conv2dTranspose({ filters: 3, kernelSize: 4, strides: 2, padding: 'same', activation: 'sigmoid' }));
    randomizeWeights(model, 2);
    // outputActivation 'sigmoid' is already the last layer's: it must not be applied twice.
    const options: ExportSequentialOptions = { inputName: 'z', outputName: 'image', inputLayout: 'vector', outputActivation: 'sigmoid' };
    const { bytes, session, diff, outputDims } = await checkParity('b: decoder', model, options);
    expect(diff).toBeLessThan(TOLERANCE);
    expect(outputDims).toEqual([BATCH, 3, 32, 32]);
    expect(session.inputNames).toEqual(['z']);
    expect(session.outputNames).toEqual(['image']);
    expect(declaredShapes(bytes)).toEqual({ inputs: { z: ['batch', 6] }, outputs: { image: ['batch', 3, 32, 32] } });
    const sigmoids = onnx.ModelProto.decode(bytes).graph!.node!.filter((node) => node.opType === 'Sigmoid');
    expect(sigmoids).toHaveLength(1);
  });

  it('(c) odd sizes: asymmetric TF "same" pads on a 7x9 input, conv2dTranspose k3 s2, k<s, valid, same pooling', async () => {
    const model = tf.sequential({ name: 'odd' });
    model.add(tf.layers.conv2d({ inputShape: [7, 9, 2], filters: 4, kernelSize: 4, strides: 2, padding: 'same', activation: 'tanh' })); // 4x5, pads [1,1,2,2]
    model.add(tf.layers.conv2d({ filters: 5, kernelSize: [3, 2], strides: [2, 1], padding: 'same', activation: 'elu' })); // 2x5, pads [0,0,1,1]
    model.add(tf.layers.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' })); // 4x10, pads [0,0,1,1]
    model.add(tf.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'valid' })); // 9x21
    model.add(tf.layers.conv2dTranspose({ filters: 3, kernelSize: 1, strides: 2, padding: 'same' })); // 18x42, output_padding 1
    model.add(tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' })); // 9x21
    model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same' })); // 5x11
    model.add(tf.layers.conv2dTranspose({ filters: 2, kernelSize: [2, 3], strides: [1, 2], padding: 'valid', useBias: false })); // 6x23
    randomizeWeights(model, 3);
    const options: ExportSequentialOptions = { inputName: 'x', outputName: 'y', inputLayout: 'image' };
    const { bytes, diff, outputDims } = await checkParity('c: odd sizes', model, options);
    expect(diff).toBeLessThan(TOLERANCE);
    expect(outputDims).toEqual([BATCH, 2, 6, 23]);
    expect(declaredShapes(bytes).outputs).toEqual({ y: ['batch', 2, 6, 23] });
  });

  it('(d) batch normalisation (image and vector), ReLU/LeakyReLU layers, global average pooling, dropout, output sigmoid', async () => {
    const model = tf.sequential({ name: 'pooled' });
    model.add(tf.layers.conv2d({ inputShape: [6, 5, 4], filters: 8, kernelSize: 3, padding: 'same' }));
    model.add(tf.layers.batchNormalization({ epsilon: 0.01 }));
    model.add(tf.layers.reLU({ maxValue: 0.8 }));
    model.add(tf.layers.conv2d({ filters: 6, kernelSize: 2, padding: 'valid' }));
    model.add(tf.layers.leakyReLU({ alpha: 0.2 }));
    model.add(tf.layers.globalAveragePooling2d({}));
    model.add(tf.layers.batchNormalization({ center: false }));
    model.add(tf.layers.dropout({ rate: 0.5 }));
    model.add(tf.layers.activation({ activation: 'tanh' }));
    model.add(tf.layers.dense({ units: 5, activation: 'elu' }));
    randomizeWeights(model, 4);
    const options: ExportSequentialOptions = { inputName: 'image', outputName: 'probabilities', inputLayout: 'image', outputActivation: 'sigmoid' };
    const { bytes, diff } = await checkParity('d: batchnorm + global pool', model, options, (output) => tf.sigmoid(output));
    expect(diff).toBeLessThan(TOLERANCE);
    expect(declaredShapes(bytes)).toEqual({ inputs: { image: ['batch', 4, 6, 5] }, outputs: { probabilities: ['batch', 5] } });
  });

  it('(g) functional chain: reshapes between vectors and images keep the NHWC element order', async () => {
    const input = tf.input({ shape: [12] });
    let x = tf.layers.reshape({ targetShape: [2, 3, 2] }).apply(input) as tf.SymbolicTensor;
    x = tf.layers.conv2d({ filters: 3, kernelSize: [1, 2], padding: 'same', activation: 'relu6' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.dense({ units: 3, useBias: false }).apply(tf.layers.reshape({ targetShape: [18] }).apply(x)) as tf.SymbolicTensor;
    x = tf.layers.reshape({ targetShape: [1, 3, 1] }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.reshape({ targetShape: [-1] }).apply(x) as tf.SymbolicTensor; // tfjs leaves the -1 dim unknown: last layer only
    const model = tf.model({ inputs: input, outputs: x, name: 'functional' });
    randomizeWeights(model, 5);
    const { diff } = await checkParity('g: functional reshapes', model, { inputName: 'v', outputName: 'w', inputLayout: 'vector' });
    expect(diff).toBeLessThan(TOLERANCE);
  });
});

describe('exportSequentialModel errors', () => {
  const options: ExportSequentialOptions = { inputName: 'x', outputName: 'y', inputLayout: 'image' };

  it('(f) names an unsupported layer', () => {
    const model = tf.sequential();
    model.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3 }));
    model.add(tf.layers.upSampling2d({ size: [2, 2], name: 'my_upsampler' }));
    const error = (() => {
      try {
        exportSequentialModel(model, options);
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(OnnxExportError);
    expect((error as Error).message).toMatch(/layer "my_upsampler" \(UpSampling2D\).*not supported/);
  });

  it('names unsupported options, activations, layouts and branches', () => {
    const dilated = tf.sequential();
    dilated.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, dilationRate: 2, name: 'dilated' }));
    expect(() => exportSequentialModel(dilated, options)).toThrow(/layer "dilated" \(Conv2D\): dilationRate \[2, 2\]/);

    const softmax = tf.sequential();
    softmax.add(tf.layers.dense({ inputShape: [4], units: 3, activation: 'softmax', name: 'classifier' }));
    expect(() => exportSequentialModel(softmax, { ...options, inputLayout: 'vector' })).toThrow(/layer "classifier" \(Dense\): activation "softmax"/);
    expect(() => exportSequentialModel(softmax, options)).toThrow(/inputLayout 'image'/);
    expect(() => exportSequentialModel(softmax, { ...options, inputLayout: 'vector', l2NormalizeOutput: true })).toThrow(/softmax/);

    const denseOnImage = tf.sequential();
    denseOnImage.add(tf.layers.dense({ inputShape: [4, 4, 2], units: 3, name: 'dense_3d' }));
    expect(() => exportSequentialModel(denseOnImage, options)).toThrow(/layer "dense_3d" \(Dense\): needs a vector/);

    const input = tf.input({ shape: [4] });
    const a = tf.layers.dense({ units: 4 }).apply(input) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: 'residual' }).apply([input, a]) as tf.SymbolicTensor;
    const branched = tf.model({ inputs: input, outputs: sum });
    expect(() => exportSequentialModel(branched, { ...options, inputLayout: 'vector' })).toThrow(/layer "residual" \(Add\)/);

    const imageOut = tf.sequential();
    imageOut.add(tf.layers.conv2d({ inputShape: [4, 4, 1], filters: 1, kernelSize: 1 }));
    expect(() => exportSequentialModel(imageOut, { ...options, l2NormalizeOutput: true })).toThrow(/l2NormalizeOutput needs a vector output/);
  });
});

describe('exportTextEncoder', () => {
  const random = rng(7);
  const vocabSize = 13;
  const embedDim = 6;
  const layer = (inDim: number, outDim: number, activation: 'relu' | 'linear' | 'tanh') => ({
    kernel: uniform(random, inDim * outDim, -0.7, 0.7),
    bias: uniform(random, outDim, -0.3, 0.3),
    in: inDim,
    out: outDim,
    activation,
  });
  const weights: TextEncoderWeights = {
    embedding: uniform(random, vocabSize * embedDim, -1, 1),
    vocabSize,
    embedDim,
    layers: [layer(6, 10, 'relu'), layer(10, 7, 'tanh'), layer(7, 4, 'linear')],
  };
  // Padding positions hold id 0 and mask 0; the last row is fully masked (mean over max(0, 1)).
  const ids = [
    [3, 7, 12, 1, 0],
    [5, 5, 0, 0, 0],
    [2, 0, 9, 4, 11],
    [0, 0, 0, 0, 0],
  ];
  const mask = [
    [1, 1, 1, 1, 0],
    [1, 1, 0, 0, 0],
    [1, 1, 1, 1, 1],
    [0, 0, 0, 0, 0],
  ];
  const feeds = (): Record<string, ort.Tensor> => ({
    input_ids: int64Tensor(ids.flat(), [ids.length, 5]),
    attention_mask: int64Tensor(mask.flat(), [ids.length, 5]),
  });

  it('(e) matches encodeTextReference with padding positions masked', async () => {
    const bytes = exportTextEncoder(weights);
    const { session, output } = await runOnnx(bytes, feeds());
    expect(session.inputNames).toEqual(['input_ids', 'attention_mask']);
    expect(session.outputNames).toEqual(['text_embeds']);
    expect(output.dims).toEqual([4, 4]);
    const expected = encodeTextReference(weights, ids, mask);
    const diff = maxAbsDiff(output.data as Float32Array, expected);
    parities['e: text encoder'] = diff;
    expect(diff).toBeLessThan(TOLERANCE);
    expect(declaredShapes(bytes)).toEqual({
      inputs: { input_ids: ['batch', 'sequence'], attention_mask: ['batch', 'sequence'] },
      outputs: { text_embeds: ['batch', 4] },
    });

    // Masked positions do not matter: changing a padded id leaves the embedding unchanged.
    const changed = ids.map((row) => [...row]);
    changed[1]![4] = 12;
    expect(maxAbsDiff(encodeTextReference(weights, changed, mask), expected)).toBe(0);
    // Rows are unit vectors.
    for (let row = 0; row < 4; row++) expect(Math.hypot(...expected.slice(row * 4, row * 4 + 4))).toBeCloseTo(1, 6);
  });

  it('declares a fixed sequence length with maxLength and rejects inconsistent weights', async () => {
    const bytes = exportTextEncoder(weights, { maxLength: 5 });
    expect(declaredShapes(bytes).inputs).toEqual({ input_ids: ['batch', 5], attention_mask: ['batch', 5] });
    const { output } = await runOnnx(bytes, feeds());
    expect(maxAbsDiff(output.data as Float32Array, encodeTextReference(weights, ids, mask))).toBeLessThan(TOLERANCE);

    expect(() => exportTextEncoder({ ...weights, layers: [layer(5, 4, 'relu')] })).toThrow(/layer 0 takes 5 inputs but receives 6/);
    expect(() => exportTextEncoder({ ...weights, embedding: new Float32Array(3) })).toThrow(/embedding has 3 values/);
  });
});
