{{/* Names, labels and the pieces the Deployment and the CronJob share. */}}

{{- define "rapport.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "rapport.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "rapport.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "rapport.selectorLabels" -}}
app.kubernetes.io/name: {{ include "rapport.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "rapport.labels" -}}
helm.sh/chart: {{ include "rapport.chart" . }}
{{ include "rapport.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: rapport
{{- end }}

{{- define "rapport.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "rapport.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret every pod reads its credentials and REDIS_URL from. */}}
{{- define "rapport.secretName" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- else }}
{{- include "rapport.fullname" . }}
{{- end }}
{{- end }}

{{- define "rapport.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Fail early, with the fix in the message, rather than start replicas without Redis (each
would start its own embedded Redis and their data would diverge). */}}
{{- define "rapport.validate" -}}
{{- if and (not (include "rapport.redis.bundled" .)) (not .Values.secrets.existingSecret) (not (include "rapport.redis.externalUrl" .)) }}
{{- fail "Rapport keeps all its state in Redis: leave bundledRedis.enabled=true (a single-node Redis for trying Rapport and small teams), or give your own with externalRedis.url (e.g. redis://:password@redis-master:6379/0, rediss://..., redis+cluster://host:6379, redis+sentinel://host:26379/mymaster) or secrets.existingSecret naming a Secret with a REDIS_URL key." }}
{{- end }}
{{- if and .Values.externalRedis.url .Values.secrets.redisUrl (ne .Values.externalRedis.url .Values.secrets.redisUrl) }}
{{- fail "externalRedis.url and secrets.redisUrl are both set and differ: keep one (secrets.redisUrl is the older name of externalRedis.url)." }}
{{- end }}
{{- if and .Values.secrets.existingSecret (include "rapport.redis.externalUrl" .) }}
{{- fail "secrets.existingSecret is set, so the chart creates no Secret for externalRedis.url / secrets.redisUrl: put REDIS_URL in the existing Secret and remove the URL from the values." }}
{{- end }}
{{- $password := or .Values.secrets.existingSecret .Values.secrets.microsoftAppPassword (eq .Values.config.microsoftAppType "UserAssignedMSI") }}
{{- if and (not .Values.config.microsoftAppId) (not .Values.secrets.existingSecret) .Values.secrets.microsoftAppPassword }}
{{- fail "secrets.microsoftAppPassword is set but config.microsoftAppId is not: Rapport refuses to start with a password and no app id. Set config.microsoftAppId (Teams with Bot Framework authentication) or remove the password (no Teams)." }}
{{- end }}
{{- if and (not .Values.config.microsoftAppId) .Values.config.microsoftAppTenantId }}
{{- fail "config.microsoftAppTenantId is set but config.microsoftAppId is not: set the app id too, or remove the tenant id (no Teams)." }}
{{- end }}
{{- if and .Values.config.microsoftAppId (not $password) }}
{{- fail "config.microsoftAppId is set but there is no MICROSOFT_APP_PASSWORD: set secrets.microsoftAppPassword, put it in secrets.existingSecret, or use config.microsoftAppType=UserAssignedMSI." }}
{{- end }}
{{- if and .Values.config.microsoftAppId (eq .Values.config.microsoftAppType "SingleTenant") (not .Values.config.microsoftAppTenantId) }}
{{- fail "config.microsoftAppType=SingleTenant needs config.microsoftAppTenantId." }}
{{- end }}
{{- if and .Values.podDisruptionBudget.enabled .Values.podDisruptionBudget.minAvailable .Values.podDisruptionBudget.maxUnavailable }}
{{- fail "podDisruptionBudget: set minAvailable or maxUnavailable, not both" }}
{{- end }}
{{- end }}

{{/* RAPPORT_PUBLIC_URL: config.publicUrl, else https://<first ingress host> when the ingress
has TLS; else nothing (never guessed from request headers by the app either). */}}
{{- define "rapport.publicUrl" -}}
{{- if .Values.config.publicUrl }}
{{- .Values.config.publicUrl }}
{{- else if and .Values.ingress.enabled .Values.ingress.tls .Values.ingress.hosts }}
{{- printf "https://%s" (index .Values.ingress.hosts 0).host }}
{{- end }}
{{- end }}

{{/* Environment shared by the server and the tick job. */}}
{{- define "rapport.envFrom" -}}
- configMapRef:
    name: {{ include "rapport.fullname" . }}
- secretRef:
    name: {{ include "rapport.secretName" . }}
{{- end }}

{{- define "rapport.env" -}}
{{- if include "rapport.redis.bundled" . }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "rapport.redis.fullname" . }}
      key: redis-url
{{- end }}
{{- if .Values.redis.tls.caSecret }}
- name: REDIS_CA_FILE
  value: /etc/rapport/redis-ca/{{ .Values.redis.tls.caKey }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "rapport.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if .Values.redis.tls.caSecret }}
- name: redis-ca
  mountPath: /etc/rapport/redis-ca
  readOnly: true
{{- end }}
{{- end }}

{{- define "rapport.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- if .Values.redis.tls.caSecret }}
- name: redis-ca
  secret:
    secretName: {{ .Values.redis.tls.caSecret }}
    defaultMode: 0444
    items:
      - key: {{ .Values.redis.tls.caKey }}
        path: {{ .Values.redis.tls.caKey }}
{{- end }}
{{- end }}

{{/* With the bundled Redis, the app's pods wait for it (a first install provisions its volume)
rather than exit with "Redis did not answer" and back off. */}}
{{- define "rapport.initContainers" -}}
{{- if include "rapport.redis.bundled" . }}
- name: wait-for-redis
  image: {{ include "rapport.redis.image" . | quote }}
  imagePullPolicy: {{ .Values.bundledRedis.image.pullPolicy }}
  command: ["sh", "-c", "until redis-cli -h {{ include "rapport.redis.fullname" . }} ping | grep -q PONG; do echo waiting for Redis; sleep 2; done"]
  env:
    {{- include "rapport.redis.cliEnv" . | nindent 4 }}
  securityContext:
    {{- toYaml .Values.securityContext | nindent 4 }}
  resources:
    requests:
      cpu: 10m
      memory: 16Mi
    limits:
      memory: 32Mi
{{- end }}
{{- end }}
