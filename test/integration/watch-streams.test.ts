// Watch state belongs to one server: two servers in one process (as the tests and the benchmark run
// them) each end only their own watch streams when they close.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { identityTags } from '../../src/aws/metadata-tags.js';
import { parseConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { FakeCloud, fakeKind } from '../support/fake-cloud.js';
import { caOf } from '../support/processes.js';
import { openWatch, type WatchTarget } from '../support/watch.js';

const WATCH = '/apis/service-operator.aws/v1alpha1/faketables?watch=1';
const servers: RunningServer[] = [];

// AWS is configured (so no moto is started) but never called: the fake kind keeps its resources in
// memory, and nothing here creates through the server (a create records itself in AWS first).
process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
process.env.AWS_ACCESS_KEY_ID = 'testing';
process.env.AWS_SECRET_ACCESS_KEY = 'testing';

function config(token: string): { config: Config; certsDir: string } {
  const certsDir = join(mkdtempSync(join(tmpdir(), 'watch-streams-')), 'certs');
  const parsed = parseConfig(['--token', token, '--certs-dir', certsDir, '--cluster-name', 'streams', '--resync-period', '1']) as Config;
  return { config: { ...parsed, port: 0 }, certsDir };
}

async function start(token: string, cloud: FakeCloud): Promise<{ server: RunningServer; target: WatchTarget }> {
  const { config: settings, certsDir } = config(token);
  const server = await startServer(settings, createLogger('silent'), [fakeKind(cloud)]);
  servers.push(server);
  await server.ready;
  return { server, target: { url: server.url, ca: caOf(certsDir), token } };
}

afterAll(async () => {
  for (const server of servers) await server.close();
});

test("closing one server ends its watches and leaves another server's open", async () => {
  const cloudB = new FakeCloud({ transitionMs: 0 });
  const a = await start('token-a', new FakeCloud({ transitionMs: 0 }));
  const b = await start('token-b', cloudB);
  const watchA = await openWatch(a.target, WATCH);
  const watchB = await openWatch(b.target, WATCH);

  await a.server.close();
  servers.splice(servers.indexOf(a.server), 1);
  await watchA.waitForEnd();

  // A resource appears in B's (fake) AWS: B's resync makes it an event on B's watch.
  cloudB.createOutOfBand('after', identityTags({ cluster: 'streams', namespace: 'ns', name: 'after' }));
  await watchB.waitFor('ADDED after on the other server', (event) => event.type === 'ADDED' && event.object.metadata?.name === 'after');
  expect(watchB.ended()).toBe(false);
  watchB.close();
});
