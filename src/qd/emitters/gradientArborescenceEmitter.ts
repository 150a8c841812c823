import type { Archive } from '../archives/archive';
import { QdConfigError } from '../errors';
import { Adam } from '../optimizers/adam';
import { logWeights } from '../optimizers/cmaParameters';
import { CmaEs } from '../optimizers/cmaEs';
import { CMA_VARIANTS, type CmaVariant } from '../optimizers/evolutionStrategy';
import { GradientAscent } from '../optimizers/gradientAscent';
import { GRADIENT_OPTIMIZERS, type GradientOptimizer, type GradientOptimizerName } from '../optimizers/gradientOptimizer';
import { SeededRandom } from '../random';
import { decodeFloat64, encodeFloat64 } from '../serialization';
import { createRanker } from '../rankers/createRanker';
import type { Ranker, RankerName } from '../rankers/ranker';
import { requireInteger, requireOneOf, requirePositive, toFloat64Array } from '../validation';
import { SELECTION_RULES, type DqdEmitter, type DqdFeedback, type EmitterFeedback, type EmitterState, type RestartRule, type SelectionRule } from './emitter';
import { checkFeedback, countAdded, parentCount, requireRestartRule, restartRuleFires, sampleRestartPoint } from './emitterSupport';

export interface GradientArborescenceEmitterOptions {
  archive: Archive;
  x0: ArrayLike<number>;
  /** Initial step size of the coefficient CMA-ES. */
  sigma0: number;
  /** Step size of the gradient optimiser that moves theta. */
  learningRate: number;
  /** Branches per iteration (lambda). */
  batchSize?: number;
  gradientOptimizer?: GradientOptimizerName;
  /** Divide each Jacobian row by its norm (+1e-8) before branching. */
  normalizeGradients?: boolean;
  ranker?: RankerName;
  selectionRule?: SelectionRule;
  restartRule?: RestartRule;
  /** 'pyribs' also reproduces pyribs' step to the origin when no branch entered the archive. */
  variant?: CmaVariant;
  seed?: number;
}

const GRADIENT_NORM_EPSILON = 1e-8;

/**
 * Gradient arborescence, the emitter of CMA-MEGA (Fontaine & Nikolaidis 2021) and CMA-MAEGA
 * (Fontaine & Nikolaidis 2023). It holds a point theta. Each iteration:
 * 1. askDqd returns theta; tellDqd receives the Jacobian J = [grad f; grad m_1..m_k] at theta
 *    (optionally with unit-norm rows);
 * 2. ask draws lambda coefficient vectors c from a CMA-ES over R^(k+1) and branches
 *    theta + J^T c;
 * 3. tell ranks the branches by archive improvement, updates the coefficient CMA-ES with that
 *    ranking, and moves theta towards the log-weighted mean of the top mu branches with the
 *    gradient optimiser (plain ascent or Adam);
 * 4. it restarts from a uniformly drawn elite when the coefficient ES stops or the restart rule
 *    fires.
 */
export class GradientArborescenceEmitter implements DqdEmitter {
  readonly archive: Archive;
  readonly solutionDim: number;
  readonly batchSize: number;
  readonly dqdBatchSize = 1;
  readonly selectionRule: SelectionRule;
  readonly restartRule: RestartRule;
  readonly normalizeGradients: boolean;
  readonly variant: CmaVariant;
  readonly coefficientEs: CmaEs;
  readonly optimizer: GradientOptimizer;
  private readonly coefficientCount: number;
  private readonly ranker: Ranker;
  private readonly x0: Float64Array;
  private readonly jacobian: Float64Array;
  private readonly coefficients: Float64Array;
  private readonly step: Float64Array;
  private readonly weightCache = new Map<number, Float64Array>();
  private hasJacobian = false;
  private restartCount = 0;
  private generationsSinceRestart = 0;

