import { FieldResolver, Float, Resolver, Root } from 'type-graphql';
import { Sample } from '../types/sample';

@Resolver(() => Sample)
export class SampleResolver {
  /** Decoded per request: a page of samples whose latents nobody asked for costs no conversion. */
  @FieldResolver(() => [Float], { description: 'The latent vector (solution), stored as float32.' })
  latent(@Root() sample: Sample): number[] {
    const bytes = sample.latentBytes;
    const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
    return Array.from(new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4));
  }
}
