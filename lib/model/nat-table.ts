/**
 * A NAT Gateway's translation table, driven connection by connection: entries keyed by the
 * inside 5-tuple, a port pool per destination (IP, port, protocol) per NAT address, a seeded
 * random port per connection, the 55,000 limit and ErrorPortAllocation, secondary addresses,
 * idle expiry at 350 s with RST, and the reverse lookup that replies (and only replies) use.
 *
 * Port choice is a partial Fisher-Yates shuffle over each pool's port array: allocation and
 * release are O(1) and never retry, however full the pool is.
 */
import { NAT_IDLE_TIMEOUT_SECONDS, NAT_MAX_ADDRESSES, NAT_PER_DESTINATION_LIMIT, NAT_PORT_RANGE } from './rules';
import { InputError } from '../errors';
import type { Protocol } from './types';

/** A connection's addresses as the NAT sees them on one side. */
export interface FiveTuple {
  /** tcp, udp or icmp (for icmp the ports are the query identifier). */
  readonly protocol: Protocol;
  /** Source address. */
  readonly srcIp: string;
  /** Source port. */
  readonly srcPort: number;
  /** Destination address. */
  readonly dstIp: string;
  /** Destination port. */
  readonly dstPort: number;
}

/** One translation: inside host:port <-> NAT address:port, towards one destination. */
export interface NatEntry {
  /** Protocol of the connection. */
  readonly protocol: Protocol;
  /** The inside host's address. */
  readonly insideIp: string;
  /** The inside host's source port. */
  readonly insidePort: number;
  /** The NAT address the connection was translated to. */
  readonly natIp: string;
  /** The port chosen for it. */
  readonly natPort: number;
  /** Destination address. */
  readonly destIp: string;
  /** Destination port. */
  readonly destPort: number;
  /** Time (seconds, injected) the entry was created. */
  readonly createdAt: number;
  /** Time (seconds) of the last packet in either direction. */
  lastSeen: number;
}

/** Options of a NAT table. */
export interface NatTableOptions {
  /** The NAT Gateway's private addresses, primary first, then secondary ones (at most 8). */
  readonly addresses: readonly string[];
  /**
   * Simultaneous connections per destination (IP, port, protocol) per address.
   * @default 55000
   */
  readonly perDestinationLimit?: number;
  /**
   * Source ports the NAT chooses from, inclusive.
   * @default { min: 1024, max: 65535 }
   */
  readonly portRange?: { readonly min: number; readonly max: number };
  /**
   * Seed of the random port choice, for reproducible runs.
   * @default 1
   */
  readonly seed?: number;
  /**
   * Seconds a connection may stay idle before the NAT forgets it.
   * @default 350
   */
  readonly idleTimeoutSeconds?: number;
  /**
   * Expired TCP connections remembered so that a host continuing one gets an RST; the oldest
   * are forgotten first (a packet of a forgotten one is then simply dropped).
   * @default 65536
   */
  readonly expiredMemory?: number;
}

/** Result of a packet from inside. */
export type OutboundResult =
  | {
      readonly kind: 'translated';
      readonly entry: NatEntry;
      readonly created: boolean;
      /** Connections of the full pool that had been idle for the timeout and were removed to make room. */
      readonly evicted?: readonly ExpiredEntry[];
    }
  | { readonly kind: 'error'; readonly error: 'ErrorPortAllocation'; readonly reason: string }
  | { readonly kind: 'rst'; readonly entry: NatEntry; readonly reason: string }
  | { readonly kind: 'dropped'; readonly reason: string };

/** Result of a packet from outside (a reply). */
export type InboundResult =
  | { readonly kind: 'translated'; readonly entry: NatEntry }
  | { readonly kind: 'dropped'; readonly reason: string };

/** A connection the idle timeout removed; TCP hosts that continue it get an RST. */
export interface ExpiredEntry {
  /** The translation that was removed. */
  readonly entry: NatEntry;
  /** For TCP: the RST the NAT answers the inside host with when it sends again. */
  readonly rst: { readonly to: { readonly ip: string; readonly port: number }; readonly from: { readonly ip: string; readonly port: number } } | null;
}

/** Counters like the NAT Gateway's CloudWatch metrics. */
export interface NatTableStats {
  /** Connections that could not get a port (CloudWatch ErrorPortAllocation). */
  readonly errorPortAllocation: number;
  /** Live translations. */
  readonly activeConnections: number;
  /** Translations created since the start. */
  readonly connectionsOpened: number;
  /** Translations removed by the idle timeout. */
  readonly idleTimeouts: number;
  /** Packets from outside with no entry, dropped. */
  readonly droppedUnsolicited: number;
}

