import { DateTimeISOResolver } from 'graphql-scalars';
import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'The run\'s state at one flush: its progress time series.' })
export class RunMetric {
  @Field(() => Int)
  iteration!: number;

  @Field(() => Float)
  evaluations!: number;

  @Field(() => Float)
  qdScore!: number;

  @Field(() => Float, { description: 'QD score divided by the number of cells.' })
  normQdScore!: number;

  @Field(() => Float)
  coverage!: number;

  @Field(() => Int)
  numElites!: number;

  @Field(() => Float, { nullable: true })
  objMax!: number | null;

  @Field(() => Float, { nullable: true })
  objMean!: number | null;

  @Field(() => Float)
  evalsPerSecond!: number;

  @Field(() => Int)
  elapsedMs!: number;

  @Field(() => DateTimeISOResolver)
  createdAt!: Date;
}
