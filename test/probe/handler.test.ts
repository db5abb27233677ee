import { createServer } from 'node:net';
import { startEchoServer, type EchoServer } from '../../lib/server/echo-server';
import { handler, HYPERPLANE_NOTE, VERIFY_MOVED_MESSAGE, type LambdaProbeResult, type ObservationsResult } from '../../lambda/probe/index';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('Lambda probe handler against the echo server', () => {
  let echo: EchoServer;
  beforeAll(async () => {
    echo = await startEchoServer({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => echo.close());

  it('probes from the requested source port and adds the Hyperplane note', async () => {
    const sourcePort = await freePort();
    const result = (await handler({ host: '127.0.0.1', port: echo.port, sourcePort })) as LambdaProbeResult;
    expect(result).toMatchObject({
      ok: true,
      requestedSourcePort: sourcePort,
      local: { ip: '127.0.0.1', port: sourcePort },
      serverSaw: { srcIp: '127.0.0.1', srcPort: sourcePort },
      sourcePortKept: true,
      error: null,
      note: HYPERPLANE_NOTE,
    });
    expect(HYPERPLANE_NOTE).toContain('Hyperplane ENI');
  });

  it('returns a refusal as a result with the note, not a throw', async () => {
    const port = await freePort();
    const result = (await handler({ action: 'probe', host: '127.0.0.1', port, timeoutMs: 1000 })) as LambdaProbeResult;
    expect(result.ok).toBe(false);
    expect(result.error?.kind).toBe('refused');
    expect(result.note).toBe(HYPERPLANE_NOTE);
  });

  it("reads the server's log through action 'observations'", async () => {
    await handler({ host: '127.0.0.1', port: echo.port });
    const result = (await handler({ action: 'observations', host: '127.0.0.1', port: echo.port })) as ObservationsResult;
    expect(result.ok).toBe(true);
    expect(result.error).toBeNull();
    expect(result.observations).toEqual(echo.observations());
    expect(result.observations.length).toBeGreaterThanOrEqual(2);
  });

  it("reports an unreachable log as a structured error", async () => {
    const port = await freePort();
    const result = (await handler({ action: 'observations', host: '127.0.0.1', port, timeoutMs: 1000 })) as ObservationsResult;
    expect(result).toMatchObject({ ok: false, observations: [], error: { kind: 'refused' } });
  });

  it.each([
    [{ host: '', port: 8080 }, 'event.host must be a non-empty string.'],
    [{ host: 'server', port: 0 }, 'event.port 0 must be an integer from 1 to 65535.'],
    [{ host: 'server', port: 8080, sourcePort: 70000 }, 'event.sourcePort 70000 must be an integer from 1 to 65535.'],
    [{ host: 'server', port: 8080, timeoutMs: -1 }, 'event.timeoutMs -1 must be a positive integer.'],
    [{ action: 'dance', host: 'server', port: 8080 }, 'event.action "dance" is not one of probe, observations.'],
  ])('rejects a bad event %j with one sentence', async (event, message) => {
    expect(await handler(event as never)).toEqual({ ok: false, error: { kind: 'input', message } });
  });

  it('answers action verify with where verification runs now, not a throw', async () => {
    const answer = await handler({ action: 'verify', stackName: 'NatGatewayLab' });
    expect(answer).toEqual({ ok: false, error: { kind: 'input', message: VERIFY_MOVED_MESSAGE } });
    expect(VERIFY_MOVED_MESSAGE).toContain('verifier function (stack output VerifierFunctionName');
  });
});
