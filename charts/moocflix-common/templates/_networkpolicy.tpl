{{/*
NetworkPolicy: the pod accepts and opens only what it needs; everything else is denied.
Ingress: the HTTP port from pods of the same namespace (other MoocFlix services, an Ingress
controller or Prometheus elsewhere are added with networkPolicy.extraIngress).
Egress: DNS, Kafka, S3, the HTTP port of pods in the same namespace (the users service's JWKS),
PostgreSQL when the service has a database, the Kubernetes API when .kubeApi.
  .root      the chart context
  .database  open the PostgreSQL ports
  .kubeApi   open the Kubernetes API ports (the operator)
*/}}
{{- define "moocflix-common.networkpolicy" -}}
{{- $root := .root -}}
{{- $np := $root.Values.networkPolicy -}}
{{- if $np.enabled -}}
{{- $ports := $np.egressPorts -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "moocflix-common.fullname" $root }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "moocflix-common.labels" $root | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "moocflix-common.selectorLabels" $root | nindent 6 }}
  policyTypes: [Ingress, Egress]
  ingress:
    - from:
        - podSelector: {}
      ports:
        - port: http
          protocol: TCP
    {{- with $np.extraIngress }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  egress:
    - ports:
        {{- range $ports.dns }}
        - { port: {{ . }}, protocol: UDP }
        - { port: {{ . }}, protocol: TCP }
        {{- end }}
    - to:
        - podSelector: {}
      ports:
        - { port: {{ include "moocflix-common.httpPort" $root }}, protocol: TCP }
    {{- $open := concat $ports.kafka $ports.s3 -}}
    {{- if .database }}{{ $open = concat $open $ports.postgresql }}{{ end -}}
    {{- if .kubeApi }}{{ $open = concat $open $ports.kubernetesApi }}{{ end }}
    - ports:
        {{- range uniq $open }}
        - { port: {{ . }}, protocol: TCP }
        {{- end }}
    {{- with $np.extraEgress }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end -}}
{{- end -}}
