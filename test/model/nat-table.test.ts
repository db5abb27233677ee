import { InputError } from '../../lib/errors';
import { type FiveTuple, NatTable } from '../../lib/model/nat-table';

const SERVER = { dstIp: '44.198.164.163', dstPort: 8080 };

/** Connection number i from the private subnet towards the seed server. */
function conn(i: number, to = SERVER): FiveTuple {
  return { protocol: 'tcp', srcIp: `10.0.${1 + (i >> 16)}.${(i >> 8) & 255}`, srcPort: 1024 + (i & 255), ...to };
}

describe('NatTable', () => {
  it('translates to its address and a port inside 1024-65535, and maps the reply back', () => {
    const table = new NatTable({ addresses: ['10.0.0.226'], seed: 7 });
    const out = table.open({ protocol: 'tcp', srcIp: '10.0.1.32', srcPort: 32222, ...SERVER });
    expect(out.kind).toBe('translated');
    if (out.kind !== 'translated') return;
    expect(out.entry.natIp).toBe('10.0.0.226');
    expect(out.entry.natPort).toBeGreaterThanOrEqual(1024);
    expect(out.entry.natPort).toBeLessThanOrEqual(65535);
    const back = table.inbound({ protocol: 'tcp', srcIp: '44.198.164.163', srcPort: 8080, dstIp: '10.0.0.226', dstPort: out.entry.natPort });
    expect(back).toEqual({ kind: 'translated', entry: out.entry });
    expect(back.kind === 'translated' && `${back.entry.insideIp}:${back.entry.insidePort}`).toBe('10.0.1.32:32222');
  });

  it('gives two clients with the same source port different ports (the article: 27318 and 10722)', () => {
    const table = new NatTable({ addresses: ['10.0.0.226'] });
    const a = table.open({ protocol: 'tcp', srcIp: '10.0.1.32', srcPort: 32222, ...SERVER });
    const b = table.open({ protocol: 'tcp', srcIp: '10.0.1.123', srcPort: 32222, ...SERVER });
    expect(a.kind === 'translated' && b.kind === 'translated' && a.entry.natPort !== b.entry.natPort).toBe(true);
  });

  it('is reproducible for a seed and random across seeds', () => {
    const ports = (seed: number) => {
      const table = new NatTable({ addresses: ['10.0.0.226'], seed });
      return Array.from({ length: 20 }, (_, i) => {
        const r = table.open(conn(i));
        return r.kind === 'translated' ? r.entry.natPort : -1;
      });
    };
    expect(ports(42)).toEqual(ports(42));
    expect(ports(42)).not.toEqual(ports(43));
    // Randomised, not sequential from the start of the range.
    const sorted = [...ports(42)].sort((x, y) => x - y);
    expect(sorted[sorted.length - 1] - sorted[0]).toBeGreaterThan(1000);
  });

  it('reuses the entry for the same 5-tuple (a retransmitted SYN)', () => {
    const table = new NatTable({ addresses: ['10.0.0.226'] });
    const first = table.open(conn(1));
    const again = table.open(conn(1));
    expect(again.kind === 'translated' && !again.created).toBe(true);
    expect(first.kind === 'translated' && again.kind === 'translated' && again.entry).toBe(first.kind === 'translated' && first.entry);
    expect(table.size).toBe(1);
  });

  it('accepts exactly 55,000 connections per destination per address, all on distinct ports, then ErrorPortAllocation', () => {
    const table = new NatTable({ addresses: ['10.0.0.226'], seed: 3 });
    const ports = new Set<number>();
    for (let i = 0; i < 55_000; i++) {
      const r = table.open(conn(i));
      if (r.kind !== 'translated') throw new Error(`connection ${i} failed: ${JSON.stringify(r)}`);
      ports.add(r.entry.natPort);
    }
    expect(ports.size).toBe(55_000);
    const failed = table.open(conn(55_000));
    expect(failed.kind).toBe('error');
    expect(failed.kind === 'error' && failed.error).toBe('ErrorPortAllocation');
    expect(table.stats.errorPortAllocation).toBe(1);
    // Another destination (a different port) has its own 55,000.
    expect(table.open(conn(55_000, { dstIp: '44.198.164.163', dstPort: 8443 })).kind).toBe('translated');
    // Closing one connection frees one port for the full destination.
    expect(table.close(conn(17))).toBe(true);
    expect(table.open(conn(55_001)).kind).toBe('translated');
    expect(table.open(conn(55_002)).kind).toBe('error');
  });

  it('relieves exhaustion with a secondary address (2 x 55,000)', () => {
    const table = new NatTable({ addresses: ['10.0.0.226', '10.0.0.227'] });
    let onPrimary = 0;
    let onSecondary = 0;
    let secondaryTooEarly = 0;
    for (let i = 0; i < 110_000; i++) {
      const r = table.open(conn(i));
      if (r.kind !== 'translated') throw new Error(`connection ${i} failed`);
      if (r.entry.natIp === '10.0.0.226') onPrimary++;
      else onSecondary++;
      // The secondary is used only once the primary is full.
      if (i < 55_000 && r.entry.natIp !== '10.0.0.226') secondaryTooEarly++;
    }
    expect([onPrimary, onSecondary, secondaryTooEarly]).toEqual([55_000, 55_000, 0]);
    expect(table.open(conn(110_000)).kind).toBe('error');
    expect(table.connectionsTo('tcp', SERVER.dstIp, SERVER.dstPort)).toBe(110_000);
  });

  it('fails at the port range size when the range is smaller than the limit (the local twin)', () => {
    const table = new NatTable({ addresses: ['10.0.0.226'], portRange: { min: 20000, max: 20099 } });
    for (let i = 0; i < 100; i++) {
      const r = table.open(conn(i));
      expect(r.kind === 'translated' && r.entry.natPort >= 20000 && r.entry.natPort <= 20099).toBe(true);
    }
    expect(table.capacity).toBe(100);
    expect(table.open(conn(100)).kind).toBe('error');
  });

  it('expires an idle connection at 350 s and answers the inside host with RST', () => {
    const table = new NatTable({ addresses: ['10.0.0.226'] });
    const c = conn(1);
    const opened = table.open(c, 0);
    expect(table.send(c, 200).kind).toBe('translated'); // activity resets the idle timer
    expect(table.expire(549.9)).toEqual([]);
    const expired = table.expire(550);
    expect(expired).toHaveLength(1);
    expect(expired[0].rst).toEqual({ to: { ip: c.srcIp, port: c.srcPort }, from: { ip: SERVER.dstIp, port: SERVER.dstPort } });
    expect(table.size).toBe(0);
    const next = table.send(c, 551);
    expect(next.kind).toBe('rst');
    // The reply to the old port is now unsolicited.
    const port = opened.kind === 'translated' ? opened.entry.natPort : 0;
    expect(table.inbound({ protocol: 'tcp', srcIp: SERVER.dstIp, srcPort: SERVER.dstPort, dstIp: '10.0.0.226', dstPort: port }, 551).kind).toBe('dropped');
    // A new SYN opens a fresh translation.
    expect(table.open(c, 552).kind).toBe('translated');
    expect(table.stats.idleTimeouts).toBe(1);
  });

  it('expires lazily too: a continuing packet after 350 s idle gets an RST', () => {
    const table = new NatTable({ addresses: ['10.0.0.226'] });
    table.open(conn(2), 10);
    expect(table.send(conn(2), 359.9).kind).toBe('translated');
    expect(table.send(conn(2), 709.9).kind).toBe('rst');
  });

  it('frees a full pool\'s idle connections when a new one needs a port (no explicit expire)', () => {
    const table = new NatTable({ addresses: ['10.0.0.226'], perDestinationLimit: 2, seed: 4 });
    expect(table.open(conn(1), 0).kind).toBe('translated');
    expect(table.open(conn(2), 0).kind).toBe('translated');
    // Still within the idle timeout: the pool is full.
    expect(table.open(conn(3), 349.9).kind).toBe('error');
    // At t=1000 both have been idle for more than 350 s, as AWS would have expired them.
    const third = table.open(conn(3), 1000);
    expect(third.kind).toBe('translated');
    expect(third.kind === 'translated' && third.evicted?.map((e) => e.entry.insidePort)).toEqual([conn(1).srcPort, conn(2).srcPort]);
    expect(third.kind === 'translated' && third.evicted?.[0].rst).toEqual({ to: { ip: conn(1).srcIp, port: conn(1).srcPort }, from: { ip: SERVER.dstIp, port: SERVER.dstPort } });
    expect(table.open(conn(4), 1000).kind).toBe('translated');
    expect(table.open(conn(5), 1000).kind).toBe('error');
    // The evicted hosts get their RST when they continue, as with expire().
    expect(table.send(conn(1), 1001).kind).toBe('rst');
    expect(table.stats.idleTimeouts).toBe(2);
  });

  it('evicts only the idle: a connection refreshed recently keeps its port', () => {
    const table = new NatTable({ addresses: ['10.0.0.226'], perDestinationLimit: 2 });
    table.open(conn(1), 0);
    table.open(conn(2), 0);
    expect(table.send(conn(2), 300).kind).toBe('translated');
    const third = table.open(conn(3), 400);
    expect(third.kind === 'translated' && third.evicted?.map((e) => e.entry.insidePort)).toEqual([conn(1).srcPort]);
    expect(table.lookup(conn(2))).toBeDefined();
    // conn(2) was seen at 300: not idle long enough at 600, so the pool stays full.
    expect(table.open(conn(4), 600).kind).toBe('error');
    expect(table.open(conn(4), 650).kind).toBe('translated');
  });

  it('remembers a bounded number of expired TCP connections for their RST, forgetting the oldest', () => {
    const table = new NatTable({ addresses: ['10.0.0.226'], expiredMemory: 3 });
    for (let i = 0; i < 10; i++) table.open(conn(i), 0);
    expect(table.expire(400)).toHaveLength(10);
    // Only the 3 most recently expired still get an RST; older ones are simply dropped.
    expect(table.send(conn(9), 401).kind).toBe('rst');
    expect(table.send(conn(7), 401).kind).toBe('rst');
    expect(table.send(conn(6), 401).kind).toBe('dropped');
    expect(table.send(conn(0), 401).kind).toBe('dropped');
    expect(() => new NatTable({ addresses: ['10.0.0.226'], expiredMemory: -1 })).toThrow(InputError);
  });

  it('drops unsolicited inbound packets', () => {
    const table = new NatTable({ addresses: ['10.0.0.226'] });
    const r = table.inbound({ protocol: 'tcp', srcIp: '8.8.8.8', srcPort: 40000, dstIp: '10.0.0.226', dstPort: 27318 });
    expect(r.kind).toBe('dropped');
    expect(r.kind === 'dropped' && r.reason).toContain('connections must start inside the VPC');
    expect(table.stats.droppedUnsolicited).toBe(1);
  });

  it('opens UDP on any packet but drops a TCP packet of an unknown connection', () => {
    const table = new NatTable({ addresses: ['10.0.0.226'] });
    expect(table.send({ ...conn(3), protocol: 'udp' }).kind).toBe('translated');
    expect(table.send(conn(4)).kind).toBe('dropped');
  });

  it('restricts addresses when asked (a regional NAT Gateway serving one AZ)', () => {
    const table = new NatTable({ addresses: ['10.0.0.226', '10.0.16.5'] });
    const r = table.open(conn(5), 0, ['10.0.16.5']);
    expect(r.kind === 'translated' && r.entry.natIp).toBe('10.0.16.5');
  });

  it('keeps its invariants through random opens and closes (sparse pools and dense ones)', () => {
    const table = new NatTable({ addresses: ['10.0.0.226'], portRange: { min: 3000, max: 4199 }, seed: 11 });
    const live = new Map<number, FiveTuple>();
    let state = 5;
    const rand = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
    let failures = 0;
    for (let step = 0; step < 6000; step++) {
      const i = Math.floor(rand() * 2500);
      if (live.has(i) && rand() < 0.4) {
        expect(table.close(live.get(i)!)).toBe(true);
        live.delete(i);
      } else if (!live.has(i)) {
        const r = table.open(conn(i));
        if (r.kind === 'translated') live.set(i, conn(i));
        else failures++;
      }
    }
    expect(failures).toBeGreaterThan(0); // the 1,200-port range filled up at some point
    const entries = table.entries();
    expect(entries).toHaveLength(live.size);
    expect(live.size).toBeLessThanOrEqual(1200);
    expect(live.size).toBeGreaterThan(1024); // past the switch from sparse to dense
    const ports = entries.map((e) => e.natPort);
    expect(new Set(ports).size).toBe(ports.length);
    expect(ports.every((p) => p >= 3000 && p <= 4199)).toBe(true);
    for (const e of entries) {
      const back = table.inbound({ protocol: 'tcp', srcIp: e.destIp, srcPort: e.destPort, dstIp: e.natIp, dstPort: e.natPort });
      expect(back.kind === 'translated' && back.entry).toBe(e);
    }
    expect(table.connectionsTo('tcp', SERVER.dstIp, SERVER.dstPort, '10.0.0.226')).toBe(live.size);
  });

  it('validates its options', () => {
    expect(() => new NatTable({ addresses: [] })).toThrow(InputError);
    expect(() => new NatTable({ addresses: Array.from({ length: 9 }, (_, i) => `10.0.0.${i + 10}`) })).toThrow('at most 8');
    expect(() => new NatTable({ addresses: ['10.0.0.226'], portRange: { min: 2000, max: 1000 } })).toThrow('2000-1000');
  });
});
