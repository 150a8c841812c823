import { DateTimeISOResolver } from 'graphql-scalars';
import { ArchiveStatistics } from './archiveStatistics';
import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType({ implements: ArchiveStatistics, description: 'The run\'s state at one flush: its progress time series.' })
export class RunMetric extends ArchiveStatistics {
  @Field(() => Int)
  iteration!: number;

  @Field(() => Float)
  evaluations!: number;

  @Field(() => Float)
  evalsPerSecond!: number;

  @Field(() => Int)
  elapsedMs!: number;

  @Field(() => DateTimeISOResolver)
  createdAt!: Date;
}
