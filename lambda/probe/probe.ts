/**
 * The probe's core: one TCP connection to the echo server, optionally from a fixed source port,
 * one `GET`, and the server's answer held against the probe's own view of the connection.
 * Every failure (DNS, bind, refused, unreachable, reset, timeout, garbage) becomes a structured
 * result: `probe()` never throws. Only node built-ins, so the bundle stays small.
 */
import { lookup } from 'node:dns/promises';
import { isIP, Socket } from 'node:net';

export type ProbeErrorKind = 'timeout' | 'refused' | 'dns' | 'unreachable' | 'bind' | 'reset' | 'protocol';

export interface ProbeError {
  readonly kind: ProbeErrorKind;
  readonly message: string;
}

export interface ProbeOptions {
  /** Server host name or IP. */
  readonly host: string;
  readonly port: number;
  /** Local port to bind before connecting; absent: an ephemeral port chosen by the OS. */
  readonly sourcePort?: number;
  /** Local address to bind (absent: chosen by routing). */
  readonly sourceAddress?: string;
  /** Deadline for the whole exchange, DNS included. Default 5000. */
  readonly timeoutMs?: number;
  /** Request path. Default `/`. */
  readonly path?: string;
  /**
   * Called once the connection is established and before the request is sent; the request
   * waits for it. The CLI's `--hold` uses it as a barrier so all connections coexist.
   */
  readonly beforeRequest?: () => Promise<void>;
}

export interface ProbeResult {
  /** True when the server answered with what it observed. */
  readonly ok: boolean;
  /** `host:port` as asked. */
  readonly target: string;
  /** The address the host name resolved to (null when resolution failed). */
  readonly targetIp: string | null;
  readonly requestedSourcePort: number | null;
  /** The probe's own end of the connection (null when it never connected). */
  readonly local: { readonly ip: string; readonly port: number } | null;
  /** The source the server reported seeing (null without a valid answer). */
  readonly serverSaw: { readonly srcIp: string; readonly srcPort: number } | null;
  /**
   * Did the server see the source port the probe asked for? null when no port was asked or
   * no answer came. False is the normal outcome behind a NAT Gateway.
   */
  readonly sourcePortKept: boolean | null;
  readonly durationMs: number;
  /**
   * When the connection was established and when the request went out, in epoch
   * milliseconds with sub-millisecond precision (null when that step was not reached).
   */
  readonly connectedAt: number | null;
  readonly requestSentAt: number | null;
  readonly error: ProbeError | null;
}

/** Raw answer of one HTTP exchange. */
export interface HttpExchange {
  readonly targetIp: string;
  readonly local: { readonly ip: string; readonly port: number };
  readonly connectedAt: number;
  readonly requestSentAt: number;
  readonly status: number;
  readonly body: string;
}

export class ProbeFailure extends Error {
  constructor(
    readonly kind: ProbeErrorKind,
    message: string,
    readonly targetIp: string | null = null,
    readonly local: { ip: string; port: number } | null = null,
    readonly connectedAt: number | null = null,
    readonly requestSentAt: number | null = null,
  ) {
    super(message);
  }
}

const DEFAULT_TIMEOUT_MS = 5000;

/** Epoch milliseconds with the monotonic clock's sub-millisecond precision. */
function now(): number {
  return performance.timeOrigin + performance.now();
}
/** How long to wait for the server's FIN after a complete answer before closing ourselves. */
const CLOSE_GRACE_MS = 250;

