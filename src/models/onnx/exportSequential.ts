import * as tf from '@tensorflow/tfjs';
import { OnnxExportError } from './onnxErrors';
import { attr, BATCH_DIM, type OnnxAttributes, type OnnxDim, OnnxGraphBuilder } from './onnxGraphBuilder';

/**
 * Writes a trained single-input, single-output tfjs layer chain (a `tf.Sequential`, or a
 * functional `tf.LayersModel` that is a plain chain) as an ONNX model.
 *
 * The ONNX graph works in NCHW, the layout ONNX Conv/Pool ops expect, while tfjs is NHWC:
 * image inputs are declared `[batch, C, H, W]`, image outputs come out `[batch, C, H, W]`, and
 * a Transpose is inserted wherever tfjs depends on the NHWC element order (before Flatten and
 * Reshape, and back to NCHW after a Reshape to `[H, W, C]`).
 */

export interface ExportSequentialOptions {
  inputName: string;
  outputName: string;
  /** image models: the ONNX input is NCHW [batch, C, H, W] while tfjs is NHWC */
  inputLayout: 'image' | 'vector';
  /** Divide the (vector) output by its L2 norm over the last axis, max(norm, {@link L2_NORMALIZE_EPSILON}). */
  l2NormalizeOutput?: boolean;
  /** Applied after the last layer unless that layer already ends with it; before the L2 normalisation. */
  outputActivation?: 'sigmoid';
}

/** The floor of the norm in `l2NormalizeOutput`, as in `x / max(||x||, eps)`. */
export const L2_NORMALIZE_EPSILON = 1e-12;

/** Activation identifiers (tfjs `activation` config values) that have an ONNX mapping. */
export const SUPPORTED_ACTIVATIONS = ['linear', 'relu', 'relu6', 'sigmoid', 'tanh', 'elu'] as const;
type ActivationName = (typeof SUPPORTED_ACTIVATIONS)[number];

/** tfjs layer class names (`layer.getClassName()`) this exporter handles. */
export const SUPPORTED_LAYERS = [
  'Conv2D',
  'Conv2DTranspose',
  'Dense',
  'Flatten',
  'Reshape',
  'Activation',
  'LeakyReLU',
  'ReLU',
  'Dropout',
  'MaxPooling2D',
  'AveragePooling2D',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling2D',
  'BatchNormalization',
] as const;
type SupportedLayer = (typeof SUPPORTED_LAYERS)[number];

type TfLayer = tf.SymbolicTensor['sourceLayer'];
type LayerConfig = ReturnType<TfLayer['getConfig']>;

/** The tensor flowing between layers. */
interface Flow {
  readonly tensor: string;
  /** 'image': an NCHW ONNX tensor; 'vector': [batch, D]. */
  readonly kind: 'image' | 'vector';
  /** The per-sample tfjs shape: [H, W, C] for images, [D] for vectors. */
  readonly shape: readonly number[];
  /** The elementwise activation that produced this tensor (e.g. 'sigmoid'), if the last op was one. */
  readonly activation: string | null;
}

export function exportSequentialModel(model: tf.Sequential | tf.LayersModel, options: ExportSequentialOptions): Uint8Array {
  if (options.inputLayout !== 'image' && options.inputLayout !== 'vector') {
    throw new OnnxExportError(`inputLayout "${String(options.inputLayout)}" is not supported ('image' or 'vector')`);
  }
  const builder = new OnnxGraphBuilder(model.name);
  const inputShape = perSampleInputShape(model, options.inputLayout);
  let flow: Flow = {
    tensor: builder.addInput(options.inputName, 'float32', [BATCH_DIM, ...onnxDims({ kind: options.inputLayout, shape: inputShape })]),
    kind: options.inputLayout,
    shape: inputShape,
    activation: null,
  };

  for (const layer of layerChain(model)) {
    const context = new LayerContext(builder, layer);
    flow = LAYER_EXPORTERS[context.supportedClassName()](context, flow);
  }

  if (options.outputActivation !== undefined) {
    if (options.outputActivation !== 'sigmoid') {
      throw new OnnxExportError(`outputActivation "${String(options.outputActivation)}" is not supported (only 'sigmoid')`);
    }
    if (flow.activation !== 'sigmoid') flow = applyActivation(builder, flow, 'sigmoid');
  }
  if (options.l2NormalizeOutput === true) flow = l2Normalize(builder, flow);

  builder.addNode('Identity', [flow.tensor], {}, options.outputName);
  builder.addOutput(options.outputName, 'float32', [BATCH_DIM, ...onnxDims(flow)]);
  return builder.toBytes({ docString: `exported from tfjs model "${model.name}"` });
}

