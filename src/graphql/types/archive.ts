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

  @Field(() => String, {
    nullable: true,
    description:
      'Relative URL of a PNG contact sheet of the archive (1- or 2-measure generative runs): the first measure left to right, the second bottom to top, empty cells light grey. Fetch it with the same Authorization header as /graphql; `?cell=8..256` sets pixels per cell, `?grid=false` drops the lines between cells. Null for runs without images (non-generative domains) and for archives of more than 2 measures.',
  })
  contactSheetUrl!: string | null;

  runId!: string;
}