/** Connects, probes, and reports; never throws. */
export async function probe(options: ProbeOptions): Promise<ProbeResult> {
  const started = Date.now();
  const target = `${options.host}:${options.port}`;
  const requestedSourcePort = options.sourcePort ?? null;
  const base = { target, requestedSourcePort };
  try {
    const exchange = await httpGet(options);
    const durationMs = Date.now() - started;
    const saw = parseServerAnswer(exchange);
    if ('error' in saw) {
      return { ...base, ok: false, targetIp: exchange.targetIp, local: exchange.local, serverSaw: null, sourcePortKept: null, durationMs, connectedAt: exchange.connectedAt, requestSentAt: exchange.requestSentAt, error: saw.error };
    }
    return {
      ...base,
      ok: true,
      targetIp: exchange.targetIp,
      local: exchange.local,
      serverSaw: saw,
      sourcePortKept: requestedSourcePort === null ? null : saw.srcPort === requestedSourcePort,
      durationMs,
      connectedAt: exchange.connectedAt,
      requestSentAt: exchange.requestSentAt,
      error: null,
    };
  } catch (err) {
    const failure = err instanceof ProbeFailure ? err : new ProbeFailure('protocol', String(err));
    return {
      ...base,
      ok: false,
      targetIp: failure.targetIp,
      local: failure.local,
      serverSaw: null,
      sourcePortKept: null,
      durationMs: Date.now() - started,
      connectedAt: failure.connectedAt,
      requestSentAt: failure.requestSentAt,
      error: { kind: failure.kind, message: failure.message },
    };
  }
}

function parseServerAnswer(exchange: HttpExchange): { srcIp: string; srcPort: number } | { error: ProbeError } {
  if (exchange.status !== 200) {
    return { error: { kind: 'protocol', message: `the server answered HTTP ${exchange.status}, not 200` } };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(exchange.body);
  } catch {
    return { error: { kind: 'protocol', message: `the server's answer is not JSON: ${JSON.stringify(exchange.body.slice(0, 80))}` } };
  }
  const saw = parsed as { srcIp?: unknown; srcPort?: unknown };
  if (typeof saw?.srcIp !== 'string' || typeof saw.srcPort !== 'number') {
    return { error: { kind: 'protocol', message: 'the server answered JSON without srcIp and srcPort' } };
  }
  return { srcIp: saw.srcIp, srcPort: saw.srcPort };
}

/**
 * RFC 6761 section 6.4: names under `.invalid` never resolve, and name-resolution APIs should
 * say so at once rather than ask a DNS server (which may be unreachable and make us wait).
 */
function isSpecialInvalidName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return name === 'invalid' || name.endsWith('.invalid');
}

async function resolve(host: string): Promise<string> {
  if (isIP(host)) return host;
  if (isSpecialInvalidName(host)) {
    throw new ProbeFailure('dns', `cannot resolve ${host}: .invalid names never resolve (RFC 6761)`);
  }
  try {
    return (await lookup(host, { family: 4 })).address;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ProbeFailure('dns', `cannot resolve ${host}: ${code}`);
  }
}

/** Maps a socket error code to the probe's error kinds. */
export function classifySocketError(code: string | undefined): ProbeErrorKind {
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'EADDRINUSE':
    case 'EADDRNOTAVAIL':
    case 'EACCES':
    case 'EPERM':
      return 'bind';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return 'reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
      return 'unreachable';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'dns';
    default:
      return 'protocol';
  }
}

/**
 * One `GET path HTTP/1.1` with `Connection: close`, reading until the server closes.
 * Throws ProbeFailure; the whole exchange, DNS included, is bounded by `timeoutMs`.
 */
