"""The Helm chart, rendered by Helm's own engine (helm-python-sdk embeds Helm v4's Go SDK),
linted, and every manifest validated against the Kubernetes OpenAPI schemas (strict)."""

from __future__ import annotations

import base64
import json
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import helm_python as helm
import kubernetes_validate
import pytest
import yaml

from adapters.settings import Settings, SettingsError, TeamsMode, load_settings

CHART = Path(__file__).resolve().parents[2] / "helm" / "rapport"
# The oldest Kubernetes the chart supports (Chart.yaml kubeVersion) and the newest schemas the
# kubernetes-validate package bundles.
KUBE_VERSIONS = ["1.25.0", kubernetes_validate.latest_version()]
REDIS = {"secrets": {"redisUrl": "redis+cluster://redis-0.redis:6379,redis-1.redis:6379"}}

EXTERNAL = {"externalRedis": {"url": "redis://:s3cret@redis-master.redis:6379/0"}}

VALUE_SETS: dict[str, dict[str, Any]] = {
    # `helm install rapport helm/rapport`: no values at all, the bundled Redis
    "defaults": {},
    "external": EXTERNAL,
    # the older name of externalRedis.url still works
    "cluster": REDIS,
    "hpa": {**REDIS, "autoscaling": {"enabled": True, "minReplicas": 3, "maxReplicas": 12,
                                     "targetMemoryUtilizationPercentage": 80}},
    "existing-secret": {"secrets": {"existingSecret": "rapport-credentials"},
                        "redis": {"tls": {"caSecret": "redis-ca"}},
                        "config": {"microsoftAppId": "00000000-0000-0000-0000-000000000001",
                                   "microsoftAppType": "SingleTenant",
                                   "microsoftAppTenantId": "contoso"}},
    "everything-on": {
        "secrets": {"redisUrl": "rediss+sentinel://s1:26379,s2:26379/rapport",
                    "slackBotToken": "xoxb-1", "slackSigningSecret": "signing",
                    "microsoftAppPassword": "pw"},
        "config": {"microsoftAppId": "00000000-0000-0000-0000-000000000002",
                   "microsoftAppTenantId": "00000000-0000-0000-0000-0000000000aa",
                   "teamsServiceUrls": ["https://smba.example-sovereign.test/"]},
        "ingress": {"enabled": True, "className": "nginx",
                    "tls": [{"secretName": "rapport-tls", "hosts": ["rapport.example.com"]}]},
        "networkPolicy": {"enabled": True,
                          "ingressFrom": [{"namespaceSelector": {"matchLabels": {
                              "kubernetes.io/metadata.name": "ingress-nginx"}}}],
                          "redisTo": [{"podSelector": {"matchLabels": {
                              "app.kubernetes.io/name": "redis"}}}]},
        "serviceMonitor": {"enabled": True, "labels": {"release": "prometheus"}},
        "cronJob": {"enabled": True},
        "slackWorker": {"enabled": True, "replicaCount": 3},
        "extraEnv": [{"name": "RAPPORT_EXTRA", "value": "1"}],
        "image": {"digest": "sha256:" + "a" * 64},
        "grafanaDashboard": {"enabled": True, "annotations": {"grafana_folder": "Rapport"}},
        "prometheusRule": {"enabled": True, "labels": {"release": "prometheus"},
                           "additionalLabels": {"team": "chat-ops"}},
    },
    # the bundled Redis with every other part on
    "bundled-everything-on": {
        "networkPolicy": {"enabled": True},
        "cronJob": {"enabled": True},
        "slackWorker": {"enabled": True},
        "secrets": {"slackBotToken": "xoxb-1", "slackSigningSecret": "signing"},
        "bundledRedis": {"persistence": {"storageClass": "fast-ssd", "size": "5Gi"},
                         "appendfsync": "always"},
        "prometheusRule": {"enabled": True},
    },
}
CRDS = {"ServiceMonitor", "PrometheusRule"}  # no upstream schema: checked by the tests below


@pytest.fixture(scope="module")
def chart() -> Iterator[helm.Chart]:
    helm.disable_logging()
    with helm.Chart.load(CHART) as loaded:
        yield loaded


