/**
 * The port-8080 echo server: one program for the EC2 server in the lab and the server
 * namespace of the local twin. Every request is answered with the source address and port the
 * server observed, and the same record is kept in memory (read back with `GET /observations`)
 * and, when asked, appended to a JSON-lines log file.
 */
import { appendFileSync, closeSync, openSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the server saw for one request: the 4-tuple as its socket reports it. */
export interface EchoObservation {
  /** Source address as seen by the server (after every translation on the way). */
  readonly srcIp: string;
  readonly srcPort: number;
  /** The server's own address and port for this connection. */
  readonly dstIp: string;
  readonly dstPort: number;
  readonly protocol: 'tcp';
  /** ISO 8601 time the request arrived. */
  readonly time: string;
  /** 1-based, per server process; requests on one keep-alive connection share it. */
  readonly connectionId: number;
  /** The request's method and path, for a reader of the log. */
  readonly method: string;
  readonly path: string;
}

export interface EchoServerOptions {
  /** Address to listen on ("0.0.0.0", "::", "127.0.0.1"). */
  readonly host: string;
  /** TCP port; 0 picks a free one (tests). */
  readonly port: number;
  /** Append one JSON line per observation to this file (checked at start: it must open for appending). */
  readonly logFile?: string;
  /**
   * Told when a log line cannot be written; the request is still answered.
   * @default - one line on stderr
   */
  readonly onLogError?: (message: string) => void;
}

/** The log file given to the server cannot be opened for appending. */
export class EchoLogFileError extends Error {
  constructor(
    /** The path that failed. */
    readonly path: string,
    cause: Error,
  ) {
    super(`${path} cannot be opened for appending: ${cause.message}`);
    this.name = 'EchoLogFileError';
  }
}

/** Opens (creating if needed) and closes the file, so a bad path fails at start, not at the first request. */
function checkAppendable(path: string): void {
  try {
    closeSync(openSync(path, 'a'));
  } catch (err) {
    throw new EchoLogFileError(path, err as Error);
  }
}

export interface EchoServer {
  /** The address the server listens on. */
  readonly address: string;
  /** The port the server listens on (the real one when 0 was asked). */
  readonly port: number;
  /** Everything observed so far, oldest first (a copy). */
  observations(): EchoObservation[];
  /** Stops accepting, ends open connections, resolves when closed. */
  close(): Promise<void>;
}

/** The path that returns the log instead of being logged (the harness reads it). */
export const OBSERVATIONS_PATH = '/observations';

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) -> `10.0.0.1`. */
export function stripMappedPrefix(address: string | undefined): string {
  if (!address) return '';
  return address.toLowerCase().startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** Starts the echo server; resolves once it is listening. */
export function startEchoServer(options: EchoServerOptions): Promise<EchoServer> {
  if (options.logFile) {
    try {
      checkAppendable(options.logFile);
    } catch (err) {
      return Promise.reject(err);
    }
  }
  const onLogError = options.onLogError ?? ((message: string) => void process.stderr.write(`echo-server: ${message}\n`));
  const log: EchoObservation[] = [];
  const connectionIds = new WeakMap<Socket, number>();
  const open = new Set<Socket>();
  let nextConnectionId = 1;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    if (req.method === 'GET' && path.split('?')[0] === OBSERVATIONS_PATH) {
      respond(res, 200, log);
      return;
    }
    const socket = req.socket;
    const observation: EchoObservation = {
      srcIp: stripMappedPrefix(socket.remoteAddress),
      srcPort: socket.remotePort ?? 0,
      dstIp: stripMappedPrefix(socket.localAddress),
      dstPort: socket.localPort ?? 0,
      protocol: 'tcp',
      time: new Date().toISOString(),
      connectionId: connectionIds.get(socket) ?? 0,
      method: req.method ?? 'GET',
      path,
    };
    log.push(observation);
    if (options.logFile) {
      // A full disk or a removed folder must not cost the answer: say so and keep serving.
      try {
        appendFileSync(options.logFile, JSON.stringify(observation) + '\n');
      } catch (err) {
        onLogError(`cannot append to ${options.logFile}: ${(err as Error).message}`);
      }
    }
    // Drain any request body so keep-alive connections stay usable.
    req.resume();
    respond(res, 200, observation);
  });

  server.on('connection', (socket: Socket) => {
    connectionIds.set(socket, nextConnectionId++);
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve({
        address: stripMappedPrefix(address.address),
        port: address.port,
        observations: () => log.slice(),
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const socket of open) socket.destroy();
          }),
      });
    });
  });
}

function respond(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body) + '\n';
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
