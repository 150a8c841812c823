import { Arg, Ctx, FieldResolver, Float, Int, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '../../errors';
import { Connection, decodeIntegerCursor, encodeCursor, pageSize, toConnection } from '../connection';
import type { GraphQLContext } from '../context';
import { Archive, ArchiveCell } from '../types/archive';
import { Sample, sampleFromRow } from '../types/sample';

export const ArchiveCellConnection = Connection(ArchiveCell, 'ArchiveCell');

@Resolver(() => Archive)
export class ArchiveResolver {
  @FieldResolver(() => ArchiveCellConnection, { description: 'Occupied cells in index order.' })
  async cells(
    @Root() archive: Archive,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('minObjective', () => Float, { nullable: true, description: 'Only cells whose elite scores at least this.' }) minObjective?: number,
  ) {
    const page = await ctx.runs.listCells(archive.runId, { first: pageSize(first), afterIndex: decodeIntegerCursor('cell', after), minObjective });
    return toConnection(page, (cell) => encodeCursor('cell', cell.index));
  }
}

@Resolver(() => ArchiveCell)
export class ArchiveCellResolver {
  @FieldResolver(() => Sample, { description: 'The elite: batched, one query per page of cells.' })
  async sample(@Root() cell: ArchiveCell, @Ctx() ctx: GraphQLContext) {
    const row = await ctx.loaders.sample.load(Number(cell.sampleId));
    if (!row) throw new NotFoundError('Sample', String(cell.sampleId));
    return sampleFromRow(row);
  }
}