/* ---------------------------------------------------------------- model structure */

/** The model's layers from input to output, checking that they form one unbranched chain. */
function layerChain(model: tf.LayersModel): TfLayer[] {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new OnnxExportError(`model "${model.name}" must have exactly one input and one output (has ${model.inputs.length} and ${model.outputs.length})`);
  }
  const chain: TfLayer[] = [];
  let tensor = model.outputs[0]!;
  while (tensor !== model.inputs[0]) {
    const layer = tensor.sourceLayer;
    if (tensor.inputs.length !== 1) {
      throw new OnnxExportError(`only single-input layer chains are supported, this layer takes ${tensor.inputs.length} inputs`, describe(layer));
    }
    chain.unshift(layer);
    tensor = tensor.inputs[0]!;
  }
  return chain;
}

function perSampleInputShape(model: tf.LayersModel, layout: 'image' | 'vector'): number[] {
  const shape = model.inputs[0]?.shape ?? [];
  const dims = shape.slice(1);
  const expectedRank = layout === 'image' ? 4 : 2;
  if (shape.length !== expectedRank || dims.some((dim) => dim === null || dim <= 0)) {
    throw new OnnxExportError(
      `inputLayout '${layout}' needs a fully defined rank-${expectedRank} model input ` +
        `(${layout === 'image' ? '[null, H, W, C]' : '[null, D]'}), the model input is [${shape.join(', ')}]`,
    );
  }
  return dims as number[];
}

/** The ONNX dims after the batch dim: [C, H, W] for images, [D] for vectors. */
function onnxDims(flow: Pick<Flow, 'kind' | 'shape'>): OnnxDim[] {
  if (flow.kind === 'vector') return [...flow.shape];
  const [h, w, c] = flow.shape as [number, number, number];
  return [c, h, w];
}

function describe(layer: TfLayer): { name: string; className: string } {
  return { name: layer.name, className: layer.getClassName() };
}

/** One layer being exported: the builder, plus typed config and weight access with errors naming the layer. */
class LayerContext {
  readonly config: LayerConfig;

  constructor(
    readonly builder: OnnxGraphBuilder,
    readonly layer: TfLayer,
  ) {
    this.config = layer.getConfig();
  }

  fail(problem: string): never {
    throw new OnnxExportError(problem, describe(this.layer));
  }

  supportedClassName(): SupportedLayer {
    const className = this.layer.getClassName();
    if (!(SUPPORTED_LAYERS as readonly string[]).includes(className)) {
      this.fail(`layer type ${className} is not supported by the ONNX export (supported: ${SUPPORTED_LAYERS.join(', ')})`);
    }
    return className as SupportedLayer;
  }

  /** A unique tensor name derived from the layer name. */
  name(suffix: string): string {
    return `${this.layer.name}/${suffix}`;
  }

  string(key: string): string {
    const value = this.config[key];
    if (typeof value !== 'string') this.fail(`config "${key}" is ${JSON.stringify(value)}, expected a string`);
    return value;
  }

  number(key: string, fallback?: number): number {
    const value = this.config[key] ?? fallback;
    if (typeof value !== 'number') this.fail(`config "${key}" is ${JSON.stringify(value)}, expected a number`);
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.config[key] ?? fallback;
    if (typeof value !== 'boolean') this.fail(`config "${key}" is ${JSON.stringify(value)}, expected a boolean`);
    return value;
  }

  /** A config value given either as one number or as a list of `length` numbers. */
  numbers(key: string, length: number, fallback?: readonly number[]): number[] {
    const value = this.config[key] ?? fallback;
    const list = typeof value === 'number' ? new Array<number>(length).fill(value) : value;
    if (!Array.isArray(list) || list.length !== length || !list.every((v): v is number => typeof v === 'number')) {
      this.fail(`config "${key}" is ${JSON.stringify(value)}, expected ${length} numbers`);
    }
    return list;
  }

  requireChannelsLast(): void {
    const format = this.config['dataFormat'];
    if (format !== undefined && format !== null && format !== 'channelsLast') this.fail(`dataFormat "${String(format)}" is not supported (only channelsLast)`);
  }

