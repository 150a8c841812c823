import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describeError, ModelError } from './modelErrors';

/**
 * An onnxruntime-node session for one model file of a bundle: created on the requested device
 * (CUDA with a CPU fallback that says why), checked against the inputs and outputs the bundle
 * promises, and run over large batches in chunks.
 *
 * GPU: onnxruntime-node's npm package ships only the CPU provider. The CUDA provider's
 * libraries are fetched by its install script from NuGet when asked for:
 * `onnxruntime-node-install=cuda12` in `.npmrc` (and the package's install script allowed),
 * then `npm rebuild onnxruntime-node`. Without them a 'gpu' session runs on the CPU and
 * `fallbackReason` says so.
 */

export type Device = 'cpu' | 'gpu';
export type ExecutionProvider = 'cpu' | 'cuda';
export type TensorElementType = 'float32' | 'int64';

/** A dimension the bundle promises: a fixed size, or a name (`batch`, `D`) meaning any size. */
export type DimSpec = number | string;

/** An input or output the bundle promises. */
export interface TensorSpec {
  readonly name: string;
  readonly type: TensorElementType;
  readonly shape: readonly DimSpec[];
  /** An input the loader feeds only when the model declares it. */
  readonly optional?: boolean;
}

/** Options every bundle loader (generator, scorer, classifier) takes. */
export interface RuntimeOptions {
  /** Default 'cpu'; 'gpu' uses CUDA when installed, else the CPU (see `fallbackReason`). */
  readonly device?: Device;
  /** Rows per onnxruntime call; larger requests are split and concatenated. Default 64. */
  readonly maxBatch?: number;
  /** onnxruntime intra-op threads, default 1. */
  readonly intraOpNumThreads?: number;
}

export const DEFAULT_MAX_BATCH = 64;

export interface CreateSessionOptions {
  /** Default 'cpu'. */
  readonly device?: Device;
  /** Default 1: measured fastest on this project's machines; raise it on large models and many cores. */
  readonly intraOpNumThreads?: number;
  /** Inputs the caller will feed; the model must declare each (unless optional) and nothing else. */
  readonly inputs?: readonly TensorSpec[];
  /** Outputs the caller will read; the model must declare each, other outputs are allowed. */
  readonly outputs?: readonly TensorSpec[];
}

export interface ModelSession {
  readonly session: ort.InferenceSession;
  /** The provider the session was created with ('cuda' lists CUDA first, CPU runs what CUDA cannot). */
  readonly provider: ExecutionProvider;
  /** Why a 'gpu' request runs on the CPU; absent when nothing fell back. */
  readonly fallbackReason?: string;
  /** The model file, for error messages. */
  readonly file: string;
}

const CUDA_LIBRARY = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';

let cachedCudaProblem: { reason: string | undefined } | undefined;

/**
 * Why the CUDA execution provider cannot be used in this process, or undefined when its
 * libraries are installed. Checked up front because onnxruntime-node 1.31 throws
 * "Failed to load shared library" from session creation (and logs to stderr) when they are not.
 */
export function cudaUnavailableReason(): string | undefined {
  cachedCudaProblem ??= { reason: findCudaProblem() };
  return cachedCudaProblem.reason;
}

function findCudaProblem(): string | undefined {
  const cuda = ort.listSupportedBackends().find((backend) => backend.name === 'cuda');
  if (cuda === undefined) return `onnxruntime-node has no CUDA execution provider for ${process.platform}/${process.arch}`;
  if (cuda.bundled) return undefined;
  const binDir = path.join(path.dirname(require.resolve('onnxruntime-node')), '..', 'bin');
  const bindingDirs = fs.existsSync(binDir)
    ? fs.readdirSync(binDir).filter((name) => name.startsWith('napi-v')).map((name) => path.join(binDir, name, process.platform, process.arch))
    : [];
  if (bindingDirs.some((dir) => fs.existsSync(path.join(dir, CUDA_LIBRARY)))) return undefined;
  return (
    `the CUDA execution provider is not installed (${CUDA_LIBRARY} is not next to onnxruntime-node's binding); ` +
    'install it with onnxruntime-node-install=cuda12 in .npmrc and `npm rebuild onnxruntime-node`'
  );
}

