import fs from 'node:fs';
import path from 'node:path';
import { onnx } from 'onnx-proto';

/**
 * Tiny model bundles for the runtime tests, written to disk in the real bundle layouts with
 * ONNX graphs built directly from onnx-proto (IR 8, opset 17), plus plain-JavaScript
 * references computing what each graph should output.
 */

type Dim = number | string;

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

/** Deterministic weights in [-scale, scale) from a small LCG. */
export function seededValues(count: number, seed: number, scale = 1): Float32Array {
  const values = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[i] = ((state / 2 ** 32) * 2 - 1) * scale;
  }
  return values;
}

function floatTensor(name: string, dims: number[], data: Float32Array): onnx.ITensorProto {
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) };
}

function int64Tensor(name: string, values: number[]): onnx.ITensorProto {
  const data = BigInt64Array.from(values.map((v) => BigInt(v)));
  return { name, dims: [values.length], dataType: INT64, rawData: new Uint8Array(data.buffer) };
}

function valueInfo(name: string, elemType: onnx.TensorProto.DataType, dims: readonly Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

function intAttr(name: string, i: number): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i };
}

function node(opType: string, input: string[], output: string[], attribute: onnx.IAttributeProto[] = []): onnx.INodeProto {
  return { opType, input, output, attribute, name: output[0] };
}

interface Graph {
  nodes: onnx.INodeProto[];
  initializers: onnx.ITensorProto[];
  inputs: onnx.IValueInfoProto[];
  outputs: onnx.IValueInfoProto[];
}

export function modelBytes(graph: Graph): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'qdgs-tests',
    graph: { name: 'tiny', node: graph.nodes, initializer: graph.initializers, input: graph.inputs, output: graph.outputs },
  });
  return onnx.ModelProto.encode(model).finish();
}

function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value, null, 2));
}

function writeModel(file: string, graph: Graph): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, modelBytes(graph));
}

/** y = x W + b for row-major x [batch, n], W [n, m]. */
export function gemm(x: Float32Array, batch: number, weights: Float32Array, bias: Float32Array): Float32Array {
  const m = bias.length;
  const n = weights.length / m;
  const y = new Float32Array(batch * m);
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < m; j++) {
      let sum = bias[j];
      for (let i = 0; i < n; i++) sum += x[b * n + i] * weights[i * m + j];
      y[b * m + j] = sum;
    }
  }
  return y;
}

