/**
 * Records in the shapes of AWS's documented flow log examples (own values): traffic through a
 * NAT gateway, through a transit gateway, and default-format (version 2) records. Each is
 * read for what it can show and no more.
 */
import { join } from 'node:path';
import { analyzeFlowLogFile, analyzeNatFlowLogs, parseFlowLogRecords } from '../../lib/observe/flowlogs';

const DIR = join(__dirname, '..', 'fixtures', 'flowlogs', 'aws-examples');
const SHORT = '${instance-id} ${interface-id} ${srcaddr} ${dstaddr} ${pkt-srcaddr} ${pkt-dstaddr}';

describe("AWS's documented examples", () => {
  test('traffic through a NAT gateway: the NAT ENI is found by its translation, the instance ENI is not a NAT', async () => {
    const r = await analyzeFlowLogFile(join(DIR, 'nat-gateway.log'), { format: SHORT });
    expect(r.records).toBe(6);
    expect(r.skipped).toEqual([]);
    expect(r.interfaces.map((i) => [i.interface, i.kind, i.addresses, i.instanceId])).toEqual([
      ['eni-07d1f9a3c5e2b4860', 'instance', [], 'i-0e2b7c19a4d86f531'],
      ['eni-0c4a7e21f3b9d5a68', 'nat-gateway', ['10.40.0.87'], null],
    ]);
    expect(r.natPrivateIps).toEqual(['10.40.0.87']);
    // No ports or protocol in this format: the table cannot be rebuilt, and the result says so.
    expect(r.translations).toEqual([]);
    expect(r.notes.join(' ')).toMatch(/it lacks \$\{srcport\} \$\{dstport\} \$\{protocol\}\. What the records still show: each ENI's traffic and kind/);
  });

  test('traffic through a transit gateway: addresses preserved, no ENI is taken for a NAT', async () => {
    const r = await analyzeFlowLogFile(join(DIR, 'transit-gateway.log'), { format: SHORT });
    expect(r.interfaces.map((i) => i.kind).sort()).toEqual(['instance', 'no-translation', 'no-translation']);
    expect(r.interfaces.find((i) => i.interface === 'eni-0a9d3f6e1c7b25480')?.reason).toMatch(/keep the original addresses .* not a NAT Gateway/);
    expect(r.natPrivateIps).toEqual([]);
    expect(r.notes.join(' ')).not.toMatch(/inferred from the records/);
    expect(r.notes.join(' ')).toMatch(/No ENI in the records translates addresses/);
  });

  test('a transit gateway attachment with ports and directions (version 5, header line): no translations, no unsolicited, no port hints', async () => {
    const r = await analyzeFlowLogFile(join(DIR, 'transit-gateway-v5.log'));
    expect(r.natPrivateIps).toEqual([]);
    expect(r).toMatchObject({ translations: [], unsolicited: [], unmatched: [], otherRecords: 4 });
    expect(r.headroom.closest).toEqual([]);
    const eni = r.interfaces[0];
    expect(eni).toMatchObject({ kind: 'no-translation', records: 4, ingress: { packets: 42, bytes: 6410 }, egress: { packets: 38, bytes: 70050 }, trafficPaths: { '1': 2 } });
    expect(JSON.stringify(r)).not.toMatch(/port allocation/);
  });

  test('default version 2 records: read (NODATA and SKIPDATA too), the kind of the ENI cannot be seen', async () => {
    const r = await analyzeFlowLogFile(join(DIR, 'default-v2.log'));
    expect(r.records).toBe(4);
    expect(r.skipped).toEqual([]);
    expect(r.interfaces).toEqual([expect.objectContaining({ interface: 'eni-0d5e8a3b7c1f94620', kind: 'unknown', records: 2, packets: 40, bytes: 8498 })]);
    expect(r.notes.join(' ')).toMatch(/1 NODATA records/);
    expect(r.notes.join(' ')).toMatch(/1 SKIPDATA records/);
    expect(r.notes.join(' ')).toMatch(/Translations cannot be rebuilt from this format/);
  });
});

describe('NAT64', () => {
  const fields = '${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${pkt-srcaddr} ${pkt-dstaddr}';
  const eni = 'eni-0f3c5e1a2b4d6c789';
  const lines = [
    `${eni} 2600:1f18:4a3:6d01::3b 2600:1f18:4a3:6d00::e2 40212 443 6 8 720 1731412801 1731412803 ACCEPT OK 2600:1f18:4a3:6d01::3b 64:ff9b::c000:22d`,
    `${eni} 10.0.0.226 192.0.2.45 31877 443 6 8 560 1731412801 1731412803 ACCEPT OK 10.0.0.226 192.0.2.45`,
    `${eni} 192.0.2.45 10.0.0.226 443 31877 6 7 5120 1731412801 1731412803 ACCEPT OK 192.0.2.45 10.0.0.226`,
    `${eni} 2600:1f18:4a3:6d00::e2 2600:1f18:4a3:6d01::3b 443 40212 6 7 5260 1731412801 1731412803 ACCEPT OK 64:ff9b::c000:22d 2600:1f18:4a3:6d01::3b`,
  ];

  test('an IPv6 client behind NAT64 pairs with the IPv4 outside leg, never as certain', () => {
    const r = analyzeNatFlowLogs(parseFlowLogRecords(lines, { format: fields }));
    expect(r.translations).toHaveLength(1);
    const t = r.translations[0];
    expect(t).toMatchObject({ inside: { ip: '2600:1f18:4a3:6d01::3b', port: 40212 }, outside: { ip: '10.0.0.226', port: 31877 }, destination: { ip: '192.0.2.45', port: 443 }, confidence: 'likely' });
    expect(t.basis).toMatch(/NAT64/);
  });
});
