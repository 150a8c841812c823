import * as ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from '../../../qd/random';
import { generateShapes, toNchw } from '../shapesData';

/**
 * Largest absolute difference between a trained tfjs model and its ONNX export on the same
 * inputs: random latents for a generator, real shapes images for image models (NHWC for
 * tfjs, NCHW for ONNX; image outputs compared in NCHW).
 */
export async function maxAbsDiffAgainstOnnx(
  model: tf.LayersModel,
  onnx: Uint8Array,
  input: { kind: 'vector'; inputDim: number; count: number; seed: number } | { kind: 'image'; size: number; count: number; seed: number; l2Normalize?: boolean },
): Promise<number> {
  const session = await ort.InferenceSession.create(onnx);
  let tfInput: tf.Tensor;
  let onnxInput: ort.Tensor;
  if (input.kind === 'vector') {
    const random = new SeededRandom(input.seed);
    const z = Float32Array.from({ length: input.count * input.inputDim }, () => random.normal());
    tfInput = tf.tensor2d(z, [input.count, input.inputDim]);
    onnxInput = new ort.Tensor('float32', z, [input.count, input.inputDim]);
  } else {
    const { images } = generateShapes({ count: input.count, size: input.size, beta: 0.5, seed: input.seed });
    tfInput = tf.tensor4d(images, [input.count, input.size, input.size, 3]);
    onnxInput = new ort.Tensor('float32', toNchw(images, input.count, input.size), [input.count, 3, input.size, input.size]);
  }
  let tfOutput = model.predict(tfInput) as tf.Tensor;
  if (input.kind === 'image' && input.l2Normalize) tfOutput = tf.div(tfOutput, tf.norm(tfOutput, 'euclidean', 1, true));
  if (tfOutput.rank === 4) tfOutput = tf.transpose(tfOutput, [0, 3, 1, 2]);
  const expected = tfOutput.dataSync() as Float32Array;
  const results = await session.run({ [session.inputNames[0]]: onnxInput });
  const actual = results[session.outputNames[0]].data as Float32Array;
  if (actual.length !== expected.length) throw new Error(`ONNX output has ${actual.length} values, tfjs ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  tf.dispose([tfInput, tfOutput]);
  await session.release();
  return worst;
}
