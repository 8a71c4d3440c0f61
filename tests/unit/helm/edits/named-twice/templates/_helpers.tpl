{{- define "named-twice.name" -}}
{{ .Release.Name }}-worker
{{- end }}

{{/*
The worker's pod spec, shared by the Deployment and the CronJob.
*/}}
{{- define "named-twice.podSpec" }}
{{- include "named-twice.containers" . }}
securityContext:
  runAsUser: 2000
  fsGroup: 2000
{{- end }}

{{- define "named-twice.containers" }}
containers:
  - name: worker
    image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
    securityContext:
      runAsUser: 2000
      runAsNonRoot: true
      allowPrivilegeEscalation: false
      capabilities:
        drop:
          - ALL
      seccompProfile:
        type: RuntimeDefault
{{- end }}
