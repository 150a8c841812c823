import type { CellArchive } from '../qd/archives/cellArchive';
import type { Scheduler } from '../qd/schedulers/scheduler';
import type { ArchiveDelta } from './runThreadProtocol';

/**
 * Finds what changed in a scheduler's archives since the last call to `take`, by comparing
 * every cell with a copy of what was last handed out (O(cells) per call).
 *
 * The result archive (the dataset) is elitist, so a cell's threshold IS its elite's objective
 * and a new elite always raises it: comparing thresholds detects elite changes without
 * touching the elites themselves.
 */
export class ArchiveDeltaTracker {
  private readonly result: CellArchive;
  private readonly search: CellArchive;
  private readonly lastObjective: Float64Array;
  private readonly lastThreshold: Float64Array;
  private readonly changed: Int32Array;
  private readonly thresholdChanged: Int32Array;

  /** Starts from the scheduler's current state: a restored checkpoint's cells count as handed out. */
  constructor(scheduler: Scheduler) {
    this.search = scheduler.archive;
    this.result = scheduler.resultArchive ?? scheduler.archive;
    if (this.result.learningRate !== 1) {
      throw new Error('the result archive must be elitist (learningRate 1) for its thresholds to equal its objectives');
    }
    const cells = this.result.cells;
    this.lastObjective = new Float64Array(cells);
    this.lastThreshold = new Float64Array(cells);
    for (let cell = 0; cell < cells; cell++) {
      this.lastObjective[cell] = this.result.threshold(cell);
      this.lastThreshold[cell] = this.search.threshold(cell);
    }
    this.changed = new Int32Array(cells);
    this.thresholdChanged = new Int32Array(cells);
  }

  take(): ArchiveDelta {
    const { result, search } = this;
    let changedCount = 0;
    let thresholdCount = 0;
    for (let cell = 0; cell < result.cells; cell++) {
      const objective = result.threshold(cell);
      const threshold = search.threshold(cell);
      if (objective !== this.lastObjective[cell]) {
        this.changed[changedCount++] = cell;
        this.lastObjective[cell] = objective;
        this.lastThreshold[cell] = threshold;
      } else if (threshold !== this.lastThreshold[cell]) {
        this.thresholdChanged[thresholdCount++] = cell;
        this.lastThreshold[cell] = threshold;
      }
    }
    const n = result.solutionDim;
    const k = result.measureDim;
    const delta: ArchiveDelta = {
      count: changedCount,
      cells: this.changed.slice(0, changedCount),
      objectives: new Float64Array(changedCount),
      measures: new Float64Array(changedCount * k),
      solutions: new Float32Array(changedCount * n),
      thresholds: new Float64Array(changedCount),
      iterations: new Int32Array(changedCount),
      thresholdCells: this.thresholdChanged.slice(0, thresholdCount),
      thresholdValues: new Float64Array(thresholdCount),
    };
    for (let i = 0; i < changedCount; i++) {
      const cell = delta.cells[i];
      const elite = result.elite(cell);
      if (!elite) throw new Error(`cell ${cell} of the result archive has a threshold but no elite`);
      delta.objectives[i] = elite.objectives[0];
      delta.measures.set(elite.measures, i * k);
      delta.solutions.set(elite.solutions, i * n);
      delta.thresholds[i] = search.threshold(cell);
      delta.iterations[i] = elite.iterations[0];
    }
    for (let i = 0; i < thresholdCount; i++) delta.thresholdValues[i] = search.threshold(delta.thresholdCells[i]);
    return delta;
  }
}
