// OTLP/HTTP (protobuf) receiver that stores traces in a Zipkin server through Zipkin's own span API.
//
// Why it exists: deploy/zipkin/zipkin.sh loads Zipkin's OTLP module (io.zipkin.contrib.otel:zipkin-module-otel)
// when Maven can resolve it. Where it cannot (the registry mirror of this workplace does not serve it), this bridge
// takes its place: it decodes OTLP with the official protobuf classes (io.opentelemetry.proto:opentelemetry-proto,
// an independent decoder of what otptrace sends) and posts Zipkin v2 JSON to POST /api/v2/spans.
//
// Run (Java 17 single-file source): java -cp '.zipkin/bridge-libs/*' deploy/zipkin/bridge/OtlpZipkinBridge.java
// Env: BRIDGE_PORT (default 4318), ZIPKIN_URL (default http://127.0.0.1:9411). Listens on 127.0.0.1 only.
//
// Mapping (written for otptrace; follows the Zipkin v2 model): trace/span/parent IDs as lower hex; kind
// SERVER/CLIENT/PRODUCER/CONSUMER (INTERNAL has no Zipkin kind); timestamp and duration in microseconds; attributes,
// resource attributes (service.name aside) and otel.scope.name as tags (arrays joined with ","); status ERROR as the
// "error" tag carrying the status message, and otel.status_code; span events as annotations "name {json attrs}".

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

