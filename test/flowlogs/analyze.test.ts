import { analyzeNatFlowLogs, parseFlowLogRecords, type FlowLogsResult, type FlowLogTranslation } from '../../lib/observe/flowlogs';
import {
  LAB_FIELDS,
  NAT_ENI,
  NAT_IP,
  SERVER,
  T0,
  V2_FIELDS,
  articleConnections,
  byTime,
  connectionRecords,
  formatString,
  labFormatLines,
  noDataRecord,
  ntpConnections,
  recordLine,
  scanRecords,
  type Connection,
  type Fields,
} from '../fixtures/flowlogs/generate';

function analyze(records: Fields[], fields: readonly string[] = LAB_FIELDS, natPrivateIps?: string[], natEniIds?: string[]): FlowLogsResult {
  const lines = byTime(records).map((r) => recordLine(r, fields));
  return analyzeNatFlowLogs(parseFlowLogRecords(lines, { format: formatString(fields) }), { natPrivateIps, natEniIds });
}

function row(t: FlowLogTranslation): string {
  return `${t.protocol} ${t.inside ? `${t.inside.ip}:${t.inside.port}` : '?'} -> ${t.outside.ip}:${t.outside.port} -> ${t.destination.ip}:${t.destination.port} ${t.confidence}`;
}

