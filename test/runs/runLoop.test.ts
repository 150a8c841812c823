import { createScheduler } from '../../src/qd/algorithms';
import { runOnDomain } from '../../src/qd/runOnDomain';
import type { SchedulerState } from '../../src/qd/schedulers/scheduler';
import { SphereDomain } from '../../src/qd/domains/sphere';
import { defaultModelsDir } from '../../src/models/runtime/modelPaths';
import path from 'node:path';
import { bundleSha256 } from '../../src/modelRegistry/modelBundle';
import { algorithmConfigOf, resolveRunConfig, type RunConfig, type RunRequest } from '../../src/runs/runConfig';
import { executeRunLoop } from '../../src/runs/runLoop';
import { ControlSlot, createControlBuffer, StopReason, type RunFlush, type RunThreadMessage } from '../../src/runs/runThreadProtocol';
import { replayRun, sphereConfig } from './runTestSupport';

/** Runs the thread's loop in this thread; every flush is acknowledged as soon as it is posted. */
async function runLoop(config: RunConfig, options: { checkpoint?: Uint8Array; onFlush?: (flush: RunFlush, control: Int32Array) => void } = {}): Promise<RunThreadMessage[]> {
  const buffer = createControlBuffer();
  const control = new Int32Array(buffer);
  const messages: RunThreadMessage[] = [];
  await executeRunLoop({ runId: 'in-process', config, checkpoint: options.checkpoint, elapsedMsBefore: 0, control: buffer, modelsDir: defaultModelsDir() }, (message) => {
    messages.push(message);
    if (message.kind !== 'flush') return;
    options.onFlush?.(message.flush, control);
    Atomics.add(control, ControlSlot.ACKNOWLEDGED, 1);
  });
  return messages;
}

function flushesOf(messages: RunThreadMessage[]): RunFlush[] {
  return messages.flatMap((message) => (message.kind === 'flush' ? [message.flush] : []));
}

/** What a database applying the deltas in order holds: objective and threshold per cell. */
function applyDeltas(flushes: RunFlush[]): Map<number, { objective: number; threshold: number }> {
  const cells = new Map<number, { objective: number; threshold: number }>();
  for (const { delta } of flushes) {
    delta.cells.forEach((cell, i) => cells.set(cell, { objective: delta.objectives[i], threshold: delta.thresholds[i] }));
    delta.thresholdCells.forEach((cell, i) => {
      const stored = cells.get(cell);
      if (!stored) throw new Error(`threshold of cell ${cell} changed before it had an elite`);
      stored.threshold = delta.thresholdValues[i];
    });
  }
  return cells;
}

describe('the run loop of a run thread', () => {
  it('flushes deltas that add up to the final archive and ends with a final flush, then "completed"', async () => {
    const config = sphereConfig({ algorithm: 'cma_maega', iterations: 40, seed: 2, flushIntervalMs: 20 });
    const messages = await runLoop(config);
    const flushes = flushesOf(messages);
    expect(messages.at(-1)).toEqual({ kind: 'ended', end: 'completed' });
    expect(flushes.at(-1)).toMatchObject({ final: true, iteration: 40 });
    expect(flushes.filter((flush) => flush.final)).toHaveLength(1);
    expect(flushes.every((flush) => flush.checkpoint === undefined)).toBe(true);
    for (let i = 1; i < flushes.length; i++) expect(flushes[i].iteration).toBeGreaterThanOrEqual(flushes[i - 1].iteration);

    const replay = replayRun(config);
    const stored = applyDeltas(flushes);
    const elites = (replay.resultArchive ?? replay.archive).elites();
    expect(stored.size).toBe(elites.count);
    elites.cells.forEach((cell, slot) => {
      expect(stored.get(cell)).toEqual({ objective: elites.objectives[slot], threshold: replay.archive.threshold(cell) });
    });
    expect(flushes.at(-1)?.stats).toEqual(replay.stats());
    expect(flushes.at(-1)?.evaluations).toBe(40 * (replay.batchSize + replay.dqdBatchSize));
  });

  it('stops at the iteration boundary after a release request with a checkpoint that resumes to the uninterrupted result', async () => {
    const config = sphereConfig({ algorithm: 'cma_maega', iterations: 200, seed: 4, flushIntervalMs: 20, checkpointIntervalMs: 86_400_000 });
    const first = await runLoop(config, { onFlush: (_, control) => Atomics.store(control, ControlSlot.STOP, StopReason.RELEASE) });
    expect(first.at(-1)).toEqual({ kind: 'ended', end: 'released' });
    const released = flushesOf(first).at(-1) as RunFlush;
    expect(released.final).toBe(true);
    expect(released.iteration).toBeLessThan(200);
    expect(released.checkpoint).toBeInstanceOf(Uint8Array);

    const resumed = await runLoop(config, { checkpoint: released.checkpoint });
    expect(resumed.at(-1)).toEqual({ kind: 'ended', end: 'completed' });
    const stored = applyDeltas([...flushesOf(first), ...flushesOf(resumed)]);
    const replay = replayRun(config);
    expect(flushesOf(resumed).at(-1)?.stats).toEqual(replay.stats());
    const elites = (replay.resultArchive ?? replay.archive).elites();
    expect(stored.size).toBe(elites.count);
    elites.cells.forEach((cell, slot) => expect(stored.get(cell)?.objective).toBe(elites.objectives[slot]));
  });

  it('does not resend the cells of a restored checkpoint', async () => {
    const config = sphereConfig({ algorithm: 'map_elites', iterations: 20, seed: 1 });
    const scheduler = createScheduler(algorithmConfigOf(config));
    runOnDomain(scheduler, new SphereDomain(config.dim), 20);
    const checkpoint = new TextEncoder().encode(JSON.stringify(scheduler.serialize() satisfies SchedulerState));
    const flushes = flushesOf(await runLoop(config, { checkpoint }));
    expect(flushes).toHaveLength(1);
    expect(flushes[0]).toMatchObject({ iteration: 20, final: true, delta: { count: 0 } });
    expect(flushes[0].stats).toEqual(scheduler.stats());
  });

  it('posts the error text when the engine rejects the configuration', async () => {
    const config = sphereConfig({ algorithm: 'map_elites', iterations: 5 });
    config.settings.batchSize = 0;
    const messages = await runLoop(config);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ kind: 'failed', error: expect.stringContaining('batchSize') });
  });
});

