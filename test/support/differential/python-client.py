# The official Kubernetes Python client (Debian's python3-kubernetes) doing one operation for the
# differential tests, as a Python controller would. Reads a JSON request from stdin, prints a JSON
# answer: {"code": HTTP status, "body": the response body} or, for watch, {"code", "events"}.
import json
import sys

from kubernetes import client, config, dynamic, watch
from kubernetes.client.rest import ApiException

request = json.load(sys.stdin)
api_client = config.new_client_from_config(config_file=request["kubeconfig"])
group, version = request["apiVersion"].split("/")
namespace, plural, name = request["namespace"], request["plural"], request.get("name")
custom = client.CustomObjectsApi(api_client)


def answer(code, body):
    json.dump({"code": code, "body": body}, sys.stdout)


def call(operation):
    try:
        answer(200, operation())
    except ApiException as error:
        answer(error.status, json.loads(error.body) if error.body else None)


op = request["op"]
if op == "watch":
    # watch=True on the query: a Python bool, sent as "True".
    events = []
    stream = watch.Watch().stream(custom.list_namespaced_custom_object, group, version, namespace, plural,
                                  timeout_seconds=request.get("timeoutSeconds", 2),
                                  allow_watch_bookmarks=True,
                                  field_selector="metadata.name=" + name)
    try:
        for event in stream:
            events.append({"type": event["type"], "name": event["object"]["metadata"].get("name")})
    except ApiException as error:
        json.dump({"code": error.status, "events": events}, sys.stdout)
        sys.exit(0)
    json.dump({"code": 200, "events": events}, sys.stdout)
elif op == "merge-patch-force":
    # The generated client sends merge patches for custom objects, with force=True on the query.
    call(lambda: custom.patch_namespaced_custom_object(group, version, namespace, plural, name, request["body"], force=True))
elif op == "server-side-apply":
    resources = dynamic.DynamicClient(api_client).resources.get(api_version=request["apiVersion"], kind=request["kind"])
    call(lambda: dynamic.DynamicClient(api_client).server_side_apply(
        resources, body=request["body"], namespace=namespace, field_manager=request["fieldManager"],
        force_conflicts=request.get("force")).to_dict())
elif op == "replace":
    call(lambda: custom.replace_namespaced_custom_object(group, version, namespace, plural, name, request["body"]))
elif op == "get":
    call(lambda: custom.get_namespaced_custom_object(group, version, namespace, plural, name))
else:
    raise SystemExit("unknown op " + op)
