import { OnnxExportError } from './onnxErrors';
import { attr, BATCH_DIM, OnnxGraphBuilder } from './onnxGraphBuilder';

/**
 * The scorer's text tower, given as plain weights, written as ONNX:
 *   input_ids int64 [batch, seq], attention_mask int64 [batch, seq]
 *   -> Gather(embedding, input_ids)                      [batch, seq, embedDim]
 *   -> masked mean over seq: sum(emb * mask) / max(sum(mask), 1)
 *   -> dense layers in order (Gemm + activation)
 *   -> x / max(||x||_2, eps)                             text_embeds float32 [batch, out]
 * `encodeTextReference` computes the same in plain TypeScript, for parity tests.
 */

export type TextEncoderActivation = 'relu' | 'linear' | 'tanh';

export interface TextEncoderLayer {
  /** [in, out] row-major */
  kernel: Float32Array;
  bias: Float32Array;
  in: number;
  out: number;
  activation: TextEncoderActivation;
}

export interface TextEncoderWeights {
  /** [vocab, embedDim] row-major */
  embedding: Float32Array;
  vocabSize: number;
  embedDim: number;
  layers: TextEncoderLayer[];
}

export interface TextEncoderExportOptions {
  /** Declares the sequence dimension of both inputs as this fixed length; symbolic ("sequence") when absent. */
  maxLength?: number;
}

export const TEXT_ENCODER_INPUT_IDS = 'input_ids';
export const TEXT_ENCODER_ATTENTION_MASK = 'attention_mask';
export const TEXT_ENCODER_OUTPUT = 'text_embeds';
/** The floor of the norm in the final L2 normalisation. */
export const TEXT_ENCODER_L2_EPSILON = 1e-12;

export function exportTextEncoder(weights: TextEncoderWeights, options: TextEncoderExportOptions = {}): Uint8Array {
  const outDim = checkTextEncoderWeights(weights);
  const { maxLength } = options;
  if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength <= 0)) {
    throw new OnnxExportError(`text encoder maxLength must be a positive integer, got ${maxLength}`);
  }
  const g = new OnnxGraphBuilder('text_encoder');
  const sequenceDim = maxLength ?? 'sequence';
  const ids = g.addInput(TEXT_ENCODER_INPUT_IDS, 'int64', [BATCH_DIM, sequenceDim]);
  const mask = g.addInput(TEXT_ENCODER_ATTENTION_MASK, 'int64', [BATCH_DIM, sequenceDim]);

  const embedding = g.addFloatInitializer('embedding', weights.embedding, [weights.vocabSize, weights.embedDim]);
  const tokens = g.addNode('Gather', [embedding, ids], { axis: attr.int(0) }); // [B, S, E]
  const maskFloat = g.addNode('Cast', [mask], { to: attr.int(1 /* FLOAT */) }); // [B, S]
  const maskColumn = g.addNode('Unsqueeze', [maskFloat, g.addInt64Initializer('axis_2', [2])]); // [B, S, 1]
  const sequenceAxis = g.addInt64Initializer('axis_1', [1]);
  const summed = g.addNode('ReduceSum', [g.addNode('Mul', [tokens, maskColumn]), sequenceAxis], { keepdims: attr.int(0) }); // [B, E]
  const count = g.addNode('ReduceSum', [maskFloat, sequenceAxis], { keepdims: attr.int(1) }); // [B, 1]
  const one = g.addFloatInitializer('one', [1], []);
  let x = g.addNode('Div', [summed, g.addNode('Max', [count, one])]);

  weights.layers.forEach((layer, i) => {
    const kernel = g.addFloatInitializer(`dense_${i}/kernel`, layer.kernel, [layer.in, layer.out]);
    const bias = g.addFloatInitializer(`dense_${i}/bias`, layer.bias, [layer.out]);
    x = g.addNode('Gemm', [x, kernel, bias]);
    if (layer.activation === 'relu') x = g.addNode('Relu', [x]);
    if (layer.activation === 'tanh') x = g.addNode('Tanh', [x]);
  });

  const norm = g.addNode('ReduceL2', [x], { axes: attr.ints([1]), keepdims: attr.int(1) });
  const floor = g.addNode('Max', [norm, g.addFloatInitializer('l2_epsilon', [TEXT_ENCODER_L2_EPSILON], [])]);
  g.addNode('Div', [x, floor], {}, TEXT_ENCODER_OUTPUT);
  g.addOutput(TEXT_ENCODER_OUTPUT, 'float32', [BATCH_DIM, outDim]);
  return g.toBytes({ docString: 'scorer text tower: masked-mean token embeddings, dense layers, L2 normalisation' });
}