def render(chart: helm.Chart, values: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """{(kind, name): manifest} for one values set, rendered as `helm install` would."""
    rendered = chart.render(values, name="rapport", namespace="chat", is_install=True)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for path, text in rendered.items():
        if path.endswith("NOTES.txt"):
            continue
        for doc in yaml.safe_load_all(text):
            if doc:
                key = (doc["kind"], doc["metadata"]["name"])
                assert key not in out, f"{key} rendered twice"
                out[key] = doc
    return out


@pytest.fixture(scope="module")
def rendered(chart: helm.Chart) -> dict[str, dict[tuple[str, str], dict[str, Any]]]:
    return {name: render(chart, values) for name, values in VALUE_SETS.items()}


def pod_spec(objects: dict[tuple[str, str], dict[str, Any]]) -> dict[str, Any]:
    spec: dict[str, Any] = objects["Deployment", "rapport"]["spec"]["template"]["spec"]
    return spec


def env_of(container: dict[str, Any]) -> dict[str, Any]:
    return {item["name"]: item.get("value") for item in container.get("env", [])}


@pytest.mark.parametrize("name", VALUE_SETS)
def test_the_chart_lints_clean_in_strict_mode(name: str) -> None:
    report = helm.lint(CHART, VALUE_SETS[name], strict=True, namespace="chat")
    problems = [m for m in report["messages"] if m["severity"] >= 2] + report["errors"]
    assert problems == []


@pytest.mark.parametrize("name", VALUE_SETS)
@pytest.mark.parametrize("version", KUBE_VERSIONS)
def test_every_manifest_is_valid_kubernetes(
    rendered: dict[str, dict[tuple[str, str], dict[str, Any]]], name: str, version: str,
) -> None:
    for (kind, _), manifest in rendered[name].items():
        if kind in CRDS:
            continue
        kubernetes_validate.validate(manifest, version, strict=True)


def test_value_sets_render_what_they_enable(
    rendered: dict[str, dict[tuple[str, str], dict[str, Any]]],
) -> None:
    kinds = {name: sorted({kind for kind, _ in objects}) for name, objects in rendered.items()}
    base = ["ConfigMap", "Deployment", "PodDisruptionBudget", "Secret", "Service",
            "ServiceAccount"]
    assert kinds["defaults"] == sorted([*base, "StatefulSet"])  # the bundled Redis
    assert kinds["external"] == kinds["cluster"] == base
    assert kinds["hpa"] == sorted([*base, "HorizontalPodAutoscaler"])
    assert kinds["existing-secret"] == sorted(set(base) - {"Secret"})
    assert kinds["everything-on"] == sorted([*base, "CronJob", "Ingress", "NetworkPolicy",
                                             "ServiceMonitor", "PrometheusRule"])
    assert kinds["bundled-everything-on"] == sorted([*base, "StatefulSet", "CronJob",
                                                     "NetworkPolicy", "PrometheusRule"])
    redis = {key for key in rendered["defaults"] if key[1] == "rapport-redis"}
    assert redis == {("StatefulSet", "rapport-redis"), ("Service", "rapport-redis"),
                     ("Secret", "rapport-redis"), ("ConfigMap", "rapport-redis")}


@pytest.mark.parametrize("name", VALUE_SETS)
def test_probes_security_context_and_tmp(
    rendered: dict[str, dict[tuple[str, str], dict[str, Any]]], name: str,
) -> None:
    spec = pod_spec(rendered[name])
    (container,) = spec["containers"]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert container["ports"] == [{"name": "http", "containerPort": 3978, "protocol": "TCP"}]
    assert container["args"] == ["serve"]
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["runAsUser"] == 10001
    assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert security["runAsNonRoot"] is True
    assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]
    assert any(v["name"] == "tmp" and "emptyDir" in v for v in spec["volumes"])
    assert spec["automountServiceAccountToken"] is False
    assert container["resources"]["requests"] and container["resources"]["limits"]["memory"]
    assert spec["terminationGracePeriodSeconds"] > 25  # the app's own shutdown grace


def test_secrets_are_referenced_never_inlined(
    rendered: dict[str, dict[tuple[str, str], dict[str, Any]]],
) -> None:
    own = rendered["everything-on"]
    secret = own["Secret", "rapport"]
    assert secret["stringData"] == {
        "REDIS_URL": "rediss+sentinel://s1:26379,s2:26379/rapport", "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "signing", "MICROSOFT_APP_PASSWORD": "pw"}
    for objects, secret_name in [(own, "rapport"),
                                 (rendered["existing-secret"], "rapport-credentials")]:
        containers = [pod_spec(objects)["containers"][0]]
        if ("CronJob", "rapport-tick") in objects:
            job = objects["CronJob", "rapport-tick"]["spec"]["jobTemplate"]["spec"]["template"]
            containers.append(job["spec"]["containers"][0])
        for container in containers:
            assert {"secretRef": {"name": secret_name}} in container["envFrom"]
            assert {"configMapRef": {"name": "rapport"}} in container["envFrom"]
            text = yaml.safe_dump(container)
            for leaked in ("xoxb-1", "signing", "pw\n", "rediss+sentinel"):
                assert leaked not in text
        config = objects["ConfigMap", "rapport"]["data"]
        assert not {"REDIS_URL", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET",
                    "SLACK_CLIENT_SECRET", "MICROSOFT_APP_PASSWORD"} & set(config)
    # A config change restarts the pods; an existing Secret is the operator's to roll.
    own_annotations = pod_spec_annotations(own)
    assert {"checksum/config", "checksum/secret"} <= set(own_annotations)
    assert "checksum/secret" not in pod_spec_annotations(rendered["existing-secret"])


def pod_spec_annotations(objects: dict[tuple[str, str], dict[str, Any]]) -> dict[str, str]:
    annotations: dict[str, str] = objects["Deployment", "rapport"]["spec"]["template"]["metadata"][
        "annotations"]
    return annotations


def test_a_private_redis_ca_is_mounted_and_named_in_redis_ca_file(
    rendered: dict[str, dict[tuple[str, str], dict[str, Any]]],
) -> None:
    spec = pod_spec(rendered["existing-secret"])
    container = spec["containers"][0]
    assert env_of(container)["REDIS_CA_FILE"] == "/etc/rapport/redis-ca/ca.crt"
    assert {"name": "redis-ca", "mountPath": "/etc/rapport/redis-ca", "readOnly": True} in (
        container["volumeMounts"])
    (volume,) = [v for v in spec["volumes"] if v["name"] == "redis-ca"]
    assert volume["secret"]["secretName"] == "redis-ca"
    config = rendered["existing-secret"]["ConfigMap", "rapport"]["data"]
    assert config["MICROSOFT_APP_TYPE"] == "SingleTenant"
    assert config["MICROSOFT_APP_TENANT_ID"] == "contoso"


def test_replicas_belong_to_the_hpa_when_autoscaling(
    rendered: dict[str, dict[tuple[str, str], dict[str, Any]]],
) -> None:
    assert rendered["defaults"]["Deployment", "rapport"]["spec"]["replicas"] == 2
    assert "replicas" not in rendered["hpa"]["Deployment", "rapport"]["spec"]
    hpa = rendered["hpa"]["HorizontalPodAutoscaler", "rapport"]["spec"]
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                     "name": "rapport"}
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (3, 12)
    assert sorted(m["resource"]["name"] for m in hpa["metrics"]) == ["cpu", "memory"]
    pdb = rendered["hpa"]["PodDisruptionBudget", "rapport"]["spec"]
    assert pdb["maxUnavailable"] == 1
    assert pdb["selector"]["matchLabels"] == (
        rendered["hpa"]["Deployment", "rapport"]["spec"]["selector"]["matchLabels"])


