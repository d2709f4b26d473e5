{{- define "moocflix-operator.watchNamespace" -}}
{{- default .Release.Namespace .Values.watchNamespace -}}
{{- end -}}

{{- define "moocflix-operator.jobServiceAccountName" -}}
{{- default (printf "%s-transcode" (include "moocflix-common.fullname" .)) .Values.jobs.serviceAccount.name -}}
{{- end -}}
