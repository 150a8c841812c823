/**
 * The model runtime: generator, CLIP-style scorer and classifier bundles loaded from a models
 * directory and run batched through onnxruntime-node (CPU, or CUDA when installed).
 */
export { ModelError, type ModelErrorCode } from './modelErrors';
export { resolveModelDir } from './modelPaths';
export {
  createSession,
  cudaUnavailableReason,
  runInBatches,
  DEFAULT_MAX_BATCH,
  type BatchInput,
  type BatchOutput,
  type Device,
  type ExecutionProvider,
  type ModelSession,
  type RuntimeOptions,
  type CreateSessionOptions,
  type TensorSpec,
} from './onnxSession';
export { loadTokenizer, type PaddingStrategy, type TokenizedBatch, type WordTokenizer } from './wordTokenizer';
export { preprocessImages, type ImagePreprocessing } from './imagePreprocessing';
export { loadGenerator, type Generator } from './generator';
export { loadScorer, type Scorer } from './scorer';
export { loadClassifier, type Classifier } from './classifier';