def test_the_cronjob_ticks_and_the_deployment_stops_ticking(
    rendered: dict[str, dict[tuple[str, str], dict[str, Any]]],
) -> None:
    assert rendered["defaults"]["ConfigMap", "rapport"]["data"]["RAPPORT_TICK"] == "on"
    objects = rendered["everything-on"]
    assert objects["ConfigMap", "rapport"]["data"]["RAPPORT_TICK"] == "off"
    cron = objects["CronJob", "rapport-tick"]["spec"]
    assert cron["concurrencyPolicy"] == "Forbid"
    pod = cron["jobTemplate"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["args"] == ["tick"]
    assert container["image"] == pod_spec(objects)["containers"][0]["image"]
    assert container["image"] == "rapport@sha256:" + "a" * 64
    assert pod["restartPolicy"] == "Never"
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert env_of(container)["RAPPORT_EXTRA"] == "1"
    # tick pods reach Redis through the NetworkPolicy but are not behind the Service
    service = objects["Service", "rapport"]["spec"]["selector"]
    assert service["app.kubernetes.io/component"] == "server"
    policy = objects["NetworkPolicy", "rapport"]["spec"]["podSelector"]["matchLabels"]
    assert set(policy.items()) <= set(cron["jobTemplate"]["spec"]["template"]["metadata"][
        "labels"].items())


def test_slack_workers_process_and_the_servers_only_accept(
    rendered: dict[str, dict[tuple[str, str], dict[str, Any]]],
) -> None:
    assert rendered["defaults"]["ConfigMap", "rapport"]["data"]["SLACK_PROCESS_INBOX"] == "true"
    assert ("Deployment", "rapport-slack-worker") not in rendered["defaults"]
    objects = rendered["everything-on"]
    assert objects["ConfigMap", "rapport"]["data"]["SLACK_PROCESS_INBOX"] == "false"
    worker = objects["Deployment", "rapport-slack-worker"]["spec"]
    assert worker["replicas"] == 3
    (container,) = worker["template"]["spec"]["containers"]
    assert container["args"] == ["slack-worker"]
    assert container["image"] == pod_spec(objects)["containers"][0]["image"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    labels = worker["template"]["metadata"]["labels"]
    service = objects["Service", "rapport"]["spec"]["selector"]
    assert not set(service.items()) <= set(labels.items())  # not behind the Service
    assert labels["app.kubernetes.io/component"] == "slack-worker"
    assert worker["selector"]["matchLabels"]["app.kubernetes.io/component"] == "slack-worker"
    policy = objects["NetworkPolicy", "rapport"]["spec"]["podSelector"]["matchLabels"]
    assert set(policy.items()) <= set(labels.items())  # it reaches Redis and Slack


def test_ingress_publishes_only_the_platform_endpoints(
    rendered: dict[str, dict[tuple[str, str], dict[str, Any]]],
) -> None:
    ingress = rendered["everything-on"]["Ingress", "rapport"]["spec"]
    assert ingress["ingressClassName"] == "nginx"
    paths = [p["path"] for rule in ingress["rules"] for p in rule["http"]["paths"]]
    assert paths == ["/slack", "/api/messages", "/teams/files/"]  # export download links
    assert ingress["tls"] == [{"hosts": ["rapport.example.com"], "secretName": "rapport-tls"}]
    monitor = rendered["everything-on"]["ServiceMonitor", "rapport"]
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    assert monitor["metadata"]["labels"]["release"] == "prometheus"
    assert monitor["spec"]["endpoints"] == [{"port": "http", "path": "/metrics",
                                             "interval": "30s", "scrapeTimeout": "10s"}]
    assert monitor["spec"]["namespaceSelector"] == {"matchNames": ["chat"]}
    egress = rendered["everything-on"]["NetworkPolicy", "rapport"]["spec"]["egress"]
    ports = sorted(p["port"] for rule in egress for p in rule["ports"])
    assert ports == [53, 53, 443, 6379, 26379]


@pytest.mark.parametrize(("values", "message"), [
    ({"bundledRedis": {"enabled": False}}, r"leave bundledRedis\.enabled=true .* externalRedis\.url"),
    ({"externalRedis": {"url": "redis://a:6379/0"}, "secrets": {"redisUrl": "redis://b:6379/0"}},
     r"externalRedis\.url and secrets\.redisUrl are both set and differ"),
    ({**EXTERNAL, "secrets": {"existingSecret": "rapport-credentials"}},
     r"put REDIS_URL in the existing Secret"),
])
def test_without_a_redis_or_with_two_the_chart_refuses_to_render(
    chart: helm.Chart, values: dict[str, Any], message: str,
) -> None:
    with pytest.raises(helm.HelmRenderError, match=message):
        chart.render(values, name="rapport", namespace="chat")


@pytest.mark.parametrize("bad", [
    {"replicas": 3},  # a typo for replicaCount
    {"secrets": {"redisUrl": "http://redis:6379"}},
    {"config": {"logLevel": "TRACE"}},
    {"cronJob": {"concurrencyPolicy": "Sometimes"}},
    {"externalRedis": {"url": "http://redis:6379"}},
    {"bundledRedis": {"appendfsync": "no"}},  # Rapport warns: a crash loses ~30 s
    {"bundledRedis": {"password": "p@ss:word"}},  # would break the URL
    {"bundledRedis": {"persistence": {"size": "lots"}}},
    {"prometheusRule": {"deliveryFailureRatio": 5}},
])
def test_the_values_schema_refuses_mistakes(chart: helm.Chart, bad: dict[str, Any]) -> None:
    with pytest.raises(helm.HelmValuesError):
        chart.validate_schema({**REDIS, **bad})


def test_notes_name_the_endpoints_to_give_slack_and_teams(chart: helm.Chart) -> None:
    notes = chart.render(VALUE_SETS["everything-on"], name="rapport",
                         namespace="chat")["rapport/templates/NOTES.txt"]
    assert "https://rapport.example.com/slack/events" in notes
    assert "https://rapport.example.com/api/messages" in notes
    assert "rapport tick" in notes


def app_settings(objects: dict[tuple[str, str], dict[str, Any]],
                 monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The settings the app reads in the pod: the ConfigMap's and the Secret's variables."""
    import os

    for name in list(os.environ):
        if name.startswith(("SLACK_", "MICROSOFT_", "RAPPORT_", "REDIS_")) or name == "PORT":
            monkeypatch.delenv(name)
    env = dict(objects["ConfigMap", "rapport"]["data"])
    if ("Secret", "rapport") in objects:
        env.update(objects["Secret", "rapport"]["stringData"])
    for item in pod_spec(objects)["containers"][0].get("env", []):  # env wins over envFrom
        ref = item.get("valueFrom", {}).get("secretKeyRef")
        env[item["name"]] = (objects["Secret", ref["name"]]["stringData"][ref["key"]] if ref
                             else item["value"])
    for name, value in env.items():
        monkeypatch.setenv(name, str(value))
    return load_settings()


def test_the_default_chart_leaves_teams_closed(
    rendered: dict[str, dict[tuple[str, str], dict[str, Any]]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 14, item 1: the chart's defaults left MICROSOFT_APP_ID unset, so every pod served
    /api/messages without authentication. Now no app id means no Teams at all."""
    config = rendered["defaults"]["ConfigMap", "rapport"]["data"]
    assert config["RAPPORT_TEAMS_LOCAL"] == "off" and "MICROSOFT_APP_ID" not in config
    assert "RAPPORT_PUBLIC_URL" not in config  # no ingress with TLS: nothing to vouch for
    assert app_settings(rendered["defaults"], monkeypatch).teams_mode is TeamsMode.OFF
    on = app_settings(rendered["everything-on"], monkeypatch)
    assert on.teams_mode is TeamsMode.AUTHENTICATED
    assert on.rapport_public_url == "https://rapport.example.com"  # the ingress host, TLS
    assert on.rapport_teams_service_urls == ("https://smba.example-sovereign.test/",)
    # Issue 16: new Azure bots are single-tenant (no new multi-tenant ones since 2025-07-31).
    assert config["MICROSOFT_APP_TYPE"] == "SingleTenant"
    assert on.microsoft_app_type.value == "SingleTenant"


@pytest.mark.parametrize(("values", "message"), [
    ({"secrets": {**REDIS["secrets"], "microsoftAppPassword": "pw"}},
     r"microsoftAppPassword is set but config\.microsoftAppId is not"),
    ({**REDIS, "config": {"microsoftAppId": "00000000-0000-0000-0000-000000000003"}},
     r"there is no MICROSOFT_APP_PASSWORD"),
    ({**REDIS, "config": {"microsoftAppTenantId": "contoso"}},
     r"microsoftAppTenantId is set but config\.microsoftAppId is not"),
    ({"secrets": {**REDIS["secrets"], "microsoftAppPassword": "pw"},
      "config": {"microsoftAppId": "00000000-0000-0000-0000-000000000004"}},
     r"microsoftAppType=SingleTenant needs config\.microsoftAppTenantId"),
])
def test_half_given_teams_values_refuse_to_render(chart: helm.Chart, values: dict[str, Any],
                                                  message: str) -> None:
    with pytest.raises(helm.HelmRenderError, match=message):
        chart.render(values, name="rapport", namespace="chat")


def test_what_the_chart_refuses_the_app_refuses_too(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"MICROSOFT_APP_PASSWORD": "pw", "RAPPORT_TEAMS_LOCAL": "off"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("MICROSOFT_APP_ID", raising=False)
    with pytest.raises(SettingsError, match="MICROSOFT_APP_PASSWORD is set"):
        load_settings()


def test_notes_say_whether_teams_is_on(chart: helm.Chart) -> None:
    notes = chart.render(REDIS, name="rapport", namespace="chat")["rapport/templates/NOTES.txt"]
    assert "Teams: off (no config.microsoftAppId)" in notes
    on = chart.render(VALUE_SETS["everything-on"], name="rapport",
                      namespace="chat")["rapport/templates/NOTES.txt"]
    assert "Teams: on, with Bot Framework authentication" in on and "WARNING" not in on


def test_the_encryption_key_for_slack_oauth_goes_into_the_secret(chart: helm.Chart) -> None:
    objects = render(chart, {"secrets": {"redisUrl": "redis://redis:6379/0",
                                         "slackSigningSecret": "signing",
                                         "slackClientSecret": "client-secret",
                                         "encryptionKey": "fake-fernet-key-for-tests"},
                             "config": {"slackClientId": "123.456"}})
    secret = objects["Secret", "rapport"]["stringData"]
    assert secret["RAPPORT_ENCRYPTION_KEY"] == "fake-fernet-key-for-tests"
    assert "RAPPORT_ENCRYPTION_KEY" not in objects["ConfigMap", "rapport"]["data"]


# --- The bundled Redis (issue 21): `helm install rapport helm/rapport` with no values works ---

LIVE_SECRET = ('{{- lookup "v1" "Secret" .Release.Namespace (include "rapport.redis.fullname" .)'
               ' | toJson }}')


def redis_secret(objects: dict[tuple[str, str], dict[str, Any]]) -> dict[str, str]:
    data: dict[str, str] = objects["Secret", "rapport-redis"]["stringData"]
    return data


def test_the_default_install_runs_a_single_node_redis_with_aof_on_a_volume(
    rendered: dict[str, dict[tuple[str, str], dict[str, Any]]],
) -> None:
    objects = rendered["defaults"]
    redis = objects["StatefulSet", "rapport-redis"]["spec"]
    assert redis["replicas"] == 1
    conf = objects["ConfigMap", "rapport-redis"]["data"]["redis.conf"].splitlines()
    # Rapport refuses a Redis without AOF (docs/deploy.md "Redis persistence")
    assert {"appendonly yes", "appendfsync everysec", "dir /data",
            "maxmemory-policy noeviction", "include /etc/redis/auth/auth.conf"} <= set(conf)
    (claim,) = redis["volumeClaimTemplates"]
    assert claim["spec"]["resources"]["requests"]["storage"] == "1Gi"
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert "storageClassName" not in claim["spec"]  # the cluster's default StorageClass
    pod = redis["template"]["spec"]
    (container,) = pod["containers"]
    assert container["command"] == ["redis-server"]
    assert container["args"] == ["/etc/redis/redis.conf"]
    assert {"name": "data", "mountPath": "/data"} in container["volumeMounts"]
    assert "PONG" in " ".join(container["readinessProbe"]["exec"]["command"])
    assert "LOADING" in " ".join(container["livenessProbe"]["exec"]["command"])  # AOF replay
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["fsGroup"]
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert container["resources"]["requests"] and container["resources"]["limits"]["memory"]
    assert pod["automountServiceAccountToken"] is False
    service = objects["Service", "rapport-redis"]["spec"]
    assert service["ports"][0]["port"] == 6379
    assert service["selector"].items() <= redis["template"]["metadata"]["labels"].items()
    # The settings of the bigger variant reach the volume and the config
    other = rendered["bundled-everything-on"]
    claim = other["StatefulSet", "rapport-redis"]["spec"]["volumeClaimTemplates"][0]["spec"]
    assert (claim["storageClassName"], claim["resources"]["requests"]["storage"]) == (
        "fast-ssd", "5Gi")
    assert "appendfsync always" in other["ConfigMap", "rapport-redis"]["data"]["redis.conf"]


def test_the_bundled_redis_has_a_generated_password_that_rapport_uses(
    rendered: dict[str, dict[tuple[str, str], dict[str, Any]]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    objects = rendered["defaults"]
    secret = redis_secret(objects)
    password = secret["redis-password"]
    assert re.fullmatch(r"[A-Za-z0-9]{32}", password)
    assert secret["redis-url"] == f"redis://:{password}@rapport-redis.chat.svc:6379/0"
    assert secret["auth.conf"] == f"requirepass {password}\n"
    # Every Rapport pod (servers, workers, the tick job) reads REDIS_URL from that Secret ...
    for spec in pod_specs(rendered["bundled-everything-on"]):
        (container,) = spec["containers"]
        (url,) = [e for e in container["env"] if e["name"] == "REDIS_URL"]
        assert url["valueFrom"] == {"secretKeyRef": {"name": "rapport-redis", "key": "redis-url"}}
        (wait,) = spec["initContainers"]  # ... and waits for Redis rather than crash-looping
        assert "redis-cli -h rapport-redis ping" in wait["command"][-1]
        assert wait["securityContext"]["readOnlyRootFilesystem"] is True
    # ... nowhere else: not in the app's Secret or ConfigMap, not inline in a pod.
    assert "REDIS_URL" not in objects["Secret", "rapport"]["stringData"]
    assert password not in yaml.safe_dump(objects["Deployment", "rapport"])
    assert password not in yaml.safe_dump(objects["StatefulSet", "rapport-redis"])
    settings = app_settings(objects, monkeypatch)
    assert settings.redis_url is not None
    assert settings.redis_url.get_secret_value() == secret["redis-url"]


def test_the_bundled_redis_password_survives_upgrades(chart: helm.Chart, tmp_path: Path) -> None:
    """`helm template` has no cluster, so lookup finds nothing and every render makes a new
    password; `helm upgrade` finds the release's Secret and must keep its password. Stand in for
    the cluster by answering the chart's lookup with a Secret holding a known password."""
    first = redis_secret(render(chart, {}))["redis-password"]
    assert first != redis_secret(render(chart, {}))["redis-password"]  # nothing to look up
    upgraded = tmp_path / "rapport"
    shutil.copytree(CHART, upgraded)
    helpers = upgraded / "templates" / "_redis.tpl"
    text = helpers.read_text()
    assert LIVE_SECRET in text  # the chart asks the cluster for the Secret it made before
    live = json.dumps({"apiVersion": "v1", "kind": "Secret",
                       "data": {"redis-password": base64.b64encode(first.encode()).decode()}})
    helpers.write_text(text.replace(LIVE_SECRET, "{{- " + json.dumps(live) + " }}"))
    with helm.Chart.load(upgraded) as cluster_has_it:
        for _ in range(2):
            rendered_again = cluster_has_it.render({}, name="rapport", namespace="chat",
                                                   is_upgrade=True)
            secret = yaml.safe_load(rendered_again["rapport/templates/redis-secret.yaml"])
            assert secret["stringData"]["redis-password"] == first
            assert secret["stringData"]["redis-url"] == (
                f"redis://:{first}@rapport-redis.chat.svc:6379/0")
        # A password in the values wins over both.
        given = cluster_has_it.render({"bundledRedis": {"password": "chosen-by-the-admin"}},
                                      name="rapport", namespace="chat", is_upgrade=True)
        chosen = yaml.safe_load(given["rapport/templates/redis-secret.yaml"])["stringData"]
        assert chosen["auth.conf"] == "requirepass chosen-by-the-admin\n"


@pytest.mark.parametrize(("name", "url"), [
    ("external", "redis://:s3cret@redis-master.redis:6379/0"),
    ("cluster", "redis+cluster://redis-0.redis:6379,redis-1.redis:6379"),
    ("existing-secret", None),
])
def test_an_external_redis_turns_the_bundled_one_off(
    rendered: dict[str, dict[tuple[str, str], dict[str, Any]]], name: str, url: str | None,
) -> None:
    objects = rendered[name]
    assert not [key for key in objects if key[1].startswith("rapport-redis")]
    spec = pod_spec(objects)
    assert "initContainers" not in spec
    assert "REDIS_URL" not in env_of(spec["containers"][0])
    if url is not None:
        assert objects["Secret", "rapport"]["stringData"]["REDIS_URL"] == url
    notes = render_notes(VALUE_SETS[name])
    assert "the bundled Redis is off" in notes and "BUNDLED" not in notes


def test_only_rapport_reaches_the_bundled_redis_through_the_network_policies(
    rendered: dict[str, dict[tuple[str, str], dict[str, Any]]],
) -> None:
    objects = rendered["bundled-everything-on"]
    redis_pod = objects["StatefulSet", "rapport-redis"]["spec"]["template"]["metadata"]["labels"]
    app = objects["NetworkPolicy", "rapport"]["spec"]
    # The app's policy does not take over the Redis pod ...
    assert not app["podSelector"]["matchLabels"].items() <= redis_pod.items()
    # ... and lets every Rapport pod out to it on 6379 (the one Redis rule)
    (to_redis,) = [rule for rule in app["egress"] if rule.get("to")]
    assert to_redis["ports"] == [{"port": 6379, "protocol": "TCP"}]
    assert to_redis["to"][0]["podSelector"]["matchLabels"].items() <= redis_pod.items()
    redis = objects["NetworkPolicy", "rapport-redis"]["spec"]
    assert redis["podSelector"]["matchLabels"].items() <= redis_pod.items()
    (allowed,) = redis["ingress"]
    assert allowed["ports"] == [{"port": "redis", "protocol": "TCP"}]
    sources = allowed["from"][0]["podSelector"]["matchLabels"]
    for spec_labels in pod_labels(objects):  # servers, Slack workers, tick jobs
        assert sources.items() <= spec_labels.items()
    assert redis["egress"] == []  # Redis itself reaches nothing
    assert redis["policyTypes"] == ["Ingress", "Egress"]


def render_notes(values: dict[str, Any]) -> str:
    with helm.Chart.load(CHART) as loaded:
        notes: str = loaded.render(values, name="rapport", namespace="chat")[
            "rapport/templates/NOTES.txt"]
    return notes


def test_notes_say_the_redis_is_for_trying_and_what_to_set_next() -> None:
    notes = render_notes({})
    assert "BUNDLED single-node Redis" in notes and "for\ntrying Rapport and small teams" in notes
    assert "For production set\nexternalRedis.url" in notes
    assert ("kubectl -n chat get secret rapport-redis -o jsonpath='{.data.redis-password}'"
            in notes)
    assert "kubectl -n chat exec -it statefulset/rapport-redis -- redis-cli" in notes
    assert "secrets.slackBotToken=xoxb-" in notes and "config.microsoftAppId=" in notes
    assert "config.publicUrl=https://<host>" in notes
    done = render_notes(VALUE_SETS["everything-on"])
    assert "Next:" not in done and "Public URL: not set" not in done


def pod_specs(objects: dict[tuple[str, str], dict[str, Any]]) -> list[dict[str, Any]]:
    return [template["spec"] for template in pod_templates(objects)]


def pod_labels(objects: dict[tuple[str, str], dict[str, Any]]) -> list[dict[str, str]]:
    return [template["metadata"]["labels"] for template in pod_templates(objects)]


def pod_templates(objects: dict[tuple[str, str], dict[str, Any]]) -> list[dict[str, Any]]:
    """The pod templates of Rapport itself: servers, Slack workers and the tick CronJob."""
    templates = [objects["Deployment", "rapport"]["spec"]["template"]]
    if ("Deployment", "rapport-slack-worker") in objects:
        templates.append(objects["Deployment", "rapport-slack-worker"]["spec"]["template"])
    if ("CronJob", "rapport-tick") in objects:
        templates.append(objects["CronJob", "rapport-tick"]["spec"]["jobTemplate"]["spec"][
            "template"])
    return templates


# --- The Grafana dashboard and the alerts name only what Rapport's /metrics serves ---

# Labels Prometheus adds to every scraped series (the ServiceMonitor's target labels).
TARGET_LABELS = {"namespace", "pod", "job", "instance", "service", "container", "endpoint"}
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and",
                "or", "unless", "offset"}


def exported_series() -> dict[str, set[str]]:
    """{series name: label names} for every series Rapport's /metrics can serve: what
    prometheus_client's default registry holds once the server module (and so every module
    that defines a metric) is imported, plus the labels each metric is declared with."""
    from prometheus_client import REGISTRY
    from prometheus_client.metrics import MetricWrapperBase

    import adapters.web.server  # noqa: F401  (imports everything /metrics serves)

    declared: dict[str, set[str]] = {}
    for module_name, module in list(sys.modules.items()):
        if module_name.split(".")[0] not in {"adapters", "bot"}:
            continue
        for value in vars(module).values():
            if isinstance(value, MetricWrapperBase):
                for family in value.describe():
                    declared[family.name] = set(getattr(value, "_labelnames", ()))
    suffixes = {"counter": ["_total", "_created"], "gauge": [""],
                "histogram": ["_bucket", "_sum", "_count", "_created"],
                "summary": ["", "_sum", "_count", "_created"], "info": ["_info"]}
    series: dict[str, set[str]] = {}
    for family in REGISTRY.collect():
        labels = declared.get(family.name, set()) | {
            label for sample in family.samples for label in sample.labels}
        for suffix in suffixes.get(family.type, [""]):
            name = family.name + suffix
            series[name] = labels | ({"le"} if suffix == "_bucket" else set())
    return series


def promql_references(expr: str) -> tuple[dict[str, set[str]], set[str]]:
    """({metric name: label names matched on it}, grouping label names) in a PromQL
    expression, read with a small lexer: strings, ranges and Grafana variables dropped,
    functions and aggregations (names before '(') and keywords are not metrics."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    text = re.sub(r"\$\{?\w+\}?", "", text)
    text = re.sub(r"\[[^\]]*\]", "", text)
    grouping: set[str] = set()
    for clause in re.findall(
            r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)", text):
        grouping |= {label.strip() for label in clause.split(",") if label.strip()}
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    metrics: dict[str, set[str]] = {}
    for match in re.finditer(r"(?<![\w.])([A-Za-z_:][\w:]*)\s*(\{[^}]*\})?(\s*\()?", text):
        name, matchers, call = match.groups()
        if (call and not matchers) or name in PROMQL_WORDS:
            continue
        labels = set(re.findall(r"(\w+)\s*(?:=~|!~|!=|=)", matchers or ""))
        metrics.setdefault(name, set()).update(labels)
    return metrics, grouping


def check_expression(expr: str, series: dict[str, set[str]]) -> None:
    metrics, grouping = promql_references(expr)
    assert metrics, f"no metric in {expr!r}"
    for name, labels in metrics.items():
        # `up` is the one series Prometheus itself writes for every target it scrapes
        assert name in series or name == "up", f"{name} is not served on /metrics: {expr!r}"
        known = series.get(name, set()) | TARGET_LABELS
        assert labels <= known, f"{name} has no label {labels - known}: {expr!r}"
    known = set().union(*(series.get(name, set()) for name in metrics)) | TARGET_LABELS
    assert grouping <= known, f"grouping by unknown labels {grouping - known}: {expr!r}"


def test_the_promql_reader_finds_what_an_expression_names() -> None:
    metrics, grouping = promql_references(
        'histogram_quantile(0.99, sum by (le, platform) (rate(rapport_handle_seconds_bucket'
        '{namespace=~"$namespace", kind!="x"}[$__rate_interval]))) > 1e-9 or vector(0)')
    assert metrics == {"rapport_handle_seconds_bucket": {"namespace", "kind"}}
    assert grouping == {"le", "platform"}
    series = exported_series()
    with pytest.raises(AssertionError, match="rapport_nudges_total is not served"):
        check_expression("sum(rate(rapport_nudges_total[5m]))", series)
    with pytest.raises(AssertionError, match="no label"):
        check_expression('rapport_sends_total{result="sent"}', series)
    with pytest.raises(AssertionError, match="grouping by unknown labels"):
        check_expression("sum by (team) (rapport_sends_total)", series)


def dashboard(objects: dict[tuple[str, str], dict[str, Any]]) -> dict[str, Any]:
    config_map = objects["ConfigMap", "rapport-dashboard"]
    board: dict[str, Any] = json.loads(config_map["data"]["rapport.json"])
    return board


def test_the_grafana_dashboard_is_off_by_default_and_picked_up_by_the_sidecar(
    rendered: dict[str, dict[tuple[str, str], dict[str, Any]]],
) -> None:
    assert ("ConfigMap", "rapport-dashboard") not in rendered["defaults"]
    config_map = rendered["everything-on"]["ConfigMap", "rapport-dashboard"]
    assert config_map["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert config_map["metadata"]["annotations"] == {"grafana_folder": "Rapport"}
    assert config_map["metadata"]["namespace"] == "chat"
    board = dashboard(rendered["everything-on"])
    assert board == json.loads((CHART / "dashboards" / "rapport.json").read_text())
    assert (board["uid"], board["title"]) == ("rapport-overview", "Rapport")


def test_every_dashboard_panel_charts_metrics_rapport_exports(
    rendered: dict[str, dict[tuple[str, str], dict[str, Any]]],
) -> None:
    board = dashboard(rendered["everything-on"])
    series = exported_series()
    variables = {v["name"]: v for v in board["templating"]["list"]}
    assert variables["datasource"]["query"] == "prometheus"
    for name in ("namespace", "job"):
        check_expression(re.sub(r"^label_values\((.*), \w+\)$", r"\1",
                                variables[name]["query"]["query"]), series)
    panels = [p for p in board["panels"] if p["type"] != "row"]
    charted: set[str] = set()
    for panel in panels:
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            check_expression(target["expr"], series)
            assert 'namespace=~"$namespace", job=~"$job"' in target["expr"]
            charted |= set(promql_references(target["expr"])[0])
    # Each of Rapport's own metrics is on the dashboard.
    own = {name.removesuffix("_bucket") for name in series
           if name.startswith("rapport_") and not name.endswith(("_created", "_sum"))}
    shown = {name.removesuffix("_bucket").removesuffix("_count") for name in charted}
    assert own - {"rapport_tick_seconds_count", "rapport_handle_seconds_count"} <= shown
    # Panels don't overlap on Grafana's 24-column grid.
    cells: set[tuple[int, int]] = set()
    for panel in board["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24
        area = {(x, y) for x in range(grid["x"], grid["x"] + grid["w"])
                for y in range(grid["y"], grid["y"] + grid["h"])}
        assert not area & cells, panel["title"]
        cells |= area
    assert len({p["id"] for p in board["panels"]}) == len(board["panels"])


def alert_rules(objects: dict[tuple[str, str], dict[str, Any]]) -> dict[str, dict[str, Any]]:
    rule = objects["PrometheusRule", "rapport"]
    assert rule["apiVersion"] == "monitoring.coreos.com/v1"
    return {r["alert"]: r for group in rule["spec"]["groups"] for r in group["rules"]}


def test_the_alerts_are_off_by_default_and_cover_redis_the_tick_and_deliveries(
    rendered: dict[str, dict[tuple[str, str], dict[str, Any]]],
) -> None:
    assert ("PrometheusRule", "rapport") not in rendered["defaults"]
    objects = rendered["everything-on"]
    assert objects["PrometheusRule", "rapport"]["metadata"]["labels"]["release"] == "prometheus"
    rules = alert_rules(objects)
    assert {"RapportDown", "RapportRedisErrors", "RapportTickLagging", "RapportDeliveryFailures",
            "RapportDeliveriesRejected", "RapportSendFailures", "RapportSlowHandling"} == set(rules)
    # The CronJob runs the tick in pods nobody scrapes: no "tick stalled" alert then.
    assert "RapportTickStalled" not in alert_rules(rendered["bundled-everything-on"])
    assert "rapport_redis_errors_total" in rules["RapportRedisErrors"]["expr"]
    assert rules["RapportRedisErrors"]["expr"].endswith("> 0.1")
    assert rules["RapportTickLagging"]["expr"].endswith("> 300")
    assert 'reason=~"5.."' in rules["RapportDeliveryFailures"]["expr"]
    # Scoped to this release: the namespace and the job the ServiceMonitor's Service gives.
    service = objects["Service", "rapport"]["metadata"]["name"]
    for rule in rules.values():
        assert f'namespace="chat", job="{service}"' in rule["expr"]
        assert rule["labels"]["severity"] in {"critical", "warning"}
        assert rule["labels"]["team"] == "chat-ops"
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]
        assert re.fullmatch(r"\d+m", rule["for"])


def test_every_alert_expression_names_metrics_rapport_exports(
    rendered: dict[str, dict[tuple[str, str], dict[str, Any]]],
) -> None:
    series = exported_series()
    for name in ("everything-on", "bundled-everything-on"):
        for rule in alert_rules(rendered[name]).values():
            check_expression(rule["expr"], series)


def test_alert_thresholds_and_selector_come_from_values(chart: helm.Chart) -> None:
    objects = render(chart, {"prometheusRule": {
        "enabled": True, "selector": 'app="rapport"', "tickLagSeconds": 120,
        "redisErrorsPerSecond": 1, "deliveryFailureRatio": 0.2}})
    rules = alert_rules(objects)
    assert rules["RapportTickLagging"]["expr"] == 'max(rapport_tick_lag_seconds{app="rapport"}) > 120'
    assert rules["RapportRedisErrors"]["expr"].endswith("> 1")
    assert rules["RapportDeliveryFailures"]["expr"].endswith("> 0.2")
    assert "RapportTickStalled" in rules  # the in-process tick runs: a stall is visible
    cron = alert_rules(render(chart, {"prometheusRule": {"enabled": True},
                                      "cronJob": {"enabled": True}}))
    assert "RapportTickStalled" not in cron  # tick pods are not scraped