export function l2NormalizeRows(rows: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(rows.length);
  for (let r = 0; r < rows.length / dim; r++) {
    let sum = 0;
    for (let i = 0; i < dim; i++) sum += rows[r * dim + i] ** 2;
    for (let i = 0; i < dim; i++) out[r * dim + i] = rows[r * dim + i] / Math.sqrt(sum);
  }
  return out;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

// ---------------------------------------------------------------- generator

export type GeneratorVariant = 'ok' | 'nan' | 'wrongOutputName';

export interface TinyGenerator {
  readonly dir: string;
  readonly latentDim: number;
  readonly height: number;
  readonly width: number;
  /** What the graph outputs (sigmoid(z W + b) as NCHW), before the runtime maps outputRange to [0, 1]. */
  raw(z: Float32Array, batch: number): Float32Array;
}

export interface GeneratorOptions {
  latentDim?: number;
  /** Image size in generator.json, and of the graph unless graphImageSize says otherwise. */
  height?: number;
  width?: number;
  variant?: GeneratorVariant;
  outputRange?: [number, number];
  /** A fixed batch size declared by the graph (default: symbolic 'batch'). */
  fixedBatch?: number;
  /** The image size the graph really produces, declared with symbolic dims (a model that lies about its size). */
  graphImageSize?: [number, number];
  /** A model that fails only sometimes: its whole image is NaN when the first latent coordinate is at or above this. */
  nanWhenFirstLatentAtLeast?: number;
}

/** generator = Gemm(z -> 3*H*W) + Sigmoid + Reshape; 'nan' divides (h - h) by zero instead of the sigmoid. */
export function writeGeneratorBundle(dir: string, options: GeneratorOptions = {}): TinyGenerator {
  const latentDim = options.latentDim ?? 6;
  const [height, width] = [options.height ?? 4, options.width ?? 4];
  const [graphHeight, graphWidth] = options.graphImageSize ?? [height, width];
  const batchDim = options.fixedBatch ?? 'batch';
  const pixels = 3 * height * width;
  const weights = seededValues(latentDim * pixels, 11, 0.8);
  const bias = seededValues(pixels, 12, 0.3);
  const outputName = options.variant === 'wrongOutputName' ? 'pixels' : 'image';
  const nodes = [node('Gemm', ['z', 'W', 'b'], ['h'])];
  const initializers = [floatTensor('W', [latentDim, pixels], weights), floatTensor('b', [pixels], bias), int64Tensor('shape', [-1, 3, graphHeight, graphWidth])];
  if (options.variant === 'nan') {
    initializers.push(floatTensor('zero', [1], new Float32Array([0])));
    nodes.push(node('Sub', ['h', 'h'], ['diff']), node('Div', ['diff', 'zero'], ['flat']));
  } else if (options.nanWhenFirstLatentAtLeast !== undefined) {
    // flat = sigmoid(h) + 0 * log(threshold - z0): finite below the threshold, NaN from it on.
    const selectFirst = new Float32Array(latentDim);
    selectFirst[0] = 1;
    initializers.push(
      floatTensor('selectFirst', [latentDim, 1], selectFirst),
      floatTensor('threshold', [1], new Float32Array([options.nanWhenFirstLatentAtLeast])),
      floatTensor('zero', [1], new Float32Array([0])),
    );
    nodes.push(
      node('Sigmoid', ['h'], ['s']),
      node('MatMul', ['z', 'selectFirst'], ['z0']),
      node('Sub', ['threshold', 'z0'], ['room']),
      node('Log', ['room'], ['logRoom']),
      node('Mul', ['logRoom', 'zero'], ['poison']),
      node('Add', ['s', 'poison'], ['flat']),
    );
  } else {
    nodes.push(node('Sigmoid', ['h'], ['flat']));
  }
  nodes.push(node('Reshape', ['flat', 'shape'], [outputName]));
  writeModel(path.join(dir, 'model.onnx'), {
    nodes,
    initializers,
    inputs: [valueInfo('z', FLOAT, [batchDim, latentDim])],
    outputs: [valueInfo(outputName, FLOAT, options.graphImageSize ? [batchDim, 3, 'height', 'width'] : [batchDim, 3, height, width])],
  });
  writeJson(path.join(dir, 'generator.json'), {
    type: 'generator',
    latentDim,
    input: 'z',
    output: 'image',
    imageSize: [height, width],
    outputRange: options.outputRange ?? [0, 1],
  });
  return {
    dir,
    latentDim,
    height,
    width,
    raw: (z, batch) => gemm(z, batch, weights, bias).map(sigmoid),
  };
}

// ---------------------------------------------------------------- scorer

export const SCORER_VOCAB = ['[UNK]', '[PAD]', '<s>', '</s>', 'a', 'red', 'blue', 'green', 'square', 'circle', 'shape', '.', ','];
export const IMAGE_MEAN = [0.5, 0.4, 0.3];
export const IMAGE_STD = [0.25, 0.2, 0.5];

export interface TinyScorer {
  readonly dir: string;
  readonly size: number;
  readonly embedDim: number;
  /** Unnormalised image_embeds of already preprocessed pixel_values [batch, 3, S, S]. */
  vision(pixelValues: Float32Array, batch: number): Float32Array;
  /** Unnormalised text_embeds: masked mean of token embeddings, then Gemm. */
  text(inputIds: BigInt64Array, attentionMask: BigInt64Array, batch: number, length: number): Float32Array;
}

export type VisionVariant = 'ok' | 'unprojected';

/**
 * vision = Flatten + Gemm ('unprojected': Identity, so image_embeds is [batch, 3, S, S]);
 * text = Gather + mask-weighted mean over the sequence + Gemm.
 */
export function writeScorerBundle(dir: string, options: { size?: number; embedDim?: number; tokenEmbedDim?: number; vision?: VisionVariant } = {}): TinyScorer {
  const size = options.size ?? 4;
  const embedDim = options.embedDim ?? 8;
  const tokenDim = options.tokenEmbedDim ?? 5;
  const pixels = 3 * size * size;
  const visionWeights = seededValues(pixels * embedDim, 21, 0.5);
  const visionBias = seededValues(embedDim, 22, 0.1);
  const tokenEmbeddings = seededValues(SCORER_VOCAB.length * tokenDim, 23, 1);
  const textWeights = seededValues(tokenDim * embedDim, 24, 0.7);
  const textBias = seededValues(embedDim, 25, 0.1);

  if (options.vision === 'unprojected') {
    writeModel(path.join(dir, 'onnx', 'vision_model.onnx'), {
      nodes: [node('Identity', ['pixel_values'], ['image_embeds'])],
      initializers: [],
      inputs: [valueInfo('pixel_values', FLOAT, ['batch', 3, size, size])],
      outputs: [valueInfo('image_embeds', FLOAT, ['batch', 3, size, size])],
    });
  } else {
    writeModel(path.join(dir, 'onnx', 'vision_model.onnx'), {
      nodes: [node('Flatten', ['pixel_values'], ['flat'], [intAttr('axis', 1)]), node('Gemm', ['flat', 'W', 'b'], ['image_embeds'])],
      initializers: [floatTensor('W', [pixels, embedDim], visionWeights), floatTensor('b', [embedDim], visionBias)],
      inputs: [valueInfo('pixel_values', FLOAT, ['batch', 3, size, size])],
      outputs: [valueInfo('image_embeds', FLOAT, ['batch', embedDim])],
    });
  }
  writeModel(path.join(dir, 'onnx', 'text_model.onnx'), {
    nodes: [
      node('Gather', ['E', 'input_ids'], ['tokens'], [intAttr('axis', 0)]),
      node('Cast', ['attention_mask'], ['maskFloat'], [intAttr('to', FLOAT)]),
      node('Unsqueeze', ['maskFloat', 'axis2'], ['mask3']),
      node('Mul', ['tokens', 'mask3'], ['masked']),
      node('ReduceSum', ['masked', 'axis1'], ['summed'], [intAttr('keepdims', 0)]),
      node('ReduceSum', ['mask3', 'axis1'], ['count'], [intAttr('keepdims', 0)]),
      node('Div', ['summed', 'count'], ['mean']),
      node('Gemm', ['mean', 'W', 'b'], ['text_embeds']),
    ],
    initializers: [
      floatTensor('E', [SCORER_VOCAB.length, tokenDim], tokenEmbeddings),
      floatTensor('W', [tokenDim, embedDim], textWeights),
      floatTensor('b', [embedDim], textBias),
      int64Tensor('axis1', [1]),
      int64Tensor('axis2', [2]),
    ],
    inputs: [valueInfo('input_ids', INT64, ['batch', 'sequence']), valueInfo('attention_mask', INT64, ['batch', 'sequence'])],
    outputs: [valueInfo('text_embeds', FLOAT, ['batch', embedDim])],
  });
  writeJson(path.join(dir, 'config.json'), { model_type: 'clip', projection_dim: embedDim });
  writeJson(path.join(dir, 'preprocessor_config.json'), {
    do_resize: true,
    size: { shortest_edge: size },
    do_center_crop: true,
    crop_size: { height: size, width: size },
    do_normalize: true,
    image_mean: IMAGE_MEAN,
    image_std: IMAGE_STD,
  });
  writeTokenizerFiles(dir);

  return {
    dir,
    size,
    embedDim,
    vision: (pixelValues, batch) => gemm(pixelValues, batch, visionWeights, visionBias),
    text: (inputIds, attentionMask, batch, length) => {
      const means = new Float32Array(batch * tokenDim);
      for (let b = 0; b < batch; b++) {
        let count = 0;
        for (let t = 0; t < length; t++) {
          if (attentionMask[b * length + t] === 0n) continue;
          count++;
          const id = Number(inputIds[b * length + t]);
          for (let k = 0; k < tokenDim; k++) means[b * tokenDim + k] += tokenEmbeddings[id * tokenDim + k];
        }
        for (let k = 0; k < tokenDim; k++) means[b * tokenDim + k] /= count;
      }
      return gemm(means, batch, textWeights, textBias);
    },
  };
}

/** A WordLevel tokenizer.json (Lowercase, WhitespaceSplit + Punctuation, `<s> $A </s>`) and its config. */
export function writeTokenizerFiles(dir: string, configOverrides: Record<string, unknown> = {}): void {
  const special = (content: string, id: number) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  writeJson(path.join(dir, 'tokenizer.json'), {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special('[UNK]', 0), special('[PAD]', 1), special('<s>', 2), special('</s>', 3)],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'Lowercase' }] },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'Punctuation', behavior: 'Isolated' }] },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
      pair: [],
      special_tokens: { '<s>': { id: '<s>', ids: [2], tokens: ['<s>'] }, '</s>': { id: '</s>', ids: [3], tokens: ['</s>'] } },
    },
    decoder: null,
    model: { type: 'WordLevel', vocab: Object.fromEntries(SCORER_VOCAB.map((token, id) => [token, id])), unk_token: '[UNK]' },
  });
  writeJson(path.join(dir, 'tokenizer_config.json'), { unk_token: '[UNK]', pad_token: '[PAD]', model_max_length: 16, ...configOverrides });
}

