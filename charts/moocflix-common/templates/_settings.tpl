{{/*
The connection settings every service shares (Kafka, S3, token verification), resolved in one place:
built-in defaults < the umbrella chart's .Values.global.<section> < this chart's .Values.<section>,
where an empty string or null means "not set here". Returns YAML; use with fromYaml.
*/}}
{{- define "moocflix-common.settings" -}}
{{- $defaults := dict
  "kafka" (dict "bootstrapServers" "moocflix-kafka-bootstrap:9092")
  "s3" (dict "endpoint" "" "bucket" "moocflix" "region" "us-east-1" "forcePathStyle" true "existingSecret" "" "accessKeyIdKey" "S3_ACCESS_KEY_ID" "secretAccessKeyKey" "S3_SECRET_ACCESS_KEY")
  "auth" (dict "issuer" "moocflix-users" "audience" "moocflix" "jwksUrl" "")
  "tracing" (dict "otlpEndpoint" "")
-}}
{{- $global := .Values.global | default dict -}}
{{- $out := dict -}}
{{- range $section, $builtIn := $defaults -}}
{{- $merged := deepCopy $builtIn -}}
{{- range $layer := list (get $global $section) (get $.Values $section) -}}
{{- range $key, $value := ($layer | default dict) -}}
{{- if not (or (kindIs "invalid" $value) (and (kindIs "string" $value) (eq $value ""))) -}}
{{- $_ := set $merged $key $value -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $_ := set $out $section $merged -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/* The JWKS URL verifiers fetch: auth.jwksUrl, else the users service of this release. */}}
{{- define "moocflix-common.jwksUrl" -}}
{{- $settings := include "moocflix-common.settings" . | fromYaml -}}
{{- default (printf "http://%s-users/api/v1/users/.well-known/jwks.json" .Release.Name) $settings.auth.jwksUrl -}}
{{- end -}}

{{/* Name of an existing Secret: the value given, else "<fullname>-<suffix>". */}}
{{- define "moocflix-common.secretName" -}}
{{- default (printf "%s-%s" (include "moocflix-common.fullname" .root) .suffix) .name -}}
{{- end -}}

{{/*
Environment of every MoocFlix service container (the kit's variables, see
services/platform/runtime/src/runtime/service-config.ts and storage/storage-config.ts). Secrets are only
ever referenced by name, never rendered from values.
  .root      the chart context
  .database  whether the service has a database (DATABASE_URL from an existing Secret)
  .jwksUrl   whether to set JWT_JWKS_URL (the users service verifies against itself when unset)
*/}}
{{- define "moocflix-common.env" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- $settings := include "moocflix-common.settings" $root | fromYaml -}}
- name: PORT
  value: {{ include "moocflix-common.httpPort" . | quote }}
- name: LOG_LEVEL
  value: {{ $v.logLevel | quote }}
# Nothing is written outside /tmp (an emptyDir): the root filesystem is read-only.
- name: MOOCFLIX_HOME
  value: /tmp/moocflix
- name: KAFKA_BROKERS
  value: {{ $settings.kafka.bootstrapServers | quote }}
{{- if .database }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "moocflix-common.secretName" (dict "root" $root "name" $v.database.existingSecret "suffix" "database") }}
      key: {{ $v.database.existingSecretKey }}
- name: DATABASE_POOL_MAX
  value: {{ $v.database.poolMax | quote }}
{{- end }}
- name: JWT_ISSUER
  value: {{ $settings.auth.issuer | quote }}
- name: JWT_AUDIENCE
  value: {{ $settings.auth.audience | quote }}
{{- if or .jwksUrl $settings.auth.jwksUrl }}
- name: JWT_JWKS_URL
  value: {{ include "moocflix-common.jwksUrl" $root | quote }}
{{- end }}
{{- with $settings.s3.endpoint }}
- name: S3_ENDPOINT
  value: {{ . | quote }}
{{- end }}
- name: S3_BUCKET
  value: {{ $settings.s3.bucket | quote }}
- name: S3_REGION
  value: {{ $settings.s3.region | quote }}
- name: S3_FORCE_PATH_STYLE
  value: {{ $settings.s3.forcePathStyle | quote }}
{{- with $settings.s3.existingSecret }}
- name: S3_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $settings.s3.accessKeyIdKey }}
- name: S3_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $settings.s3.secretAccessKeyKey }}
{{- end }}
{{- with $settings.tracing.otlpEndpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
{{- /* Each part's spans carry its own name (the telemetry register file falls back to "moocflix"). */}}
- name: OTEL_SERVICE_NAME
  value: {{ $root.Chart.Name | trimPrefix "moocflix-" | quote }}
{{- end }}
{{- /* Only the charts that serve the API behind an ingress have the value. */}}
{{- if hasKey $v "trustedProxies" }}
- name: TRUSTED_PROXIES
  value: {{ join "," ($v.trustedProxies | default (get ($root.Values.global | default dict) "trustedProxies") | default list) | quote }}
{{- end }}
{{- /*
The kit's request limits (services/platform/http/src/http/request-limits.ts), key by key: this chart's
httpLimits.<key>, else the umbrella's global.httpLimits.<key>, else nothing rendered (the kit's default).
*/}}
{{- if hasKey $v "httpLimits" }}
{{- $globalLimits := get ($root.Values.global | default dict) "httpLimits" | default dict }}
{{- range $key, $name := (include "moocflix-common.httpLimitVariables" $root | fromYaml) }}
{{- $value := get ($v.httpLimits | default dict) $key }}
{{- if or (kindIs "invalid" $value) (eq (toString $value) "") }}{{ $value = get $globalLimits $key }}{{ end }}
{{- if not (or (kindIs "invalid" $value) (eq (toString $value) "")) }}
- name: {{ $name }}
  value: {{ $value | int64 | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}


{{/* httpLimits keys → the kit's environment variables (the schema lists the same keys). */}}
{{- define "moocflix-common.httpLimitVariables" -}}
headersTimeoutMs: HTTP_HEADERS_TIMEOUT_MS
requestTimeoutMs: HTTP_REQUEST_TIMEOUT_MS
maxHeaderBytes: HTTP_MAX_HEADER_BYTES
maxHeaders: HTTP_MAX_HEADERS
bodyIdleTimeoutMs: HTTP_BODY_IDLE_TIMEOUT_MS
bodyGraceMs: HTTP_BODY_GRACE_MS
bodyMinBytesPerSecond: HTTP_BODY_MIN_BYTES_PER_SECOND
{{- end -}}
