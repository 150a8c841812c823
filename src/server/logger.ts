import pino from 'pino';

export type Logger = pino.Logger;

/** Structured JSON logs on stdout (one object per line, `"level":"info"`), as log collectors expect. */
export function createLogger(level: string, name = 'qdgs'): Logger {
  return pino({ name, level, base: { pid: process.pid }, formatters: { level: (label) => ({ level: label }) } });
}