// ---------------------------------------------------------------- classifier

export interface TinyClassifier {
  readonly dir: string;
  readonly labels: string[];
  readonly height: number;
  readonly width: number;
  reference(images: Float32Array, batch: number): Float32Array;
}

/** classifier = Flatten + Gemm + Sigmoid. */
export function writeClassifierBundle(dir: string, options: { height?: number; width?: number; labels?: string[] } = {}): TinyClassifier {
  const height = options.height ?? 4;
  const width = options.width ?? 4;
  const labels = options.labels ?? ['blue', 'square'];
  const pixels = 3 * height * width;
  const weights = seededValues(pixels * labels.length, 31, 0.6);
  const bias = seededValues(labels.length, 32, 0.2);
  writeModel(path.join(dir, 'model.onnx'), {
    nodes: [node('Flatten', ['image'], ['flat'], [intAttr('axis', 1)]), node('Gemm', ['flat', 'W', 'b'], ['logits']), node('Sigmoid', ['logits'], ['probabilities'])],
    initializers: [floatTensor('W', [pixels, labels.length], weights), floatTensor('b', [labels.length], bias)],
    inputs: [valueInfo('image', FLOAT, ['batch', 3, height, width])],
    outputs: [valueInfo('probabilities', FLOAT, ['batch', labels.length])],
  });
  writeJson(path.join(dir, 'classifier.json'), { type: 'classifier', input: 'image', output: 'probabilities', imageSize: [height, width], labels });
  return { dir, labels, height, width, reference: (images, batch) => gemm(images, batch, weights, bias).map(sigmoid) };
}
