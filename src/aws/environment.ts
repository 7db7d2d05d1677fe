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

/** True when the environment points the SDK at some AWS (real or not); false means "start local moto". */
export function awsIsConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.AWS_ENDPOINT_URL) return true;
  if (CREDENTIAL_VARIABLES.some((name) => env[name])) return true;
  const files = [env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials'), env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config')];
  return files.some(existsSync);
}
