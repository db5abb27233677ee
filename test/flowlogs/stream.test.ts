/**
 * Streaming in time batches: hours of records are settled batch by batch (memory holds only
 * recent flows) and give the same table as one pass would; `--json` streams the same
 * document as the collected result.
 */
import { Readable } from 'node:stream';
import { analyzeFlowLogStream, type FlowLogsResult } from '../../lib/observe/flowlogs';
import { JsonStreamSink } from '../../lib/observe/flowlogs/json-stream';
import { LAB_FIELDS, NAT_IP, T0, labFormatLines, type Connection } from '../fixtures/flowlogs/generate';

/** Six hours of a NAT: a connection every 2 s from 40 clients, some lasting 25 minutes (across batch cuts). */
function sixHours(): string {
  const lines = [LAB_FIELDS.join(' ')];
  for (let i = 0; i < 10_800; i++) {
    const start = T0 + i * 2;
    const long = i % 97 === 0;
    const c: Connection = {
      client: { ip: `10.0.1.${10 + (i % 40)}`, port: 32768 + (i % 20000) },
      nat: { ip: NAT_IP, port: 1024 + ((i * 7919) % 64000) },
      destination: { ip: `52.94.${i % 7}.${20 + (i % 3)}`, port: 443 },
      start,
      end: start + (long ? 1500 : 1 + (i % 5)),
      packets: 6 + (i % 11),
      bytes: 500 + i,
    };
    lines.push(labFormatLines(c));
  }
  return lines.join('\n') + '\n';
}

async function run(text: string, options: { sink?: JsonStreamSink; batchHorizonSeconds?: number } = {}): Promise<FlowLogsResult> {
  return analyzeFlowLogStream(Readable.from([Buffer.from(text)]), options);
}

function rows(r: FlowLogsResult): string[] {
  return r.translations.map((t) => `${t.inside?.ip}:${t.inside?.port} ${t.outside.port} ${t.destination.ip} ${t.firstSeen} ${t.confidence}`).sort();
}

describe('time batches', () => {
  let text: string;
  let result: FlowLogsResult;
  let onePass: FlowLogsResult;
  beforeAll(async () => {
    text = sixHours();
    result = await run(text);
    onePass = await run(text, { batchHorizonSeconds: Infinity });
  });

  test('every connection is paired once, none left unmatched, the same table as one pass, across batch cuts', () => {
    expect(result.records).toBe(43_200);
    expect(result.notes.join(' ')).toMatch(/Read in \d+ time batches/);
    expect(onePass.notes.join(' ')).not.toMatch(/time batches/);
    expect(result.totals).toMatchObject({ translations: 10_800, ambiguous: 0, unsolicited: 0, unmatched: 0 });
    expect(result.totals).toEqual(onePass.totals);
    expect(rows(result)).toEqual(rows(onePass));
  });

  test('usage and headroom add up over the batches', () => {
    expect(result.usage.byNat.rows).toEqual([expect.objectContaining({ key: NAT_IP, connections: 10_800 })]);
    expect(result.usage.bySource.distinct).toBe(40);
    expect(result.usage).toEqual(onePass.usage);
    expect(result.headroom.closest).toEqual(onePass.headroom.closest);
    expect(result.headroom.destinations).toBe(21);
  });

  test('--json streams the same document as the collected result', async () => {
    const chunks: string[] = [];
    const sink = new JsonStreamSink((t) => chunks.push(t));
    try {
      const streamed = await run(text, { sink });
      expect(streamed.translations).toEqual([]);
      sink.end(streamed);
    } finally {
      sink.dispose();
    }
    const doc = JSON.parse(chunks.join(''));
    expect(doc).toEqual(JSON.parse(JSON.stringify(result)));
    expect(Object.keys(doc).slice(0, 4)).toEqual(['translations', 'unsolicited', 'unmatched', 'records']);
  });
});
