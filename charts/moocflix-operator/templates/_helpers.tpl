{{- define "moocflix-operator.watchNamespace" -}}
{{- default .Release.Namespace .Values.watchNamespace -}}
{{- end -}}

{{- define "moocflix-operator.jobServiceAccountName" -}}
{{- default (printf "%s-transcode" (include "moocflix-common.fullname" .)) .Values.jobs.serviceAccount.name -}}
{{- end -}}

{{/* The ConfigMap whose keys become the transcode Jobs' environment (TRANSCODE_CONFIGMAP). */}}
{{- define "moocflix-operator.jobConfigMapName" -}}
{{- printf "%s-transcode" (include "moocflix-common.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of the transcode Jobs' pods: the operator's own plus these (TRANSCODE_POD_LABELS). */}}
{{- define "moocflix-operator.jobPodLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: moocflix
{{- end -}}

{{/* The labels the operator's job builder puts on every transcode pod (operator/src/transcode/job-builder.ts). */}}
{{- define "moocflix-operator.jobPodSelector" -}}
app.kubernetes.io/name: moocflix-transcoder
app.kubernetes.io/component: transcode-job
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
