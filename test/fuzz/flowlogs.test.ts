/**
 * Property-based tests of the flow log readers and the pairing (fast-check). Runs and seed
 * come from NATLAB_FUZZ_RUNS / NATLAB_FUZZ_SEED (defaults: 200 runs, a random seed that a
 * failure prints).
 */
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { InputError } from '../../lib/errors';
import { analyzeFlowLogStream, analyzeNatFlowLogs, parseFlowLogRecords } from '../../lib/observe/flowlogs';
import { LAB_FIELDS, NAT_IP, T0, connectionRecords, formatString, recordLine, type Connection } from '../fixtures/flowlogs/generate';

const RUNS = Number(process.env.NATLAB_FUZZ_RUNS ?? 200);
const SEED = process.env.NATLAB_FUZZ_SEED === undefined ? undefined : Number(process.env.NATLAB_FUZZ_SEED);
const params = { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) };

/** A result, or an InputError: never another error. */
async function resultOrInputError<T>(f: () => Promise<T> | T): Promise<T | InputError> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
}

const FORMAT = formatString(LAB_FIELDS);

/** A valid lab-format line with one field replaced by arbitrary text. */
const mutatedLine = fc
  .record({ field: fc.integer({ min: 0, max: LAB_FIELDS.length - 1 }), value: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('-', '', '65536', '999999999999999999', '::1', '1.2.3', 'ACCEPT', 'NODATA')) })
  .map(({ field, value }) => {
    const tokens = recordLine(connectionRecords({ client: { ip: '10.0.1.32', port: 32222 }, nat: { ip: NAT_IP, port: 27318 }, destination: { ip: '44.198.164.163', port: 8080 }, start: T0 })[0], LAB_FIELDS).split(' ');
    tokens[field] = value;
    return tokens.join(' ');
  });

describe('flow log readers never fail but with InputError', () => {
  test('arbitrary and mutated lines: every line is a record, a skip, a header or blank', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ maxLength: 80 }), mutatedLine), { maxLength: 30 }), (lines) => {
        const parsed = parseFlowLogRecords(lines, { format: FORMAT });
        const r = analyzeNatFlowLogs(parsed);
        expect(r.records + r.skippedTotal).toBeLessThanOrEqual(lines.length);
        expect(r.totals.translations).toBe(r.translations.length);
      }),
      params,
    );
  });

  test('arbitrary bytes as a file (text, JSON-looking, gzip- or Parquet-looking)', async () => {
    const prefixes = [Buffer.alloc(0), Buffer.from('{"events":['), Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.from('PAR1')];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 300 }), async (prefix, body) => {
        const r = await resultOrInputError(() => analyzeFlowLogStream(Readable.from([Buffer.concat([prefix, Buffer.from(body)])]), { format: FORMAT, source: 'fuzz.log' }));
        if (r instanceof InputError) expect(r.message).toMatch(/^fuzz\.log: /);
      }),
      params,
    );
  });
});

/** Connections with their four records each, times and ports drawn at random. */
const connections = fc
  .array(
    fc.record({
      client: fc.integer({ min: 4, max: 40 }),
      clientPort: fc.integer({ min: 1024, max: 65535 }),
      dest: fc.integer({ min: 0, max: 3 }),
      start: fc.integer({ min: 0, max: 1800 }),
      length: fc.integer({ min: 0, max: 30 }),
      packets: fc.integer({ min: 1, max: 40 }),
      bytes: fc.integer({ min: 40, max: 9000 }),
      replyBytes: fc.integer({ min: 40, max: 90000 }),
    }),
    { minLength: 1, maxLength: 25 },
  )
  .map((list) =>
    list.map(
      (c, i): Connection => ({
        client: { ip: `10.0.1.${c.client}`, port: c.clientPort },
        // Distinct NAT ports: the NAT never gives one port to two connections to one destination at once.
        nat: { ip: NAT_IP, port: 1024 + i * 7 },
        destination: { ip: ['44.198.164.163', '198.51.100.10', '203.0.113.7', '192.0.2.80'][c.dest], port: c.dest === 1 ? 123 : 443 },
        start: T0 + c.start,
        end: T0 + c.start + c.length,
        packets: c.packets,
        bytes: c.bytes,
        replyBytes: c.replyBytes,
      }),
    ),
  );

describe('pairing', () => {
  test('never names a wrong client: every translation that names one names the real one', () => {
    fc.assert(
      fc.property(connections, fc.boolean(), (conns, dropSomeRequests) => {
        const records = conns.flatMap((c, i) => connectionRecords(dropSomeRequests && i % 3 === 0 ? { ...c, omit: ['inside'] } : c));
        records.sort((a, b) => Number(a.start) - Number(b.start));
        const r = analyzeNatFlowLogs(parseFlowLogRecords(records.map((x) => recordLine(x, LAB_FIELDS)), { format: FORMAT }));
        const truth = new Map(conns.map((c) => [c.nat.port, `${c.client.ip}:${c.client.port}`]));
        for (const t of r.translations) {
          if (t.inside) expect(`${t.inside.ip}:${t.inside.port}`).toBe(truth.get(t.outside.port));
          else expect(t.confidence).toBe('ambiguous');
        }
        // Every outside leg is accounted for: paired or listed as unmatched.
        expect(r.translations.length + r.unmatched.filter((u) => u.leg === 'outside').length).toBe(conns.length);
      }),
      params,
    );
  });
});
