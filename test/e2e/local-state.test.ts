// Local mode as a new user runs it (no AWS configured, so the server embeds its own moto_server):
// objects of every kind are created, the server stops, a new one starts on the same state folder, and
// everything is there again, the same objects (uid, ARN, creation time, labels) with the same Ready
// transition times. --fresh starts empty. Stopping leaves no moto_server behind.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kubectl } from '../support/kubectl.js';
import { processExists, startServer, type ServerOptions, type ServerProcess } from '../support/processes.js';

const EXAMPLES = ['dynamodb.yaml', 'ecrrepository.yaml', 's3bucket.yaml', 'snstopic.yaml', 'sqsqueue.yaml', 'snssubscription.yaml'];

interface Listed {
  items: {
    kind: string;
    metadata: { name: string; namespace: string; uid: string; creationTimestamp: string; labels?: Record<string, string> };
    status: { arn?: string; conditions: { type: string; status: string; lastTransitionTime: string }[] };
  }[];
}

const stateDir = mkdtempSync(join(tmpdir(), 'local-state-'));
let server: ServerProcess | undefined;

async function startLocal(extraArgs: string[] = [], reuse?: ServerProcess): Promise<ServerProcess> {
  const options: ServerOptions = { clusterName: 'local-state', extraArgs: ['--local-state-dir', stateDir, ...extraArgs], env: { LOG_LEVEL: 'info' } };
  server = await startServer(reuse ? { ...options, port: reuse.port, certsDir: reuse.certsDir, token: reuse.token } : options);
  return server;
}

/** The embedded moto_server's PID, from the server's log line that started it. */
function motoPid(running: ServerProcess): number {
  const found = /"pid":(\d+)[^\n]*started a local moto_server/.exec(running.logs());
  if (!found) throw new Error(`no moto_server start in the log:\n${running.logs()}`);
  return Number(found[1]);
}

function identities(list: Listed): string[] {
  return list.items
    .map((o) => {
      const ready = o.status.conditions.find((c) => c.type === 'Ready');
      return [o.kind, o.metadata.namespace, o.metadata.name, o.metadata.uid, o.metadata.creationTimestamp, JSON.stringify(o.metadata.labels ?? {}), o.status.arn, ready?.status, ready?.lastTransitionTime].join(' ');
    })
    .sort();
}

afterAll(async () => {
  await server?.stop();
});

test('what was created is there after a restart, and --fresh starts empty', async () => {
  const first = await startLocal();
  expect(first.logs()).toContain(join(stateDir, 'moto-state.pickle'));
  const kubectl = new Kubectl(first.kubeconfig);
  for (const file of EXAMPLES) await kubectl.ok(['apply', '-f', `examples/${file}`]);
  await kubectl.ok(['label', 'dynamodb', 'example-table-name', 'team=payments']);
  await kubectl.ok(['wait', '--for=condition=Ready', '--timeout=60s', 'aws', '--all']);
  const before = await kubectl.json<Listed>(['get', 'aws']);
  expect(before.items.length).toBeGreaterThanOrEqual(EXAMPLES.length);
  const firstMoto = motoPid(first);
  await first.stop();
  expect(processExists(firstMoto)).toBe(false);

  const second = await startLocal([], first);
  const after = await new Kubectl(second.kubeconfig).json<Listed>(['get', 'aws']);
  expect(identities(after)).toEqual(identities(before));
  await second.stop();

  const fresh = await startLocal(['--fresh'], second);
  expect((await new Kubectl(fresh.kubeconfig).json<Listed>(['get', 'aws'])).items).toEqual([]);
});
