{{/* Names ---------------------------------------------------------------------------------------- */}}
{{- define "addispay.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "addispay.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The resource name of one service: (dict "root" $ "key" "orderService") -> <fullname>-order-service */}}
{{- define "addispay.componentName" -}}
{{- printf "%s-%s" (include "addispay.fullname" .root) (kebabcase .key) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "addispay.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "addispay.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: addispay
{{- end -}}

{{/* (dict "root" $ "key" "orderService") */}}
{{- define "addispay.componentLabels" -}}
{{ include "addispay.labels" .root }}
app.kubernetes.io/component: {{ kebabcase .key }}
{{- end -}}

{{- define "addispay.selectorLabels" -}}
app.kubernetes.io/name: {{ include "addispay.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ kebabcase .key }}
{{- end -}}

{{/* Images ---------------------------------------------------------------------------------------- */}}
{{/* (dict "root" $ "svc" $svc) -> repository:tag; tag may be "<tag>@<digest>" as set by skaffold. */}}
{{- define "addispay.image" -}}
{{- printf "%s:%s" .svc.image.repository (default .root.Chart.AppVersion .svc.image.tag) -}}
{{- end -}}

{{/* MySQL ----------------------------------------------------------------------------------------- */}}
{{- define "addispay.mysqlSecretName" -}}
{{- if .Values.mysql.existingSecret -}}
{{- .Values.mysql.existingSecret -}}
{{- else -}}
{{- printf "%s-mysql" (include "addispay.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "addispay.innodbHost" -}}
{{- printf "%s.%s.svc.cluster.local" .Values.mysql.innodbCluster.name .Release.Namespace -}}
{{- end -}}

{{/*
Helm hook phases of the migration jobs. With an existing Secret the DSNs and databases exist before the
release, so migrations run before any pod starts. When the chart creates the Secret (and maybe the InnoDB
cluster), they exist only after install: migrations then run post-install, and before every upgrade.
*/}}
{{- define "addispay.migrationHook" -}}
{{- if .Values.mysql.existingSecret -}}pre-install,pre-upgrade{{- else -}}post-install,pre-upgrade{{- end -}}
{{- end -}}

{{/* Pulsar ---------------------------------------------------------------------------------------- */}}
{{- define "addispay.pulsarUrl" -}}
{{- if .Values.pulsar.url -}}
{{- .Values.pulsar.url -}}
{{- else if not .Values.kaap.enabled -}}
{{- fail "pulsar.url is required when kaap.enabled is false" -}}
{{- else if eq .Values.pulsar.transport "native" -}}
{{- printf "pulsar://%s-proxy.%s.svc.cluster.local:6650" .Values.kaap.name .Release.Namespace -}}
{{- else -}}
{{- printf "ws://%s-proxy.%s.svc.cluster.local:8000" .Values.kaap.name .Release.Namespace -}}
{{- end -}}
{{- end -}}

{{- define "addispay.pulsarAdminUrl" -}}
{{- if .Values.pulsar.adminUrl -}}
{{- .Values.pulsar.adminUrl -}}
{{- else if .Values.kaap.enabled -}}
{{- printf "http://%s-broker.%s.svc.cluster.local:8080" .Values.kaap.name .Release.Namespace -}}
{{- else -}}
{{- fail "pulsar.adminUrl is required for the topology when kaap.enabled is false" -}}
{{- end -}}
{{- end -}}

{{- define "addispay.pulsarConnectionName" -}}
{{- default (printf "%s-pulsar" (include "addispay.fullname" .)) .Values.pulsar.topology.existingConnection -}}
{{- end -}}

{{/* Security contexts shared by every pod the chart runs. */}}
{{- define "addispay.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "addispay.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
privileged: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* A DNS-1123 name from a file name: "Order Flow_v2.json" -> "order-flow-v2" */}}
{{- define "addispay.fileSlug" -}}
{{- regexReplaceAll "[^a-z0-9-]+" (lower (trimSuffix (ext .) (base .))) "-" | trimAll "-" | trunc 40 | trimSuffix "-" -}}
{{- end -}}
