import { registerEnumType } from 'type-graphql';

export enum RunStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}

registerEnumType(RunStatus, { name: 'RunStatus', description: 'Lifecycle of a run: QUEUED -> RUNNING -> SUCCEEDED | FAILED | CANCELLED.' });
