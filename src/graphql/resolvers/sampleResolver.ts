import { Ctx, FieldResolver, Float, Resolver, Root } from 'type-graphql';
import { generatorOfRun, sampleImagePath } from '../../images/imagePaths';
import type { GraphQLContext } from '../context';
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

  @FieldResolver(() => String, {
    nullable: true,
    description:
      'Relative URL of the sample\'s image as a PNG, rendered from its latent by the run\'s generator. Fetch it with the same Authorization header as /graphql (`Authorization: Bearer <key>`). The image of an elite changes while its run is going (a better elite replaces it), so revalidate with the ETag. Null for runs without images (non-generative domains).',
  })
  async imageUrl(@Root() sample: Sample, @Ctx() ctx: GraphQLContext): Promise<string | null> {
    const config = await ctx.loaders.runConfig.load(sample.runId);
    return config && generatorOfRun(config) ? sampleImagePath(sample.runId, sample.id) : null;
  }
}
