import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { RunStatus } from './runStatus';

@ObjectType({ description: 'A snapshot of a run\'s progress, published after every flush and status change.' })
export class RunProgress {
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
  qdScore!: number;

  @Field(() => Float)
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

  @Field(() => Float)
  elapsedMs!: number;

  @Field(() => String, { nullable: true })
  error!: string | null;
}
