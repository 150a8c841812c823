import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Connection, decodeCursor, encodeCursor, pageSize, toConnection } from '../connection';
import type { GraphQLContext } from '../context';
import { Account } from '../types/account';
import { CreateProjectInput, Project } from '../types/project';
import { PromptSet } from '../types/promptSet';
import { Run } from '../types/run';

export const ProjectConnection = Connection(Project, 'Project');
export const RunConnection = Connection(Run, 'Run');

@Resolver(() => Project)
export class ProjectResolver {
  @Query(() => Account, { description: 'The account of the API key in use.' })
  viewer(@Ctx() { account }: GraphQLContext): Account {
    return account;
  }

  @Query(() => ProjectConnection, { description: 'The account\'s projects, oldest first.' })
  async projects(
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    const page = await ctx.projects.listProjects(ctx.account.id, { first: pageSize(first), after: decodeCursor('project', after) });
    return toConnection(page, (project) => encodeCursor('project', project.id));
  }

  @Query(() => Project)
  project(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string) {
    return ctx.projects.getProject(ctx.account.id, id);
  }

  @Mutation(() => Project)
  createProject(@Ctx() ctx: GraphQLContext, @Arg('input', () => CreateProjectInput) input: CreateProjectInput) {
    return ctx.projects.createProject(ctx.account.id, input);
  }

  @FieldResolver(() => [PromptSet])
  promptSets(@Root() project: Project, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.promptSetsByProject.load(project.id);
  }

  @FieldResolver(() => RunConnection, { description: 'The project\'s runs, newest first.' })
  async runs(
    @Root() project: Project,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    const page = await ctx.runs.listRuns(project.id, { first: pageSize(first), after: decodeCursor('run', after) });
    return toConnection(page, (run) => encodeCursor('run', run.id));
  }
}
