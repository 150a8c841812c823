import { DateTimeISOResolver, JSONResolver } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'One item of a run\'s dataset: a latent (solution), its objective and measures.' })
export class Sample {
  @Field(() => ID)
  id!: string;

  runId!: string;

  @Field(() => Int, { nullable: true, description: 'The archive cell this sample is the elite of.' })
  cellIndex!: number | null;

  @Field(() => Float)
  objective!: number;

  @Field(() => [Float])
  measures!: number[];

  /** Float32 little-endian bytes; decoded by SampleResolver.latent only when asked for. */
  latentBytes!: Uint8Array;

  @Field(() => Int, { description: 'The iteration at which the optimiser found it.' })
  iteration!: number;

  @Field(() => JSONResolver)
  labels!: unknown;

  @Field(() => DateTimeISOResolver)
  createdAt!: Date;
}

export function sampleFromRow(row: SampleRow): Sample {
  return Object.assign(new Sample(), { ...row, id: String(row.id), latentBytes: row.latent });
}

interface SampleRow {
  id: bigint | number;
  runId: string;
  cellIndex: number | null;
  objective: number;
  measures: number[];
  latent: Uint8Array;
  iteration: number;
  labels: unknown;
  createdAt: Date;
}
