"""The Helm chart, rendered by Helm's own engine (helm-python-sdk embeds Helm v4's Go SDK),
linted, and every manifest validated against the Kubernetes OpenAPI schemas (strict)."""

from __future__ import annotations

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

VALUE_SETS: dict[str, dict[str, Any]] = {
    "defaults": REDIS,
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
    },
}


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
        if kind == "ServiceMonitor":  # a CRD: no upstream schema; checked below
            continue
        kubernetes_validate.validate(manifest, version, strict=True)


def test_value_sets_render_what_they_enable(
    rendered: dict[str, dict[tuple[str, str], dict[str, Any]]],
) -> None:
    kinds = {name: sorted({kind for kind, _ in objects}) for name, objects in rendered.items()}
    base = ["ConfigMap", "Deployment", "PodDisruptionBudget", "Secret", "Service",
            "ServiceAccount"]
    assert kinds["defaults"] == base
    assert kinds["hpa"] == sorted([*base, "HorizontalPodAutoscaler"])
    assert kinds["existing-secret"] == sorted(set(base) - {"Secret"})
    assert kinds["everything-on"] == sorted([*base, "CronJob", "Ingress", "NetworkPolicy",
                                             "ServiceMonitor"])


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


def test_without_redis_the_chart_refuses_to_render(chart: helm.Chart) -> None:
    with pytest.raises(helm.HelmRenderError, match=r"secrets\.redisUrl"):
        chart.render({}, name="rapport", namespace="chat")


@pytest.mark.parametrize("bad", [
    {"replicas": 3},  # a typo for replicaCount
    {"secrets": {"redisUrl": "http://redis:6379"}},
    {"config": {"logLevel": "TRACE"}},
    {"cronJob": {"concurrencyPolicy": "Sometimes"}},
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
