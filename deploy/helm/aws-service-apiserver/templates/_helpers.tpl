{{/*
Names are fixed, not derived from the release name: a cluster has one APIService
v1alpha1.service-operator.aws, so one installation, and deploy/ (kustomize) uses the same names.
*/}}
{{- define "asa.name" -}}aws-service-apiserver{{- end -}}

{{- define "asa.labels" -}}
app.kubernetes.io/name: {{ include "asa.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "asa.selectorLabels" -}}
app.kubernetes.io/name: {{ include "asa.name" . }}
{{- end -}}

{{- define "asa.servingSecret" -}}{{ include "asa.name" . }}-serving{{- end -}}

{{- define "asa.image" -}}{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}{{- end -}}

{{/* The Service's DNS names, which the serving certificate must carry. */}}
{{- define "asa.dnsNames" -}}
{{- $service := include "asa.name" . -}}
- {{ $service }}
- {{ $service }}.{{ .Release.Namespace }}
- {{ $service }}.{{ .Release.Namespace }}.svc
- {{ $service }}.{{ .Release.Namespace }}.svc.cluster.local
{{- end -}}

{{/* The ServiceAccount as an RBAC subject. */}}
{{- define "asa.subject" -}}
- kind: ServiceAccount
  name: {{ include "asa.name" . }}
  namespace: {{ .Release.Namespace }}
{{- end -}}