/**
 * The text encoder in plain TypeScript (float64 arithmetic): `ids` and `mask` are [batch][seq];
 * returns the L2-normalised embeddings, [batch, out] row-major.
 */
export function encodeTextReference(weights: TextEncoderWeights, ids: number[][], mask: number[][]): Float32Array {
  const outDim = checkTextEncoderWeights(weights);
  if (ids.length !== mask.length) throw new OnnxExportError(`ids has ${ids.length} rows but mask has ${mask.length}`);
  const result = new Float32Array(ids.length * outDim);
  ids.forEach((row, b) => {
    const maskRow = mask[b];
    if (row.length !== maskRow.length) throw new OnnxExportError(`ids row ${b} has ${row.length} tokens but its mask has ${maskRow.length}`);
    let x = new Array<number>(weights.embedDim).fill(0);
    let count = 0;
    row.forEach((id, t) => {
      if (!Number.isInteger(id) || id < 0 || id >= weights.vocabSize) throw new OnnxExportError(`token id ${id} is outside the vocabulary [0, ${weights.vocabSize})`);
      const m = maskRow[t];
      count += m;
      for (let e = 0; e < weights.embedDim; e++) x[e] += weights.embedding[id * weights.embedDim + e] * m;
    });
    x = x.map((v) => v / Math.max(count, 1));
    for (const layer of weights.layers) {
      const y = Array.from(layer.bias);
      for (let i = 0; i < layer.in; i++) for (let o = 0; o < layer.out; o++) y[o] += x[i] * layer.kernel[i * layer.out + o];
      x = y.map((v) => (layer.activation === 'relu' ? Math.max(v, 0) : layer.activation === 'tanh' ? Math.tanh(v) : v));
    }
    const norm = Math.max(Math.hypot(...x), TEXT_ENCODER_L2_EPSILON);
    x.forEach((v, o) => (result[b * outDim + o] = v / norm));
  });
  return result;
}

/** Checks the weight sizes and the layer chain; returns the output dimension. */
function checkTextEncoderWeights(weights: TextEncoderWeights): number {
  const { vocabSize, embedDim } = weights;
  if (!Number.isInteger(vocabSize) || vocabSize <= 0 || !Number.isInteger(embedDim) || embedDim <= 0) {
    throw new OnnxExportError(`text encoder vocabSize and embedDim must be positive integers, got ${vocabSize} and ${embedDim}`);
  }
  if (weights.embedding.length !== vocabSize * embedDim) {
    throw new OnnxExportError(`text encoder embedding has ${weights.embedding.length} values, expected vocabSize*embedDim = ${vocabSize * embedDim}`);
  }
  let width = embedDim;
  weights.layers.forEach((layer, i) => {
    const where = `text encoder layer ${i}`;
    if (layer.in !== width) throw new OnnxExportError(`${where} takes ${layer.in} inputs but receives ${width}`);
    if (!Number.isInteger(layer.out) || layer.out <= 0) throw new OnnxExportError(`${where} has invalid out ${layer.out}`);
    if (layer.kernel.length !== layer.in * layer.out) throw new OnnxExportError(`${where} kernel has ${layer.kernel.length} values, expected in*out = ${layer.in * layer.out}`);
    if (layer.bias.length !== layer.out) throw new OnnxExportError(`${where} bias has ${layer.bias.length} values, expected ${layer.out}`);
    if (!['relu', 'linear', 'tanh'].includes(layer.activation)) throw new OnnxExportError(`${where} activation "${layer.activation}" is not supported (relu, linear, tanh)`);
    width = layer.out;
  });
  return width;
}
