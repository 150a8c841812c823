const MIN_RANKING_SPREAD = 1e-12;

/**
 * The evolution strategies' "flat fitness" stop test: true when the best and the worst
 * candidate's ranking-value vectors (`width` numbers each, best first) are closer than 1e-12.
 */
export function rankingIsFlat(rankingValues: Float64Array, width: number): boolean {
  const count = rankingValues.length / width;
  if (count < 2) return false;
  let spread = 0;
  const last = (count - 1) * width;
  for (let d = 0; d < width; d++) spread += (rankingValues[d] - rankingValues[last + d]) ** 2;
  return Math.sqrt(spread) < MIN_RANKING_SPREAD;
}
