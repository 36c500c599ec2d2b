import type { NodeSDK } from '@opentelemetry/sdk-node';

/**
 * Traces (HTTP, GraphQL, PostgreSQL) to an OpenTelemetry collector when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set; the SDK reads the other OTEL_* settings itself.
 * Imported first by the entry points: the instrumentations patch http and pg as they load.
 * Metrics stay on /metrics and logs on stdout, so those exporters are off unless asked for.
 * Without the setting, none of the SDK is even loaded.
 */
function startTracing(): NodeSDK | null {
  if (!process.env.OTEL_EXPORTER_OTLP_ENDPOINT) return null;
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { GraphQLInstrumentation } = require('@opentelemetry/instrumentation-graphql') as typeof import('@opentelemetry/instrumentation-graphql');
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME ?? 'complaint-cms',
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => /^\/(healthz|readyz|metrics)\b/.test(req.url ?? '') }),
      // Literals in the recorded query text read "*" and variables are never recorded; no
      // resolver spans, whose recorded exceptions would carry error messages (and the input they echo).
      new GraphQLInstrumentation({ allowValues: false, ignoreResolveSpans: true }),
      new PgInstrumentation(),
    ],
  });
  sdk.start();
  return sdk;
}

export const tracing = startTracing();
