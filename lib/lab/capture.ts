/**
 * Captures on every segment: one `tcpdump` per capture point, inside its namespace, keeping
 * only TCP SYN and SYN-ACK packets (a connection's first packet each way is what the walk
 * predicts). The client's initial sequence number survives every translation, so it ties the
 * packets of one connection together across all segments.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { CapturePoint } from './plan';

/** One captured packet header. */
export interface CapturedPacket {
  /** Capture point id. */
  readonly point: string;
  /** Seconds since the epoch, microsecond resolution. */
  readonly time: number;
  readonly srcIp: string;
  readonly srcPort: number;
  readonly dstIp: string;
  readonly dstPort: number;
  /** tcpdump's flag string: `S` (SYN) or `S.` (SYN-ACK). */
  readonly flags: string;
  readonly seq: number;
  readonly ack?: number;
}

/** How long tcpdump must print nothing before it counts as caught up. */
const QUIET_MS = 250;

const LINE = /^(\d+\.\d+) IP (\d+\.\d+\.\d+\.\d+)\.(\d+) > (\d+\.\d+\.\d+\.\d+)\.(\d+): Flags \[([^\]]+)\], seq (\d+)(?:, ack (\d+))?/;

/** Parses one line of `tcpdump -nn -S -tt -l` output; undefined for anything else. */
export function parseTcpdumpLine(point: string, line: string): CapturedPacket | undefined {
  const m = LINE.exec(line.trim());
  if (!m) return undefined;
  return {
    point,
    time: Number(m[1]),
    srcIp: m[2],
    srcPort: Number(m[3]),
    dstIp: m[4],
    dstPort: Number(m[5]),
    flags: m[6],
    seq: Number(m[7]),
    ack: m[8] === undefined ? undefined : Number(m[8]),
  };
}

/** Running captures; `stop()` ends them and returns every packet seen. */
export interface CaptureSet {
  stop(): Promise<CapturedPacket[]>;
  /** The processes, so a signal handler can kill them. */
  readonly processes: ChildProcess[];
}

/** Starts one tcpdump per point and resolves once every one is listening. */
export async function startCaptures(points: CapturePoint[], onProcess: (p: ChildProcess) => void): Promise<CaptureSet> {
  const packets: CapturedPacket[] = [];
  const processes: ChildProcess[] = [];
  let lastLine = 0;
  const ready = points.map(
    (point) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(
          'ip',
          ['netns', 'exec', point.ns, 'tcpdump', '-i', point.ifname, '-B', '16384', '-s', '128', '-nn', '-S', '-tt', '-l', '--immediate-mode', '-p', 'tcp[tcpflags] & tcp-syn != 0'],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        );
        processes.push(child);
        onProcess(child);
        let err = '';
        const timer = setTimeout(() => reject(new Error(`tcpdump on ${point.ifname} in ${point.ns} did not start: ${err.trim()}`)), 10_000);
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          if (err.includes('listening on')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.on('exit', () => {
          if (process.env.NATLAB_DEBUG) process.stderr.write(`debug tcpdump ${point.id}: ${err}\n`);
          clearTimeout(timer);
          reject(new Error(`tcpdump on ${point.ifname} in ${point.ns} exited: ${err.trim()}`));
        });
        createInterface({ input: child.stdout }).on('line', (line) => {
          lastLine = Date.now();
          const p = parseTcpdumpLine(point.id, line);
          if (p) packets.push(p);
        });
      }),
  );
  const set: CaptureSet = {
    processes,
    stop: async () => {
      // tcpdump exits on SIGTERM without printing what is still in its buffer: wait until it
      // has been quiet for a moment (it has caught up), then stop it.
      const until = Date.now() + 15_000;
      while (Date.now() - lastLine < QUIET_MS && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      await Promise.all(
        processes.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.stdout?.once('end', () => resolve());
              child.once('close', () => resolve());
              child.kill('SIGTERM');
            }),
        ),
      );
      return packets.slice().sort((a, b) => a.time - b.time);
    },
  };
  try {
    await Promise.all(ready);
  } catch (err) {
    await set.stop();
    throw err;
  }
  return set;
}