  constructor(options: GradientArborescenceEmitterOptions) {
    this.archive = options.archive;
    this.solutionDim = options.archive.solutionDim;
    this.coefficientCount = options.archive.measureDim + 1;
    this.x0 = toFloat64Array('x0', options.x0, this.solutionDim);
    this.variant = requireOneOf('variant', options.variant ?? 'tutorial', CMA_VARIANTS);
    this.coefficientEs = new CmaEs({
      dimension: this.coefficientCount,
      batchSize: requireInteger('batchSize', options.batchSize ?? 36, 2),
      sigma0: requirePositive('sigma0', options.sigma0),
      random: new SeededRandom(options.seed ?? 0),
      variant: this.variant,
    });
    this.batchSize = this.coefficientEs.batchSize;
    const learningRate = requirePositive('learningRate', options.learningRate);
    const optimizerName = requireOneOf('gradientOptimizer', options.gradientOptimizer ?? 'adam', GRADIENT_OPTIMIZERS);
    this.optimizer = optimizerName === 'adam' ? new Adam(this.x0, { learningRate }) : new GradientAscent(this.x0, learningRate);
    this.normalizeGradients = options.normalizeGradients ?? true;
    this.ranker = createRanker(options.ranker ?? '2imp');
    this.selectionRule = requireOneOf('selectionRule', options.selectionRule ?? 'filter', SELECTION_RULES);
    this.restartRule = requireRestartRule(options.restartRule ?? 'no_improvement');
    this.jacobian = new Float64Array(this.coefficientCount * this.solutionDim);
    this.coefficients = new Float64Array(this.batchSize * this.coefficientCount);
    this.step = new Float64Array(this.solutionDim);
  }

  get restarts(): number {
    return this.restartCount;
  }

  private parentWeights(mu: number): Float64Array {
    let weights = this.weightCache.get(mu);
    if (!weights) {
      weights = mu > 0 ? logWeights(mu).weights : new Float64Array(0);
      this.weightCache.set(mu, weights);
    }
    return weights;
  }

  /** The current point theta (a view). */
  get theta(): Float64Array {
    return this.optimizer.theta;
  }

  askDqd(out?: Float64Array): Float64Array {
    const result = out ?? new Float64Array(this.solutionDim);
    result.set(this.optimizer.theta);
    return result;
  }

  tellDqd(feedback: DqdFeedback): void {
    checkFeedback(feedback, this.dqdBatchSize, this.solutionDim);
    const n = this.solutionDim;
    if (feedback.jacobians.length !== this.coefficientCount * n) {
      throw new QdConfigError('jacobians', `${this.coefficientCount} x ${n} values (objective and measure gradients)`, feedback.jacobians);
    }
    for (let i = 0; i < feedback.jacobians.length; i++) {
      if (!Number.isFinite(feedback.jacobians[i])) {
        throw new QdConfigError(`jacobians[${Math.floor(i / n)}][${i % n}]`, 'a finite number', feedback.jacobians[i]);
      }
    }
    this.jacobian.set(feedback.jacobians);
    if (this.normalizeGradients) {
      for (let r = 0; r < this.coefficientCount; r++) {
        let norm = 0;
        for (let j = 0; j < n; j++) norm += this.jacobian[r * n + j] ** 2;
        const scale = 1 / (Math.sqrt(norm) + GRADIENT_NORM_EPSILON);
        for (let j = 0; j < n; j++) this.jacobian[r * n + j] *= scale;
      }
    }
    this.hasJacobian = true;
  }

