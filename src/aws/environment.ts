// Deciding which AWS to talk to, from the standard SDK configuration only: an explicit endpoint, or
// credentials from the environment, a profile, IRSA or a container role. Nothing here calls AWS (the
// SDK's default chain would probe the instance metadata endpoint, which we must not do on a laptop).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_PROFILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
];

/** Where the SDK would find credentials (a variable's name, or the shared files), undefined when nowhere. */
export function credentialSource(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const variable = CREDENTIAL_VARIABLES.find((name) => env[name]);
  if (variable) return variable;
  const files = [env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials'), env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config')];
  return files.find(existsSync);
}

/** True when the environment points the SDK at some AWS (real or not); false means "start local moto". */
export function awsIsConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.AWS_ENDPOINT_URL) || credentialSource(env) !== undefined;
}

/**
 * Outside a pod the SDK must never fall through to the EC2 instance metadata address (a laptop has
 * none; asking it hangs and leaks a request off the machine). Whoever really wants it (a developer
 * on an EC2 instance with a role) says AWS_EC2_METADATA_DISABLED=false.
 */
export function disableInstanceMetadata(env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_EC2_METADATA_DISABLED ??= 'true';
}

/** Said at start when AWS_ENDPOINT_URL is set but nothing says which credentials to send there. */
export function missingCredentialsMessage(endpoint: string): string {
  return (
    `AWS_ENDPOINT_URL is set (${endpoint}) but no AWS credentials are configured. Set AWS_ACCESS_KEY_ID and ` +
    'AWS_SECRET_ACCESS_KEY (any values do for moto or LocalStack) or AWS_PROFILE; or unset AWS_ENDPOINT_URL ' +
    'to serve against the embedded moto_server (--local-aws forces it).'
  );
}
