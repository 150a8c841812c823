import { Field, Float, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Histogram of one measure over equal-width bins of its range (src/stats/balanceTypes.ts states the maths).' })
export class MeasureBalance {
  @Field(() => Int)
  index!: number;

  @Field()
  name!: string;

  @Field(() => Float)
  low!: number;

  @Field(() => Float)
  high!: number;

  @Field(() => [Int])
  counts!: number[];

  @Field(() => [Float])
  proportions!: number[];

  @Field(() => Float, { description: 'Normalised Shannon entropy: 1 = perfectly uniform, 0 = all samples in one bin.' })
  entropy!: number;

  @Field(() => Float, { description: 'KL divergence of the histogram from uniform (natural log); 0 = uniform.' })
  klFromUniform!: number;

  @Field(() => Float, { nullable: true, description: 'Largest bin count over smallest; null when a bin is empty (unbounded).' })
  maxMinRatio!: number | null;

  @Field(() => Float, { description: 'Share of bins holding at least one sample.' })
  coverage!: number;

  @Field(() => Int, { description: 'Samples outside the measure\'s range (not in the histogram).' })
  outOfRange!: number;
}

@ObjectType({ description: 'The joint (intersectional) histogram of two measures.' })
export class PairBalance {
  @Field(() => Int)
  first!: number;

  @Field(() => Int)
  second!: number;

  @Field(() => [[Int]], { description: 'counts[x][y]: x is the first measure\'s bin, y the second\'s.' })
  counts!: number[][];

  @Field(() => [[Float]])
  proportions!: number[][];

  @Field(() => Float, { description: 'Normalised joint entropy over bins x bins cells.' })
  entropy!: number;

  @Field(() => Float, { description: 'Share of the bins x bins cells holding a sample.' })
  coverage!: number;
}

@ObjectType({ description: 'How balanced a run\'s dataset is along each measure and each pair of measures.' })
export class Balance {
  @Field(() => ID)
  runId!: string;

  @Field(() => Int)
  bins!: number;

  @Field(() => Int, { description: 'Samples in the dataset.' })
  samples!: number;

  @Field(() => [MeasureBalance])
  measures!: MeasureBalance[];

  @Field(() => [PairBalance])
  pairs!: PairBalance[];
}
