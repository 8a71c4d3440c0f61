{{/*
A worker's pod spec. It is given a dict (the worker, and the chart's
values under "Values"), so `.` here is not the chart's root context.
*/}}
{{- define "named-dict.pod" -}}
securityContext:
  runAsNonRoot: true
containers:
  - name: {{ .worker.name }}
    image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
    securityContext:
      allowPrivilegeEscalation: false
      capabilities:
        drop: [ALL]
      seccompProfile:
        type: RuntimeDefault
{{- end }}
