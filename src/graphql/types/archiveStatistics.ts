import { Field, Float, Int, InterfaceType } from 'type-graphql';

/** The archive statistics every progress view of a run carries (the engine's ArchiveStats). */
@InterfaceType({ description: 'Archive statistics: Run (now), RunMetric (at a flush) and RunProgress (an event) carry them.' })
export abstract class ArchiveStatistics {
  @Field(() => Float, { description: 'Sum over elites of (objective - offset).' })
  qdScore!: number;

  @Field(() => Float, { description: 'QD score divided by the number of cells.' })
  normQdScore!: number;

  @Field(() => Float, { description: 'Share of cells holding an elite.' })
  coverage!: number;

  @Field(() => Int)
  numElites!: number;

  @Field(() => Float, { nullable: true })
  objMax!: number | null;

  @Field(() => Float, { nullable: true })
  objMean!: number | null;
}