  requireKind(flow: Flow, kind: Flow['kind']): void {
    if (flow.kind !== kind) {
      this.fail(`needs ${kind === 'image' ? 'an image [H, W, C]' : 'a vector [D]'} input, got per-sample shape [${flow.shape.join(', ')}]`);
    }
  }

  /** The layer's weights in `layer.weights` order, checked against the expected count. */
  weights(expected: number): tf.Tensor[] {
    const weights = this.layer.getWeights();
    if (weights.length !== expected) this.fail(`expected ${expected} weight tensors, found ${weights.length}`);
    return weights;
  }

  /** A weight selected by the last path segment of its variable name (e.g. "moving_mean"). */
  namedWeight(suffix: string): tf.Tensor | null {
    const index = this.layer.weights.findIndex((weight) => weight.name.split('/').pop() === suffix);
    return index < 0 ? null : this.layer.getWeights()[index]!;
  }

  floatInitializer(suffix: string, tensor: tf.Tensor, permutation?: number[]): string {
    const data = tf.tidy(() => (permutation ? tf.transpose(tensor, permutation) : tensor).dataSync());
    const dims = permutation ? permutation.map((axis) => tensor.shape[axis]) : tensor.shape;
    return this.builder.addFloatInitializer(this.name(suffix), Float32Array.from(data), dims);
  }

  /** Applies the layer's `activation` config (absent means linear). */
  activation(flow: Flow): Flow {
    const name = this.config['activation'] ?? 'linear';
    if (typeof name !== 'string' || !(SUPPORTED_ACTIVATIONS as readonly string[]).includes(name)) {
      this.fail(`activation ${JSON.stringify(name)} is not supported (supported: ${SUPPORTED_ACTIVATIONS.join(', ')})`);
    }
    return applyActivation(this.builder, flow, name as ActivationName);
  }
}

/* ---------------------------------------------------------------- activations */

/** An elementwise op on the flowing tensor, remembered as the flow's last activation. */
function elementwise(builder: OnnxGraphBuilder, flow: Flow, activation: string, opType: string, inputs: readonly string[] = [], attributes: OnnxAttributes = {}): Flow {
  return { ...flow, tensor: builder.addNode(opType, [flow.tensor, ...inputs], attributes), activation };
}

/** min(max(x, 0), max) as Clip with scalar bounds. */
function clippedRelu(builder: OnnxGraphBuilder, flow: Flow, max: number): Flow {
  const bounds = [builder.addFloatInitializer('clip_min', [0], []), builder.addFloatInitializer('clip_max', [max], [])];
  return elementwise(builder, flow, `relu_max_${max}`, 'Clip', bounds);
}

/** A tfjs activation identifier -> Relu / Clip(0, 6) / Sigmoid / Tanh / Elu(alpha 1); 'linear' adds nothing. */
function applyActivation(builder: OnnxGraphBuilder, flow: Flow, name: ActivationName): Flow {
  switch (name) {
    case 'linear':
      return flow;
    case 'relu':
      return elementwise(builder, flow, name, 'Relu');
    case 'relu6':
      return clippedRelu(builder, flow, 6);
    case 'sigmoid':
      return elementwise(builder, flow, name, 'Sigmoid');
    case 'tanh':
      return elementwise(builder, flow, name, 'Tanh');
    case 'elu':
      return elementwise(builder, flow, name, 'Elu', [], { alpha: attr.float(1) });
  }
}

/* ---------------------------------------------------------------- padding arithmetic */

interface AxisPadding {
  readonly begin: number;
  readonly end: number;
  readonly out: number;
}

/** TF's padding for a strided window (conv or pool) along one axis; 'same' may be asymmetric (extra pad at the end). */
export function tfWindowPadding(input: number, kernel: number, stride: number, padding: 'same' | 'valid'): AxisPadding {
  if (padding === 'valid') return { begin: 0, end: 0, out: Math.floor((input - kernel) / stride) + 1 };
  const out = Math.ceil(input / stride);
  const total = Math.max((out - 1) * stride + kernel - input, 0);
  return { begin: Math.floor(total / 2), end: total - Math.floor(total / 2), out };
}

/**
 * The ONNX ConvTranspose pads and output_padding along one axis reproducing tfjs Conv2DTranspose:
 * tfjs's output size is `in*s` ('same') or `in*s + max(k-s, 0)` ('valid'), computed as the
 * gradient of a conv over that output size, so the begin pad is that conv's TF begin pad and
 * output_padding makes up the rest: out = s*(in-1) + k - begin - end + output_padding.
 */
