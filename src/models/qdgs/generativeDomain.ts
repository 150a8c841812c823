import type { Generator } from '../runtime/generator';
import type { Scorer } from '../runtime/scorer';
import type { GradientEstimator } from './gradientEstimators';
import type { QdgsObjective } from './qdgsObjective';

/**
 * The QDGS search space of a generator: a solution is a latent z, its objective and measures
 * come from the scorer's view of G(z). Every call sends all its latents (the points and, when
 * gradients are asked for, all their perturbations) through the generator and the scorer in
 * one batch. Counts the model evaluations and the time spent in the models.
 */
export class GenerativeDomain {
  readonly name = 'generative';
  readonly solutionDim: number;
  readonly measureDim: number;
  /** Images generated and scored so far. */
  modelEvaluations = 0;
  /** Wall time inside the generator and the scorer. */
  modelSeconds = 0;
  /** Numbers the ES noise of gradient calls, so a resumed run draws what an uninterrupted one would. */
  gradientCalls = 0;

  constructor(
    private readonly generator: Generator,
    private readonly scorer: Scorer,
    private readonly objective: QdgsObjective,
    private readonly gradients?: GradientEstimator,
  ) {
    this.solutionDim = generator.latentDim;
    this.measureDim = objective.measureDim;
  }

  /** Model evaluations for `count` solutions, with or without their Jacobians. */
  evaluationsFor(count: number, withGradients: boolean): number {
    return count * (1 + (withGradients && this.gradients ? this.gradients.rowsPerPoint : 0));
  }

  /**
   * Objectives (count), measures (count x k) and, when `jacobians` is given, their estimated
   * Jacobians (count x (1 + k) x n) of `count` latents (row-major in `solutions`).
   */
  async evaluate(solutions: Float64Array, count: number, objectives: Float64Array, measures: Float64Array, jacobians?: Float64Array): Promise<void> {
    const n = this.solutionDim;
    const k = this.measureDim;
    if (jacobians && !this.gradients) throw new Error('this generative domain was built without a gradient estimator');
    const perPoint = jacobians && this.gradients ? this.gradients.rowsPerPoint : 0;
    const rows = count * (1 + perPoint);
    const latents = new Float64Array(rows * n);
    latents.set(solutions.subarray(0, count * n));
    if (perPoint > 0) this.gradients!.perturb(solutions, count, n, latents.subarray(count * n), this.gradientCalls++);

    const embeddings = await this.embed(latents, rows);
    const rowObjectives = new Float64Array(rows);
    const rowMeasures = new Float64Array(rows * k);
    this.objective.score(embeddings, latents, n, rows, rowObjectives, rowMeasures);
    objectives.set(rowObjectives.subarray(0, count));
    measures.set(rowMeasures.subarray(0, count * k));
    if (jacobians && perPoint > 0) {
      const perturbed = rows - count;
      const values = new Float64Array(perturbed * (k + 1));
      for (let r = 0; r < perturbed; r++) {
        values[r * (k + 1)] = rowObjectives[count + r];
        for (let j = 0; j < k; j++) values[r * (k + 1) + 1 + j] = rowMeasures[(count + r) * k + j];
      }
      this.gradients!.jacobian(values, count, n, k, jacobians);
    }
    this.objective.remember(embeddings, 0, count);
  }

  /** Unit image embeddings of G(z) for `rows` latents. */
  async embed(latents: Float64Array, rows: number): Promise<Float32Array> {
    const started = performance.now();
    const [height, width] = this.generator.imageSize;
    const images = await this.generator.generate(Float32Array.from(latents.subarray(0, rows * this.solutionDim)), rows);
    const embeddings = await this.scorer.embedImages(images, rows, height, width);
    this.modelSeconds += (performance.now() - started) / 1000;
    this.modelEvaluations += rows;
    return embeddings;
  }
}