public class OtlpZipkinBridge {
  private static final HexFormat HEX = HexFormat.of();
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static String zipkinUrl;

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(System.getenv().getOrDefault("BRIDGE_PORT", "4318"));
    zipkinUrl = System.getenv().getOrDefault("ZIPKIN_URL", "http://127.0.0.1:9411");
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
    server.createContext("/v1/traces", OtlpZipkinBridge::traces);
    server.createContext("/health", exchange -> reply(exchange, 200, "text/plain", "ok".getBytes(StandardCharsets.UTF_8)));
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
    System.out.println("OTLP/HTTP bridge on 127.0.0.1:" + port + " -> " + zipkinUrl + "/api/v2/spans");
  }

  private static void traces(HttpExchange exchange) throws IOException {
    try (InputStream body = exchange.getRequestBody()) {
      if (!"POST".equals(exchange.getRequestMethod())) {
        reply(exchange, 405, "text/plain", new byte[0]);
        return;
      }
      String type = String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type"));
      if (!type.startsWith("application/x-protobuf")) {
        reply(exchange, 415, "text/plain", "only application/x-protobuf".getBytes(StandardCharsets.UTF_8));
        return;
      }
      ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body.readAllBytes());
      String json = toZipkinJson(request);
      HttpResponse<String> stored = CLIENT.send(
          HttpRequest.newBuilder(URI.create(zipkinUrl + "/api/v2/spans"))
              .timeout(Duration.ofSeconds(10))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(json))
              .build(),
          HttpResponse.BodyHandlers.ofString());
      // Zipkin answers 202 Accepted; anything else is the backend's problem: 503 lets the sender retry.
      if (stored.statusCode() / 100 == 2) reply(exchange, 200, "application/x-protobuf", new byte[0]);
      else reply(exchange, 503, "text/plain", ("zipkin: " + stored.statusCode() + " " + stored.body()).getBytes(StandardCharsets.UTF_8));
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      reply(exchange, 400, "text/plain", ("bad OTLP protobuf: " + e.getMessage()).getBytes(StandardCharsets.UTF_8));
    } catch (IOException | InterruptedException e) {
      reply(exchange, 503, "text/plain", ("zipkin unreachable: " + e).getBytes(StandardCharsets.UTF_8));
    }
  }

  static String toZipkinJson(ExportTraceServiceRequest request) {
    StringBuilder out = new StringBuilder("[");
    for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
      Resource resource = resourceSpans.getResource();
      String service = resource.getAttributesList().stream()
          .filter(kv -> kv.getKey().equals("service.name")).map(kv -> text(kv.getValue())).findFirst().orElse("unknown");
      for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
        for (Span span : scopeSpans.getSpansList()) {
          if (out.length() > 1) out.append(',');
          appendSpan(out, span, service, resource, scopeSpans.getScope().getName());
        }
      }
    }
    return out.append(']').toString();
  }

  private static void appendSpan(StringBuilder out, Span span, String service, Resource resource, String scope) {
    long start = span.getStartTimeUnixNano() / 1000;
    long duration = (span.getEndTimeUnixNano() - span.getStartTimeUnixNano()) / 1000;
    out.append("{\"traceId\":\"").append(HEX.formatHex(span.getTraceId().toByteArray()))
        .append("\",\"id\":\"").append(HEX.formatHex(span.getSpanId().toByteArray())).append('"');
    if (!span.getParentSpanId().isEmpty()) {
      out.append(",\"parentId\":\"").append(HEX.formatHex(span.getParentSpanId().toByteArray())).append('"');
    }
    out.append(",\"name\":").append(quote(span.getName()));
    String kind = switch (span.getKind()) {
      case SPAN_KIND_SERVER -> "SERVER";
      case SPAN_KIND_CLIENT -> "CLIENT";
      case SPAN_KIND_PRODUCER -> "PRODUCER";
      case SPAN_KIND_CONSUMER -> "CONSUMER";
      default -> null;
    };
    if (kind != null) out.append(",\"kind\":\"").append(kind).append('"');
    out.append(",\"timestamp\":").append(start);
    if (duration > 0) out.append(",\"duration\":").append(duration);
    out.append(",\"localEndpoint\":{\"serviceName\":").append(quote(service)).append('}');
    out.append(",\"annotations\":[");
    for (int i = 0; i < span.getEventsCount(); i++) {
      Span.Event event = span.getEvents(i);
      String value = event.getAttributesCount() == 0 ? event.getName() : event.getName() + " " + attributesJson(event.getAttributesList());
      out.append(i == 0 ? "" : ",").append("{\"timestamp\":").append(event.getTimeUnixNano() / 1000)
          .append(",\"value\":").append(quote(value)).append('}');
    }
    out.append("],\"tags\":{");
    StringBuilder tags = new StringBuilder();
    for (KeyValue kv : resource.getAttributesList()) {
      if (!kv.getKey().equals("service.name")) tag(tags, kv.getKey(), text(kv.getValue()));
    }
    for (KeyValue kv : span.getAttributesList()) tag(tags, kv.getKey(), text(kv.getValue()));
    tag(tags, "otel.scope.name", scope);
    Status status = span.getStatus();
    if (status.getCode() == Status.StatusCode.STATUS_CODE_ERROR) {
      tag(tags, "otel.status_code", "ERROR");
      tag(tags, "error", status.getMessage().isEmpty() ? "true" : status.getMessage());
    } else if (status.getCode() == Status.StatusCode.STATUS_CODE_OK) {
      tag(tags, "otel.status_code", "OK");
    }
    out.append(tags).append("}}");
  }

  private static void tag(StringBuilder tags, String key, String value) {
    if (tags.length() > 0) tags.append(',');
    tags.append(quote(key)).append(':').append(quote(value));
  }

  private static String attributesJson(List<KeyValue> attributes) {
    return attributes.stream().map(kv -> quote(kv.getKey()) + ":" + quote(text(kv.getValue())))
        .collect(Collectors.joining(",", "{", "}"));
  }

  /** An attribute value as Zipkin tag text. */
  static String text(AnyValue value) {
    return switch (value.getValueCase()) {
      case STRING_VALUE -> value.getStringValue();
      case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
      case INT_VALUE -> Long.toString(value.getIntValue());
      case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
      case ARRAY_VALUE -> value.getArrayValue().getValuesList().stream().map(OtlpZipkinBridge::text).collect(Collectors.joining(","));
      case BYTES_VALUE -> HEX.formatHex(value.getBytesValue().toByteArray());
      default -> "";
    };
  }

  static String quote(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
          else out.append(c);
        }
      }
    }
    return out.append('"').toString();
  }

  private static void reply(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) exchange.getResponseBody().write(body);
    exchange.close();
  }
}