export function tfTransposedPadding(input: number, kernel: number, stride: number, padding: 'same' | 'valid'): AxisPadding & { outputPadding: number } {
  const out = padding === 'same' ? input * stride : input * stride + Math.max(kernel - stride, 0);
  const forward = tfWindowPadding(out, kernel, stride, padding);
  const outputPadding = out - (stride * (input - 1) + kernel - forward.begin - forward.end);
  return { begin: forward.begin, end: forward.end, out, outputPadding };
}

function paddingMode(context: LayerContext): 'same' | 'valid' {
  const padding = context.string('padding');
  if (padding !== 'same' && padding !== 'valid') context.fail(`padding "${padding}" is not supported (only 'same' and 'valid')`);
  return padding;
}

function requireUnitDilation(context: LayerContext): void {
  const dilation = context.numbers('dilationRate', 2, [1, 1]);
  if (dilation.some((d) => d !== 1)) context.fail(`dilationRate [${dilation.join(', ')}] is not supported (only 1)`);
}

/* ---------------------------------------------------------------- layers */

type LayerExporter = (context: LayerContext, flow: Flow) => Flow;

const LAYER_EXPORTERS: Record<SupportedLayer, LayerExporter> = {
  Conv2D: exportConv2D,
  Conv2DTranspose: exportConv2DTranspose,
  Dense: exportDense,
  Flatten: exportFlatten,
  Reshape: exportReshape,
  Activation: (context, flow) => context.activation(flow),
  LeakyReLU: (context, flow) => elementwise(context.builder, flow, 'leakyReLU', 'LeakyRelu', [], { alpha: attr.float(context.number('alpha', 0.3)) }),
  ReLU: (context, flow) => {
    const maxValue = context.config['maxValue'];
    return maxValue == null ? applyActivation(context.builder, flow, 'relu') : clippedRelu(context.builder, flow, context.number('maxValue'));
  },
  Dropout: (_context, flow) => flow,
  MaxPooling2D: (context, flow) => exportPooling(context, flow, 'MaxPool'),
  AveragePooling2D: (context, flow) => exportPooling(context, flow, 'AveragePool'),
  GlobalAveragePooling2D: (context, flow) => exportGlobalPooling(context, flow, 'GlobalAveragePool'),
  GlobalMaxPooling2D: (context, flow) => exportGlobalPooling(context, flow, 'GlobalMaxPool'),
  BatchNormalization: exportBatchNormalization,
};

/** What Conv2D and Conv2DTranspose layers share: NHWC image input, no dilation, kernel, strides, weights. */
function convolutionSettings(context: LayerContext, flow: Flow) {
  context.requireKind(flow, 'image');
  context.requireChannelsLast();
  requireUnitDilation(context);
  const padding = paddingMode(context);
  const [kh, kw] = context.numbers('kernelSize', 2);
  const [sh, sw] = context.numbers('strides', 2, [1, 1]);
  const useBias = context.boolean('useBias', true);
  const [kernel, bias] = context.weights(useBias ? 2 : 1);
  const [h, w] = flow.shape as [number, number, number];
  return { padding, kh, kw, sh, sw, kernel, bias, h, w };
}

/** Conv2D -> Conv (NCHW, W = kernel permuted (3,2,0,1) to [out, in, kh, kw], explicit TF pads) + activation. */
function exportConv2D(context: LayerContext, flow: Flow): Flow {
  const { padding, kh, kw, sh, sw, kernel, bias, h, w } = convolutionSettings(context, flow);
  const padH = tfWindowPadding(h, kh, sh, padding);
  const padW = tfWindowPadding(w, kw, sw, padding);
  if (padH.out <= 0 || padW.out <= 0) context.fail(`kernel ${kh}x${kw} does not fit the ${h}x${w} input with 'valid' padding`);

  const inputs = [flow.tensor, context.floatInitializer('W', kernel, [3, 2, 0, 1])];
  if (bias) inputs.push(context.floatInitializer('B', bias));
  const tensor = context.builder.addNode('Conv', inputs, {
    kernel_shape: attr.ints([kh, kw]),
    strides: attr.ints([sh, sw]),
    pads: attr.ints([padH.begin, padW.begin, padH.end, padW.end]),
    dilations: attr.ints([1, 1]),
    group: attr.int(1),
  });
  return context.activation({ tensor, kind: 'image', shape: [padH.out, padW.out, context.number('filters')], activation: null });
}