/** AWS's documented defaults. */
export const NAT_DEFAULTS = {
  perDestinationLimit: NAT_PER_DESTINATION_LIMIT,
  portRange: NAT_PORT_RANGE,
  idleTimeoutSeconds: NAT_IDLE_TIMEOUT_SECONDS,
  maxAddresses: NAT_MAX_ADDRESSES,
  expiredMemory: 65_536,
} as const;

/** Pools start sparse and switch to flat arrays once this many ports are taken. */
const DENSE_AFTER = 1024;

/**
 * The ports of one NAT address towards one destination: a partially shuffled array of port
 * offsets, [0, used) taken and [used, size) free. Small pools keep only the positions that
 * moved (Maps), so many destinations with few connections each stay cheap; a pool that grows
 * switches to typed arrays.
 */
class PortPool {
  /** Dense mode: port offset at each position. */
  private ports: Uint16Array | undefined;
  /** Dense mode: position of each port offset. */
  private slot: Uint16Array | undefined;
  /** Dense mode: entry holding each port offset. */
  private owners: Array<NatEntry | undefined> | undefined;
  /** Sparse mode: positions whose offset is not their own index. */
  private movedPorts: Map<number, number> | undefined = new Map();
  /** Sparse mode: offsets whose position is not their own value. */
  private movedSlots: Map<number, number> | undefined = new Map();
  /** Sparse mode: entries by port offset. */
  private ownerMap: Map<number, NatEntry> | undefined = new Map();
  used = 0;
  /** No held entry was last seen before this (a lower bound): a full pool is only scanned for idle entries when one may be. */
  oldestLastSeen = Infinity;

  constructor(readonly size: number) {}

  private densify(): void {
    const size = this.size;
    const ports = new Uint16Array(size);
    const slot = new Uint16Array(size);
    for (let i = 0; i < size; i++) {
      ports[i] = i;
      slot[i] = i;
    }
    for (const [i, v] of this.movedPorts!) ports[i] = v;
    for (const [v, i] of this.movedSlots!) slot[v] = i;
    const owners = new Array<NatEntry | undefined>(size);
    for (const [offset, entry] of this.ownerMap!) owners[offset] = entry;
    this.ports = ports;
    this.slot = slot;
    this.owners = owners;
    this.movedPorts = this.movedSlots = this.ownerMap = undefined;
  }

  /** Takes a random free port offset: swap a random free position to the front of the free part. */
  take(random: number): number {
    const i = this.used;
    const j = i + Math.floor(random * (this.size - i));
    this.used = i + 1;
    const ports = this.ports;
    if (ports !== undefined) {
      const chosen = ports[j];
      if (j !== i) {
        const moved = ports[i];
        ports[i] = chosen;
        ports[j] = moved;
        this.slot![moved] = j;
        this.slot![chosen] = i;
      }
      return chosen;
    }
    const movedPorts = this.movedPorts!;
    const movedSlots = this.movedSlots!;
    const chosen = movedPorts.get(j) ?? j;
    if (j !== i) {
      const moved = movedPorts.get(i) ?? i;
      movedPorts.set(i, chosen);
      movedPorts.set(j, moved);
      movedSlots.set(moved, j);
      movedSlots.set(chosen, i);
    }
    return chosen;
  }

  /** Records the entry that holds a port offset just taken. */
  hold(offset: number, entry: NatEntry): void {
    if (entry.lastSeen < this.oldestLastSeen) this.oldestLastSeen = entry.lastSeen;
    if (this.owners !== undefined) {
      this.owners[offset] = entry;
      return;
    }
    this.ownerMap!.set(offset, entry);
    if (this.used >= DENSE_AFTER) this.densify();
  }

  /** The entry holding a port offset. */
  owner(offset: number): NatEntry | undefined {
    return this.owners !== undefined ? this.owners[offset] : this.ownerMap!.get(offset);
  }

  /** Every entry holding a port. */
  held(): NatEntry[] {
    if (this.owners === undefined) return [...this.ownerMap!.values()];
    const out: NatEntry[] = [];
    for (let i = 0; i < this.used; i++) out.push(this.owners[this.ports![i]]!);
    return out;
  }

