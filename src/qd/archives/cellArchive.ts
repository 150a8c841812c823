import { QdConfigError } from '../errors';
import { SeededRandom, type RandomState } from '../random';
import { decodeFloat64, decodeInt32, decodeNumber, encodeFloat64, encodeInt32, encodeNumber } from '../serialization';
import { requireFiniteNumber, requireInUnitInterval, requireInteger, requireMatchingCheckpoint } from '../validation';
import { AddStatus, type AddOptions, type AddResult, type Archive, type ArchiveStats, type EliteBatch } from './archive';

export interface CellArchiveOptions {
  solutionDim: number;
  /**
   * CMA-MAE archive learning rate `a` in [0, 1]. 1 (the default) with thresholdMin = -Infinity
   * is the elitist MAP-Elites archive.
   */
  learningRate?: number;
  /** Threshold of an empty cell (CMA-MAE's `threshold_min`); -Infinity only when learningRate = 1. */
  thresholdMin?: number;
  /** Subtracted from every objective in the QD score. */
  qdScoreOffset?: number;
  /** Seed of the generator used by `sampleElites`. */
  seed?: number;
}

export interface CellArchiveState {
  kind: string;
  solutionDim: number;
  measureDim: number;
  cells: number;
  learningRate: number;
  thresholdMin: number | string;
  numElites: number;
  cellOfSlot: string;
  solutions: string;
  objectives: string;
  measures: string;
  iterations: string;
  thresholds: string;
  objectiveSum: number;
  objMax: number | string;
  random: RandomState;
}

const INITIAL_CAPACITY = 64;

/**
 * An archive that partitions measure space into a fixed number of cells and keeps at most one
 * elite per cell, with CMA-MAE threshold annealing (Fontaine & Nikolaidis 2023). Subclasses
 * define the tessellation (`cellOf`); everything else, storage, batch insertion, statistics,
 * sampling and checkpoints, lives here.
 *
 * Insertion of a batch (all decisions against the state before the batch):
 * - a solution is insertable when its objective f is strictly above its cell's threshold t
 *   (thresholdMin for an empty cell);
 * - status NEW for an empty cell, IMPROVED_EXISTING for an occupied one, else NOT_ADDED;
 * - improvement value f - t, where t is replaced by thresholdMin (0 when that is -Infinity) for
 *   empty cells;
 * - per cell the insertable solution with the highest f wins (first on ties) and becomes the
 *   elite, even below the old elite's objective when annealing (only the threshold matters);
 * - the threshold becomes f_winner when learningRate = 1 (elitist), otherwise
 *   t <- (1-a)^K t + (1 - (1-a)^K) mean(f) over the K insertable solutions of the cell, which
 *   is t <- (1-a) t + a f for K = 1.
 */
export abstract class CellArchive implements Archive {
  readonly solutionDim: number;
  readonly measureDim: number;
  readonly cells: number;
  readonly learningRate: number;
  readonly thresholdMin: number;
  readonly qdScoreOffset: number;

  private readonly kind: string;
  private readonly random: SeededRandom;
  private readonly emptyCellBaseline: number;
  private readonly slotOfCell: Int32Array;
  private readonly thresholds: Float64Array;
  private capacity = 0;
  private numElites = 0;
  private cellOfSlot = new Int32Array(0);
  private eliteSolutions = new Float64Array(0);
  private eliteObjectives = new Float64Array(0);
  private eliteMeasures = new Float64Array(0);
  private eliteIterations = new Int32Array(0);
  private objectiveSum = 0;
  private objMax = -Infinity;
  private objMaxStale = false;

  // Per-cell scratch for aggregating one batch; entries are reset after each add.
  private readonly batchCount: Int32Array;
  private readonly batchSum: Float64Array;
  private readonly batchWinner: Int32Array;