describe('the article\'s flows', () => {
  test('both clients from port 32222 pair with their own NAT ports: the article\'s table, certain', () => {
    const result = analyze(articleConnections().flatMap(connectionRecords), LAB_FIELDS, [NAT_IP]);
    expect(result.translations.map(row)).toEqual([
      'tcp 10.0.1.32:32222 -> 10.0.0.226:27318 -> 44.198.164.163:8080 certain',
      'tcp 10.0.1.123:32222 -> 10.0.0.226:10722 -> 44.198.164.163:8080 certain',
    ]);
    expect(result.translations[0]).toMatchObject({
      interface: NAT_ENI,
      firstSeen: new Date(T0 * 1000).toISOString(),
      lastSeen: new Date((T0 + 1) * 1000).toISOString(),
    });
    expect(result.unsolicited).toEqual([]);
    expect(result.unmatched).toEqual([]);
    expect(result.records).toBe(8);
  });

  test('the NAT private IP is inferred from pkt-dstaddr when not given, and the result says so', () => {
    const result = analyze(articleConnections().flatMap(connectionRecords));
    expect(result.natPrivateIps).toEqual([NAT_IP]);
    expect(result.natIpsInferred).toBe(true);
    expect(result.notes.join(' ')).toMatch(/10\.0\.0\.226 inferred/);
    expect(result.translations).toHaveLength(2);
  });

  test('the Elastic IP never appears: the ENI logs its private IP', () => {
    const json = JSON.stringify(analyze(articleConnections().flatMap(connectionRecords)));
    expect(json).not.toContain('3.224.9.52');
  });

  test('connections 3 s apart with overlapping time windows still pair by start/end alignment', () => {
    const conns: Connection[] = [
      { ...articleConnections()[0], start: T0, end: T0 + 10 },
      { ...articleConnections()[1], start: T0 + 5, end: T0 + 40 },
    ];
    const result = analyze(conns.flatMap(connectionRecords), LAB_FIELDS, [NAT_IP]);
    expect(result.translations.map(row)).toEqual([
      'tcp 10.0.1.32:32222 -> 10.0.0.226:27318 -> 44.198.164.163:8080 likely',
      'tcp 10.0.1.123:32222 -> 10.0.0.226:10722 -> 44.198.164.163:8080 likely',
    ]);
    expect(result.translations[0].basis).toMatch(/2 inside legs .* overlap in time; its start\/end times.*match this outside leg better/);
  });

  test('same times but different packet/byte counts: paired by volume, likely', () => {
    const [a, b] = articleConnections();
    const conns: Connection[] = [
      { ...a, start: T0, end: T0 + 1, packets: 6, bytes: 420 },
      { ...b, start: T0, end: T0 + 1, packets: 9, bytes: 1337 },
    ];
    const result = analyze(conns.flatMap(connectionRecords), LAB_FIELDS, [NAT_IP]);
    expect(result.translations.map(row).sort()).toEqual([
      'tcp 10.0.1.123:32222 -> 10.0.0.226:10722 -> 44.198.164.163:8080 likely',
      'tcp 10.0.1.32:32222 -> 10.0.0.226:27318 -> 44.198.164.163:8080 likely',
    ]);
    expect(result.translations[0].basis).toMatch(/packet and byte counts/);
  });

  test('truly ambiguous: same destination, same times, same sizes -> ambiguous with both candidates, never a guess', () => {
    const [a, b] = articleConnections();
    const conns: Connection[] = [
      { ...a, start: T0, end: T0 + 59 },
      { ...b, start: T0, end: T0 + 59 },
    ];
    const result = analyze(conns.flatMap(connectionRecords), LAB_FIELDS, [NAT_IP]);
    expect(result.translations).toHaveLength(2);
    for (const t of result.translations) {
      expect(t.confidence).toBe('ambiguous');
      expect(t.inside).toBeNull();
      expect(t.candidates).toEqual(expect.arrayContaining([{ ip: '10.0.1.32', port: 32222 }, { ip: '10.0.1.123', port: 32222 }]));
      expect(t.candidates).toHaveLength(2);
      expect(t.basis).toMatch(/not guessing/);
    }
    expect(result.translations.map((t) => t.outside.port).sort()).toEqual([10722, 27318]);
    // The candidate inside legs are not also reported as unmatched.
    expect(result.unmatched).toEqual([]);
  });

  test('a third, distinguishable connection next to an ambiguous pair stays certain', () => {
    const [a, b] = articleConnections();
    const conns: Connection[] = [
      { ...a, start: T0, end: T0 + 59 },
      { ...b, start: T0, end: T0 + 59 },
      { client: { ip: '10.0.1.50', port: 40000 }, nat: { ip: NAT_IP, port: 5555 }, destination: { ip: '198.51.100.9', port: 443 }, start: T0 },
    ];
    const result = analyze(conns.flatMap(connectionRecords), LAB_FIELDS, [NAT_IP]);
    expect(result.translations.map((t) => t.confidence).sort()).toEqual(['ambiguous', 'ambiguous', 'certain']);
  });

  test('a short and a long connection starting together pair by their end times', () => {
    const [a, b] = articleConnections();
    const conns: Connection[] = [
      { ...a, start: T0, end: T0 + 2, packets: 6, bytes: 420 },
      { ...b, start: T0, end: T0 + 30, packets: 6, bytes: 420 },
    ];
    const result = analyze(conns.flatMap(connectionRecords), LAB_FIELDS, [NAT_IP]);
    expect(result.translations.map(row)).toEqual([
      'tcp 10.0.1.123:32222 -> 10.0.0.226:10722 -> 44.198.164.163:8080 likely',
      'tcp 10.0.1.32:32222 -> 10.0.0.226:27318 -> 44.198.164.163:8080 likely',
    ]);
  });

  test('once a forced pairing is settled, the other outside leg\'s remaining candidate is likely (elimination)', () => {
    const [a, b] = articleConnections();
    // Outside leg 27318 fits both inside legs equally; outside leg 10722 (later) only fits b's,
    // which cannot feed two outside legs at once: so 27318 is a's.
    const records = [
      ...connectionRecords({ ...a, start: T0, end: T0 + 3, omit: ['outside', 'reply-from-outside'] }),
      ...connectionRecords({ ...b, start: T0, end: T0 + 5, omit: ['outside', 'reply-from-outside'] }),
      ...connectionRecords({ ...a, start: T0, end: T0 + 4, omit: ['inside', 'reply-to-client'] }),
      ...connectionRecords({ ...b, start: T0 + 6, end: T0 + 7, packets: 2, bytes: 80, omit: ['inside', 'reply-to-client'] }),
    ];
    const result = analyze(records, LAB_FIELDS, [NAT_IP]);
    expect(result.translations.map(row).sort()).toEqual([
      'tcp 10.0.1.123:32222 -> 10.0.0.226:10722 -> 44.198.164.163:8080 likely',
      'tcp 10.0.1.32:32222 -> 10.0.0.226:27318 -> 44.198.164.163:8080 likely',
    ]);
    expect(result.translations.find((t) => t.outside.port === 27318)?.basis).toMatch(/paired with other outside legs at the same time/);
  });

  test('two outside legs at once with a single inside leg between them: both ambiguous, nothing invented', () => {
    const [a, b] = articleConnections();
    const records = [
      ...connectionRecords({ ...a, start: T0, end: T0 + 5 }),
      ...connectionRecords({ ...b, start: T0, end: T0 + 5, omit: ['inside', 'reply-to-client'] }),
    ];
    const result = analyze(records, LAB_FIELDS, [NAT_IP]);
    expect(result.translations.map((t) => [t.outside.port, t.confidence, t.candidates])).toEqual([
      [10722, 'ambiguous', [{ ip: '10.0.1.32', port: 32222 }]],
      [27318, 'ambiguous', [{ ip: '10.0.1.32', port: 32222 }]],
    ]);
    expect(result.translations[0].basis).toMatch(/also feeds another outside leg at the same time/);
  });
});

