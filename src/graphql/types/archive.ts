import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType()
export class MeasureRange {
  @Field()
  name!: string;

  @Field(() => Float)
  low!: number;

  @Field(() => Float)
  high!: number;
}

@ObjectType({ description: 'A cell of the run\'s result archive: the best sample found for it.' })
export class ArchiveCell {
  @Field(() => Int, { description: 'Flat (row-major) cell index.' })
  index!: number;

  @Field(() => [Int], { description: 'Grid coordinates, one per measure.' })
  coordinates!: number[];

  @Field(() => Float)
  objective!: number;

  @Field(() => [Float])
  measures!: number[];

  @Field(() => Float, { nullable: true, description: 'The optimising archive\'s acceptance threshold here (CMA-MAE annealing).' })
  threshold!: number | null;

  @Field(() => Int, { description: 'The iteration at which the elite was found.' })
  iteration!: number;

  sampleId!: bigint | number;
}

@ObjectType({ description: 'The run\'s archive: a grid over the measure space.' })
export class Archive {
  @Field(() => [Int], { description: 'Cells per measure.' })
  dims!: number[];

  @Field(() => [MeasureRange])
  ranges!: MeasureRange[];

  @Field(() => Int)
  numElites!: number;

  @Field(() => Float, { description: 'Share of cells holding an elite.' })
  coverage!: number;

  @Field(() => Float)
  qdScore!: number;

  runId!: string;
}
