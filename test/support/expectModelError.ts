import { ModelError, type ModelErrorCode } from '../../src/models/runtime';

/** Awaits `action` and checks it failed with a ModelError of `code` whose file and message name `fileSuffix`. */
export async function expectModelError(action: () => unknown, code: ModelErrorCode, fileSuffix: string): Promise<ModelError> {
  let caught: unknown;
  try {
    await action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ModelError);
  const error = caught as ModelError;
  expect({ code: error.code, file: error.file }).toEqual({ code, file: expect.stringContaining(fileSuffix) });
  expect(error.message).toContain(fileSuffix);
  return error;
}
