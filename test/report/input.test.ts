/**
 * `parseReportInput` checks every field the renderers read: a malformed result is one InputError
 * naming the file and the path, never a crash inside a renderer.
 */
import { InputError } from '../../lib/errors';
import { renderHtml, renderMarkdown } from '../../lib/report';
import { parseReportInput } from '../../lib/report/input';
import { droppedPredict, seedLab, seedLabRed, seedPredict, seedTopologyFixture } from '../fixtures/report/build';

type Json = Record<string, unknown>;
const json = (v: unknown): Json => JSON.parse(JSON.stringify(v)) as Json;

function failure(value: unknown): Error {
  try {
    parseReportInput(value, 'bad.json', seedTopologyFixture());
  } catch (err) {
    return err as Error;
  }
  throw new Error('parseReportInput accepted a malformed result');
}

describe('parseReportInput', () => {
  it.each([
    ['the seed prediction', () => json(seedPredict())],
    ['a prediction with a drop', () => json(droppedPredict())],
    ['the seed lab run', () => json(seedLab())],
    ['a failing lab run', () => json(seedLabRed())],
    ['a lone walk', () => json(seedPredict().walks[0])],
  ])('accepts %s as the commands print it, and it renders', (_what, make) => {
    const input = parseReportInput(make(), 'ok.json', seedTopologyFixture());
    expect(renderHtml(input)).toContain('<html');
    expect(renderMarkdown(input)).toContain('# natlab');
  });

  const walks = (r: Json) => r.walks as Json[];
  const hops = (w: Json) => w.hops as Json[];
  it.each<[string, () => unknown, string]>([
    ['observedAtDestination with a number for srcIp', () => {
      const r = json(seedPredict());
      walks(r)[0].observedAtDestination = { srcIp: 1 };
      return r;
    }, 'walks[0].observedAtDestination.srcIp'],
    ['observedAtDestination without a port', () => {
      const r = json(seedPredict());
      walks(r)[1].observedAtDestination = { srcIp: '3.224.9.52' };
      return r;
    }, 'walks[1].observedAtDestination.srcPort'],
    ['a hop without its after header', () => {
      const r = json(seedPredict());
      delete hops(walks(r)[0])[2].after;
      return r;
    }, 'walks[0].hops[2].after'],
    ['a hop whose before header has a string port', () => {
      const r = json(seedPredict());
      (hops(walks(r)[0])[0].before as Json).srcPort = '32222';
      return r;
    }, 'walks[0].hops[0].before.srcPort'],
    ['a reply hop without a header', () => {
      const r = json(seedPredict());
      delete hops(walks(r)[0].reply as Json)[0].before;
      return r;
    }, 'walks[0].reply.hops[0].before'],
    ['a walk translation without an outside port', () => {
      const r = json(seedPredict());
      const t = (walks(r)[0].translations as Json[])[0];
      t.outside = { ip: '3.224.9.52' };
      return r;
    }, 'walks[0].translations[0].outside.port'],
    ['a lone walk whose observedAtDestination is a string', () => {
      const w = json(seedPredict().walks[0]);
      w.observedAtDestination = '3.224.9.52';
      return w;
    }, 'observedAtDestination'],
    ['compare.flows checks that are not a list', () => {
      const r = json(seedLab());
      ((r.compare as Json).flows as Json[])[0].checks = { ok: true };
      return r;
    }, 'compare.flows[0].checks'],
    ['a check without its verdict', () => {
      const r = json(seedLab());
      delete (((r.compare as Json).flows as Json[])[1].checks as Json[])[0].ok;
      return r;
    }, 'compare.flows[1].checks[0].ok'],
    ['an observed translation without an inside address', () => {
      const r = json(seedLab());
      delete ((r.translations as Json).observed as Json[])[0].inside;
      return r;
    }, 'translations.observed[0].inside'],
    ['a predicted translation with no destination', () => {
      const r = json(seedLab());
      const predicted = (r.translations as Json).predicted as Json[];
      predicted.push({ ...walks(r)[0], destination: null });
      return r;
    }, 'translations.predicted'],
    ['a run without its duration', () => {
      const r = json(seedLab());
      delete r.durationMs;
      return r;
    }, 'durationMs'],
    ['stand-ins that are not strings', () => {
      const r = json(seedLab());
      r.standIns = [{ real: '3.224.9.52', standIn: 7, what: 'NAT EIP' }];
      return r;
    }, 'standIns[0].standIn'],
  ])('rejects %s with one line naming the file and the path', (_what, make, path) => {
    const err = failure(make());
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).not.toContain('\n');
    expect(err.message).toMatch(/^bad\.json (looks like a (predict|lab|walk) result but )/);
    expect(err.message).toContain(`but ${path}`);
  });
});
