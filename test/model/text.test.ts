import { predict } from '../../lib/model/predict';
import { walk } from '../../lib/model/walk';
import { renderPrediction, renderWalk, shortAnswer } from '../../lib/report/text';
import { seedTopology } from '../../lib/sources';

describe('text rendering', () => {
  const result = predict(seedTopology());

  it('gives the short answers of DESIGN.md section 1', () => {
    expect(shortAnswer(result.walks[0])).toContain('the server sees 3.224.9.52:<1024-65535>, a port chosen by nat-xxx per connection, distinct from client-b');
    expect(shortAnswer(result.walks[2])).toContain('the server sees 203.0.113.10:32222, unchanged');
  });

  it('numbers the hops by the article steps, with headers before -> after', () => {
    const text = renderWalk(result.walks[0]);
    for (let step = 1; step <= 8; step++) expect(text).toContain(`step ${step}: `);
    expect(text).toContain('tcp 10.0.1.32:32222 -> 44.198.164.163:8080  =>  tcp 10.0.0.226:<1024-65535> -> 44.198.164.163:8080');
    expect(text).toContain('tcp 10.0.0.226:<1024-65535> -> 44.198.164.163:8080  =>  tcp 3.224.9.52:<1024-65535> -> 44.198.164.163:8080');
    expect(text).toContain('matched: 0.0.0.0/0 -> nat-xxx');
    expect(text).toContain('reply  [delivered]');
    expect(text.indexOf('step 3')).toBeLessThan(text.indexOf('step 4'));
  });

  it('says where and why a walk stops', () => {
    const w = walk(seedTopology(), { protocol: 'tcp', from: '8.8.8.8', sourcePort: 40000, to: { host: '3.224.9.52', port: 27318 } });
    expect(renderWalk(w)).toContain('=> dropped at nat-xxx: no translation entry matches 8.8.8.8:40000 -> 10.0.0.226:27318');
  });

  it('lists one answer per flow after the walks', () => {
    const text = renderPrediction(result);
    expect(text).toMatch(/answers:\n {2}client-a +the server sees 3\.224\.9\.52/);
    expect(text.split('\n').filter((l) => l.startsWith('walk ')).length).toBe(3);
  });
});
