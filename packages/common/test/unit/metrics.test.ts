import { metricsFor, OperationNames, outcomeOf, ServiceMetrics } from '../../src';

describe('operation labels', () => {
  it('keeps the first names, folds later and odd ones into "other", and names the anonymous', () => {
    const names = new OperationNames(2);
    expect([names.label('Checkout'), names.label('Order'), names.label('Third'), names.label('Checkout')]).toEqual(['Checkout', 'Order', 'other', 'Checkout']);
    expect(names.label(undefined)).toBe('anonymous');
    expect(new OperationNames().label('not a name!')).toBe('other');
    expect(new OperationNames().label('x'.repeat(101))).toBe('other');
  });

  it('is ok without errors, the known code of the first error, else "error"', () => {
    expect(outcomeOf(undefined)).toBe('ok');
    expect(outcomeOf([{ extensions: { code: 'BAD_USER_INPUT' } }, { extensions: { code: 'FORBIDDEN' } }])).toBe('bad_user_input');
    expect(outcomeOf([{ extensions: { code: 'SOMETHING_A_CLIENT_MADE_UP' } }])).toBe('error');
    expect(outcomeOf([{}])).toBe('error');
  });
});

describe('a service registry', () => {
  it('labels every series with the service and refreshes gauges from scrape sources', async () => {
    const metrics = new ServiceMetrics('probe');
    const gauge = metrics.gauge('storegraph_probe_things', 'Things', ['kind']);
    let things = 3;
    const stop = metrics.onScrape(() => gauge.inc({ kind: 'a' }, things));
    metrics.onScrape(() => gauge.inc({ kind: 'a' }, 1));
    expect(await metrics.text()).toContain('storegraph_probe_things{kind="a",service="probe"} 4');
    things = 5;
    expect(await metrics.text()).toContain('storegraph_probe_things{kind="a",service="probe"} 6');
    stop();
    expect(await metrics.text()).toContain('storegraph_probe_things{kind="a",service="probe"} 1');
    expect(await metrics.text()).toContain('process_cpu_user_seconds_total{service="probe"}');
  });

  it('answers a scrape when a source fails or hangs, without its gauges', async () => {
    const metrics = new ServiceMetrics('probe-2');
    const gauge = metrics.gauge('storegraph_probe_ok', 'ok');
    metrics.onScrape(() => {
      throw new Error('NATS down');
    });
    metrics.onScrape(() => new Promise(() => undefined));
    metrics.onScrape(() => gauge.set(1));
    const started = Date.now();
    expect(await metrics.text()).toContain('storegraph_probe_ok{service="probe-2"} 1');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('is one registry per service name, its metrics made once', () => {
    expect(metricsFor('same')).toBe(metricsFor('same'));
    const a = metricsFor('same').counter('storegraph_probe_total', 'x', ['l']);
    expect(metricsFor('same').counter('storegraph_probe_total', 'x', ['l'])).toBe(a);
  });
});
