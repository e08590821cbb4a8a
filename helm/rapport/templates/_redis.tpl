{{/* The bundled single-node Redis (for trying Rapport and for small teams). */}}

{{- define "rapport.redis.fullname" -}}
{{- printf "%s-redis" (include "rapport.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Not the app's labels: the app's NetworkPolicy and ServiceMonitor select on those. */}}
{{- define "rapport.redis.selectorLabels" -}}
app.kubernetes.io/name: redis
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: bundled-redis
{{- end }}

{{- define "rapport.redis.labels" -}}
helm.sh/chart: {{ include "rapport.chart" . }}
{{ include "rapport.redis.selectorLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: rapport
{{- end }}

{{/* "true" when the chart runs its own Redis: bundledRedis.enabled and no external Redis given
(externalRedis.url, secrets.redisUrl or secrets.existingSecret each turn it off). */}}
{{- define "rapport.redis.bundled" -}}
{{- if and .Values.bundledRedis.enabled (not .Values.externalRedis.url) (not .Values.secrets.redisUrl) (not .Values.secrets.existingSecret) }}true{{ end }}
{{- end }}

{{/* The external REDIS_URL: externalRedis.url, or the older secrets.redisUrl. */}}
{{- define "rapport.redis.externalUrl" -}}
{{- if .Values.externalRedis.url }}{{ .Values.externalRedis.url }}{{ else if .Values.secrets.redisUrl }}{{ .Values.secrets.redisUrl }}{{ end }}
{{- end }}

{{/* The bundled Redis's Secret as the cluster has it, as JSON ("{}" when absent, and always
under `helm template`, where lookup answers nothing). Its own define so that the chart tests
can stand in for the cluster. */}}
{{- define "rapport.redis.liveSecret" -}}
{{- lookup "v1" "Secret" .Release.Namespace (include "rapport.redis.fullname" .) | toJson }}
{{- end }}

{{/* The password: bundledRedis.password; else the one already in the cluster's Secret (so an
upgrade keeps it); else a new random one (first install). Alphanumeric: safe in a URL. */}}
{{- define "rapport.redis.password" -}}
{{- if .Values.bundledRedis.password }}
{{- .Values.bundledRedis.password }}
{{- else }}
{{- $live := include "rapport.redis.liveSecret" . | fromJson }}
{{- $data := get $live "data" | default dict }}
{{- if get $data "redis-password" }}
{{- get $data "redis-password" | b64dec }}
{{- else }}
{{- randAlphaNum 32 }}
{{- end }}
{{- end }}
{{- end }}

{{- define "rapport.redis.image" -}}
{{- $image := .Values.bundledRedis.image }}
{{- if $image.digest }}
{{- printf "%s@%s" $image.repository $image.digest }}
{{- else }}
{{- printf "%s:%s" $image.repository $image.tag }}
{{- end }}
{{- end }}

{{/* Environment for redis-cli (probes, the app's wait-for-redis init container). */}}
{{- define "rapport.redis.cliEnv" -}}
- name: REDISCLI_AUTH
  valueFrom:
    secretKeyRef:
      name: {{ include "rapport.redis.fullname" . }}
      key: redis-password
{{- end }}
