// The real helm for the chart tests, built from its official Go module (go.mod in this folder) once
// per machine into ~/.cache/aws-service-apiserver/helm/ (see test/support/go-binaries.ts).
import { join } from 'node:path';
import { ensureGoBinaries, requiredVersion } from '../support/go-binaries.js';
import { repoRoot } from '../support/paths.js';

/** The path of the cached helm binary, built first when this machine has none for the current module. */
export async function ensureHelm(log?: (line: string) => void): Promise<string> {
  const moduleDir = join(repoRoot(), 'test', 'helm');
  const version = requiredVersion(moduleDir, 'helm.sh/helm/v3');
  const dir = await ensureGoBinaries(
    { moduleDir, tool: 'helm', version, commands: { helm: 'helm.sh/helm/v3/cmd/helm' }, ldflags: `-s -w -X helm.sh/helm/v3/internal/version.version=${version}`, description: `helm ${version} (minutes the first time)` },
    log,
  );
  return join(dir, 'helm');
}