  /** Returns a port offset to the free part. */
  give(offset: number): void {
    const last = this.used - 1;
    if (this.ports !== undefined) {
      const ports = this.ports;
      const slot = this.slot!;
      const i = slot[offset];
      const moved = ports[last];
      ports[last] = offset;
      ports[i] = moved;
      slot[moved] = i;
      slot[offset] = last;
      this.owners![offset] = undefined;
    } else {
      const movedPorts = this.movedPorts!;
      const movedSlots = this.movedSlots!;
      const i = movedSlots.get(offset) ?? offset;
      const moved = movedPorts.get(last) ?? last;
      movedPorts.set(last, offset);
      movedPorts.set(i, moved);
      movedSlots.set(moved, i);
      movedSlots.set(offset, last);
      this.ownerMap!.delete(offset);
    }
    this.used = last;
  }
}

interface Destination {
  /** One pool per NAT address, created on first use. */
  readonly pools: Array<PortPool | undefined>;
}

function destinationKey(protocol: Protocol, ip: string, port: number): string {
  return `${protocol}|${ip}|${port}`;
}

function entryKey(entry: NatEntry): string {
  return `${entry.insideIp}|${entry.insidePort}|${destinationKey(entry.protocol, entry.destIp, entry.destPort)}`;
}

function expiredEntry(entry: NatEntry): ExpiredEntry {
  return { entry, rst: entry.protocol === 'tcp' ? { to: { ip: entry.insideIp, port: entry.insidePort }, from: { ip: entry.destIp, port: entry.destPort } } : null };
}

/** A NAT Gateway's translation table (see the file comment). */
export class NatTable {
  readonly addresses: readonly string[];
  readonly perDestinationLimit: number;
  readonly portRange: { readonly min: number; readonly max: number };
  readonly idleTimeoutSeconds: number;
  /** How many expired TCP connections are remembered for their RST. */
  readonly expiredMemory: number;
  /** Connections per pool before it is full: the limit, or the port range when smaller. */
  readonly capacity: number;

  private readonly byInside = new Map<string, NatEntry>();
  private readonly destinations = new Map<string, Destination>();
  private readonly addressIndex = new Map<string, number>();
  private readonly expiredTcp = new Map<string, NatEntry>();
  private readonly rangeSize: number;
  private state: number;
  private counters = { errorPortAllocation: 0, connectionsOpened: 0, idleTimeouts: 0, droppedUnsolicited: 0 };

  constructor(options: NatTableOptions) {
    if (options.addresses.length === 0) throw new InputError('a NAT table needs at least one address');
    if (options.addresses.length > NAT_DEFAULTS.maxAddresses) {
      throw new InputError(`a NAT Gateway has at most ${NAT_DEFAULTS.maxAddresses} IPv4 addresses (1 primary, 7 secondary), not ${options.addresses.length}`);
    }
    const range = options.portRange ?? NAT_DEFAULTS.portRange;
    if (!Number.isInteger(range.min) || !Number.isInteger(range.max) || range.min < 1 || range.max > 65535 || range.min > range.max) {
      throw new InputError(`NAT port range ${range.min}-${range.max} is not a range of ports within 1-65535`);
    }
    const limit = options.perDestinationLimit ?? NAT_DEFAULTS.perDestinationLimit;
    if (!Number.isInteger(limit) || limit < 1) throw new InputError(`NAT per-destination limit ${limit} must be a positive whole number`);
    const idle = options.idleTimeoutSeconds ?? NAT_DEFAULTS.idleTimeoutSeconds;
    if (!(idle > 0)) throw new InputError(`NAT idle timeout ${idle} s must be positive`);
    this.addresses = [...options.addresses];
    this.addresses.forEach((a, i) => this.addressIndex.set(a, i));
    this.portRange = { min: range.min, max: range.max };
    this.rangeSize = range.max - range.min + 1;
    this.perDestinationLimit = limit;
    this.capacity = Math.min(limit, this.rangeSize);
    this.idleTimeoutSeconds = idle;
    const memory = options.expiredMemory ?? NAT_DEFAULTS.expiredMemory;
    if (!Number.isInteger(memory) || memory < 0) throw new InputError(`NAT expired-connection memory ${memory} must be a whole number of 0 or more`);
    this.expiredMemory = memory;
    this.state = (options.seed ?? 1) >>> 0;
  }