  ask(out?: Float64Array): Float64Array {
    if (!this.hasJacobian) throw new QdConfigError('askDqd/tellDqd', 'a Jacobian from tellDqd before ask', 'no Jacobian yet');
    const n = this.solutionDim;
    const m = this.coefficientCount;
    const result = out ?? new Float64Array(this.batchSize * n);
    this.coefficientEs.ask(this.coefficients);
    const theta = this.optimizer.theta;
    const jacobian = this.jacobian;
    for (let i = 0; i < this.batchSize; i++) {
      const row = i * n;
      const c = i * m;
      // theta + sum_r c_r J_r in one pass per (up to) three gradient rows.
      let r = 0;
      for (; r + 3 <= m; r += 3) {
        const g0 = r * n;
        const g1 = g0 + n;
        const g2 = g1 + n;
        const a0 = this.coefficients[c + r];
        const a1 = this.coefficients[c + r + 1];
        const a2 = this.coefficients[c + r + 2];
        if (r === 0) {
          for (let j = 0; j < n; j++) result[row + j] = theta[j] + a0 * jacobian[g0 + j] + a1 * jacobian[g1 + j] + a2 * jacobian[g2 + j];
        } else {
          for (let j = 0; j < n; j++) result[row + j] += a0 * jacobian[g0 + j] + a1 * jacobian[g1 + j] + a2 * jacobian[g2 + j];
        }
      }
      if (r === 0) for (let j = 0; j < n; j++) result[row + j] = theta[j];
      for (; r < m; r++) {
        const g = r * n;
        const a = this.coefficients[c + r];
        for (let j = 0; j < n; j++) result[row + j] += a * jacobian[g + j];
      }
    }
    return result;
  }

  tell(feedback: EmitterFeedback): void {
    checkFeedback(feedback, this.batchSize, this.solutionDim);
    const n = this.solutionDim;
    const ranking = this.ranker.rank(feedback.status, feedback.value);
    const added = countAdded(feedback);
    const mu = parentCount(this.selectionRule, this.batchSize, added);
    this.coefficientEs.tell(ranking.indices, mu);

    const theta = this.optimizer.theta;
    if (mu > 0 || this.variant === 'pyribs') {
      // Weighted mean of the top mu branches (pyribs: the empty mean is the origin).
      const weights = this.parentWeights(mu);
      const step = this.step;
      const x = feedback.solutions;
      for (let j = 0; j < n; j++) step[j] = -theta[j];
      let i = 0;
      for (; i + 4 <= mu; i += 4) {
        const x0 = ranking.indices[i] * n;
        const x1 = ranking.indices[i + 1] * n;
        const x2 = ranking.indices[i + 2] * n;
        const x3 = ranking.indices[i + 3] * n;
        const w0 = weights[i];
        const w1 = weights[i + 1];
        const w2 = weights[i + 2];
        const w3 = weights[i + 3];
        for (let j = 0; j < n; j++) step[j] += w0 * x[x0 + j] + w1 * x[x1 + j] + w2 * x[x2 + j] + w3 * x[x3 + j];
      }
      for (; i < mu; i++) {
        const from = ranking.indices[i] * n;
        const w = weights[i];
        for (let j = 0; j < n; j++) step[j] += w * x[from + j];
      }
      this.optimizer.step(step);
    }

    this.generationsSinceRestart += 1;
    if (this.coefficientEs.shouldStop(ranking.values, ranking.width) || restartRuleFires(this.restartRule, added, this.generationsSinceRestart)) {
      this.optimizer.reset(sampleRestartPoint(this.archive, this.x0));
      this.coefficientEs.reset(new Float64Array(this.coefficientCount));
      this.ranker.reset();
      this.restartCount += 1;
      this.generationsSinceRestart = 0;
    }
  }

  serialize(): EmitterState {
    return {
      kind: 'gradient_arborescence',
      coefficientEs: this.coefficientEs.serialize(),
      optimizer: this.optimizer.serialize(),
      jacobian: encodeFloat64(this.jacobian),
      hasJacobian: this.hasJacobian,
      restarts: this.restartCount,
      generationsSinceRestart: this.generationsSinceRestart,
    };
  }

  restore(state: EmitterState): void {
    if (state.kind !== 'gradient_arborescence') throw new QdConfigError('checkpoint.emitter.kind', "'gradient_arborescence'", state.kind);
    this.coefficientEs.restore(state.coefficientEs as never);
    this.optimizer.restore(state.optimizer as never);
    this.jacobian.set(decodeFloat64(state.jacobian as string));
    this.hasJacobian = state.hasJacobian as boolean;
    this.restartCount = state.restarts as number;
    this.generationsSinceRestart = state.generationsSinceRestart as number;
  }
}