export function httpGet(options: ProbeOptions): Promise<HttpExchange> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise<HttpExchange>((resolvePromise, reject) => {
    let socket: Socket | undefined;
    let targetIp: string | null = null;
    let local: { ip: string; port: number } | null = null;
    let connectedAt: number | null = null;
    let requestSentAt: number | null = null;
    let settled = false;
    let graceTimer: NodeJS.Timeout | undefined;
    const finish = (err: ProbeFailure | null, value?: HttpExchange): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(graceTimer);
      socket?.destroy();
      if (err) reject(err);
      else resolvePromise(value as HttpExchange);
    };
    const timer = setTimeout(() => {
      const phase = targetIp === null ? 'resolving the host' : local === null ? 'connecting' : 'waiting for the answer';
      finish(new ProbeFailure('timeout', `no answer from ${options.host}:${options.port} within ${timeoutMs} ms (${phase})`, targetIp, local, connectedAt, requestSentAt));
    }, timeoutMs);

    resolve(options.host).then(
      (ip) => {
        if (settled) return;
        targetIp = ip;
        const chunks: Buffer[] = [];
        socket = new Socket();
        socket.on('error', (err: NodeJS.ErrnoException) => {
          const kind = classifySocketError(err.code);
          const what = kind === 'bind' && options.sourcePort !== undefined ? ` (source port ${options.sourcePort})` : '';
          finish(new ProbeFailure(kind, `${err.code ?? 'error'} talking to ${ip}:${options.port}${what}: ${err.message}`, targetIp, local, connectedAt, requestSentAt));
        });
        socket.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          // Normally the server closes first (`Connection: close`), which leaves TIME_WAIT on
          // its side and lets the next probe reuse the same source port at once. A server that
          // keeps the connection open still ends the exchange shortly after its Content-Length.
          if (!graceTimer && isCompleteWithLength(Buffer.concat(chunks))) {
            graceTimer = setTimeout(() => {
              const { status, body } = parseHttpResponse(Buffer.concat(chunks));
              finish(null, { targetIp: ip, local: local ?? { ip: '', port: 0 }, connectedAt: connectedAt ?? 0, requestSentAt: requestSentAt ?? 0, status, body });
            }, CLOSE_GRACE_MS);
          }
        });
        socket.on('end', () => {
          try {
            const { status, body } = parseHttpResponse(Buffer.concat(chunks));
            finish(null, { targetIp: ip, local: local ?? { ip: '', port: 0 }, connectedAt: connectedAt ?? 0, requestSentAt: requestSentAt ?? 0, status, body });
          } catch (err) {
            const failure = err as ProbeFailure;
            finish(new ProbeFailure(failure.kind, failure.message, targetIp, local, connectedAt, requestSentAt));
          }
        });
        socket.connect({ host: ip, port: options.port, localPort: options.sourcePort, localAddress: options.sourceAddress }, () => {
          const s = socket as Socket;
          connectedAt = now();
          local = { ip: stripMapped(s.localAddress), port: s.localPort ?? 0 };
          const send = (): void => {
            if (settled) return;
            const path = options.path ?? '/';
            requestSentAt = now();
            s.write(`GET ${path} HTTP/1.1\r\nHost: ${options.host}:${options.port}\r\nUser-Agent: natlab-probe\r\nAccept: application/json\r\nConnection: close\r\n\r\n`);
          };
          if (options.beforeRequest) options.beforeRequest().then(send, send);
          else send();
        });
      },
      (err: ProbeFailure) => finish(err),
    );
  });
}

function stripMapped(address: string | undefined): string {
  if (!address) return '';
  return address.toLowerCase().startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** Parses a complete HTTP/1.1 response (Content-Length, chunked, or read-to-close). */
export function parseHttpResponse(raw: Buffer): { status: number; body: string } {
  const headerEnd = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, Math.max(headerEnd, 0)).toString('latin1');
  if (!head.startsWith('HTTP/') || headerEnd < 0) {
    throw new ProbeFailure(
      'protocol',
      raw.length === 0 ? 'the server closed the connection without answering' : `not an HTTP response: ${JSON.stringify(raw.subarray(0, 80).toString('utf8'))}`,
    );
  }
  const lines = head.split('\r\n');
  const status = Number(lines[0].split(' ')[1]);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  let body = raw.subarray(headerEnd + 4);
  const length = Number(headers.get('content-length'));
  if (headers.get('transfer-encoding')?.toLowerCase() === 'chunked') body = decodeChunked(body);
  else if (Number.isInteger(length) && length >= 0) body = body.subarray(0, length);
  return { status, body: body.toString('utf8') };
}

function isCompleteWithLength(data: Buffer): boolean {
  const headerEnd = data.indexOf('\r\n\r\n');
  if (headerEnd < 0 || !data.subarray(0, 5).equals(Buffer.from('HTTP/'))) return false;
  const match = /\r\ncontent-length:\s*(\d+)/i.exec(data.subarray(0, headerEnd).toString('latin1'));
  return match !== null && data.length - (headerEnd + 4) >= Number(match[1]);
}

function decodeChunked(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
