import { ArchiveStatistics } from './archiveStatistics';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { RunStatus } from './runStatus';

@ObjectType({ implements: ArchiveStatistics, description: 'A snapshot of a run\'s progress, published after every flush and status change.' })
export class RunProgress extends ArchiveStatistics {
  @Field(() => ID)
  runId!: string;

  @Field(() => RunStatus)
  status!: RunStatus;

  @Field(() => Int)
  iteration!: number;

  @Field(() => Int)
  iterations!: number;

  @Field(() => Float)
  evaluations!: number;

  @Field(() => Float)
  evalsPerSecond!: number;

  @Field(() => Float)
  elapsedMs!: number;

  @Field(() => String, { nullable: true })
  error!: string | null;
}
