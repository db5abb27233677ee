import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EchoLogFileError, startEchoServer, stripMappedPrefix, type EchoServer } from '../../lib/server/echo-server';
import { httpGet } from '../../lambda/probe/probe';

function get(port: number, path: string, localPort?: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, localPort, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('echo server', () => {
  let dir: string;
  let server: EchoServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'natlab-echo-'));
    server = await startEchoServer({ host: '127.0.0.1', port: 0, logFile: join(dir, 'echo.jsonl') });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every request with the source address and port it observed', async () => {
    const exchange = await httpGet({ host: '127.0.0.1', port: server.port, sourcePort: 0 });
    const answer = JSON.parse(exchange.body);
    expect(answer).toMatchObject({
      srcIp: '127.0.0.1',
      srcPort: exchange.local.port,
      dstIp: '127.0.0.1',
      dstPort: server.port,
      protocol: 'tcp',
      method: 'GET',
      path: '/',
    });
    expect(Number.isInteger(answer.connectionId) && answer.connectionId > 0).toBe(true);
    expect(new Date(answer.time).toISOString()).toBe(answer.time);
  });

  it('serves the log on GET /observations without logging that read', async () => {
    const before = server.observations().length;
    await get(server.port, '/hello');
    const { status, body } = await get(server.port, '/observations');
    expect(status).toBe(200);
    const log = JSON.parse(body) as Array<{ path: string }>;
    expect(log).toHaveLength(before + 1);
    expect(log[log.length - 1].path).toBe('/hello');
    expect(log.some((o) => o.path === '/observations')).toBe(false);
    expect(server.observations()).toEqual(log);
  });

  it('gives each connection its own id', async () => {
    await get(server.port, '/a');
    await get(server.port, '/b');
    const [a, b] = server.observations().slice(-2);
    expect(a.connectionId).not.toBe(b.connectionId);
  });

  it('keeps a JSON-lines log file, one line per observation', () => {
    const lines = readFileSync(join(dir, 'echo.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual(server.observations());
  });
});

describe('echo server on a dual-stack socket', () => {
  it('reports IPv4 peers without the ::ffff: prefix', async () => {
    let server: EchoServer;
    try {
      server = await startEchoServer({ host: '::', port: 0 });
    } catch (err) {
      throw new Error(`this machine cannot listen on "::" (IPv6 disabled?): ${(err as Error).message}`);
    }
    try {
      const { body } = await get(server.port, '/');
      expect(JSON.parse(body).srcIp).toBe('127.0.0.1');
    } finally {
      await server.close();
    }
  });

  it('strips only IPv4-mapped prefixes', () => {
    expect(stripMappedPrefix('::ffff:10.0.1.32')).toBe('10.0.1.32');
    expect(stripMappedPrefix('::FFFF:3.224.9.52')).toBe('3.224.9.52');
    expect(stripMappedPrefix('::1')).toBe('::1');
    expect(stripMappedPrefix('10.0.0.226')).toBe('10.0.0.226');
    expect(stripMappedPrefix(undefined)).toBe('');
  });
});

describe('echo server log file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'natlab-echo-log-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to start when the log file cannot be opened for appending', async () => {
    const path = join(dir, 'missing-folder', 'echo.jsonl');
    const start = startEchoServer({ host: '127.0.0.1', port: 0, logFile: path });
    await expect(start).rejects.toBeInstanceOf(EchoLogFileError);
    await expect(start).rejects.toThrow(`${path} cannot be opened for appending: ENOENT`);
  });

  it('keeps answering when a log line cannot be written, and says so once per failure', async () => {
    const folder = join(dir, 'logs');
    mkdirSync(folder);
    const messages: string[] = [];
    const server = await startEchoServer({ host: '127.0.0.1', port: 0, logFile: join(folder, 'echo.jsonl'), onLogError: (m) => messages.push(m) });
    try {
      rmSync(folder, { recursive: true });
      const first = await get(server.port, '/a');
      const second = await get(server.port, '/b');
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(JSON.parse(second.body)).toMatchObject({ path: '/b', srcIp: '127.0.0.1' });
      expect(messages).toHaveLength(2);
      expect(messages[0]).toMatch(/^cannot append to .*echo\.jsonl: ENOENT/);
      expect(server.observations().map((o) => o.path)).toEqual(['/a', '/b']);
    } finally {
      await server.close();
    }
  });
});
