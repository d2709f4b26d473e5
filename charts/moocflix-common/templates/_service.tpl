{{/* The ClusterIP Service in front of a MoocFlix service's pods (port "http"). */}}
{{- define "moocflix-common.service" -}}
{{- $v := .Values -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "moocflix-common.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "moocflix-common.labels" . | nindent 4 }}
  {{- with $v.service.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ $v.service.type }}
  selector:
    {{- include "moocflix-common.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ $v.service.port }}
      targetPort: http
      protocol: TCP
{{- end -}}
