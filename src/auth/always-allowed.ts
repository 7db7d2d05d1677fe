// Paths every caller may reach without authentication or authorization: the kubelet's probes
// (k8s.io/apiserver's delegating authorizer always allows /healthz, /readyz and /livez).
export const HEALTH_PATH = /^\/(healthz|livez|readyz)(\/.*)?$/;

export function isHealthPath(path: string): boolean {
  return HEALTH_PATH.test(path);
}
