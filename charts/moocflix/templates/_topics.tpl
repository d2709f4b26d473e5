{{/*
The platform's Kafka topics (docs/architecture.md#topics; services/platform/bus/src/events/topics.ts): the seed's
eleven, Session-Revoked, Transcoding-Progress, Video-Uploaded, Module-Completed, and a ".DLQ" dead-letter topic for
every topic the services consume through the kit's consumer (none consumes Module-Completed yet). Returns YAML: topic name → {partitions, replicas, config}.
*/}}
{{- define "moocflix.topics" -}}
{{- $t := .Values.topics -}}
{{- $seed := list "User-Creation" "User-Update" "Course-Creation" "Course-Update" "Course-Deletion" "Student-Enrolled" "Transcoding-Request" "Transcoding-Completed" "Assessment-Creation" "Submission-Completed" "Grading-Completed" -}}
{{- $topics := dict -}}
{{- range $seed -}}
{{- $_ := set $topics . (dict) -}}
{{- end -}}
{{- $_ := set $topics "Session-Revoked" (dict "config" (dict "retention.ms" ($t.sessionRevokedRetentionMs | int64) "cleanup.policy" "delete")) -}}
{{- $_ := set $topics "Transcoding-Progress" (dict "config" (dict "retention.ms" ($t.progressRetentionMs | int64))) -}}
{{- $_ := set $topics "Video-Uploaded" (dict) -}}
{{- $_ := set $topics "Module-Completed" (dict) -}}
{{- if $t.deadLetterTopics -}}
{{- range (concat $seed (list "Transcoding-Progress" "Video-Uploaded")) -}}
{{- $_ := set $topics (printf "%s.DLQ" .) (dict "config" (dict "retention.ms" ($t.deadLetterRetentionMs | int64))) -}}
{{- end -}}
{{- end -}}
{{- range $name, $override := $t.overrides -}}
{{- if not (hasKey $topics $name) -}}
{{- fail (printf "topics.overrides: %q is not a MoocFlix topic (known: %s)" $name (keys $topics | sortAlpha | join ", ")) -}}
{{- end -}}
{{- $_ := set $topics $name (mergeOverwrite (get $topics $name) $override) -}}
{{- end -}}
{{- toYaml $topics -}}
{{- end -}}

{{- define "moocflix.labels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: moocflix
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}
