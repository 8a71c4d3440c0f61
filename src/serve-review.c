/*
 * serve-review.c - AdmissionReview admission.k8s.io/v1 in, and the response out.
 *
 * The fields are those of the Kubernetes API reference
 * (k8s.io/api/admission/v1): request.uid, kind {group, version, kind},
 * resource, subResource, namespace, name, operation, object, dryRun. A body
 * that is not such a review is refused whole: the API server never sends
 * one, so it comes from something else that must be told.
 */
#include "serve.h"
#include "unroot/arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A string member, NULL when missing or of another type. */
static const char *str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

int review_parse(const char *data, size_t len, struct review *r, char *why_buf, size_t why_size,
		 const char **why)
{
	memset(r, 0, sizeof(*r));
	json_error_t jerr;
	/*
	 * A JSON text of at most max_body bytes: jansson's own depth limit
	 * (2048) bounds the recursion, and the memory is a small multiple of
	 * the size.
	 */
	r->root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!r->root) {
		snprintf(why_buf, why_size, "the body is not JSON: %s at line %d, column %d",
			 jerr.text, jerr.line, jerr.column);
		*why = why_buf;
		return -1;
	}
	const char *api = str(r->root, "apiVersion"), *kind = str(r->root, "kind");
	if (!json_is_object(r->root) || !kind || strcmp(kind, "AdmissionReview") != 0) {
		*why = "the body is not an AdmissionReview (kind: AdmissionReview)";
		goto bad;
	}
	if (!api || strcmp(api, "admission.k8s.io/v1") != 0) {
		snprintf(why_buf, why_size,
			 "apiVersion '%s' is not served: unroot takes admission.k8s.io/v1; set "
			 "admissionReviewVersions: [v1] in the webhook configuration",
			 api ? api : "");
		*why = why_buf;
		goto bad;
	}
	json_t *req = json_object_get(r->root, "request");
	if (!json_is_object(req)) {
		*why = "the AdmissionReview has no request";
		goto bad;
	}
	r->uid = str(req, "uid");
	if (!r->uid || !*r->uid) {
		*why = "the AdmissionReview's request has no uid";
		goto bad;
	}
	const json_t *k = json_object_get(req, "kind");
	r->group = str(k, "group");
	r->version = str(k, "version");
	r->kind = str(k, "kind");
	if (!r->kind || !r->version || !r->group) {
		*why = "the AdmissionReview's request.kind needs group, version and kind";
		goto bad;
	}
	r->operation = str(req, "operation");
	if (!r->operation) {
		*why = "the AdmissionReview's request has no operation";
		goto bad;
	}
	const json_t *res = json_object_get(req, "resource");
	r->resource = str(res, "resource");
	r->sub_resource = str(req, "subResource");
	if (r->sub_resource && !*r->sub_resource)
		r->sub_resource = NULL;
	r->namespace = str(req, "namespace");
	if (!r->namespace)
		r->namespace = "";
	r->name = str(req, "name");
	if (!r->name)
		r->name = "";
	r->dry_run = json_is_true(json_object_get(req, "dryRun"));
	r->object = json_object_get(req, "object");
	if (json_is_null(r->object))
		r->object = NULL;
	if (r->object && !json_is_object(r->object)) {
		*why = "the AdmissionReview's request.object is not an object";
		goto bad;
	}
	r->old_object = json_object_get(req, "oldObject");
	if (!json_is_object(r->old_object))
		r->old_object = NULL;
	return 0;
bad:
	json_decref(r->root);
	r->root = NULL;
	return -1;
}

static bool has_ephemeral(const json_t *obj, const char *name)
{
	const json_t *list = json_object_get(json_object_get(obj, "spec"), "ephemeralContainers");
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *n = json_object_get(json_array_get(list, i), "name");
		if (json_is_string(n) && strcmp(json_string_value(n), name) == 0)
			return true;
	}
	return false;
}

bool review_new_ephemeral(const struct review *r, const char *name)
{
	return name && has_ephemeral(r->object, name) &&
	       !(r->old_object && has_ephemeral(r->old_object, name));
}

void review_release(struct review *r)
{
	json_decref(r->root);
	memset(r, 0, sizeof(*r));
}

static const struct {
	const char *group, *kind;
} checked_kinds[RK_NKINDS] = {
    [RK_POD] = {"", "Pod"},
    [RK_DEPLOYMENT] = {"apps", "Deployment"},
    [RK_STATEFULSET] = {"apps", "StatefulSet"},
    [RK_DAEMONSET] = {"apps", "DaemonSet"},
    [RK_REPLICASET] = {"apps", "ReplicaSet"},
    [RK_JOB] = {"batch", "Job"},
    [RK_CRONJOB] = {"batch", "CronJob"},
    [RK_DEPLOYMENTCONFIG] = {"apps.openshift.io", "DeploymentConfig"},
    [RK_OTHER] = {NULL, "other"},
};

enum review_kind review_kind_of(const struct review *r)
{
	for (int k = 0; k < RK_OTHER; k++)
		if (strcmp(r->kind, checked_kinds[k].kind) == 0 &&
		    strcmp(r->group, checked_kinds[k].group) == 0)
			return (enum review_kind)k;
	return RK_OTHER;
}

const char *review_kind_name(enum review_kind k)
{
	return checked_kinds[k].kind;
}

/*
 * The response: the request's uid, allowed, and on a denial a Status whose
 * message kubectl prints after "admission webhook ... denied the request:".
 */
char *review_response(const struct review *r, const struct verdict *v, size_t *len)
{
	json_t *resp = json_object();
	json_object_set_new(resp, "uid", json_string(r->uid));
	json_object_set_new(resp, "allowed", json_boolean(v->allowed));
	if (!v->allowed)
		json_object_set_new(resp, "status",
				    json_pack("{s:s,s:s,s:i,s:s}", "status", "Failure", "reason",
					      "Forbidden", "code", 403, "message",
					      v->message ? v->message : "denied by unroot"));
	if (v->nwarnings) {
		json_t *w = json_array();
		for (size_t i = 0; i < v->nwarnings; i++)
			json_array_append_new(w, json_string(v->warnings[i]));
		json_object_set_new(resp, "warnings", w);
	}
	if (v->patch) {
		json_object_set_new(resp, "patchType", json_string("JSONPatch"));
		json_object_set_new(resp, "patch", json_string(v->patch));
	}
	json_t *top = json_pack("{s:s,s:s,s:o}", "apiVersion", "admission.k8s.io/v1", "kind",
				"AdmissionReview", "response", resp);
	char *text = top ? json_dumps(top, JSON_COMPACT) : NULL;
	json_decref(top);
	if (text)
		*len = strlen(text);
	return text;
}