/** Creates a session for `file`, checking that it exists, parses, and matches `inputs`/`outputs`. */
export async function createSession(file: string, options: CreateSessionOptions = {}): Promise<ModelSession> {
  checkModelFile(file);
  const base: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: options.intraOpNumThreads ?? 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  };
  let session: ort.InferenceSession | undefined;
  let provider: ExecutionProvider = 'cpu';
  let fallbackReason: string | undefined;
  if (options.device === 'gpu') {
    fallbackReason = cudaUnavailableReason();
    if (fallbackReason === undefined) {
      try {
        session = await ort.InferenceSession.create(file, { ...base, executionProviders: ['cuda', 'cpu'] });
        provider = 'cuda';
      } catch (error) {
        // A corrupt file fails the CPU attempt below too and is reported as such.
        fallbackReason = `the CUDA execution provider failed to start (${describeError(error)})`;
      }
    }
  }
  if (session === undefined) {
    try {
      session = await ort.InferenceSession.create(file, { ...base, executionProviders: ['cpu'] });
    } catch (error) {
      throw new ModelError('MODEL_INVALID', file, `expected an ONNX model that onnxruntime can load (${describeError(error)})`, { cause: error });
    }
  }
  try {
    if (options.inputs) checkDeclared(file, 'input', session.inputMetadata, options.inputs, true);
    if (options.outputs) checkDeclared(file, 'output', session.outputMetadata, options.outputs, false);
  } catch (error) {
    await session.release();
    throw error;
  }
  return fallbackReason === undefined ? { session, provider, file } : { session, provider, fallbackReason, file };
}

function checkModelFile(file: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    throw new ModelError('MODEL_NOT_FOUND', file, 'expected an ONNX model file here; it does not exist', { cause: error });
  }
  if (!stat.isFile()) throw new ModelError('MODEL_NOT_FOUND', file, 'expected an ONNX model file here, found a directory');
  if (stat.size === 0) throw new ModelError('MODEL_INVALID', file, 'expected an ONNX model, found an empty file');
}

function formatShape(shape: readonly DimSpec[]): string {
  return `[${shape.join(', ')}]`;
}

/** Unknown shapes (an empty list in onnxruntime's metadata) and named dimensions match anything. */
function shapeMatches(declared: readonly DimSpec[], promised: readonly DimSpec[]): boolean {
  if (declared.length === 0) return true;
  if (declared.length !== promised.length) return false;
  return declared.every((dim, i) => {
    const want = promised[i];
    return typeof dim !== 'number' || typeof want !== 'number' || dim === want;
  });
}

function checkDeclared(
  file: string,
  kind: 'input' | 'output',
  declared: readonly ort.InferenceSession.ValueMetadata[],
  promised: readonly TensorSpec[],
  exhaustive: boolean,
): void {
  const names = declared.map((m) => m.name);
  for (const spec of promised) {
    const metadata = declared.find((m) => m.name === spec.name);
    if (metadata === undefined) {
      if (spec.optional) continue;
      throw new ModelError('MODEL_INVALID', file, `expected ${kind} ${spec.name} of shape ${formatShape(spec.shape)}; the model's ${kind}s are ${names.join(', ') || '(none)'}`);
    }
    if (!metadata.isTensor) throw new ModelError('MODEL_INVALID', file, `expected ${kind} ${spec.name} to be a tensor`);
    if (metadata.type !== spec.type) {
      throw new ModelError('MODEL_INVALID', file, `expected ${kind} ${spec.name} of type ${spec.type}, got ${metadata.type}`);
    }
    if (!shapeMatches(metadata.shape, spec.shape)) {
      throw new ModelError('MODEL_INVALID', file, `expected ${kind} ${spec.name} of shape ${formatShape(spec.shape)}, got ${formatShape(metadata.shape)}`);
    }
  }
  if (exhaustive) {
    const extra = names.filter((name) => !promised.some((spec) => spec.name === name));
    if (extra.length > 0) {
      const provided = promised.map((spec) => spec.name).join(', ');
      throw new ModelError('MODEL_INVALID', file, `the model declares ${kind}s ${extra.join(', ')} that the bundle does not provide (it provides ${provided})`);
    }
  }
}

/** Whether the model declares an input or output called `name`. */
export function declares(model: ModelSession, kind: 'input' | 'output', name: string): boolean {
  return (kind === 'input' ? model.session.inputNames : model.session.outputNames).includes(name);
}

