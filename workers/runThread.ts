import { parentPort, workerData } from 'node:worker_threads';
import { executeRunLoop } from '../src/runs/runLoop';
import { transferablesOf, type RunThreadInput } from '../src/runs/runThreadProtocol';

// Entry of one run's worker thread (started by RunExecution from dist/). No database here.
if (!parentPort) throw new Error('workers/runThread.js must be started as a worker thread');
const port = parentPort;
void executeRunLoop(workerData as RunThreadInput, (message) => port.postMessage(message, message.kind === 'flush' ? transferablesOf(message.flush) : []));