describe('other traffic on the NAT ENI', () => {
  test('NTP chatter over UDP 123 becomes udp translations', () => {
    const result = analyze(ntpConnections().flatMap(connectionRecords), LAB_FIELDS, [NAT_IP]);
    expect(result.translations.map(row)).toEqual([
      'udp 10.0.1.32:123 -> 10.0.0.226:51123 -> 198.51.100.123:123 certain',
      'udp 10.0.1.123:123 -> 10.0.0.226:40999 -> 198.51.100.124:123 certain',
    ]);
  });

  test('inbound scans to the NAT\'s address are unsolicited, with REJECT kept as such', () => {
    const records = [
      ...articleConnections().flatMap(connectionRecords),
      ...scanRecords('198.51.100.77', [22, 23, 3389], T0 + 30),
      ...scanRecords('203.0.113.9', [445], T0 + 40, 'REJECT'),
    ];
    const result = analyze(records, LAB_FIELDS, [NAT_IP]);
    expect(result.translations).toHaveLength(2);
    expect(result.unsolicited.map((u) => `${u.source.ip} -> ${u.destination.ip}:${u.destination.port} ${u.action}`)).toEqual([
      '198.51.100.77 -> 10.0.0.226:22 ACCEPT',
      '198.51.100.77 -> 10.0.0.226:23 ACCEPT',
      '198.51.100.77 -> 10.0.0.226:3389 ACCEPT',
      '203.0.113.9 -> 10.0.0.226:445 REJECT',
    ]);
    expect(result.unsolicited[0].reason).toMatch(/no outside leg/);
    expect(result.unsolicited[3].reason).toMatch(/network ACL/);
  });

  test('a packet from the server to the NAT port after the 350 s idle timeout is unsolicited', () => {
    const [a] = articleConnections();
    const late: Fields = {
      ...connectionRecords(a)[2],
      start: T0 + 1000,
      end: T0 + 1000,
    };
    const result = analyze([...connectionRecords(a), late], LAB_FIELDS, [NAT_IP]);
    expect(result.translations).toHaveLength(1);
    expect(result.unsolicited).toHaveLength(1);
    expect(result.unsolicited[0]).toMatchObject({ source: SERVER, destination: { ip: NAT_IP, port: 27318 } });
    expect(result.unsolicited[0].reason).toMatch(/350 s/);
  });

  test('an inside leg with no outside leg and an outside leg with no inside leg are unmatched, with reasons', () => {
    const lonelyInside: Connection = { client: { ip: '10.0.1.60', port: 50000 }, nat: { ip: NAT_IP, port: 1 }, destination: { ip: '198.51.100.20', port: 443 }, start: T0, omit: ['outside', 'reply-from-outside'] };
    const lonelyOutside: Connection = { client: { ip: '10.0.1.61', port: 50001 }, nat: { ip: NAT_IP, port: 2222 }, destination: { ip: '198.51.100.21', port: 443 }, start: T0, omit: ['inside', 'reply-to-client'] };
    const result = analyze([...connectionRecords(lonelyInside), ...connectionRecords(lonelyOutside)], LAB_FIELDS, [NAT_IP]);
    expect(result.translations).toEqual([]);
    const legs = result.unmatched.map((u) => `${u.leg} ${u.source.ip}:${u.source.port} -> ${u.destination.ip}:${u.destination.port}`).sort();
    expect(legs).toEqual([
      'inside 10.0.1.60:50000 -> 10.0.0.226:443',
      'outside 10.0.0.226:2222 -> 198.51.100.21:443',
    ]);
    const inside = result.unmatched.find((u) => u.leg === 'inside');
    expect(inside?.packetDestination).toBe('198.51.100.20');
    expect(inside?.reason).toMatch(/no outside leg/);
    // Each leg's reply is attached to it: the server's reply is no scan, the client's no orphan.
    expect(result.unsolicited).toEqual([]);
  });

  test('NODATA and SKIPDATA records are counted, not skipped, and noted', () => {
    const skip: Fields = { ...noDataRecord(T0 + 60), 'log-status': 'SKIPDATA' };
    const result = analyze([...articleConnections().flatMap(connectionRecords), noDataRecord(T0 + 120), skip], LAB_FIELDS, [NAT_IP]);
    expect(result.records).toBe(10);
    expect(result.skipped).toEqual([]);
    expect(result.notes.join(' ')).toMatch(/1 NODATA/);
    expect(result.notes.join(' ')).toMatch(/1 SKIPDATA/);
  });

  test('records of other ENIs in the same log are left out with --nat-eni and counted', () => {
    const clientEni: Fields = { ...connectionRecords(articleConnections()[0])[0], 'interface-id': 'eni-0c11e47a', dstaddr: SERVER.ip };
    const result = analyze([...articleConnections().flatMap(connectionRecords), clientEni], LAB_FIELDS, [NAT_IP], [NAT_ENI]);
    expect(result.translations).toHaveLength(2);
    expect(result.otherRecords).toBe(1);
    expect(result.unmatched).toEqual([]);
  });

  test('a client ENI\'s own records (no NAT address in them) are counted as other records', () => {
    const clientEni: Fields = { ...connectionRecords(articleConnections()[0])[0], 'interface-id': 'eni-0c11e47a', dstaddr: SERVER.ip };
    const result = analyze([...articleConnections().flatMap(connectionRecords), clientEni], LAB_FIELDS, [NAT_IP]);
    expect(result.translations).toHaveLength(2);
    expect(result.otherRecords).toBe(1);
  });

  test('a protocol the NAT does not translate is unmatched with the reason', () => {
    const esp: Fields = { ...connectionRecords(articleConnections()[0])[1], protocol: 50, srcport: 0, dstport: 0 };
    const result = analyze([esp], LAB_FIELDS, [NAT_IP]);
    expect(result.translations).toEqual([]);
    expect(result.unmatched[0]).toMatchObject({ leg: 'other', protocol: '50' });
    expect(result.unmatched[0].reason).toMatch(/only TCP, UDP and ICMP/);
  });

  test('a client reusing its source port after the idle timeout gets two translations', () => {
    const [a] = articleConnections();
    const again: Connection = { ...a, nat: { ip: NAT_IP, port: 41000 }, start: T0 + 1000, end: T0 + 1001 };
    const result = analyze([...connectionRecords(a), ...connectionRecords(again)], LAB_FIELDS, [NAT_IP]);
    expect(result.translations.map(row)).toEqual([
      'tcp 10.0.1.32:32222 -> 10.0.0.226:27318 -> 44.198.164.163:8080 certain',
      'tcp 10.0.1.32:32222 -> 10.0.0.226:41000 -> 44.198.164.163:8080 certain',
    ]);
  });
});

