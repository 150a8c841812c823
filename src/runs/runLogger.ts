/** The part of pino's API the run workers use, so the server can pass its pino logger. */
export interface RunLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export const silentLogger: RunLogger = { info() {}, warn() {}, error() {} };
