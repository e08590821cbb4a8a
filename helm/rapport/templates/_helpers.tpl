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
{{- if and (not .Values.secrets.existingSecret) (not .Values.secrets.redisUrl) }}
{{- fail "Rapport keeps all its state in Redis: set secrets.redisUrl (e.g. redis://:password@redis-master:6379/0, rediss://..., redis+cluster://host:6379, redis+sentinel://host:26379/mymaster) or secrets.existingSecret naming a Secret with a REDIS_URL key." }}
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