describe('the run loop of a generative run', () => {
  async function generativeConfig(overrides: Partial<RunRequest>): Promise<RunConfig> {
    const models = defaultModelsDir();
    const reference = async (name: string, modelPath: string) => ({ modelId: `00000000-0000-4000-8000-00000000000${name.length}`, name, path: modelPath, sha256: await bundleSha256(path.join(models, modelPath)) });
    return resolveRunConfig(
      { domain: 'generative', seed: 5, flushIntervalMs: 20, initialSamples: 64, ...overrides },
      {
        generator: { ...(await reference('generator', 'shapes/generator')), latentDim: 6, imageSize: [32, 32] },
        scorer: await reference('scorer', 'shapes/scorer'),
        promptSet: {
          objectivePositive: ['A regular square or a triangle.'],
          objectiveNegative: [],
          measures: [
            { name: 'colour', lowPrompt: 'A red shape.', highPrompt: 'A blue shape.', low: -0.9, high: 0.9, resolution: 10 },
            { name: 'shape', lowPrompt: 'A triangle with 3 edges.', highPrompt: 'A square or diamond with 4 edges.', low: -0.9, high: 0.9, resolution: 10 },
          ],
        },
      },
    );
  }

  const finalCells = (flushes: RunFlush[]) => [...applyDeltas(flushes).entries()].sort(([a], [b]) => a - b);

  it.each(['antithetic_es', 'finite_differences'])('resumes a released run (%s gradients) to exactly the uninterrupted result', async (gradient) => {
    const config = await generativeConfig({ iterations: 120, gradient, checkpointIntervalMs: 86_400_000 });
    const straight = flushesOf(await runLoop(config));
    expect(straight.at(-1)).toMatchObject({ final: true, iteration: 120 });

    let flushed = 0;
    const first = await runLoop(config, { onFlush: (_, control) => (++flushed === 2 ? Atomics.store(control, ControlSlot.STOP, StopReason.RELEASE) : undefined) });
    expect(first.at(-1)).toEqual({ kind: 'ended', end: 'released' });
    const released = flushesOf(first).at(-1) as RunFlush;
    expect(released.iteration).toBeLessThan(120);
    const resumed = await runLoop(config, { checkpoint: released.checkpoint });
    expect(resumed.at(-1)).toEqual({ kind: 'ended', end: 'completed' });

    expect(finalCells([...flushesOf(first), ...flushesOf(resumed)])).toEqual(finalCells(straight));
    expect(flushesOf(resumed).at(-1)?.stats).toEqual(straight.at(-1)?.stats);
    expect(flushesOf(resumed).at(-1)?.evaluations).toBe(straight.at(-1)?.evaluations);
  });

  it('fails with a clear error when a model file changed since registration', async () => {
    const config = await generativeConfig({ iterations: 5 });
    config.generative!.generator.sha256 = '0'.repeat(64);
    const messages = await runLoop(config);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ kind: 'failed', error: expect.stringMatching(/files of model "generator" changed since it was registered/) });
  });
});