/** Conv2DTranspose -> ConvTranspose (W = kernel permuted (3,2,0,1) to [in, out, kh, kw]; pads + output_padding matching tfjs) + activation. */
function exportConv2DTranspose(context: LayerContext, flow: Flow): Flow {
  const { padding, kh, kw, sh, sw, kernel, bias, h, w } = convolutionSettings(context, flow);
  const padH = tfTransposedPadding(h, kh, sh, padding);
  const padW = tfTransposedPadding(w, kw, sw, padding);
  for (const [axis, stride] of [[padH, sh], [padW, sw]] as const) {
    if (axis.outputPadding < 0 || axis.outputPadding >= stride) {
      context.fail(`cannot express the tfjs output size with ONNX ConvTranspose (output_padding ${axis.outputPadding}, stride ${stride})`);
    }
  }

  const inputs = [flow.tensor, context.floatInitializer('W', kernel, [3, 2, 0, 1])];
  if (bias) inputs.push(context.floatInitializer('B', bias));
  const tensor = context.builder.addNode('ConvTranspose', inputs, {
    kernel_shape: attr.ints([kh, kw]),
    strides: attr.ints([sh, sw]),
    pads: attr.ints([padH.begin, padW.begin, padH.end, padW.end]),
    output_padding: attr.ints([padH.outputPadding, padW.outputPadding]),
    dilations: attr.ints([1, 1]),
    group: attr.int(1),
  });
  return context.activation({ tensor, kind: 'image', shape: [padH.out, padW.out, context.number('filters')], activation: null });
}

/** Dense (2-D input only) -> Gemm(A, B = kernel [in, out] as is, C = bias) + activation. */
function exportDense(context: LayerContext, flow: Flow): Flow {
  context.requireKind(flow, 'vector');
  const useBias = context.boolean('useBias', true);
  const [kernel, bias] = context.weights(useBias ? 2 : 1);
  const inputs = [flow.tensor, context.floatInitializer('kernel', kernel)];
  if (bias) inputs.push(context.floatInitializer('bias', bias));
  const tensor = context.builder.addNode('Gemm', inputs, { alpha: attr.float(1), beta: attr.float(1), transA: attr.int(0), transB: attr.int(0) });
  return context.activation({ tensor, kind: 'vector', shape: [context.number('units')], activation: null });
}

/** The NCHW image back in tfjs NHWC element order. */
function toNhwc(context: LayerContext, flow: Flow): string {
  return context.builder.addNode('Transpose', [flow.tensor], { perm: attr.ints([0, 2, 3, 1]) });
}

/** Flatten -> Transpose to NHWC (images only, tfjs flattens in NHWC order) + Flatten(axis 1). */
function exportFlatten(context: LayerContext, flow: Flow): Flow {
  context.requireChannelsLast();
  if (flow.kind === 'vector') return flow;
  const tensor = context.builder.addNode('Flatten', [toNhwc(context, flow)], { axis: attr.int(1) });
  return { ...flow, tensor, kind: 'vector', shape: [flow.shape.reduce((a, b) => a * b, 1)] };
}

/** Reshape -> [Transpose to NHWC] + Reshape([batch, ...target]) [+ Transpose to NCHW for [H, W, C] targets]. */
function exportReshape(context: LayerContext, flow: Flow): Flow {
  // tfjs keeps an inferred dim (-1) as null in the config.
  const config = context.config['targetShape'];
  if (!Array.isArray(config) || !config.every((d) => d === null || typeof d === 'number')) {
    context.fail(`targetShape ${JSON.stringify(config)} is not a list of numbers`);
  }
  const requested = config.map((d) => (d === null ? -1 : (d as number)));
  const size = flow.shape.reduce((a, b) => a * b, 1);
  const inferred = requested.filter((d) => d === -1).length;
  const known = requested.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const invalidDim = requested.some((d) => d !== -1 && (!Number.isInteger(d) || d <= 0));
  if (inferred > 1 || invalidDim || (inferred === 1 ? size % known !== 0 : known !== size)) {
    context.fail(`cannot reshape [${flow.shape.join(', ')}] to [${requested.join(', ')}]`);
  }
  const target = requested.map((d) => (d === -1 ? size / known : d));
  if (target.length !== 1 && target.length !== 3) context.fail(`only reshapes to vectors [D] or images [H, W, C] are supported, got [${requested.join(', ')}]`);

  const source = flow.kind === 'image' ? toNhwc(context, flow) : flow.tensor;
  const shape = context.builder.addInt64Initializer(context.name('shape'), [0, ...target]);
  const reshaped = context.builder.addNode('Reshape', [source, shape]);
  if (target.length === 1) return { ...flow, tensor: reshaped, kind: 'vector', shape: target };
  const tensor = context.builder.addNode('Transpose', [reshaped], { perm: attr.ints([0, 3, 1, 2]) });
  return { ...flow, tensor, kind: 'image', shape: target };
}

