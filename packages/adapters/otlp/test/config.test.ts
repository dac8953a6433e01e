import { describe, expect, it } from 'vitest';
import { resolveExporterConfig } from '../src/index.js';

describe('resolveExporterConfig', () => {
  it('prefers options, then the signal-specific OTEL_* variables, then the general ones', () => {
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/otlp/v1/traces',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '1500',
    };
    expect(resolveExporterConfig({}, env)).toMatchObject({
      destination: { kind: 'http', url: 'http://tempo:4318/otlp/v1/traces', protocol: 'http/json', headers: {} },
      timeoutMs: 1500,
    });
    expect(resolveExporterConfig({ endpoint: 'http://127.0.0.1:9411' }, env).destination).toMatchObject({
      url: 'http://127.0.0.1:9411/v1/traces',
    });
    expect(resolveExporterConfig({ file: 'traces.json' }, env).destination).toEqual({
      kind: 'file',
      path: 'traces.json',
    });
    expect(resolveExporterConfig({}, {}).destination).toMatchObject({
      url: 'http://localhost:4318/v1/traces',
      protocol: 'http/protobuf',
    });
  });

  it('builds the resource from defaults, OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME', () => {
    expect(
      resolveExporterConfig({ serviceVersion: '1.2.3' }, { OTEL_RESOURCE_ATTRIBUTES: 'a=1,b=x%2Cy' })
        .resourceAttributes,
    ).toEqual({
      'service.name': 'otptrace',
      'service.version': '1.2.3',
      a: '1',
      b: 'x,y',
    });
    expect(resolveExporterConfig({}, { OTEL_SERVICE_NAME: 'soc' }).resourceAttributes['service.name']).toBe('soc');
  });

  it('lists every problem in one error and never echoes a header value', () => {
    const run = () =>
      resolveExporterConfig(
        { maxExportBatchSize: 10, maxQueueSize: 5 },
        {
          OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
          OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317',
          OTEL_EXPORTER_OTLP_HEADERS: 'Bearer s3cret',
        },
      );
    expect(run).toThrowError(
      [
        'invalid OTLP exporter settings:',
        '- OTLP endpoint must be an http(s) URL, got "collector:4317/v1/traces"',
        '- OTLP protocol "grpc" is not supported (use http/protobuf, http/json or zipkin)',
        '- OTEL_EXPORTER_OTLP_HEADERS: entry 1 is not key=value',
        '- maxExportBatchSize must not exceed maxQueueSize',
      ].join('\n'),
    );
  });

  it('sends to Zipkin when asked, by option or by the SDK variables', () => {
    const zipkin = (options: Parameters<typeof resolveExporterConfig>[0], env = {}) =>
      resolveExporterConfig(options, env).destination;
    expect(zipkin({ protocol: 'zipkin' })).toEqual({
      kind: 'http',
      url: 'http://localhost:9411/api/v2/spans',
      protocol: 'zipkin',
      headers: {},
    });
    expect(zipkin({ protocol: 'zipkin', endpoint: 'http://zipkin:9411/' })).toMatchObject({
      url: 'http://zipkin:9411/api/v2/spans',
    });
    expect(zipkin({ protocol: 'zipkin', endpoint: 'http://gw/zipkin/spans' })).toMatchObject({
      url: 'http://gw/zipkin/spans',
    });
    expect(
      zipkin({}, { OTEL_TRACES_EXPORTER: 'zipkin', OTEL_EXPORTER_ZIPKIN_ENDPOINT: 'http://z:9411/api/v2/spans' }),
    ).toMatchObject({ url: 'http://z:9411/api/v2/spans', protocol: 'zipkin' });
    expect(() => zipkin({ protocol: 'zipkin', endpoint: 'zipkin:9411' })).toThrow(
      'Zipkin endpoint must be an http(s) URL',
    );
  });
});
