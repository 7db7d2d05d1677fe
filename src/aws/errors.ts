// Every AWS error becomes a typed API error: the user sees a Kubernetes Status with the right code,
// never a 500 with an SDK stack. The SDK has already retried throttling and 5xx by the time we see one.
import { isThrottlingError, isTransientError } from '@smithy/core/retry';
import type { SdkError as SdkErrorShape } from '@smithy/types';
import {
  forbidden,
  gatewayTimeout,
  internalError,
  serviceUnavailable,
  StatusError,
  tooManyRequests,
  fieldError,
  invalid,
  notFound,
} from '../api/errors.js';

/** Who the failed call was about, so messages can name the object. */
export interface ErrorSubject {
  kind: string;
  plural: string;
  name: string;
  /** The AWS action being performed, e.g. `dynamodb:CreateTable`. */
  action?: string;
}

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/** What an AWS error code means, for the codes of one service (a kind declares its service's). */
export interface AwsErrorCodes {
  notFound?: string[];
  inUse?: string[];
  invalid?: string[];
}

/**
 * Codes every service uses; each kind registers its own service's (registerAwsErrorCodes). SSM's are
 * here as well: the create journal every kind uses (aws/create-journal.ts) keeps its records there.
 */
const NOT_FOUND = new Set(['ResourceNotFoundException', 'NotFound', 'NotFoundException', 'ParameterNotFound']);
const IN_USE = new Set(['ResourceInUseException', 'ConcurrentAccessException', 'ParameterAlreadyExists']);
const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AuthorizationError',
]);
const INVALID = new Set([
  'ValidationException',
  'ValidationError',
  'InvalidParameterValue',
  'InvalidParameterValueException',
  'InvalidParameterException',
  'InvalidParameterCombination',
  'InvalidParameter',
  'InvalidArgument',
  'InvalidRequest',
  'InvalidTagException',
  'InvalidTag',
  'MalformedPolicyDocument',
  'MalformedXML',
]);

/** Adds a service's codes to what every mapping knows (the table of kinds registers each kind's). */
export function registerAwsErrorCodes(codes: AwsErrorCodes): void {
  for (const code of codes.notFound ?? []) NOT_FOUND.add(code);
  for (const code of codes.inUse ?? []) IN_USE.add(code);
  for (const code of codes.invalid ?? []) INVALID.add(code);
}

export const THROTTLE_RETRY_AFTER_SECONDS = 5;
const UNAVAILABLE_RETRY_AFTER_SECONDS = 10;
const TIMEOUT_RETRY_AFTER_SECONDS = 10;

function codeOf(error: SdkError): string {
  return error.name ?? error.code ?? 'Error';
}

function firstLine(message: string | undefined): string {
  return (message ?? '').split('\n')[0].trim();
}

export function isAwsNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && NOT_FOUND.has(codeOf(error));
}

/** What the call answers, or undefined when AWS says the resource does not exist. */
export async function unlessNotFound<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (isAwsNotFound(error)) return undefined;
    throw error;
  }
}

/** AWS said to slow down (the SDK retries these with backoff before giving up), as the SDK classifies it. */
export function isAwsThrottling(error: unknown): boolean {
  return typeof error === 'object' && error !== null && isThrottlingError(error as SdkErrorShape);
}

export function awsErrorCode(error: unknown): string {
  return typeof error === 'object' && error !== null ? codeOf(error) : 'Error';
}

/** Translates any error thrown by an AWS call into a StatusError (StatusErrors pass through). */
export function mapAwsError(error: unknown, subject: ErrorSubject): StatusError {
  if (error instanceof StatusError) return error;
  const sdk = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as SdkError;
  const code = codeOf(sdk);
  const detail = firstLine(sdk.message) || code;
  const action = subject.action ? ` (${subject.action})` : '';
  const said = `AWS said${action}: ${code}: ${detail}`;

  if (NOT_FOUND.has(code)) return notFound(subject.plural, subject.name);
  if (IN_USE.has(code)) {
    return new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${subject.plural}.service-operator.aws "${subject.name}": ${said}`, {
      name: subject.name,
      group: 'service-operator.aws',
      kind: subject.plural,
    });
  }
  // The SDK's own classification (the one its retry strategy uses): throttling codes of every service,
  // HTTP 429, and errors its protocol marked as throttling.
  if (isAwsThrottling(sdk)) {
    return tooManyRequests(`AWS is throttling requests for ${subject.plural} "${subject.name}"; ${said}`, THROTTLE_RETRY_AFTER_SECONDS);
  }
  if (code === 'AbortError') {
    return gatewayTimeout(`AWS did not answer for ${subject.plural} "${subject.name}" within the request's deadline`, TIMEOUT_RETRY_AFTER_SECONDS);
  }
  if (DENIED.has(code)) {
    return forbidden(`the server's AWS identity may not perform this request on ${subject.plural} "${subject.name}"; ${said}`);
  }
  if (INVALID.has(code)) return invalid(subject.kind, subject.name, [fieldError('FieldValueInvalid', 'spec', said)]);
  // Timeouts, refused or reset connections, 5xx: the SDK retried them already; AWS is not answering.
  if (isTransientError(sdk as SdkErrorShape) || sdk.$fault === 'server' || (sdk.$metadata?.httpStatusCode ?? 0) >= 500) {
    return serviceUnavailable(`AWS is unavailable for ${subject.plural} "${subject.name}"; ${said}`, UNAVAILABLE_RETRY_AFTER_SECONDS);
  }
  return internalError(`unexpected AWS error for ${subject.plural} "${subject.name}"; ${said}`);
}
