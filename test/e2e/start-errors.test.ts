// A start that cannot work says what to do and leaves nothing running: a port in use names --port and
// stops the embedded moto_server it had started; AWS_ENDPOINT_URL without credentials names the
// variables to set; nothing ever asks the EC2 instance metadata address; and while AWS cannot be read,
// /readyz and the 429s of lists say why.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../support/eventually.js';
import { https } from '../support/https.js';
import { caOf, freePort, MAIN, NO_AWS, processExists, runServerToExit } from '../support/processes.js';
import { spawn } from 'node:child_process';

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'start-errors-'));
}

function listening(server: Server | ReturnType<typeof createTcpServer>, port: number): Promise<void> {
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
}

test('a port in use: the message names --port, and the embedded moto_server it started is stopped', async () => {
  const port = await freePort();
  const squatter = createTcpServer();
  await listening(squatter, port);
  try {
    const dir = scratch();
    const exited = await runServerToExit(['--port', String(port), '--certs-dir', join(dir, 'certs'), '--write-kubeconfig', join(dir, 'kubeconfig'), '--local-state-dir', join(dir, 'state')], { ...NO_AWS, HOME: dir, LOG_LEVEL: 'info' });
    expect(exited.code).toBe(1);
    expect(exited.output).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(exited.output).toContain('--port N');
    expect(exited.output).not.toMatch(/\n\s+at /); // no stack trace
    const moto = /"pid":(\d+)[^\n]*started a local moto_server/.exec(exited.output);
    expect(moto).not.toBeNull();
    expect(processExists(Number(moto?.[1]))).toBe(false);
  } finally {
    squatter.close();
  }
});

describe('AWS configured without credentials', () => {
  let imds: Server;
  let imdsRequests: string[];
  let imdsEndpoint: string;

  beforeAll(async () => {
    // A stand-in for the instance metadata service on loopback: the SDK is pointed here, so a probe
    // would be seen (and could never leave the machine). The server must not send it anything.
    imdsRequests = [];
    imds = createHttpServer((req, res) => {
      imdsRequests.push(`${req.method} ${req.url}`);
      res.statusCode = 404;
      res.end();
    });
    const port = await freePort();
    await listening(imds, port);
    imdsEndpoint = `http://127.0.0.1:${port}`;
  });

  afterAll(() => imds.close());

  test('AWS_ENDPOINT_URL alone: the start fails naming what to set, and nothing asks instance metadata', async () => {
    const dir = scratch();
    const exited = await runServerToExit(['--port', String(await freePort()), '--certs-dir', join(dir, 'certs')], {
      HOME: dir,
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_EC2_METADATA_SERVICE_ENDPOINT: imdsEndpoint,
    });
    expect(exited.code).toBe(1);
    expect(exited.output).toContain('AWS_ENDPOINT_URL is set (http://127.0.0.1:9) but no AWS credentials are configured');
    expect(exited.output).toContain('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
    expect(imdsRequests).toEqual([]);
  });

  test('a config file without credentials: the SDK chain is tried without instance metadata, and the start fails', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'config'), '[profile other]\nregion = eu-west-1\n');
    const exited = await runServerToExit(['--port', String(await freePort()), '--certs-dir', join(dir, 'certs')], {
      HOME: dir,
      AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'missing-credentials'),
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_EC2_METADATA_SERVICE_ENDPOINT: imdsEndpoint,
    });
    expect(exited.code).toBe(1);
    expect(exited.output).toContain('the AWS SDK found no usable credentials');
    expect(imdsRequests).toEqual([]);
  });
});

test('while the first read of AWS fails, /readyz and the 429 of a list say why', async () => {
  const dir = scratch();
  const port = await freePort();
  const closedPort = await freePort();
  const token = 'start-errors-token';
  const child = spawn(process.execPath, [MAIN, '--port', String(port), '--certs-dir', join(dir, 'certs'), '--write-kubeconfig', join(dir, 'kubeconfig'), '--token', token], {
    env: { PATH: process.env.PATH ?? '', HOME: dir, LOG_LEVEL: 'error', AWS_EC2_METADATA_DISABLED: 'true', AWS_ENDPOINT_URL: `http://127.0.0.1:${closedPort}`, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1', AWS_MAX_ATTEMPTS: '1' },
    stdio: 'ignore',
  });
  try {
    const url = `https://127.0.0.1:${port}`;
    const ready = await eventually('/readyz to name the failed read', async () => {
      const response = await https(`${url}/readyz`, { ca: caOf(join(dir, 'certs')) }).catch(() => undefined);
      return response?.body.includes('failed and is being retried') ? response : undefined;
    });
    expect(ready.status).toBe(503);
    expect(ready.body).toContain('ECONNREFUSED');
    // /readyz names the first kind whose read failed; dynamodbs' own first read may fail a moment later.
    const list = await eventually('the list to name the failed read', async () => {
      const response = await https(`${url}/apis/service-operator.aws/v1alpha1/dynamodbs`, { ca: caOf(join(dir, 'certs')), headers: { Authorization: `Bearer ${token}` } });
      return response.body.includes('failed and is being retried') ? response : undefined;
    });
    expect(list.status).toBe(429);
    expect(list.json()).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', message: expect.stringContaining('the first read of the AWS account failed and is being retried') });
  } finally {
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  }
});
