import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Connection, decodeCursor, encodeCursor, pageSize, toConnection } from '../connection';
import type { GraphQLContext } from '../context';
import { Model, ModelKind, RegisterModelInput } from '../types/model';

export const ModelConnection = Connection(Model, 'Model');

@Resolver(() => Model)
export class ModelResolver {
  @Query(() => ModelConnection, { description: 'The account\'s registered models, oldest first, optionally of one kind.' })
  async models(
    @Ctx() ctx: GraphQLContext,
    @Arg('kind', () => ModelKind, { nullable: true }) kind?: ModelKind | null,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    const page = await ctx.models.listModels(ctx.account.id, { kind, first: pageSize(first), after: decodeCursor('model', after) });
    return toConnection(page, (model) => encodeCursor('model', model.id));
  }

  @Query(() => Model)
  model(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string) {
    return ctx.models.getModel(ctx.account.id, id);
  }

  @Mutation(() => Model, {
    description:
      'Registers a model bundle found under the server\'s models root: loads it with the model runtime and runs a test batch ' +
      '(a generator renders two latents, a scorer embeds two texts and two images, a classifier classifies two images) before ' +
      'storing it with the sha256 of its files. A bundle that is missing, outside the root, of another kind or broken is ' +
      'BAD_USER_INPUT on input.path, naming the file and what was expected; nothing is stored then.',
  })
  registerModel(@Ctx() ctx: GraphQLContext, @Arg('input', () => RegisterModelInput) input: RegisterModelInput) {
    return ctx.models.registerModel(ctx.account.id, input);
  }
}
