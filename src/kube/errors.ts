// What went wrong in a call to kube-apiserver, in words fit for a log line or a warning.
import { ApiException } from '@kubernetes/client-node';

/** The HTTP status kube-apiserver answered, when it answered at all. */
export function kubeStatusCode(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code;
  return undefined;
}

/** kube-apiserver's own message (from its Status body) when there is one, else the error's message. */
export function kubeErrorMessage(error: unknown): string {
  if (error instanceof ApiException) {
    try {
      const body = (typeof error.body === 'string' ? JSON.parse(error.body) : error.body) as { message?: string } | undefined;
      if (body?.message) return `${body.message} (HTTP ${error.code})`;
    } catch {
      // not a Status body; the generic message below says enough
    }
    return `HTTP ${error.code} from kube-apiserver`;
  }
  return error instanceof Error ? error.message : String(error);
}
