/** `natlab report` on a `natlab flowlogs --json` result: top talkers, charge, port headroom, translations. */
import { join } from 'node:path';
import { InputError } from '../../lib/errors';
import { analyzeFlowLogFile } from '../../lib/observe/flowlogs';
import { isFlowLogsResult, parseFlowLogsReport, renderFlowLogsHtml, renderFlowLogsMarkdown } from '../../lib/report/flowlogs';

const FIXTURE = join(__dirname, '..', 'fixtures', 'flowlogs', 'article-nat-eni.json');
const FORMAT = '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${pkt-srcaddr} ${pkt-dstaddr}';

test('the article\'s records as a report: who uses the NAT, what it costs, headroom, the table', async () => {
  const doc = JSON.parse(JSON.stringify(await analyzeFlowLogFile(FIXTURE, { format: FORMAT, pricePerGb: 0.045 })));
  expect(isFlowLogsResult(doc)).toBe(true);
  const md = renderFlowLogsMarkdown(parseFlowLogsReport(doc, 'flowlogs.json'));
  expect(md).toMatch(/^# NAT Gateway flow logs: 10\.0\.0\.226\n/);
  expect(md).toMatch(/4 translations \(2 certain, 2 likely, 0 ambiguous\)/);
  // 10.0.1.32 sent the request and NTP; 10.0.1.123 is known only from its replies.
  expect(md).toMatch(/\| 10\.0\.1\.32 \| 474 B \| 1\.3 KiB \| 1\.8 KiB \| 50\.0% \| `█+░*` \| \$0\.0000 \| 2 \|/);
  expect(md).toMatch(/\| 10\.0\.0\.226 \| 44\.198\.164\.163:8080 \| tcp \| 2 \| 0\.00% \|/);
  expect(md).toMatch(/\| tcp \| 10\.0\.1\.123:32222 \| 10\.0\.0\.226:10722 \| 44\.198\.164\.163:8080 \| likely \|/);
  const html = renderFlowLogsHtml(parseFlowLogsReport(doc, 'flowlogs.json'));
  expect(html).toMatch(/<td>44\.198\.164\.163<\/td>/);
  expect(html).not.toMatch(/<script/);
});

test('a document that is not flowlogs output is named with the path inside it', () => {
  expect(isFlowLogsResult({ kind: 'predict' })).toBe(false);
  expect(() => parseFlowLogsReport({ translations: [], usage: { pricePerGb: 'x' } }, 'bad.json')).toThrow(InputError);
  expect(() => parseFlowLogsReport({ translations: [], usage: { pricePerGb: 'x' } }, 'bad.json')).toThrow(/^bad\.json: records: /);
});
