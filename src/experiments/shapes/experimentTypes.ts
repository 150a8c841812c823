/** The data of `npm run experiment:shapes` (the QDGS paper's shapes experiment), shared by its steps and its report. */

export const METHODS = ['baseline', 'random', 'qdgs'] as const;
export type Method = (typeof METHODS)[number];

export const GROUPS = ['redTriangle', 'blueTriangle', 'redSquare', 'blueSquare'] as const;
export type Group = (typeof GROUPS)[number];

export interface ExperimentOptions {
  /** Colour/shape bias of the real training set (share of red triangles + blue squares). */
  betas: number[];
  seeds: number[];
  /** Image side (the bundled models are 32). */
  size: number;
  /** Baseline training epochs (paper: 20). */
  epochs: number;
  /** Fine-tuning epochs on a synthetic dataset (paper: 30). */
  fineTuneEpochs: number;
  batchSize: number;
  learningRate: number;
  /** Real training images per bias level (paper: 1,000). */
  trainCount: number;
  /** Balanced real test images (paper: 5,000). */
  testCount: number;
  /** Iterations of each platform run that produces a synthetic dataset. */
  iterations: number;
  /** Engine overrides of the QDGS (cma_maega) run. */
  qdgsSettings: Record<string, number | string>;
  /** Shape-measure labels: below `triangleBelow` a triangle, at or above `squareFrom` a square, dropped in between. */
  triangleBelow: number;
  squareFrom: number;
  /** Where REPORT.md, the plot and results.json go. */
  outDir: string;
}

/** Accuracy on the balanced test set: overall and per colour x shape group. */
export interface Accuracy {
  overall: number;
  groups: Record<Group, number>;
}

/** One classifier trial: one bias level, one seed, every method. */
export interface TrialResult {
  beta: number;
  seed: number;
  accuracy: Record<Method, Accuracy>;
  seconds: number;
}

/** A synthetic dataset produced by one platform run, as the report describes it. */
export interface DatasetSummary {
  method: 'random' | 'qdgs';
  seed: number;
  runId: string;
  algorithm: string;
  iterations: number;
  evaluations: number;
  coverage: number;
  normQdScore: number;
  /** Elites of the run's archive. */
  elites: number;
  /** Samples kept for fine-tuning (labelled, and subsampled to the smaller dataset's size). */
  kept: number;
  /** Share labelled square by the shape measure among the kept samples. */
  squareShare: number;
  /** Agreement of the measure labels with the attribute oracle's shape call. */
  labelAgreement: number;
  /** The oracle's colour x shape proportions of the kept samples. */
  oracleProportions: Record<Group, number>;
  /** The run's 2 x 2 balance table over colour x shape measure bins (counts[colourBin][shapeBin]). */
  balance: number[][];
}

export interface ExperimentResults {
  options: ExperimentOptions;
  datasets: DatasetSummary[];
  trials: TrialResult[];
  /** Wall time of the whole experiment. */
  seconds: number;
  finishedAt: string;
}
