// What a call threw, as the Status it would answer: for unit tests of validation and conflicts.
import { StatusError } from '../../src/api/errors.js';

export function statusErrorOf(run: () => unknown): StatusError {
  try {
    run();
  } catch (error) {
    if (error instanceof StatusError) return error;
    throw error;
  }
  throw new Error('expected a StatusError');
}
