{{- define "unroot-serve.name" -}}
{{- printf "%s" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "unroot-serve.labels" -}}
app.kubernetes.io/name: unroot-serve
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "unroot-serve.selector" -}}
app.kubernetes.io/name: unroot-serve
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "unroot-serve.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}

{{- define "unroot-serve.tlsSecret" -}}
{{- .Values.tls.secretName | default (printf "%s-tls" (include "unroot-serve.name" .)) -}}
{{- end -}}

{{/* The webhook's clientConfig and the namespaces it leaves out. */}}
{{- define "unroot-serve.webhook" -}}
admissionReviewVersions: [v1]
sideEffects: None
matchPolicy: Equivalent
failurePolicy: {{ .root.Values.webhook.failurePolicy }}
timeoutSeconds: {{ .root.Values.webhook.timeoutSeconds }}
clientConfig:
  service:
    name: {{ include "unroot-serve.name" .root }}
    namespace: {{ .root.Release.Namespace }}
    path: {{ .path }}
    port: 443
  {{- if and (not .root.Values.tls.certManager) .root.Values.tls.caBundle }}
  caBundle: {{ .root.Values.tls.caBundle | b64enc }}
  {{- end }}
namespaceSelector:
  matchExpressions:
  - key: kubernetes.io/metadata.name
    operator: NotIn
    values:
    {{- range .root.Values.webhook.excludeNamespaces }}
    - {{ . }}
    {{- end }}
    - {{ .root.Release.Namespace }}
{{- end -}}
