import { onnx } from 'onnx-proto';
import { OnnxExportError } from './onnxErrors';

/**
 * A small builder over the onnx-proto schema: initializers, nodes, graph inputs/outputs, and
 * `toBytes()` producing a serialized ModelProto (IR version 8, default-domain opset 17) that
 * onnxruntime-node loads. Names are unique: `uniqueName('conv')` gives `conv`, `conv_1`, ...
 */

export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET_VERSION = 17;

/** The symbolic name of the batch dimension in graph input/output shapes. */
export const BATCH_DIM = 'batch';

export type OnnxElementType = 'float32' | 'int64';

/** A tensor dimension: a fixed size, or a symbolic name such as {@link BATCH_DIM}. */
export type OnnxDim = number | string;

export type OnnxAttribute =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string };

/** Attribute constructors: `{ axis: attr.int(1), pads: attr.ints([0, 0, 1, 1]) }`. */
export const attr = {
  int: (value: number): OnnxAttribute => ({ kind: 'int', value }),
  float: (value: number): OnnxAttribute => ({ kind: 'float', value }),
  ints: (value: readonly number[]): OnnxAttribute => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): OnnxAttribute => ({ kind: 'floats', value }),
  string: (value: string): OnnxAttribute => ({ kind: 'string', value }),
};

export type OnnxAttributes = Readonly<Record<string, OnnxAttribute>>;

const ELEMENT_TYPES: Record<OnnxElementType, onnx.TensorProto.DataType> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
};

export class OnnxGraphBuilder {
  private readonly names = new Set<string>();
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];

  constructor(private readonly graphName = 'main') {}

  /** A tensor name not used yet in this graph, derived from `base`. */
  uniqueName(base: string): string {
    const stem = base.length > 0 ? base : 't';
    let name = stem;
    for (let i = 1; this.names.has(name); i++) name = `${stem}_${i}`;
    this.names.add(name);
    return name;
  }

  /** Declares a graph input with exactly this name (which must be free). */
  addInput(name: string, elementType: OnnxElementType, shape: readonly OnnxDim[]): string {
    this.claimExactName(name);
    this.inputs.push(valueInfo(name, elementType, shape));
    return name;
  }

  /** Declares an existing tensor (a node output, input or initializer) as a graph output. */
  addOutput(name: string, elementType: OnnxElementType, shape: readonly OnnxDim[]): void {
    this.requireKnown(name);
    this.outputs.push(valueInfo(name, elementType, shape));
  }

  /** A float32 initializer (stored as little-endian raw bytes); `dims: []` makes a scalar. */
  addFloatInitializer(base: string, data: Float32Array | readonly number[], dims: readonly number[]): string {
    checkElementCount(base, data.length, dims);
    const bytes = new Uint8Array(data.length * 4);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
    return this.pushInitializer(base, 'float32', dims, bytes);
  }

  /** An int64 initializer (e.g. a Reshape shape or Unsqueeze axes); `dims` defaults to `[values.length]`. */
  addInt64Initializer(base: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    checkElementCount(base, values.length, dims);
    const bytes = new Uint8Array(values.length * 8);
    const view = new DataView(bytes.buffer);
    values.forEach((value, i) => {
      if (!Number.isSafeInteger(value)) throw new OnnxExportError(`int64 initializer "${base}" holds the non-integer ${value}`);
      view.setBigInt64(i * 8, BigInt(value), true);
    });
    return this.pushInitializer(base, 'int64', dims, bytes);
  }

  /**
   * Adds a node with one output and returns that output's name: a fresh one derived from the
   * op type, or `output` exactly (which must be free). An empty input name skips an optional input.
   */
  addNode(opType: string, inputs: readonly string[], attributes: OnnxAttributes = {}, output?: string): string {
    for (const input of inputs) if (input !== '') this.requireKnown(input);
    const outputName = output === undefined ? this.uniqueName(opType.toLowerCase()) : this.claimExactName(output);
    this.nodes.push({
      name: `${opType}_${this.nodes.length}`,
      opType,
      domain: '',
      input: [...inputs],
      output: [outputName],
      attribute: Object.entries(attributes).map(([name, value]) => attributeProto(name, value)),
    });
    return outputName;
  }

  /** The serialized ModelProto. */
  toBytes(options: { producerName?: string; docString?: string } = {}): Uint8Array {
    if (this.inputs.length === 0 || this.outputs.length === 0) {
      throw new OnnxExportError(`graph "${this.graphName}" needs at least one input and one output`);
    }
    const model = onnx.ModelProto.create({
      irVersion: ONNX_IR_VERSION,
      opsetImport: [{ domain: '', version: ONNX_OPSET_VERSION }],
      producerName: options.producerName ?? 'qdgs-platform',
      docString: options.docString ?? '',
      graph: {
        name: this.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }

  private pushInitializer(base: string, elementType: OnnxElementType, dims: readonly number[], rawData: Uint8Array): string {
    const name = this.uniqueName(base);
    this.initializers.push({ name, dataType: ELEMENT_TYPES[elementType], dims: [...dims], rawData });
    return name;
  }

  private claimExactName(name: string): string {
    if (name === '' || this.names.has(name)) throw new OnnxExportError(`tensor name "${name}" is empty or already used in the graph`);
    this.names.add(name);
    return name;
  }

  private requireKnown(name: string): void {
    if (!this.names.has(name)) throw new OnnxExportError(`tensor "${name}" is not defined in the graph`);
  }
}

function checkElementCount(name: string, length: number, dims: readonly number[]): void {
  const expected = dims.reduce((product, dim) => product * dim, 1);
  if (expected !== length) {
    throw new OnnxExportError(`initializer "${name}" has ${length} values but dims [${dims.join(', ')}] need ${expected}`);
  }
}

function valueInfo(name: string, elementType: OnnxElementType, shape: readonly OnnxDim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEMENT_TYPES[elementType],
        shape: { dim: shape.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) },
      },
    },
  };
}

function attributeProto(name: string, attribute: OnnxAttribute): onnx.IAttributeProto {
  const type = onnx.AttributeProto.AttributeType;
  switch (attribute.kind) {
    case 'int':
      return { name, type: type.INT, i: attribute.value };
    case 'float':
      return { name, type: type.FLOAT, f: attribute.value };
    case 'ints':
      return { name, type: type.INTS, ints: [...attribute.value] };
    case 'floats':
      return { name, type: type.FLOATS, floats: [...attribute.value] };
    case 'string':
      return { name, type: type.STRING, s: new TextEncoder().encode(attribute.value) };
  }
}
