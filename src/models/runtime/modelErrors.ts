/**
 * Why a model bundle could not be loaded or run. Every error names the file at fault and says
 * what was expected, e.g. `.../onnx/vision_model.onnx: expected output image_embeds of shape
 * [batch, 512], got [batch, 3, 32, 32]`, so whoever installed the bundle knows what to fix.
 */
export type ModelErrorCode =
  /** A bundle directory or one of its files does not exist. */
  | 'MODEL_NOT_FOUND'
  /** A file exists but is not what the bundle format promises (corrupt ONNX, wrong inputs/outputs, bad JSON). */
  | 'MODEL_INVALID'
  /** A model ran but produced something unusable (NaN/Inf, a wrong shape, probabilities outside [0, 1]). */
  | 'MODEL_OUTPUT_INVALID'
  /** The caller passed arrays of the wrong length or with NaN/Inf values. */
  | 'MODEL_INPUT_INVALID'
  /** A requested model path resolves outside the models root. */
  | 'PATH_OUTSIDE_ROOT'
  /** tokenizer.json / tokenizer_config.json are missing or use features this tokenizer does not support. */
  | 'TOKENIZER_INVALID';

export class ModelError extends Error {
  constructor(
    readonly code: ModelErrorCode,
    /** The file or directory at fault (absolute for bundle files; as requested for PATH_OUTSIDE_ROOT). */
    readonly file: string,
    /** What was expected and what was found; the message is `${file}: ${detail}`. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${detail}`, options);
    this.name = 'ModelError';
  }
}

/** The message of anything thrown, for wrapping a library's error in a ModelError. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
