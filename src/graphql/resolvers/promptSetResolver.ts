import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '../../errors';
import type { GraphQLContext } from '../context';
import { Project } from '../types/project';
import { CreatePromptSetInput, Measure, PromptSet } from '../types/promptSet';

@Resolver(() => PromptSet)
export class PromptSetResolver {
  @Query(() => PromptSet)
  promptSet(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string) {
    return ctx.projects.getPromptSet(ctx.account.id, id);
  }

  @Mutation(() => PromptSet)
  createPromptSet(@Ctx() ctx: GraphQLContext, @Arg('input', () => CreatePromptSetInput) input: CreatePromptSetInput) {
    return ctx.projects.createPromptSet(ctx.account.id, input);
  }

  @FieldResolver(() => [Measure])
  measures(@Root() promptSet: PromptSet, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.measuresByPromptSet.load(promptSet.id);
  }

  @FieldResolver(() => Project)
  async project(@Root() promptSet: PromptSet, @Ctx() ctx: GraphQLContext) {
    const project = await ctx.loaders.project.load(promptSet.projectId);
    if (!project) throw new NotFoundError('Project', promptSet.projectId);
    return project;
  }
}
