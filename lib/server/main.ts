/**
 * `node dist/echo-server.js --host 0.0.0.0 --port 8080 [--log FILE]`: runs the echo server
 * until SIGTERM/SIGINT. Prints exactly one line, `listening {"address":..,"port":..}`, on
 * stdout once the socket is bound (the local twin and systemd wait for it).
 */
import { parseArgs } from 'node:util';
import { EchoLogFileError, startEchoServer } from './echo-server';

function fail(message: string): never {
  process.stderr.write(`echo-server: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: { host?: string; port?: string; log?: string };
  try {
    ({ values } = parseArgs({
      options: { host: { type: 'string' }, port: { type: 'string' }, log: { type: 'string' } },
      strict: true,
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  const host = values.host ?? '0.0.0.0';
  const port = Number(values.port ?? '8080');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    fail(`--port ${values.port} is not a TCP port (0-65535).`);
  }
  let server;
  try {
    server = await startEchoServer({ host, port, logFile: values.log });
  } catch (err) {
    if (err instanceof EchoLogFileError) fail(`--log ${err.message}`);
    fail(`cannot listen on ${host}:${port}: ${(err as Error).message}`);
  }
  process.stdout.write(`listening ${JSON.stringify({ address: server.address, port: server.port })}\n`);
  const stop = (): void => {
    server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main();
