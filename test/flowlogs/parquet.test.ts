/**
 * Flow logs delivered to S3 as Parquet: the schema AWS documents (fields as columns with `_`,
 * INT_32/INT_64 numbers, GZIP columns), read with hyparquet.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeFlowLogFile } from '../../lib/observe/flowlogs';
import { LAB_FIELDS, T0, articleConnections, byTime, connectionRecords, noDataRecord, ntpConnections, toParquet } from '../fixtures/flowlogs/generate';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'natlab-parquet-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const records = byTime([...articleConnections().flatMap(connectionRecords), ...ntpConnections().flatMap(connectionRecords), noDataRecord(T0 + 900)]);

test('a Parquet object in the AWS schema gives the same table as the text object', async () => {
  const path = join(dir, '111122223333_vpcflowlogs_us-east-1_fl-0a1b2c3d4e5f67890_20261123T1000Z_3f1e2d4c.log.parquet');
  writeFileSync(path, await toParquet(records, LAB_FIELDS, 5));
  const r = await analyzeFlowLogFile(path);
  expect(r.records).toBe(records.length);
  expect(r.skipped).toEqual([]);
  expect(r.translations.map((t) => `${t.inside?.ip}:${t.inside?.port} ${t.outside.port} ${t.confidence}`)).toEqual([
    '10.0.1.32:32222 27318 certain',
    '10.0.1.32:123 51123 certain',
    '10.0.1.123:32222 10722 certain',
    '10.0.1.123:123 40999 certain',
  ]);
  expect(r.notes.join(' ')).toMatch(/1 NODATA records/);
});

test('a truncated Parquet object and a column that is no flow log field are InputErrors naming the file', async () => {
  const whole = await toParquet(records, LAB_FIELDS);
  const cut = join(dir, 'cut.log.parquet');
  writeFileSync(cut, whole.subarray(0, whole.length - 100));
  await expect(analyzeFlowLogFile(cut)).rejects.toThrow(/cut\.log\.parquet: not a complete Parquet file/);
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const odd = join(dir, 'odd.parquet');
  writeFileSync(odd, Buffer.from(parquetWriteBuffer({ columnData: [{ name: 'srcaddr', data: ['10.0.1.32'], type: 'STRING' }, { name: 'colour', data: ['blue'], type: 'STRING' }] })));
  await expect(analyzeFlowLogFile(odd)).rejects.toThrow(/odd\.parquet: Parquet column "colour" is not a flow log field/);
});
