import { Arg, ID, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import type { RunProgressEvent } from '../../runs/runProgress';
import type { GraphQLContext } from '../context';
import { RunProgress } from '../types/runProgress';

/**
 * Checks access and reads the current state before the first event, so a subscriber always
 * starts from a snapshot (and a finished run answers with its final state and completes).
 */
async function subscribeToRunProgress({ args, context }: SubscribeResolverData<unknown, { runId: string }, GraphQLContext>): Promise<AsyncIterable<RunProgressEvent>> {
  const run = await context.runs.getRun(context.account.id, args.runId, 'runId');
  return context.progressFeed.subscribe(run.id, () => context.runs.readProgress(context.account.id, run.id, 'runId'));
}

@Resolver()
export class RunProgressResolver {
  @Subscription(() => RunProgress, {
    subscribe: subscribeToRunProgress as never,
    description: 'The run\'s progress: the current state first, then one event per flush, ending with the final status.',
  })
  runProgress(@Root() event: RunProgressEvent, @Arg('runId', () => ID) _runId: string): RunProgress {
    return event as RunProgress;
  }
}
