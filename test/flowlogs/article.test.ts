/**
 * The article's own records: its NAT ENI's flow log (custom format with pkt-srcaddr and
 * pkt-dstaddr), exported from CloudWatch Logs as JSON. One client's request record is
 * missing; its reply-to-client record stands in for it.
 */
import { join } from 'node:path';
import { analyzeFlowLogFile, type FlowLogTranslation } from '../../lib/observe/flowlogs';

const FIXTURE = join(__dirname, '..', 'fixtures', 'flowlogs', 'article-nat-eni.json');
const FORMAT = '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${pkt-srcaddr} ${pkt-dstaddr}';

function row(t: FlowLogTranslation): string {
  return `${t.protocol} ${t.inside ? `${t.inside.ip}:${t.inside.port}` : '?'} -> ${t.outside.ip}:${t.outside.port} -> ${t.destination.ip}:${t.destination.port}`;
}

describe("the article's NAT ENI records", () => {
  test('both TCP translations come out as the article\'s NAT table, nothing else paired', async () => {
    const r = await analyzeFlowLogFile(FIXTURE, { format: FORMAT });
    const tcp = r.translations.filter((t) => t.protocol === 'tcp');
    expect(tcp.map(row).sort()).toEqual([
      'tcp 10.0.1.123:32222 -> 10.0.0.226:10722 -> 44.198.164.163:8080',
      'tcp 10.0.1.32:32222 -> 10.0.0.226:27318 -> 44.198.164.163:8080',
    ]);
    for (const t of tcp) expect(['certain', 'likely']).toContain(t.confidence);
    expect(r.natPrivateIps).toEqual(['10.0.0.226']);
    expect(r.unmatched).toEqual([]);
  });

  test('the pairing whose request record is missing says it stood on the reply to the client', async () => {
    const r = await analyzeFlowLogFile(FIXTURE, { format: FORMAT });
    const viaReply = r.translations.find((t) => t.outside.port === 10722) as FlowLogTranslation;
    expect(viaReply.evidence.legs).toEqual(['outside', 'reply-from-outside', 'reply-to-client']);
    expect(viaReply.evidence.matched).toEqual(['reply times', 'reply packet and byte counts']);
    const full = r.translations.find((t) => t.outside.port === 27318) as FlowLogTranslation;
    expect(full.evidence.legs).toEqual(['inside', 'outside', 'reply-from-outside', 'reply-to-client']);
    expect(full.evidence.matched).toContain('reply times');
  });

  test('the NTP flows are translations too; the scanner is unsolicited', async () => {
    const r = await analyzeFlowLogFile(FIXTURE, { format: FORMAT });
    expect(r.translations.filter((t) => t.protocol === 'udp').map(row).sort()).toEqual([
      'udp 10.0.1.123:123 -> 10.0.0.226:4460 -> 203.0.113.123:123',
      'udp 10.0.1.32:123 -> 10.0.0.226:38129 -> 198.51.100.123:123',
    ]);
    expect(r.unsolicited.map((u) => `${u.source.ip} -> ${u.destination.port}`)).toEqual(['198.51.100.77 -> 22']);
  });

  test('without the reply-to-client records nothing is invented: the missing client stays unknown', async () => {
    const { readFileSync, writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const doc = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { events: Array<{ message: string }> };
    doc.events = doc.events.filter((e) => !/ 10\.0\.0\.226 10\.0\.1\.123 8080 /.test(e.message));
    const dir = mkdtempSync(join(tmpdir(), 'natlab-article-'));
    try {
      const file = join(dir, 'cut.json');
      writeFileSync(file, JSON.stringify(doc));
      const r = await analyzeFlowLogFile(file, { format: FORMAT });
      const port10722 = r.translations.find((t) => t.outside.port === 10722);
      // 10.0.1.32's only request is already paired with 27318 at the same time.
      expect(port10722?.inside?.ip).not.toBe('10.0.1.123');
      expect(r.translations.some((t) => t.inside?.ip === '10.0.1.123' && t.protocol === 'tcp')).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