describe('formats', () => {
  test('the default version 2 format (no pkt-* fields): no translation is guessed, the ENI\'s traffic is still reported', () => {
    const records = [...articleConnections().flatMap(connectionRecords), ...ntpConnections().flatMap(connectionRecords), ...scanRecords('198.51.100.77', [22], T0 + 30)];
    const result = analyze(records, V2_FIELDS);
    expect(result.natPrivateIps).toEqual([]);
    expect(result.translations).toEqual([]);
    expect(result.unmatched).toEqual([]);
    expect(result.interfaces).toEqual([expect.objectContaining({ interface: NAT_ENI, kind: 'unknown', records: records.length, packets: 4 * (6 + 4) + 4 * 2 + 1 })]);
    expect(result.notes.join(' ')).toMatch(/Translations cannot be rebuilt from this format: it lacks \$\{pkt-srcaddr\} \$\{pkt-dstaddr\}/);
    expect(result.notes.join(' ')).toMatch(/No NAT Gateway address can be inferred: the format has no pkt-srcaddr\/pkt-dstaddr/);
  });

  test('version 2 with --nat-ip: still no translations, but traffic per destination and port headroom from the outside legs', () => {
    const records = [...articleConnections().flatMap(connectionRecords), ...ntpConnections().flatMap(connectionRecords)];
    const result = analyze(records, V2_FIELDS, [NAT_IP]);
    expect(result.translations).toEqual([]);
    expect(result.usage.byDestination.rows.map((r) => `${r.key} ${r.bytesOut}/${r.bytesIn}`)).toEqual(['44.198.164.163 840/2400', '198.51.100.123 76/76', '198.51.100.124 76/76']);
    expect(result.headroom.closest[0]).toMatchObject({ natIp: NAT_IP, destination: { ip: '44.198.164.163', port: 8080 }, protocol: 'tcp', peak: 1, connections: 2 });
    expect(result.notes.join(' ')).toMatch(/with the NAT address known, traffic and port headroom per destination/);
  });

  test('a custom format in shuffled field order parses to the same table', () => {
    const shuffled = ['pkt-dstaddr', 'end', 'dstport', 'srcaddr', 'action', 'protocol', 'start', 'interface-id', 'bytes', 'srcport', 'pkt-srcaddr', 'packets', 'dstaddr', 'log-status', 'flow-direction'];
    const inOrder = analyze(articleConnections().flatMap(connectionRecords), LAB_FIELDS, [NAT_IP]);
    const result = analyze(articleConnections().flatMap(connectionRecords), shuffled, [NAT_IP]);
    expect(result.translations).toEqual(inOrder.translations);
    expect(result.format).toBe(formatString(shuffled));
  });

  test('without start/end, CloudWatch event times pair the legs', () => {
    const fields = LAB_FIELDS.filter((f) => f !== 'start' && f !== 'end');
    const events = byTime(articleConnections(120).flatMap(connectionRecords)).map((r) => ({ message: recordLine(r, fields), timestamp: Number(r.start) * 1000, logStreamName: `${NAT_ENI}-all` }));
    const result = analyzeNatFlowLogs(parseFlowLogRecords(events, { format: formatString(fields) }), { natPrivateIps: [NAT_IP] });
    expect(result.translations.map(row)).toEqual([
      'tcp 10.0.1.32:32222 -> 10.0.0.226:27318 -> 44.198.164.163:8080 certain',
      'tcp 10.0.1.123:32222 -> 10.0.0.226:10722 -> 44.198.164.163:8080 certain',
    ]);
  });

  test('without any time and without interface-id, the article\'s pair cannot be told apart: ambiguous', () => {
    const fields = ['srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'pkt-srcaddr', 'pkt-dstaddr'];
    const result = analyze(articleConnections().flatMap(connectionRecords), fields, [NAT_IP]);
    expect(result.translations.map((t) => t.confidence)).toEqual(['ambiguous', 'ambiguous']);
    expect(result.translations.every((t) => t.interface === null && t.firstSeen === null)).toBe(true);
    expect(result.notes.join(' ')).toMatch(/no time/);
  });

  test('the interface comes from the CloudWatch log stream name when the format lacks interface-id', () => {
    const fields = LAB_FIELDS.filter((f) => f !== 'interface-id');
    const events = byTime(articleConnections().flatMap(connectionRecords)).map((r) => ({ message: recordLine(r, fields), timestamp: Number(r.start) * 1000, logStreamName: `${NAT_ENI}-all` }));
    const result = analyzeNatFlowLogs(parseFlowLogRecords(events, { format: formatString(fields) }), { natPrivateIps: [NAT_IP] });
    expect(result.translations.map((t) => t.interface)).toEqual([NAT_ENI, NAT_ENI]);
  });
});

describe('parseFlowLogRecords', () => {
  test('bad lines are reported with their line number and reason, good ones kept', () => {
    const good = articleConnections().flatMap(connectionRecords).map((r) => recordLine(r, V2_FIELDS));
    const lines = [good[0], 'garbage', good[1], good[2].replace('8080', 'http'), '', good[3].replace('10.0.0.226', '10.0.0.999'), good[4].replace('ACCEPT', 'MAYBE')];
    const parsed = parseFlowLogRecords(lines);
    expect(parsed.records.map((r) => r.line)).toEqual([1, 3]);
    expect(parsed.skipped).toEqual([
      { line: 2, reason: 'expected 14 fields, found 1 (the default format; pass --format for a custom one)' },
      { line: 4, reason: 'srcport "http" is not a port' },
      { line: 6, reason: 'srcaddr "10.0.0.999" is not an IP address' },
      { line: 7, reason: 'action "MAYBE" is neither ACCEPT nor REJECT' },
    ]);
    const result = analyzeNatFlowLogs(parsed, { natPrivateIps: [NAT_IP] });
    expect(result.records).toBe(2);
    expect(result.skipped).toEqual(parsed.skipped);
    expect(result.skippedTotal).toBe(4);
  });

  test('a header line sets the format; a later header of another format switches to it', () => {
    const recs = articleConnections().flatMap(connectionRecords);
    const lines = [LAB_FIELDS.join(' '), recordLine(recs[0], LAB_FIELDS), V2_FIELDS.join(' '), recordLine(recs[1], V2_FIELDS)];
    const parsed = parseFlowLogRecords(lines);
    expect(parsed.skipped).toEqual([]);
    expect(parsed.records[0].pktDstaddr).toBe(SERVER.ip);
    expect(parsed.records[1].pktDstaddr).toBeUndefined();
    expect(parsed.format.fields).toEqual(V2_FIELDS);
  });

  test('analyzeNatFlowLogs also takes a bare record list (records parsed elsewhere)', () => {
    const parsed = parseFlowLogRecords(articleConnections().flatMap(connectionRecords).map((r) => recordLine(r, LAB_FIELDS)), { format: formatString(LAB_FIELDS) });
    const fromList = analyzeNatFlowLogs(parsed.records, { natPrivateIps: [NAT_IP] });
    expect(fromList.translations.map(row)).toEqual(analyzeNatFlowLogs(parsed, { natPrivateIps: [NAT_IP] }).translations.map(row));
    expect(fromList.records).toBe(8);
  });

  test('a header line that contradicts the given format is an InputError', () => {
    expect(() => parseFlowLogRecords([LAB_FIELDS.join(' ')], { format: formatString(V2_FIELDS) })).toThrow(/header line 1 names the fields/);
  });
});

describe('the benchmark\'s generator', () => {
  test('labFormatLines writes exactly what connectionRecords + recordLine write', () => {
    for (const c of [...articleConnections(), ...ntpConnections()]) {
      expect(labFormatLines(c)).toBe(connectionRecords(c).map((r) => recordLine(r, LAB_FIELDS)).join('\n'));
    }
  });
});
