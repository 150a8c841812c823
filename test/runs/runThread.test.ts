import { defaultModelsDir } from '../../src/models/runtime/modelPaths';
import { Worker } from 'node:worker_threads';
import { runThreadPath } from '../../src/runs/runExecution';
import { ControlSlot, createControlBuffer, StopReason, type RunThreadInput, type RunThreadMessage } from '../../src/runs/runThreadProtocol';
import { sphereConfig, waitFor } from './runTestSupport';

describe('the run thread (dist/workers/runThread.js)', () => {
  let thread: Worker | undefined;
  afterEach(async () => {
    await thread?.terminate();
  });

  it('posts no second flush until the first is acknowledged, and stops at the next boundary when told', async () => {
    const control = createControlBuffer();
    const slots = new Int32Array(control);
    const input: RunThreadInput = { runId: 'thread-test', config: sphereConfig({ algorithm: 'map_elites', iterations: 1_000_000 }), elapsedMsBefore: 0, control, modelsDir: defaultModelsDir() };
    thread = new Worker(runThreadPath(), { workerData: input });
    const messages: RunThreadMessage[] = [];
    let acknowledgeEveryFlush = false;
    const acknowledge = (count: number) => {
      Atomics.store(slots, ControlSlot.ACKNOWLEDGED, count);
      Atomics.notify(slots, ControlSlot.ACKNOWLEDGED);
    };
    thread.on('message', (message: RunThreadMessage) => {
      messages.push(message);
      if (acknowledgeEveryFlush && message.kind === 'flush') acknowledge(messages.length);
    });
    const exited = new Promise<number>((resolve) => thread?.on('exit', resolve));
    await waitFor('the first flush', async () => messages.length === 1);
    // Many flush intervals pass: the thread is blocked waiting for the acknowledgement.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(messages).toHaveLength(1);

    acknowledge(1);
    await waitFor('the second flush', async () => messages.length === 2);
    Atomics.store(slots, ControlSlot.STOP, StopReason.CANCEL);
    acknowledgeEveryFlush = true;
    acknowledge(2);
    expect(await exited).toBe(0);
    const flushes = messages.flatMap((message) => (message.kind === 'flush' ? [message.flush] : []));
    expect(messages.at(-1)).toEqual({ kind: 'ended', end: 'cancelled' });
    expect(flushes.at(-1)?.final).toBe(true);
    // Structured clones come from another realm than jest's: compare constructor names.
    expect(flushes.map((flush) => flush.delta.solutions.constructor.name)).toEqual(flushes.map(() => 'Float32Array'));
    expect(flushes[0].delta.count).toBeGreaterThan(0);
  });
});