  protected constructor(kind: string, measureDim: number, cells: number, options: CellArchiveOptions) {
    this.kind = kind;
    this.solutionDim = requireInteger('solutionDim', options.solutionDim, 1);
    this.measureDim = requireInteger('measureDim', measureDim, 1);
    this.cells = requireInteger('cells', cells, 1, 2 ** 31 - 1);
    this.learningRate = requireInUnitInterval('learningRate', options.learningRate ?? 1);
    this.thresholdMin = options.thresholdMin ?? -Infinity;
    if (Number.isNaN(this.thresholdMin) || this.thresholdMin === Infinity) {
      throw new QdConfigError('thresholdMin', 'a finite number, or -Infinity when learningRate is 1', this.thresholdMin);
    }
    if (this.thresholdMin === -Infinity && this.learningRate !== 1) {
      throw new QdConfigError('thresholdMin', 'a finite number when learningRate < 1 (annealing needs a finite start)', this.thresholdMin);
    }
    this.qdScoreOffset = requireFiniteNumber('qdScoreOffset', options.qdScoreOffset ?? 0);
    this.random = new SeededRandom(options.seed ?? 0);
    this.emptyCellBaseline = Number.isFinite(this.thresholdMin) ? this.thresholdMin : 0;
    this.slotOfCell = new Int32Array(this.cells).fill(-1);
    this.thresholds = new Float64Array(this.cells).fill(this.thresholdMin);
    this.batchCount = new Int32Array(this.cells);
    this.batchSum = new Float64Array(this.cells);
    this.batchWinner = new Int32Array(this.cells);
  }

  /** Cell of the measures stored at `measures[offset .. offset + measureDim)`. */
  protected abstract cellOf(measures: ArrayLike<number>, offset: number): number;

  /** Cell index of one measures vector. */
  index(measures: ArrayLike<number>): number {
    if (measures.length !== this.measureDim) throw new QdConfigError('measures', `${this.measureDim} values`, measures);
    for (let d = 0; d < this.measureDim; d++) {
      if (!Number.isFinite(measures[d])) throw new QdConfigError(`measures[${d}]`, 'a finite number', measures[d]);
    }
    return this.cellOf(measures, 0);
  }

  get empty(): boolean {
    return this.numElites === 0;
  }

  get size(): number {
    return this.numElites;
  }

  /** Threshold of a cell (thresholdMin when it is empty). */
  threshold(cell: number): number {
    return this.thresholds[cell];
  }

  add(solutions: Float64Array, objectives: Float64Array, measures: Float64Array, options: AddOptions = {}): AddResult {
    const batch = objectives.length;
    const n = this.solutionDim;
    const k = this.measureDim;
    this.checkBatch(solutions, objectives, measures);
    const iteration = options.iteration ?? 0;

    const status = new Int8Array(batch);
    const value = new Float64Array(batch);
    const touched: number[] = [];
    const cellOfItem = new Int32Array(batch);

    for (let j = 0; j < batch; j++) {
      const cell = this.cellOf(measures, j * k);
      cellOfItem[j] = cell;
      const f = objectives[j];
      const occupied = this.slotOfCell[cell] >= 0;
      const threshold = this.thresholds[cell];
      value[j] = f - (occupied ? threshold : this.emptyCellBaseline);
      if (!(f > threshold)) continue;
      status[j] = occupied ? AddStatus.IMPROVED_EXISTING : AddStatus.NEW;
      if (this.batchCount[cell] === 0) {
        touched.push(cell);
        this.batchWinner[cell] = j;
        this.batchSum[cell] = 0;
      } else if (f > objectives[this.batchWinner[cell]]) {
        this.batchWinner[cell] = j;
      }
      this.batchCount[cell] += 1;
      this.batchSum[cell] += f;
    }

    for (const cell of touched) {
      const winner = this.batchWinner[cell];
      const count = this.batchCount[cell];
      const f = objectives[winner];
      if (this.learningRate === 1) {
        this.thresholds[cell] = f;
      } else {
        const keep = Math.pow(1 - this.learningRate, count);
        this.thresholds[cell] = keep * this.thresholds[cell] + (1 - keep) * (this.batchSum[cell] / count);
      }
      this.store(cell, solutions, winner * n, f, measures, winner * k, iteration);
      this.batchCount[cell] = 0;
    }
    return { status, value };
  }

  stats(): ArchiveStats {
    const numElites = this.numElites;
    const qdScore = this.objectiveSum - this.qdScoreOffset * numElites;
    return {
      numElites,
      coverage: numElites / this.cells,
      qdScore,
      normQdScore: qdScore / this.cells,
      objMax: numElites === 0 ? NaN : this.currentObjMax(),
      objMean: numElites === 0 ? NaN : this.objectiveSum / numElites,
    };
  }