/** MaxPooling2D / AveragePooling2D -> MaxPool / AveragePool (explicit TF pads; averages exclude the padding, as TF). */
function exportPooling(context: LayerContext, flow: Flow, opType: 'MaxPool' | 'AveragePool'): Flow {
  context.requireKind(flow, 'image');
  context.requireChannelsLast();
  const padding = paddingMode(context);
  const [ph, pw] = context.numbers('poolSize', 2);
  const [sh, sw] = context.config['strides'] == null ? [ph, pw] : context.numbers('strides', 2);
  const [h, w, c] = flow.shape as [number, number, number];
  const padH = tfWindowPadding(h, ph, sh, padding);
  const padW = tfWindowPadding(w, pw, sw, padding);
  if (padH.out <= 0 || padW.out <= 0) context.fail(`pool ${ph}x${pw} does not fit the ${h}x${w} input with 'valid' padding`);
  const tensor = context.builder.addNode(opType, [flow.tensor], {
    kernel_shape: attr.ints([ph, pw]),
    strides: attr.ints([sh, sw]),
    pads: attr.ints([padH.begin, padW.begin, padH.end, padW.end]),
    ...(opType === 'AveragePool' ? { count_include_pad: attr.int(0) } : {}),
  });
  return { tensor, kind: 'image', shape: [padH.out, padW.out, c], activation: null };
}

/** GlobalAveragePooling2D / GlobalMaxPooling2D -> GlobalAveragePool / GlobalMaxPool + Flatten(axis 1) to [batch, C]. */
function exportGlobalPooling(context: LayerContext, flow: Flow, opType: 'GlobalAveragePool' | 'GlobalMaxPool'): Flow {
  context.requireKind(flow, 'image');
  context.requireChannelsLast();
  if (context.config['keepDims'] === true) context.fail('keepDims is not supported');
  const pooled = context.builder.addNode(opType, [flow.tensor]);
  const tensor = context.builder.addNode('Flatten', [pooled], { axis: attr.int(1) });
  return { tensor, kind: 'vector', shape: [flow.shape[2]], activation: null };
}

/** BatchNormalization over the channel/feature axis -> BatchNormalization (inference: moving mean/variance). */
function exportBatchNormalization(context: LayerContext, flow: Flow): Flow {
  const axis = context.number('axis', -1);
  const rank = flow.shape.length + 1;
  if (axis !== -1 && axis !== rank - 1) context.fail(`axis ${axis} is not supported (only the last, channel axis)`);
  const channels = flow.shape[flow.shape.length - 1]!;
  const weight = (suffix: string, fill: number): string => {
    const tensor = context.namedWeight(suffix);
    if (tensor) return context.floatInitializer(suffix, tensor);
    if (suffix === 'moving_mean' || suffix === 'moving_variance') context.fail(`weight "${suffix}" is missing`);
    return context.builder.addFloatInitializer(context.name(suffix), new Float32Array(channels).fill(fill), [channels]);
  };
  const inputs = [flow.tensor, weight('gamma', 1), weight('beta', 0), weight('moving_mean', 0), weight('moving_variance', 1)];
  const tensor = context.builder.addNode('BatchNormalization', inputs, { epsilon: attr.float(context.number('epsilon', 1e-3)) });
  return { ...flow, tensor, activation: null };
}

/** x / max(ReduceL2(x, last axis), eps) on the [batch, D] output. */
function l2Normalize(builder: OnnxGraphBuilder, flow: Flow): Flow {
  if (flow.kind !== 'vector') {
    throw new OnnxExportError(`l2NormalizeOutput needs a vector output, the model output is an image [${flow.shape.join(', ')}]`);
  }
  const norm = builder.addNode('ReduceL2', [flow.tensor], { axes: attr.ints([1]), keepdims: attr.int(1) });
  const floor = builder.addNode('Max', [norm, builder.addFloatInitializer('l2_epsilon', [L2_NORMALIZE_EPSILON], [])]);
  return { ...flow, tensor: builder.addNode('Div', [flow.tensor, floor]), activation: null };
}
