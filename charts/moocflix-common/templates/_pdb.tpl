{{/* PodDisruptionBudget: by default at most one pod of the service is evicted at a time. */}}
{{- define "moocflix-common.pdb" -}}
{{- if .Values.pdb.enabled -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "moocflix-common.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "moocflix-common.labels" . | nindent 4 }}
spec:
  {{- if not (kindIs "invalid" .Values.pdb.minAvailable) }}
  minAvailable: {{ .Values.pdb.minAvailable }}
  {{- else }}
  maxUnavailable: {{ .Values.pdb.maxUnavailable }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "moocflix-common.selectorLabels" . | nindent 6 }}
{{- end -}}
{{- end -}}