  sampleSolutionsInto(out: Float64Array, count: number): void {
    if (this.numElites === 0) throw new QdConfigError('archive', 'at least one elite to sample from', 'an empty archive');
    const n = this.solutionDim;
    const source = this.eliteSolutions;
    for (let i = 0; i < count; i++) {
      const from = this.random.integer(this.numElites) * n;
      const to = i * n;
      // A plain loop: a subarray view per parent costs more than the copy for small n.
      for (let j = 0; j < n; j++) out[to + j] = source[from + j];
    }
  }

  /** `count` elites drawn uniformly with replacement from the occupied cells. */
  sampleElites(count: number): EliteBatch {
    requireInteger('count', count, 0);
    if (this.numElites === 0) throw new QdConfigError('archive', 'at least one elite to sample from', 'an empty archive');
    const slots = new Int32Array(count);
    for (let i = 0; i < count; i++) slots[i] = this.random.integer(this.numElites);
    return this.gather(slots);
  }

  /** Every elite, in insertion order of the cells they occupy. */
  elites(): EliteBatch {
    const slots = new Int32Array(this.numElites);
    for (let i = 0; i < slots.length; i++) slots[i] = i;
    return this.gather(slots);
  }

  /** The elite of one cell, or null when it is empty. */
  elite(cell: number): EliteBatch | null {
    requireInteger('cell', cell, 0, this.cells - 1);
    const slot = this.slotOfCell[cell];
    return slot < 0 ? null : this.gather(Int32Array.of(slot));
  }

  clear(): void {
    this.slotOfCell.fill(-1);
    this.thresholds.fill(this.thresholdMin);
    this.numElites = 0;
    this.objectiveSum = 0;
    this.objMax = -Infinity;
    this.objMaxStale = false;
  }

  serialize(): CellArchiveState {
    const m = this.numElites;
    return {
      kind: this.kind,
      solutionDim: this.solutionDim,
      measureDim: this.measureDim,
      cells: this.cells,
      learningRate: this.learningRate,
      thresholdMin: encodeNumber(this.thresholdMin),
      numElites: m,
      cellOfSlot: encodeInt32(this.cellOfSlot.subarray(0, m)),
      solutions: encodeFloat64(this.eliteSolutions.subarray(0, m * this.solutionDim)),
      objectives: encodeFloat64(this.eliteObjectives.subarray(0, m)),
      measures: encodeFloat64(this.eliteMeasures.subarray(0, m * this.measureDim)),
      iterations: encodeInt32(this.eliteIterations.subarray(0, m)),
      thresholds: encodeFloat64(this.thresholds),
      objectiveSum: this.objectiveSum,
      objMax: encodeNumber(this.currentObjMax()),
      random: this.random.serialize(),
    };
  }

  /** Replaces this archive's contents with a checkpoint taken from an archive of the same configuration. */
  restore(state: CellArchiveState): void {
    requireMatchingCheckpoint('archive', [
      ['kind', state.kind, this.kind],
      ['solutionDim', state.solutionDim, this.solutionDim],
      ['measureDim', state.measureDim, this.measureDim],
      ['cells', state.cells, this.cells],
      ['learningRate', state.learningRate, this.learningRate],
      ['thresholdMin', decodeNumber(state.thresholdMin), this.thresholdMin],
    ]);
    this.clear();
    const m = state.numElites;
    this.ensureCapacity(m);
    this.numElites = m;
    this.cellOfSlot.set(decodeInt32(state.cellOfSlot));
    this.eliteSolutions.set(decodeFloat64(state.solutions));
    this.eliteObjectives.set(decodeFloat64(state.objectives));
    this.eliteMeasures.set(decodeFloat64(state.measures));
    this.eliteIterations.set(decodeInt32(state.iterations));
    this.thresholds.set(decodeFloat64(state.thresholds));
    for (let slot = 0; slot < m; slot++) this.slotOfCell[this.cellOfSlot[slot]] = slot;
    this.objectiveSum = state.objectiveSum;
    this.objMax = decodeNumber(state.objMax);
    this.objMaxStale = false;
    this.random.restore(state.random);
  }

