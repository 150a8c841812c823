/**
 * Raised when a model cannot be written as ONNX: an unsupported layer, layer option or
 * shape, or inconsistent plain weights. The message names the layer (name and class) at fault.
 */
export class OnnxExportError extends Error {
  constructor(
    message: string,
    /** The tfjs layer at fault, when the problem is one layer. */
    readonly layer?: { readonly name: string; readonly className: string },
  ) {
    super(layer ? `layer "${layer.name}" (${layer.className}): ${message}` : message);
    this.name = 'OnnxExportError';
  }
}
