{{/*
The Deployment of a MoocFlix service.
  .root       the chart context
  .env        extra env entries (YAML list text) for this service, rendered by the chart
  .database   whether DATABASE_URL is referenced (default false)
  .jwksUrl    whether JWT_JWKS_URL is set (default true)
  .args       container args (list), e.g. the transcoder's mode
  .component  app.kubernetes.io/component (default "api")
*/}}
{{- define "moocflix-common.deployment" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- $component := default "api" .component -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "moocflix-common.fullname" $root }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "moocflix-common.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ $component }}
spec:
  {{- if not (and $v.autoscaling $v.autoscaling.enabled) }}
  replicas: {{ $v.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "moocflix-common.selectorLabels" $root | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  template:
    metadata:
      labels:
        {{- include "moocflix-common.labels" $root | nindent 8 }}
        app.kubernetes.io/component: {{ $component }}
        {{- with $v.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with $v.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      serviceAccountName: {{ include "moocflix-common.serviceAccountName" $root }}
      automountServiceAccountToken: {{ $v.serviceAccount.automountToken }}
      {{- with $v.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml $v.podSecurityContext | nindent 8 }}
      terminationGracePeriodSeconds: {{ $v.terminationGracePeriodSeconds }}
      {{- with $v.priorityClassName }}
      priorityClassName: {{ . }}
      {{- end }}
      {{- with $v.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.topologySpreadConstraints }}
      topologySpreadConstraints:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ $root.Chart.Name }}
          image: {{ include "moocflix-common.image" (dict "image" $v.image "root" $root) }}
          imagePullPolicy: {{ $v.image.pullPolicy }}
          {{- with .args }}
          args:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          ports:
            - name: http
              containerPort: {{ include "moocflix-common.httpPort" $root }}
              protocol: TCP
          env:
            {{- include "moocflix-common.env" (dict "root" $root "database" .database "jwksUrl" (ternary true .jwksUrl (kindIs "invalid" .jwksUrl))) | nindent 12 }}
            {{- with .env }}
            {{- . | nindent 12 }}
            {{- end }}
            {{- with $v.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          {{- with $v.extraEnvFrom }}
          envFrom:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          {{- with $v.startupProbe }}
          {{- if .enabled }}
          startupProbe:
            httpGet: { path: /healthz, port: http }
            {{- toYaml (omit . "enabled") | nindent 12 }}
          {{- end }}
          {{- end }}
          {{- with $v.livenessProbe }}
          {{- if .enabled }}
          livenessProbe:
            httpGet: { path: /healthz, port: http }
            {{- toYaml (omit . "enabled") | nindent 12 }}
          {{- end }}
          {{- end }}
          {{- with $v.readinessProbe }}
          {{- if .enabled }}
          readinessProbe:
            httpGet: { path: /readyz, port: http }
            {{- toYaml (omit . "enabled") | nindent 12 }}
          {{- end }}
          {{- end }}
          {{- with $v.shutdownDelaySeconds }}
          # SIGTERM and the removal of the pod from its Service's endpoints happen at the same time; kube-proxy
          # on every node takes a moment to hear of the latter. Until then new connections still arrive, so the
          # pod keeps serving for this long before the process is signalled (a rolling update loses no request).
          lifecycle:
            preStop:
              sleep: { seconds: {{ . }} }
          {{- end }}
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          securityContext:
            {{- toYaml $v.containerSecurityContext | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- with $v.extraVolumeMounts }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
      volumes:
        # The only writable place: uploads being probed, transcoder work folders.
        - name: tmp
          emptyDir:
            {{- with $v.tmpVolume.sizeLimit }}
            sizeLimit: {{ . }}
            {{- end }}
            {{- with $v.tmpVolume.medium }}
            medium: {{ . }}
            {{- end }}
        {{- with $v.extraVolumes }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
{{- end -}}
