import { requireOneOf } from '../validation';
import { ImprovementRanker } from './improvementRanker';
import { RANKERS, type Ranker, type RankerName } from './ranker';
import { TwoStageImprovementRanker } from './twoStageImprovementRanker';

export function createRanker(name: RankerName): Ranker {
  requireOneOf('ranker', name, RANKERS);
  return name === 'imp' ? new ImprovementRanker() : new TwoStageImprovementRanker();
}