  /** mulberry32: a small, fast, seedable generator in [0, 1). */
  private random(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /**
   * A new connection from inside (a TCP SYN, a UDP or ICMP packet with no entry). A live entry
   * for the same 5-tuple is reused (a retransmitted SYN); otherwise a port is taken from the
   * first address (primary first) whose pool towards this destination is not full.
   * `onlyAddresses` restricts the choice (a regional NAT Gateway serving one AZ).
   * A full pool first loses its connections idle for the timeout at `now` (as `expire` would
   * have removed them; their hosts get an RST when they continue), so time passing frees ports.
   */
  open(conn: FiveTuple, now = 0, onlyAddresses?: readonly string[]): OutboundResult {
    const destKey = destinationKey(conn.protocol, conn.dstIp, conn.dstPort);
    const key = `${conn.srcIp}|${conn.srcPort}|${destKey}`;
    const existing = this.byInside.get(key);
    if (existing !== undefined) {
      if (now - existing.lastSeen < this.idleTimeoutSeconds) {
        existing.lastSeen = now;
        return { kind: 'translated', entry: existing, created: false };
      }
      this.remove(key, existing, true);
    }
    this.expiredTcp.delete(key);
    let dest = this.destinations.get(destKey);
    if (dest === undefined) {
      dest = { pools: new Array<PortPool | undefined>(this.addresses.length) };
      this.destinations.set(destKey, dest);
    }
    let evicted: ExpiredEntry[] | undefined;
    for (let i = 0; i < this.addresses.length; i++) {
      if (onlyAddresses !== undefined && !onlyAddresses.includes(this.addresses[i])) continue;
      let pool = dest.pools[i];
      if (pool === undefined) pool = dest.pools[i] = new PortPool(this.rangeSize);
      if (pool.used >= this.capacity) {
        const freed = this.evictIdle(pool, now);
        if (freed.length === 0) continue;
        evicted = [...(evicted ?? []), ...freed];
      }
      const offset = pool.take(this.random());
      const entry: NatEntry = {
        protocol: conn.protocol,
        insideIp: conn.srcIp,
        insidePort: conn.srcPort,
        natIp: this.addresses[i],
        natPort: this.portRange.min + offset,
        destIp: conn.dstIp,
        destPort: conn.dstPort,
        createdAt: now,
        lastSeen: now,
      };
      pool.hold(offset, entry);
      this.byInside.set(key, entry);
      this.counters.connectionsOpened++;
      return evicted ? { kind: 'translated', entry, created: true, evicted } : { kind: 'translated', entry, created: true };
    }
    this.counters.errorPortAllocation++;
    const used = onlyAddresses ? this.addresses.filter((a) => onlyAddresses.includes(a)) : this.addresses;
    return {
      kind: 'error',
      error: 'ErrorPortAllocation',
      reason: `ErrorPortAllocation: all ${this.capacity} ports towards ${conn.dstIp}:${conn.dstPort}/${conn.protocol} are in use on ${used.join(', ')}`,
    };
  }

  /**
   * A packet of a connection already open, from inside. TCP with no live entry (expired by
   * the idle timeout, or never seen) is answered with an RST or dropped; UDP and ICMP simply
   * open a new translation.
   */
  send(conn: FiveTuple, now = 0): OutboundResult {
    const key = `${conn.srcIp}|${conn.srcPort}|${destinationKey(conn.protocol, conn.dstIp, conn.dstPort)}`;
    const existing = this.byInside.get(key);
    if (existing !== undefined && now - existing.lastSeen < this.idleTimeoutSeconds) {
      existing.lastSeen = now;
      return { kind: 'translated', entry: existing, created: false };
    }
    if (existing !== undefined) this.remove(key, existing, true);
    if (conn.protocol !== 'tcp') return this.open(conn, now);
    const expired = this.expiredTcp.get(key);
    if (expired !== undefined) {
      return { kind: 'rst', entry: expired, reason: `the connection was idle for ${this.idleTimeoutSeconds} s or more and expired; the NAT answers ${conn.srcIp}:${conn.srcPort} with RST` };
    }
    return { kind: 'dropped', reason: `no translation entry for ${conn.srcIp}:${conn.srcPort} -> ${conn.dstIp}:${conn.dstPort} and the packet does not open a connection` };
  }

  /** A packet from outside to a NAT address: translated back if an entry exists, else dropped. */
  inbound(packet: FiveTuple, now = 0): InboundResult {
    const index = this.addressIndex.get(packet.dstIp);
    const offset = packet.dstPort - this.portRange.min;
    const dest = this.destinations.get(destinationKey(packet.protocol, packet.srcIp, packet.srcPort));
    const entry = index === undefined || offset < 0 || offset >= this.rangeSize ? undefined : dest?.pools[index]?.owner(offset);
    if (entry === undefined) {
      this.counters.droppedUnsolicited++;
      return { kind: 'dropped', reason: `no translation entry for ${packet.srcIp}:${packet.srcPort} -> ${packet.dstIp}:${packet.dstPort}/${packet.protocol}; connections must start inside the VPC` };
    }
    if (now - entry.lastSeen >= this.idleTimeoutSeconds) {
      this.remove(entryKey(entry), entry, true);
      this.counters.droppedUnsolicited++;
      return { kind: 'dropped', reason: `the translation for ${packet.dstIp}:${packet.dstPort} expired after ${this.idleTimeoutSeconds} s idle` };
    }
    entry.lastSeen = now;
    return { kind: 'translated', entry };
  }

  /** Closes a connection (FIN/RST seen): its port returns to the pool. False when unknown. */
  close(conn: FiveTuple): boolean {
    const key = `${conn.srcIp}|${conn.srcPort}|${destinationKey(conn.protocol, conn.dstIp, conn.dstPort)}`;
    const entry = this.byInside.get(key);
    if (entry === undefined) return false;
    this.remove(key, entry, false);
    return true;
  }

  /** Removes every connection idle for the timeout or longer at `now`. */
  expire(now: number): ExpiredEntry[] {
    const out: ExpiredEntry[] = [];
    for (const [key, entry] of this.byInside) {
      if (now - entry.lastSeen < this.idleTimeoutSeconds) continue;
      this.remove(key, entry, true);
      out.push(expiredEntry(entry));
    }
    return out;
  }

  /** Removes a full pool's connections idle for the timeout at `now`; scans only when one may be. */
  private evictIdle(pool: PortPool, now: number): ExpiredEntry[] {
    if (now - pool.oldestLastSeen < this.idleTimeoutSeconds) return [];
    const out: ExpiredEntry[] = [];
    let oldest = Infinity;
    for (const entry of pool.held()) {
      if (now - entry.lastSeen >= this.idleTimeoutSeconds) {
        this.remove(entryKey(entry), entry, true);
        out.push(expiredEntry(entry));
      } else if (entry.lastSeen < oldest) {
        oldest = entry.lastSeen;
      }
    }
    pool.oldestLastSeen = oldest;
    return out;
  }

  private remove(key: string, entry: NatEntry, idle: boolean): void {
    this.byInside.delete(key);
    const dest = this.destinations.get(destinationKey(entry.protocol, entry.destIp, entry.destPort));
    const pool = dest?.pools[this.addressIndex.get(entry.natIp)!];
    pool?.give(entry.natPort - this.portRange.min);
    if (idle) {
      this.counters.idleTimeouts++;
      if (entry.protocol === 'tcp' && this.expiredMemory > 0) {
        this.expiredTcp.delete(key);
        this.expiredTcp.set(key, entry);
        // Forget the oldest first (Maps keep insertion order), so the memory stays bounded.
        if (this.expiredTcp.size > this.expiredMemory) this.expiredTcp.delete(this.expiredTcp.keys().next().value!);
      }
    }
  }

  /** The live entry of an inside 5-tuple, if any. */
  lookup(conn: FiveTuple): NatEntry | undefined {
    return this.byInside.get(`${conn.srcIp}|${conn.srcPort}|${destinationKey(conn.protocol, conn.dstIp, conn.dstPort)}`);
  }

  /** Live connections towards one destination, on one address or all. */
  connectionsTo(protocol: Protocol, ip: string, port: number, natIp?: string): number {
    const dest = this.destinations.get(destinationKey(protocol, ip, port));
    if (!dest) return 0;
    if (natIp !== undefined) return dest.pools[this.addressIndex.get(natIp) ?? -1]?.used ?? 0;
    return dest.pools.reduce((sum, p) => sum + (p?.used ?? 0), 0);
  }

  /** Every live entry. */
  entries(): NatEntry[] {
    return [...this.byInside.values()];
  }

  /** Live translations. */
  get size(): number {
    return this.byInside.size;
  }

  /** Counters (ErrorPortAllocation and the rest). */
  get stats(): NatTableStats {
    return { ...this.counters, activeConnections: this.byInside.size };
  }
}
