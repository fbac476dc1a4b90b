{{/* Chart name. */}}
{{- define "fcc-scoring.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: release-chart, max 52 characters so CronJob-created Job names stay valid. */}}
{{- define "fcc-scoring.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "fcc-scoring.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Standard labels. */}}
{{- define "fcc-scoring.labels" -}}
helm.sh/chart: {{ include "fcc-scoring.chart" . }}
{{ include "fcc-scoring.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: fcc-scoring
{{- end }}

{{- define "fcc-scoring.selectorLabels" -}}
app.kubernetes.io/name: {{ include "fcc-scoring.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "fcc-scoring.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "fcc-scoring.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "fcc-scoring.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "fcc-scoring.configMapName" -}}
{{- default (printf "%s-conf" (include "fcc-scoring.fullname" .)) .Values.config.existingConfigMap }}
{{- end }}

{{- define "fcc-scoring.sparkNamespace" -}}
{{- default .Release.Namespace .Values.spark.namespace }}
{{- end }}

{{/* conf/ files shipped with the chart (files/conf links to the repository's conf/). */}}
{{- define "fcc-scoring.confFiles" -}}
{{- $files := dict }}
{{- range $path, $_ := .Files.Glob "files/conf/**.yaml" }}
{{- $_ := set $files (trimPrefix "files/conf/" $path) ($.Files.Get $path) }}
{{- end }}
{{- range $name, $text := .Values.config.files }}
{{- $_ := set $files $name $text }}
{{- end }}
{{- toYaml $files }}
{{- end }}

{{/* The Secret the chart creates from storage.credentials. */}}
{{- define "fcc-scoring.storageSecretName" -}}
{{ include "fcc-scoring.fullname" . }}-storage
{{- end }}

{{/* Environment shared by drivers and executors. Credentials only as Secret references. */}}
{{- define "fcc-scoring.commonEnv" -}}
- name: FCC_LAKEHOUSE
  value: {{ .Values.lakehouse | quote }}
- name: FCC_ENV
  value: {{ .Values.env | quote }}
- name: FCC_CONF_DIR
  value: /opt/fcc/conf
- name: HOME
  value: /opt/spark/work-dir
{{- if .Values.storage.existingSecret }}
{{- range $envName, $key := .Values.storage.secretEnv }}
- name: {{ $envName }}
  valueFrom:
    secretKeyRef:
      name: {{ $.Values.storage.existingSecret }}
      key: {{ $key }}
{{- end }}
{{- else if .Values.storage.credentials }}
{{- range $envName, $_ := .Values.storage.credentials }}
- name: {{ $envName }}
  valueFrom:
    secretKeyRef:
      name: {{ include "fcc-scoring.storageSecretName" $ }}
      key: {{ $envName }}
{{- end }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Scratch, config and report volumes (read-only root filesystem). */}}
{{- define "fcc-scoring.volumes" -}}
- name: tmp
  emptyDir:
    {{- with .Values.scratch.medium }}
    medium: {{ . }}
    {{- end }}
    sizeLimit: {{ .Values.scratch.sizeLimit }}
- name: work-dir
  emptyDir:
    {{- with .Values.scratch.medium }}
    medium: {{ . }}
    {{- end }}
    sizeLimit: {{ .Values.scratch.sizeLimit }}
- name: conf
  configMap:
    name: {{ include "fcc-scoring.configMapName" . }}
    {{- if not .Values.config.existingConfigMap }}
    items:
      {{- range $name, $_ := include "fcc-scoring.confFiles" . | fromYaml }}
      - key: {{ $name | replace "/" "__" }}
        path: {{ $name }}
      {{- end }}
    {{- end }}
{{- end }}

{{- define "fcc-scoring.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: work-dir
  mountPath: /opt/spark/work-dir
- name: conf
  mountPath: /opt/fcc/conf
  readOnly: true
{{- end }}

{{/* spark-submit arguments for client mode in the CronJob pod. Args: root, job (merged spec), cronjob name. */}}
{{- define "fcc-scoring.sparkSubmitArgs" -}}
{{- $root := .root }}
{{- $v := $root.Values }}
{{- $conf := dict
  "spark.driver.host" "$(FCC_POD_IP)"
  "spark.driver.bindAddress" "0.0.0.0"
  "spark.driver.port" (toString $v.spark.driver.port)
  "spark.driver.blockManager.port" (toString $v.spark.driver.blockManagerPort)
  "spark.driver.memory" $v.spark.driver.memory
  "spark.kubernetes.driver.pod.name" "$(FCC_POD_NAME)"
  "spark.kubernetes.namespace" (include "fcc-scoring.sparkNamespace" $root)
  "spark.kubernetes.container.image" (default (include "fcc-scoring.image" $root) $v.spark.executor.image)
  "spark.kubernetes.container.image.pullPolicy" $v.image.pullPolicy
  "spark.kubernetes.authenticate.executor.serviceAccountName" (default (include "fcc-scoring.serviceAccountName" $root) $v.spark.executor.serviceAccountName)
  "spark.kubernetes.authenticate.caCertFile" "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"
  "spark.kubernetes.authenticate.oauthTokenFile" "/var/run/secrets/kubernetes.io/serviceaccount/token"
  "spark.kubernetes.executor.podTemplateFile" "/opt/fcc/spark/executor-pod-template.yaml"
  "spark.kubernetes.executor.podTemplateContainerName" "spark-executor"
  "spark.kubernetes.executor.label.app.kubernetes.io/instance" $root.Release.Name
  "spark.kubernetes.executor.label.app.kubernetes.io/component" .name
  "spark.executor.instances" (toString $v.spark.executor.instances)
  "spark.executor.cores" (toString $v.spark.executor.cores)
  "spark.executor.memory" $v.spark.executor.memory
  "spark.executor.memoryOverhead" $v.spark.executor.memoryOverhead
}}
{{- range $k, $val := $v.spark.conf }}{{ $_ := set $conf $k (toString $val) }}{{ end }}
{{- range $k, $val := .job.sparkConf }}{{ $_ := set $conf $k (toString $val) }}{{ end -}}
- spark-submit
- --master
- {{ $v.spark.master | quote }}
- --deploy-mode
- client
{{- range $k := keys $conf | sortAlpha }}
- --conf
- {{ printf "%s=%s" $k (get $conf $k) | quote }}
{{- end }}
{{- end }}

{{/* One container per job step. Args: root, job, step, name. */}}
{{- define "fcc-scoring.stepContainer" -}}
{{- $root := .root -}}
- name: {{ .step.name }}
  image: {{ include "fcc-scoring.image" $root | quote }}
  imagePullPolicy: {{ $root.Values.image.pullPolicy }}
  args:
    {{- if .step.sparkJob }}
    {{- include "fcc-scoring.sparkSubmitArgs" . | nindent 4 }}
    - {{ printf "/opt/fcc/jobs/%s.py" .step.sparkJob | quote }}
    {{- range .step.args }}
    - {{ . | quote }}
    {{- end }}
    {{- else }}
    - fcc
    {{- range .step.fcc }}
    - {{ . | quote }}
    {{- end }}
    {{- end }}
  env:
    - name: FCC_POD_IP
      valueFrom:
        fieldRef:
          fieldPath: status.podIP
    - name: FCC_POD_NAME
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
    - name: FCC_POD_NAMESPACE
      valueFrom:
        fieldRef:
          fieldPath: metadata.namespace
    - name: FCC_JOB
      value: {{ .name | quote }}
    {{- include "fcc-scoring.commonEnv" $root | nindent 4 }}
  {{- if .step.sparkJob }}
  ports:
    - name: spark-driver
      containerPort: {{ $root.Values.spark.driver.port }}
    - name: spark-blockmgr
      containerPort: {{ $root.Values.spark.driver.blockManagerPort }}
    - name: spark-ui
      containerPort: 4040
  {{- end }}
  resources:
    {{- toYaml (default .job.resources .step.resources) | nindent 4 }}
  securityContext:
    {{- toYaml $root.Values.securityContext | nindent 4 }}
  volumeMounts:
    {{- include "fcc-scoring.volumeMounts" $root | nindent 4 }}
    - name: spark-templates
      mountPath: /opt/fcc/spark
      readOnly: true
    - name: reports
      mountPath: /opt/fcc/reports
{{- end }}