  private checkBatch(solutions: Float64Array, objectives: Float64Array, measures: Float64Array): void {
    const batch = objectives.length;
    if (batch < 1) throw new QdConfigError('objectives', 'at least one solution per batch', objectives);
    if (solutions.length !== batch * this.solutionDim) {
      throw new QdConfigError('solutions', `${batch} x ${this.solutionDim} = ${batch * this.solutionDim} values`, solutions);
    }
    if (measures.length !== batch * this.measureDim) {
      throw new QdConfigError('measures', `${batch} x ${this.measureDim} = ${batch * this.measureDim} values`, measures);
    }
    for (let j = 0; j < batch; j++) {
      if (!Number.isFinite(objectives[j])) throw new QdConfigError(`objectives[${j}]`, 'a finite number', objectives[j]);
    }
    for (let i = 0; i < measures.length; i++) {
      if (!Number.isFinite(measures[i])) {
        throw new QdConfigError(`measures[${Math.floor(i / this.measureDim)}][${i % this.measureDim}]`, 'a finite number', measures[i]);
      }
    }
  }

  private store(cell: number, solutions: Float64Array, solutionOffset: number, objective: number, measures: Float64Array, measureOffset: number, iteration: number): void {
    const n = this.solutionDim;
    const k = this.measureDim;
    let slot = this.slotOfCell[cell];
    if (slot < 0) {
      this.ensureCapacity(this.numElites + 1);
      slot = this.numElites++;
      this.slotOfCell[cell] = slot;
      this.cellOfSlot[slot] = cell;
    } else {
      const old = this.eliteObjectives[slot];
      this.objectiveSum -= old;
      if (old === this.objMax && objective < old) this.objMaxStale = true;
    }
    this.objectiveSum += objective;
    if (objective > this.objMax) this.objMax = objective;
    this.eliteObjectives[slot] = objective;
    this.eliteIterations[slot] = iteration;
    this.eliteSolutions.set(solutions.subarray(solutionOffset, solutionOffset + n), slot * n);
    for (let d = 0; d < k; d++) this.eliteMeasures[slot * k + d] = measures[measureOffset + d];
  }

  private currentObjMax(): number {
    if (this.objMaxStale) {
      let max = -Infinity;
      for (let slot = 0; slot < this.numElites; slot++) max = Math.max(max, this.eliteObjectives[slot]);
      this.objMax = max;
      this.objMaxStale = false;
    }
    return this.objMax;
  }

  private ensureCapacity(required: number): void {
    if (required <= this.capacity) return;
    const capacity = Math.min(this.cells, Math.max(INITIAL_CAPACITY, required, this.capacity * 2));
    const grow = <T extends Float64Array | Int32Array>(old: T, width: number, make: (size: number) => T): T => {
      const next = make(capacity * width);
      next.set(old.subarray(0, this.numElites * width));
      return next;
    };
    this.cellOfSlot = grow(this.cellOfSlot, 1, (s) => new Int32Array(s));
    this.eliteSolutions = grow(this.eliteSolutions, this.solutionDim, (s) => new Float64Array(s));
    this.eliteObjectives = grow(this.eliteObjectives, 1, (s) => new Float64Array(s));
    this.eliteMeasures = grow(this.eliteMeasures, this.measureDim, (s) => new Float64Array(s));
    this.eliteIterations = grow(this.eliteIterations, 1, (s) => new Int32Array(s));
    this.capacity = capacity;
  }

  private gather(slots: Int32Array): EliteBatch {
    const n = this.solutionDim;
    const k = this.measureDim;
    const count = slots.length;
    const batch: EliteBatch = {
      count,
      cells: new Int32Array(count),
      solutions: new Float64Array(count * n),
      objectives: new Float64Array(count),
      measures: new Float64Array(count * k),
      thresholds: new Float64Array(count),
      iterations: new Int32Array(count),
    };
    for (let i = 0; i < count; i++) {
      const slot = slots[i];
      const cell = this.cellOfSlot[slot];
      batch.cells[i] = cell;
      batch.solutions.set(this.eliteSolutions.subarray(slot * n, slot * n + n), i * n);
      batch.objectives[i] = this.eliteObjectives[slot];
      batch.measures.set(this.eliteMeasures.subarray(slot * k, slot * k + k), i * k);
      batch.thresholds[i] = this.thresholds[cell];
      batch.iterations[i] = this.eliteIterations[slot];
    }
    return batch;
  }
}
