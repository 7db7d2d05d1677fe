// `npm run certs -- --namespace NS [--service NAME] [--days N] [--cluster-domain D] [--out DIR] [--cert-manager]`
// Makes the serving certificate and the APIService for a cluster install (see cluster-certificates.ts).
import { parseArgs } from 'node:util';
import { generateClusterCertificates } from './cluster-certificates.js';

const USAGE = `Usage: npm run certs -- [--namespace NS] [--service NAME] [--days N] [--cluster-domain DOMAIN] [--out DIR] [--cert-manager]

  --namespace NS          where the server runs (default aws-service-apiserver)
  --service NAME          its Service (default aws-service-apiserver)
  --days N                serving certificate lifetime (default 365; re-run to renew, the CA is reused)
  --cluster-domain D      (default cluster.local)
  --out DIR               (default certs/generated/<namespace>)
  --cert-manager          write only the APIService, annotated for cert-manager's cainjector
`;

function main(): void {
  const { values } = parseArgs({
    options: {
      namespace: { type: 'string', default: 'aws-service-apiserver' },
      service: { type: 'string', default: 'aws-service-apiserver' },
      days: { type: 'string', default: '365' },
      'cluster-domain': { type: 'string', default: 'cluster.local' },
      out: { type: 'string' },
      'cert-manager': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1) throw new Error(`--days must be a positive integer, got ${values.days}`);
  const files = generateClusterCertificates({
    namespace: values.namespace,
    service: values.service,
    clusterDomain: values['cluster-domain'],
    days,
    outDir: values.out ?? `certs/generated/${values.namespace}`,
    apiServiceTemplate: 'apiservice/apiservice.yaml',
    certManager: values['cert-manager'],
  });
  process.stdout.write(`Wrote:\n${files.map((f) => `  ${f}`).join('\n')}\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
