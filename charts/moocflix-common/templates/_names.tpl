{{/*
Names and labels. Every MoocFlix chart names its objects "<release>-<chart>" (or fullnameOverride),
truncated to 63 characters, the limit of a DNS label.
*/}}

{{- define "moocflix-common.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "moocflix-common.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "moocflix-common.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "moocflix-common.selectorLabels" -}}
app.kubernetes.io/name: {{ include "moocflix-common.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "moocflix-common.labels" -}}
{{ include "moocflix-common.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: moocflix
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ include "moocflix-common.chart" . }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "moocflix-common.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "moocflix-common.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* "<repository>:<tag>", the tag defaulting to the chart's appVersion; a tag may carry "@sha256:…". */}}
{{- define "moocflix-common.image" -}}
{{- $image := .image -}}
{{- $tag := default .root.Chart.AppVersion $image.tag -}}
{{- if hasPrefix "sha256:" $tag -}}
{{- printf "%s@%s" $image.repository $tag -}}
{{- else -}}
{{- printf "%s:%s" $image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* Every MoocFlix container serves HTTP (API, /healthz, /readyz, /metrics) on this port. */}}
{{- define "moocflix-common.httpPort" -}}8080{{- end -}}
