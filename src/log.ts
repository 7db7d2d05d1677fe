// Structured JSON logs (pino): one line per event, machine-readable, level from LOG_LEVEL.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { component: 'aws-service-apiserver' }, timestamp: pino.stdTimeFunctions.isoTime });
}
