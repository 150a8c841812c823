import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { InputError } from '../../errors';
import type { Run as RunRow } from '../../db/generated/client';
import { runConfigOf } from '../../runs/runService';
import { compareBalance, computeBalance, type MeasureAxis } from '../../stats/balance';
import type { GraphQLContext } from '../context';
import { Balance } from '../types/balance';
import { Run } from '../types/run';

const MAX_COMPARED_RUNS = 20;

function axesOf(run: RunRow): MeasureAxis[] {
  const config = runConfigOf(run);
  return config.ranges.map(([low, high], j) => ({ name: config.measureNames[j], low, high }));
}

@Resolver(() => Run)
export class BalanceResolver {
  @FieldResolver(() => Balance, { description: 'Balance statistics of the run\'s dataset, computed in SQL.' })
  balance(@Root() run: Run, @Ctx() ctx: GraphQLContext, @Arg('bins', () => Int, { defaultValue: 10, description: 'Bins per measure, 1 to 100.' }) bins: number) {
    return computeBalance(ctx.database.pool, run.id, axesOf(run as unknown as RunRow), bins);
  }

  @Query(() => [Balance], { description: 'Balance of several runs side by side (e.g. QDGS against random sampling), in the order asked.' })
  async compareBalance(
    @Ctx() ctx: GraphQLContext,
    @Arg('runIds', () => [ID]) runIds: string[],
    @Arg('bins', () => Int, { defaultValue: 10 }) bins: number,
  ) {
    if (runIds.length === 0 || runIds.length > MAX_COMPARED_RUNS) throw new InputError('runIds', `must hold 1 to ${MAX_COMPARED_RUNS} run ids; got ${runIds.length}`);
    const runs = await Promise.all(runIds.map((id, i) => ctx.runs.getRun(ctx.account.id, id, `runIds[${i}]`)));
    return compareBalance(ctx.database.pool, runs.map((run) => ({ runId: run.id, axes: axesOf(run) })), bins);
  }
}
