import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KAFKA_BROKERS, loggedLine, type ServiceProcess, startService, uniqueName } from './setup-kafka.js';

// The collector process as an operator runs it, with HTTPS, client certificates and a sender bound to one computer,
// against the real broker. Certificates come from a throw-away CA made here with openssl.
const dir = mkdtempSync(join(tmpdir(), 'otptrace-tls-'));
const file = (name: string) => join(dir, name);
const NPS_TOKEN = 'nps-sender-token-0123456789abcdef';
// test/scenarios/success: one attempt seen on client01, da01 (IIS), nps01 and ca01 (all .corp.example).
const scenario = ['client', 'iis', 'nps', 'ca']
  .map((f) => readFileSync(new URL(`../scenarios/success/${f}.xml`, import.meta.url), 'utf8'))
  .join('\n');

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

/** A CA, and a certificate signed by it for `name` with the given extensions. */
function makeCa(ca: string): void {
  openssl(
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
    ...['-keyout', `${ca}.key`, '-out', `${ca}.pem`, '-days', '2', '-subj', `/CN=${ca}`],
  );
}
function makeCert(ca: string, name: string, extensions: string): void {
  writeFileSync(file(`${name}.ext`), `${extensions}\n`);
  openssl(
    ...['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
    ...['-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`],
  );
  openssl(
    ...['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial'],
    ...['-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`],
  );
}

interface Answer {
  status: number;
  body: string;
}

/** POSTs the scenario over HTTPS, trusting the test CA, with the given client certificate (or none). */
function post(port: number, token: string, client: string | null): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/events',
        method: 'POST',
        ca: readFileSync(file('ca.pem')),
        ...(client ? { cert: readFileSync(file(`${client}.pem`)), key: readFileSync(file(`${client}.key`)) } : {}),
        headers: { authorization: `Bearer ${token}` },
      },
      (res) => {
        let body = '';
        res.on('data', (c) => {
          body += String(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(scenario);
  });
}

let collector: ServiceProcess;
let port = 0;

beforeAll(async () => {
  makeCa('ca');
  makeCa('other-ca');
  makeCert('ca', 'server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth');
  makeCert('ca', 'nps-client', 'extendedKeyUsage=clientAuth');
  makeCert('other-ca', 'stranger', 'extendedKeyUsage=clientAuth');
  writeFileSync(file('nps.token'), `${NPS_TOKEN}\n`);
  const prefix = uniqueName('sec');
  const spec = (name: string) => ({ name: `${prefix}.${name}`, partitions: 1, replicationFactor: 1 });
  collector = startService('collector', {
    OTPTRACE_COLLECTOR_KAFKA__BROKERS: KAFKA_BROKERS.join(','),
    OTPTRACE_COLLECTOR_TOPICS: JSON.stringify({ events: spec('events'), raw: spec('raw'), deadLetter: spec('dl') }),
    OTPTRACE_COLLECTOR_HTTP__HOST: '127.0.0.1',
    OTPTRACE_COLLECTOR_HTTP__PORT: '0',
    OTPTRACE_COLLECTOR_HTTP__TLS: JSON.stringify({
      certFile: file('server.pem'),
      keyFile: file('server.key'),
      clientCaFile: file('ca.pem'),
    }),
    OTPTRACE_COLLECTOR_HTTP__CLIENTS: JSON.stringify([
      { name: 'nps', tokenFile: file('nps.token'), computers: ['nps01.corp.example'], sources: ['radius'] },
    ]),
    OTPTRACE_COLLECTOR_ADMIN__PORT: '0',
    OTPTRACE_COLLECTOR_ANALYSIS__MAX_FUTURE_MS: String(10 * 365 * 86_400_000),
    OTPTRACE_COLLECTOR_LOG_LEVEL: 'debug',
  });
  port = (await loggedLine(collector, 'accepting EVTX-XML batches')).port as number;
}, 90_000);

afterAll(async () => {
  collector?.child.kill('SIGTERM');
  await collector?.exited;
});

describe('collector over HTTPS with client certificates', () => {
  it('takes a batch from a client with a certificate of the configured CA, and only its own computer', async () => {
    const answer = await post(port, NPS_TOKEN, 'nps-client');
    expect(answer.status).toBe(202);
    expect(JSON.parse(answer.body)).toEqual({ accepted: 1, ignored: 0, rejected: 4 });
  });

  it('refuses the handshake without a client certificate, or with one of another CA', async () => {
    await expect(post(port, NPS_TOKEN, null)).rejects.toThrow();
    await expect(post(port, NPS_TOKEN, 'stranger')).rejects.toThrow();
  });

  it('answers 401 to a good certificate with a wrong token', async () => {
    expect((await post(port, 'not-the-token-0123456789abcdef', 'nps-client')).status).toBe(401);
  });

  it('speaks no plain HTTP on its port', async () => {
    await expect(fetch(`http://127.0.0.1:${port}/v1/events`, { method: 'POST', body: 'x' })).rejects.toThrow();
  });

  it('never writes the token or the key to its logs', () => {
    const logs = collector.output();
    expect(logs).toContain('HTTPS with client certificates');
    expect(logs).not.toContain(NPS_TOKEN);
    expect(logs).not.toContain(readFileSync(file('server.key'), 'utf8').split('\n')[1]);
  });
});
