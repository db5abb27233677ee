import { createServer, type Server, type Socket } from 'node:net';
import { startEchoServer, type EchoServer } from '../../lib/server/echo-server';
import { probe, parseHttpResponse, classifySocketError } from '../../lambda/probe/probe';

/** A port nothing listens on: bind an ephemeral one, then let it go. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A TCP server that runs `onConnection` for every client (silent, garbage...). */
async function rawServer(onConnection: (socket: Socket) => void): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port, sockets };
}

async function closeRaw(raw: { server: Server; sockets: Socket[] }): Promise<void> {
  for (const s of raw.sockets) s.destroy();
  await new Promise<void>((r) => raw.server.close(() => r()));
}

describe('probe against the echo server on loopback', () => {
  let echo: EchoServer;
  beforeAll(async () => {
    echo = await startEchoServer({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => echo.close());

  it('binds the requested source port and the server observes it exactly', async () => {
    const sourcePort = await freePort();
    const result = await probe({ host: '127.0.0.1', port: echo.port, sourcePort });
    expect(result).toMatchObject({
      ok: true,
      target: `127.0.0.1:${echo.port}`,
      targetIp: '127.0.0.1',
      requestedSourcePort: sourcePort,
      local: { ip: '127.0.0.1', port: sourcePort },
      serverSaw: { srcIp: '127.0.0.1', srcPort: sourcePort },
      sourcePortKept: true,
      error: null,
    });
    const seen = echo.observations().at(-1);
    expect(seen).toMatchObject({ srcIp: '127.0.0.1', srcPort: sourcePort, dstPort: echo.port });
  });

  it('reuses the same source port for back-to-back probes (the server closes first)', async () => {
    const sourcePort = await freePort();
    const first = await probe({ host: '127.0.0.1', port: echo.port, sourcePort });
    const second = await probe({ host: '127.0.0.1', port: echo.port, sourcePort });
    expect([first.serverSaw?.srcPort, second.serverSaw?.srcPort]).toEqual([sourcePort, sourcePort]);
  });

  it('leaves sourcePortKept null when no source port was asked', async () => {
    const result = await probe({ host: 'localhost', port: echo.port });
    expect(result.ok).toBe(true);
    expect(result.requestedSourcePort).toBeNull();
    expect(result.sourcePortKept).toBeNull();
    expect(result.serverSaw?.srcPort).toBe(result.local?.port);
  });

  it('reports a source port that cannot be bound as a bind error', async () => {
    const sourcePort = await freePort();
    const { server, port, sockets } = await rawServer(() => undefined);
    try {
      const [a, b] = await Promise.all([
        probe({ host: '127.0.0.1', port, sourcePort, timeoutMs: 500 }),
        probe({ host: '127.0.0.1', port, sourcePort, timeoutMs: 500 }),
      ]);
      const kinds = [a.error?.kind, b.error?.kind].sort();
      // One connection holds the 4-tuple (and times out: the server is silent); the other cannot have it.
      expect(kinds).toEqual(['bind', 'timeout']);
      const bind = a.error?.kind === 'bind' ? a : b;
      expect(bind.error?.message).toContain(`source port ${sourcePort}`);
      expect(bind.local).toBeNull();
    } finally {
      await closeRaw({ server, sockets });
    }
  });
});

describe('probe failures are structured results', () => {
  it('a refused port', async () => {
    const port = await freePort();
    const result = await probe({ host: '127.0.0.1', port, timeoutMs: 2000 });
    expect(result).toMatchObject({ ok: false, local: null, serverSaw: null, sourcePortKept: null });
    expect(result.error?.kind).toBe('refused');
    expect(result.error?.message).toContain('ECONNREFUSED');
  });

  it('a server that accepts and never answers times out after timeoutMs', async () => {
    const raw = await rawServer(() => undefined);
    try {
      const result = await probe({ host: '127.0.0.1', port: raw.port, sourcePort: undefined, timeoutMs: 300 });
      expect(result.ok).toBe(false);
      expect(result.error).toEqual({ kind: 'timeout', message: `no answer from 127.0.0.1:${raw.port} within 300 ms (waiting for the answer)` });
      // It did connect: the probe's own view is kept.
      expect(result.local?.ip).toBe('127.0.0.1');
      expect(result.durationMs).toBeGreaterThanOrEqual(300);
    } finally {
      await closeRaw(raw);
    }
  });

  it('a DNS error for a name that cannot exist, without waiting for a resolver', async () => {
    const result = await probe({ host: 'nonexistent.invalid', port: 8080, timeoutMs: 2000 });
    expect(result.ok).toBe(false);
    expect(result.targetIp).toBeNull();
    expect(result.error?.kind).toBe('dns');
    expect(result.error?.message).toContain('nonexistent.invalid');
  });

  it('a server that answers something other than HTTP', async () => {
    const raw = await rawServer((s) => s.end('SSH-2.0-OpenSSH_9.6\r\n'));
    try {
      const result = await probe({ host: '127.0.0.1', port: raw.port, timeoutMs: 2000 });
      expect(result.error?.kind).toBe('protocol');
      expect(result.error?.message).toContain('not an HTTP response');
    } finally {
      await closeRaw(raw);
    }
  });

  it('a server that answers HTTP but not the echo JSON', async () => {
    const raw = await rawServer((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello'));
    try {
      const result = await probe({ host: '127.0.0.1', port: raw.port, timeoutMs: 2000 });
      expect(result.error).toEqual({ kind: 'protocol', message: `the server's answer is not JSON: "hello"` });
    } finally {
      await closeRaw(raw);
    }
  });

  it('a server that resets the connection', async () => {
    const raw = await rawServer((s) => s.resetAndDestroy());
    try {
      const result = await probe({ host: '127.0.0.1', port: raw.port, timeoutMs: 2000 });
      expect(result.error?.kind).toBe('reset');
    } finally {
      await closeRaw(raw);
    }
  });
});

describe('HTTP parsing and error classes', () => {
  it('decodes a chunked answer', () => {
    const raw = Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{"a"\r\n3\r\n:1}\r\n0\r\n\r\n');
    expect(parseHttpResponse(raw)).toEqual({ status: 200, body: '{"a":1}' });
  });

  it('maps socket error codes to kinds', () => {
    expect(['ECONNREFUSED', 'EADDRINUSE', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EWHAT'].map(classifySocketError)).toEqual([
      'refused',
      'bind',
      'unreachable',
      'unreachable',
      'reset',
      'timeout',
      'dns',
      'protocol',
    ]);
  });
});
