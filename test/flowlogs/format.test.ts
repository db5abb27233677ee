import { InputError } from '../../lib/errors';
import { DEFAULT_FLOW_LOG_FORMAT, FLOW_LOG_FIELDS, parseFlowLogFormat, parseRecordLine } from '../../lib/observe/flowlogs';

describe('parseFlowLogFormat', () => {
  test('absent or empty: the default version 2 format', () => {
    expect(parseFlowLogFormat().fields).toEqual(['version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status']);
    expect(parseFlowLogFormat('  ').text).toBe(DEFAULT_FLOW_LOG_FORMAT);
  });

  test('fields in any order, as written in AWS or as bare header names', () => {
    const f = parseFlowLogFormat('${pkt-dstaddr} ${srcport}  ${srcaddr} ${protocol} ${dstaddr} ${dstport} ${flow-direction}');
    expect(f.index).toMatchObject({ 'pkt-dstaddr': 0, srcport: 1, srcaddr: 2, 'flow-direction': 6 });
    expect(parseFlowLogFormat('srcaddr dstaddr srcport dstport protocol').fields).toHaveLength(5);
  });

  test('every field of versions 2 to 8 is known', () => {
    const all = Object.keys(FLOW_LOG_FIELDS).map((f) => `\${${f}}`).join(' ');
    expect(parseFlowLogFormat(all).fields).toHaveLength(Object.keys(FLOW_LOG_FIELDS).length);
    expect(Object.keys(FLOW_LOG_FIELDS)).toEqual(expect.arrayContaining(['pkt-srcaddr', 'pkt-dstaddr', 'tcp-flags', 'flow-direction', 'traffic-path', 'pkt-src-aws-service', 'ecs-task-id', 'reject-reason']));
  });

  test.each([
    ['${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${nope}', /unknown flow log field "nope"/],
    ['${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${constructor}', /unknown flow log field "constructor"/],
    ['${srcaddr} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol}', /field "srcaddr" appears twice/],
    ['${srcport} ${dstaddr} ${dstport}', /lacks \$\{srcaddr\}, needed to read any traffic/],
    ['${srcaddr},${dstaddr}', /"\$\{srcaddr\},\$\{dstaddr\}" is not a field/],
  ])('%s is an InputError', (format, message) => {
    expect(() => parseFlowLogFormat(format)).toThrow(InputError);
    expect(() => parseFlowLogFormat(format)).toThrow(message);
  });
});

describe('parseRecordLine', () => {
  const v2 = parseFlowLogFormat();

  test('a default-format record', () => {
    expect(parseRecordLine('2 123456789012 eni-0a1b 10.0.1.32 10.0.0.226 32222 8080 6 6 420 1795428000 1795428001 ACCEPT OK', 7, v2)).toEqual({
      line: 7, version: 2, accountId: '123456789012', interfaceId: 'eni-0a1b', srcaddr: '10.0.1.32', dstaddr: '10.0.0.226', srcport: 32222, dstport: 8080,
      protocol: 6, packets: 6, bytes: 420, start: 1795428000, end: 1795428001, action: 'ACCEPT', logStatus: 'OK',
    });
  });

  test('NODATA and SKIPDATA records with "-" fields are records', () => {
    expect(parseRecordLine('2 123456789012 eni-0a1b - - - - - - - 1795428000 1795428060 - NODATA', 1, v2)).toEqual({
      line: 1, version: 2, accountId: '123456789012', interfaceId: 'eni-0a1b', start: 1795428000, end: 1795428060, logStatus: 'NODATA',
    });
    expect(parseRecordLine('2 123456789012 eni-0a1b - - - - - - - 1795428000 1795428060 - SKIPDATA', 1, v2)).toMatchObject({ logStatus: 'SKIPDATA' });
  });

  test('IPv6 addresses are accepted', () => {
    expect(parseRecordLine('2 1 eni-1 2001:db8::1 64:ff9b::2cc6:a4a3 40000 443 6 1 60 1 2 ACCEPT OK', 1, v2)).toMatchObject({ srcaddr: '2001:db8::1', dstaddr: '64:ff9b::2cc6:a4a3' });
  });

  test.each([
    ['2 1 eni-1 10.0.1.32 10.0.0.226 32222 8080 6 6 420 5 4 ACCEPT OK', 'end 4 is before start 5'],
    ['2 1 eni-1 10.0.1.32 10.0.0.226 70000 8080 6 6 420 1 2 ACCEPT OK', 'srcport "70000" is not a port'],
    ['2 1 eni-1 10.0.1.32 10.0.0.226 1 8080 300 6 420 1 2 ACCEPT OK', 'protocol "300" is not an IANA protocol number'],
    ['2 1 eni-1 10.0.1.32 10.0.0.226 1 8080 6 6 420 1 2 ACCEPT FINE', 'log-status "FINE" is not OK, NODATA or SKIPDATA'],
    ['2 1 eni-1 - 10.0.0.226 1 8080 6 6 420 1 2 ACCEPT OK', 'srcaddr is missing ("-") in a record whose log-status is not NODATA or SKIPDATA'],
    ['2 1 eni-1 10.0.1.32 10.0.0.226 1.5 8080 6 6 420 1 2 ACCEPT OK', 'srcport "1.5" is not a port'],
  ])('%s -> %s', (line, reason) => {
    expect(parseRecordLine(line, 1, v2)).toBe(reason);
  });
});
