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
{{/*
(dict "root" $ "key" "orderService") -> repository:tag; tag may be "<tag>@<digest>" as set by skaffold. The
repository is services.<key>.image.repository, else <image.registry>/<service>; nothing publishes the images, so
one of them is required.
*/}}
{{- define "addispay.image" -}}
{{- $svc := get .root.Values.services .key -}}
{{- $repository := $svc.image.repository -}}
{{- if not $repository -}}
{{- $registry := .root.Values.image.registry | trimSuffix "/" -}}
{{- if not $registry -}}
{{- fail (printf "image.registry (or services.%s.image.repository) is required: nothing publishes the Addispay images. Build and push them to a registry of yours (docs/kubernetes.md, \"Images\"), then set e.g. --set image.registry=123456789012.dkr.ecr.eu-west-1.amazonaws.com/addispay (skaffold run --default-repo sets the repositories itself)" .key) -}}
{{- end -}}
{{- $repository = printf "%s/%s" $registry (kebabcase .key) -}}
{{- end -}}
{{- printf "%s:%s" $repository (default .root.Chart.AppVersion $svc.image.tag) -}}
{{- end -}}

{{/* MySQL ----------------------------------------------------------------------------------------- */}}
{{- define "addispay.mysqlSecretName" -}}
{{- if .Values.mysql.existingSecret -}}
{{- .Values.mysql.existingSecret -}}
{{- else -}}
{{- printf "%s-mysql" (include "addispay.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/*
The Secret the hook Jobs read: the release's own with the InnoDB cluster or an existing Secret; otherwise its
hook copy (mysql-secret.yaml), since they run before the release's resources exist.
*/}}
{{- define "addispay.jobSecretName" -}}
{{- if or .Values.mysql.existingSecret .Values.mysql.innodbCluster.enabled -}}
{{- include "addispay.mysqlSecretName" . -}}
{{- else -}}
{{- printf "%s-mysql-hooks" (include "addispay.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "addispay.innodbHost" -}}
{{- printf "%s.%s.svc.cluster.local" .Values.mysql.innodbCluster.name .Release.Namespace -}}
{{- end -}}

{{/* "true" when the chart makes databases and users (mysql-bootstrap Job): in-chart InnoDB cluster or bootstrap. */}}
{{- define "addispay.bootstrapEnabled" -}}
{{- if or .Values.mysql.innodbCluster.enabled .Values.mysql.bootstrap.enabled -}}true{{- end -}}
{{- end -}}

{{/* host:port the bootstrap Job and the generated DSNs use. */}}
{{- define "addispay.mysqlAddress" -}}
{{- if .Values.mysql.innodbCluster.enabled -}}
{{- printf "%s:3306" (include "addispay.innodbHost" .) -}}
{{- else -}}
{{- printf "%s:%d" (required "mysql.bootstrap.host is required with mysql.bootstrap.enabled (the MySQL to create the databases and users in)" .Values.mysql.bootstrap.host) (int .Values.mysql.bootstrap.port) -}}
{{- end -}}
{{- end -}}

{{/*
Helm hook phases of the chart's MySQL Secret, the bootstrap and the migration Jobs. Without the in-chart InnoDB
cluster the database exists before the release: the Secret (when the chart makes it) is a hook resource, created
first, then bootstrap and migrations run before install and upgrade, so no pod starts before its schema exists.
The InnoDB cluster exists only after install: they then run post-install, and before every upgrade.
*/}}
{{- define "addispay.migrationHook" -}}
{{- if .Values.mysql.innodbCluster.enabled -}}post-install,pre-upgrade{{- else -}}pre-install,pre-upgrade{{- end -}}
{{- end -}}

{{/* The CA MySQL's certificate is verified against (mysql.tls): (dict "kind" "secret|configMap" "name" "key"), or {}. */}}
{{- define "addispay.mysqlCa" -}}
{{- $tls := .Values.mysql.tls -}}
{{- $ic := .Values.mysql.innodbCluster -}}
{{- if $tls.enabled -}}
{{- if $tls.caSecret.name -}}
{{- toJson (dict "kind" "secret" "name" $tls.caSecret.name "key" $tls.caSecret.key) -}}
{{- else if $tls.caConfigMap.name -}}
{{- toJson (dict "kind" "configMap" "name" $tls.caConfigMap.name "key" $tls.caConfigMap.key) -}}
{{- else if $ic.enabled -}}
{{- if $ic.tls.useSelfSigned -}}
{{- fail "mysql.tls.enabled verifies MySQL's certificate, but innodbCluster.tls.useSelfSigned gives nothing to verify it against: set innodbCluster.tls.useSelfSigned=false with tls.secretName and tls.caSecretName (e.g. from cert-manager), or name a CA in mysql.tls.caSecret" -}}
{{- end -}}
{{- toJson (dict "kind" "secret" "name" (default (printf "%s-ca" $ic.name) $ic.tls.caSecretName) "key" "ca.pem") -}}
{{- else -}}
{{- fail "mysql.tls.enabled needs a CA: set mysql.tls.caSecret.name or mysql.tls.caConfigMap.name" -}}
{{- end -}}
{{- else -}}
{}
{{- end -}}
{{- end -}}

{{- define "addispay.mysqlCaDir" -}}/etc/addispay/mysql-ca{{- end -}}

{{/* The CA file's path in the pod, or "" without mysql.tls. */}}
{{- define "addispay.mysqlCaFile" -}}
{{- $ca := include "addispay.mysqlCa" . | fromJson -}}
{{- if $ca.name -}}{{ include "addispay.mysqlCaDir" . }}/ca.pem{{- end -}}
{{- end -}}

{{/* Volume (nindent-ready list item) holding the CA as ca.pem, or nothing. */}}
{{- define "addispay.mysqlCaVolume" -}}
{{- $ca := include "addispay.mysqlCa" . | fromJson -}}
{{- if $ca.name }}
- name: mysql-ca
  {{- if eq $ca.kind "secret" }}
  secret:
    secretName: {{ $ca.name }}
    items: [{ key: {{ $ca.key | quote }}, path: ca.pem }]
  {{- else }}
  configMap:
    name: {{ $ca.name }}
    items: [{ key: {{ $ca.key | quote }}, path: ca.pem }]
  {{- end }}
{{- end }}
{{- end -}}

{{- define "addispay.mysqlCaMount" -}}
{{- if include "addispay.mysqlCaFile" . }}
- { name: mysql-ca, mountPath: {{ include "addispay.mysqlCaDir" . }}, readOnly: true }
{{- end }}
{{- end -}}

{{- define "addispay.mysqlCaEnv" -}}
{{- with include "addispay.mysqlCaFile" . }}
- name: MYSQL_SSL_CA
  value: {{ . | quote }}
{{- end }}
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

{{/* "true" when Pulsar is reached over TLS (pulsar+ssl://, wss://, https:// service or admin URL). */}}
{{- define "addispay.pulsarTls" -}}
{{- $urls := list (include "addispay.pulsarUrl" .) (.Values.pulsar.adminUrl | default "") -}}
{{- range $urls -}}
{{- if regexMatch "^(pulsar\\+ssl|wss|https)://" . -}}true{{- end -}}
{{- end -}}
{{- end -}}

{{/* "true" when the topology is rendered as pulsar-resources-operator resources (see pulsar.topology.method). */}}
{{- define "addispay.topologyByOperator" -}}
{{- $method := .Values.pulsar.topology.method -}}
{{- if or (eq $method "operator") (and (eq $method "auto") (.Capabilities.APIVersions.Has "resource.streamnative.io/v1alpha1")) -}}true{{- end -}}
{{- end -}}

{{/*
Egress TCP ports of the services and hook pods, as a JSON list: the configured ones, plus MySQL Router's pod
ports with the in-chart InnoDB cluster and Pulsar's TLS ports with a TLS URL.
*/}}
{{- define "addispay.egressPorts" -}}
{{- $np := .Values.networkPolicy -}}
{{- $ports := concat $np.mysqlPorts $np.pulsarPorts $np.otlpPorts $np.extraEgressPorts -}}
{{- if .Values.mysql.innodbCluster.enabled }}{{ $ports = concat $ports (list 6446 6447) }}{{ end -}}
{{- if include "addispay.pulsarTls" . }}{{ $ports = concat $ports (list 6651 8443 8001) }}{{ end -}}
{{- $out := list -}}
{{- range $ports }}{{ $out = append $out (int .) }}{{ end -}}
{{- $out | uniq | toJson -}}
{{- end -}}

{{/*
Hook phases of the topology Job. With the operator it creates only the subscriptions, once the operator made the
topics (after install and upgrade). Alone, it applies everything before install and upgrade when Pulsar is
outside the release, after install when KAAP creates it in the release.
*/}}
{{- define "addispay.topologyJobHook" -}}
{{- if include "addispay.topologyByOperator" . -}}post-install,post-upgrade
{{- else if .Values.kaap.enabled -}}post-install,pre-upgrade
{{- else -}}pre-install,pre-upgrade
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
