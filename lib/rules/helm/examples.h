/*
 * examples.h - the pieces the Helm rules' bad and good examples share: a
 * chart named web, and the head of its Deployment template.
 */
#ifndef UNROOT_RULES_HELM_EXAMPLES_H
#define UNROOT_RULES_HELM_EXAMPLES_H

#define EXAMPLE_CHART                                                                              \
	"--- web/Chart.yaml\n"                                                                     \
	"apiVersion: v2\n"                                                                         \
	"name: web\n"                                                                              \
	"version: 0.1.0\n"

#define EXAMPLE_DEPLOYMENT_HEAD                                                                    \
	"--- web/templates/deployment.yaml\n"                                                      \
	"apiVersion: apps/v1\n"                                                                    \
	"kind: Deployment\n"                                                                       \
	"metadata:\n"                                                                              \
	"  name: {{ .Release.Name }}\n"                                                            \
	"spec:\n"                                                                                  \
	"  template:\n"                                                                            \
	"    spec:\n"

#endif