/** The declared shape of an input or output ([] when unknown); numbers are fixed sizes. */
export function declaredShape(model: ModelSession, kind: 'input' | 'output', name: string): readonly DimSpec[] {
  const metadata = (kind === 'input' ? model.session.inputMetadata : model.session.outputMetadata).find((m) => m.name === name);
  return metadata?.isTensor ? metadata.shape : [];
}

/** One batched input: `data` holds `batch` rows of `rowShape` each, row-major. */
export interface BatchInput {
  readonly name: string;
  readonly data: Float32Array | BigInt64Array;
  readonly rowShape: readonly number[];
}

/** The float32 output to read: each batch row has `rowShape`. */
export interface BatchOutput {
  readonly name: string;
  readonly rowShape: readonly number[];
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

/** Rows `start .. start + count - 1` of an input as a tensor of `runCount` rows (zero-padded; no copy when not padded). */
function batchTensor(input: BatchInput, start: number, count: number, runCount: number): ort.Tensor {
  const rowSize = sizeOf(input.rowShape);
  const dims = [runCount, ...input.rowShape];
  const from = start * rowSize;
  const to = (start + count) * rowSize;
  if (input.data instanceof Float32Array) {
    const rows = input.data.subarray(from, to);
    if (runCount === count) return new ort.Tensor('float32', rows, dims);
    const padded = new Float32Array(runCount * rowSize);
    padded.set(rows);
    return new ort.Tensor('float32', padded, dims);
  }
  const rows = input.data.subarray(from, to);
  if (runCount === count) return new ort.Tensor('int64', rows, dims);
  const padded = new BigInt64Array(runCount * rowSize);
  padded.set(rows);
  return new ort.Tensor('int64', padded, dims);
}

/**
 * Runs `batch` rows through the model in chunks of at most `maxBatch` rows (or exactly the
 * model's batch size when it declares a fixed one; the last chunk is then zero-padded) and
 * returns the output rows concatenated in order. Throws, naming the file, MODEL_OUTPUT_INVALID
 * when an output has the wrong shape or type or holds NaN/Inf, and MODEL_INVALID when
 * onnxruntime fails to run the model at all.
 */
export async function runInBatches(
  model: ModelSession,
  inputs: readonly BatchInput[],
  batch: number,
  output: BatchOutput,
  maxBatch: number,
): Promise<Float32Array> {
  const rowSize = sizeOf(output.rowShape);
  const result = new Float32Array(batch * rowSize);
  const declaredBatch = inputs.length > 0 ? declaredShape(model, 'input', inputs[0].name)[0] : undefined;
  const fixedBatch = typeof declaredBatch === 'number' && declaredBatch > 0 ? declaredBatch : undefined;
  const step = fixedBatch ?? Math.max(1, Math.floor(maxBatch));
  for (let start = 0; start < batch; start += step) {
    const count = Math.min(step, batch - start);
    const runCount = fixedBatch ?? count;
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of inputs) feeds[input.name] = batchTensor(input, start, count, runCount);
    let outputs: ort.InferenceSession.OnnxValueMapType;
    try {
      outputs = await model.session.run(feeds, [output.name]);
    } catch (error) {
      throw new ModelError('MODEL_INVALID', model.file, `onnxruntime failed to run the model on a batch of ${runCount} (${describeError(error)})`, { cause: error });
    }
    const tensor = outputs[output.name] as ort.Tensor;
    const expected = [runCount, ...output.rowShape];
    if (tensor.type !== 'float32' || tensor.dims.length !== expected.length || tensor.dims.some((dim, i) => dim !== expected[i])) {
      throw new ModelError(
        'MODEL_OUTPUT_INVALID',
        model.file,
        `expected output ${output.name} as float32 of shape ${formatShape(expected)}, got ${tensor.type} of shape ${formatShape(tensor.dims)}`,
      );
    }
    const data = tensor.data as Float32Array;
    const used = count * rowSize;
    for (let i = 0; i < used; i++) {
      const value = data[i];
      if (value - value !== 0) {
        throw new ModelError(
          'MODEL_OUTPUT_INVALID',
          model.file,
          `output ${output.name} holds ${value} (batch row ${start + Math.floor(i / rowSize)}); expected finite numbers`,
        );
      }
    }
    result.set(used === data.length ? data : data.subarray(0, used), start * rowSize);
  }
  return result;
}
