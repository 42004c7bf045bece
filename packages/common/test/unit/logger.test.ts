import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { createLogger, inSpan, logScope, markTracingEnabled, requestIdFrom } from '../../src';

/** The JSON lines the logger writes to stdout while `run` runs (not printed). */
async function linesOf(run: () => Promise<void> | void): Promise<Array<Record<string, unknown>>> {
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return written.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('logger', () => {
  it('writes one JSON object per line with time, level, service, message and fields; children add theirs', async () => {
    const lines = await linesOf(() => {
      const logger = createLogger('probe', 'debug');
      logger.info('hello', { n: 1 });
      logger.child({ part: 'relay' }).warn('careful');
      logger.debug('detail');
    });
    expect(lines).toEqual([
      { time: expect.any(String), level: 'info', service: 'probe', msg: 'hello', n: 1 },
      { time: expect.any(String), level: 'warn', service: 'probe', part: 'relay', msg: 'careful' },
      { time: expect.any(String), level: 'debug', service: 'probe', msg: 'detail' },
    ]);
    expect(Number.isNaN(Date.parse(lines[0].time as string))).toBe(false);
  });

  it('drops lines below its level and prints an error with message and stack', async () => {
    const lines = await linesOf(() => {
      const logger = createLogger('probe', 'warn');
      logger.info('hidden');
      logger.error('failed', { err: new Error('boom') });
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', msg: 'failed', err: { message: 'boom', stack: expect.stringContaining('boom') } });
  });

  it("puts the request's id on every line written inside it", async () => {
    const logger = createLogger('probe', 'info');
    const lines = await linesOf(() =>
      logScope.run({ requestId: 'req-1' }, async () => {
        logger.info('one');
        await new Promise((r) => setImmediate(r));
        logger.child({ x: 1 }).info('two');
      }),
    );
    expect(lines.map((l) => l.request_id)).toEqual(['req-1', 'req-1']);
  });

  it('takes a sane x-request-id and makes one up otherwise', () => {
    expect(requestIdFrom('abc-123')).toBe('abc-123');
    expect(requestIdFrom('bad id with spaces')).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFrom(undefined)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('adds trace_id and span_id of the active span when tracing is on', async () => {
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] });
    provider.register();
    markTracingEnabled();
    try {
      const logger = createLogger('probe', 'info');
      let ids: { traceId: string; spanId: string } | undefined;
      const lines = await linesOf(() =>
        inSpan('probe', 'work', {}, async (span) => {
          ids = span!.spanContext();
          logger.info('inside');
        }),
      );
      expect(lines[0]).toMatchObject({ trace_id: ids!.traceId, span_id: ids!.spanId });
    } finally {
      markTracingEnabled(false);
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    }
  });
});
